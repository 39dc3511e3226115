"""Editing the guide data (sections, procedures, redirects, programs), answers and examples."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from back_office.editing import KINDS, EditConflict, EditError, SaveResult, values_version
from bot.guide_data import GuideDataError
from kiosk_ui.staff.views_common import editor
from kiosk_ui.staff.auth import current_user
from kiosk_ui.staff.forms import FORMS, ExamplesForm, ResponseForm, lines

# URL segment → kind of guide entry, and the Japanese label of each kind.
bp = Blueprint("content", __name__)

PLURAL = {"sections": "section", "procedures": "procedure", "redirects": "redirect",
          "programs": "program", "facilities": "facility"}
KIND_LABELS = {"section": "課・窓口", "procedure": "手続き", "redirect": "区役所以外の案内先",
               "program": "事業の説明", "facility": "設備（トイレ・授乳室など）"}
KINDS_URL = "<any(sections,procedures,redirects,programs,facilities):kinds>"


def _kind(kinds: str) -> str:
    if kinds not in PLURAL:
        abort(404)
    return PLURAL[kinds]


def saved_message(result: SaveResult) -> str:
    """What the save means for the kiosk, in the staff's words."""
    if result.change is None:
        return "変更はありませんでした。"
    if result.regenerated_nlu:
        return ("保存しました。窓口・案内の内容はキオスクにすぐ反映されます。"
                "言葉（同義語）の変更を会話の理解に反映するには「再学習・公開」を行ってください。")
    if result.needs_retraining:
        return "保存しました。キオスクの会話に反映するには「再学習・公開」を行ってください。"
    return "保存しました。キオスクにすぐ反映されます。"


@bp.get(f"/{KINDS_URL}/")
def entry_list(kinds: str):
    kind = _kind(kinds)
    query = request.args.get("q", "").strip()
    entries = editor().entries(kind)
    if query:
        entries = [e for e in entries if query in e["label"] or query in e["id"]
                   or any(query in s for s in e["values"].get("synonyms", []))]
    return render_template("staff/entry_list.html", kind=kind, kinds=kinds, entries=entries,
                           query=query, kind_label=KIND_LABELS[kind],
                           sections={s["id"]: s["label"] for s in editor().entries("section")})


def _form_for(kind: str, entry: dict | None, formdata=None):
    guide = editor().guide()
    cls = FORMS[kind]
    kwargs = {"floors": guide.office.floors} if kind in ("section", "facility") else {}
    data = None
    if entry is not None and formdata is None:
        values = dict(entry["values"])
        for key in ("synonyms", "bring"):
            if key in values:
                values[key] = "\n".join(values[key])
        data = {**values, "version": entry["version"]}
    form = cls(formdata=formdata, data=data, **kwargs)
    if hasattr(form, "section"):
        form.section.choices = [(s.id, s.name) for s in guide.sections.values()]
    return form


@bp.route(f"/{KINDS_URL}/<item_id>", methods=["GET", "POST"])
def entry_edit(kinds: str, item_id: str):
    kind = _kind(kinds)
    try:
        entry = editor().entry(kind, item_id)
    except EditError:
        abort(404)
    form = _form_for(kind, entry, formdata=request.form if request.method == "POST" else None)
    context = dict(kind=kind, kinds=kinds, entry=entry, form=form, kind_label=KIND_LABELS[kind],
                   file=editor().project.rel(editor().project.guide_file(KINDS[kind][0])))
    if request.method == "GET":
        return render_template("staff/entry_edit.html", **context)
    if not form.validate():
        return render_template("staff/entry_edit.html", error="入力内容を確認してください。",
                               **context), 422
    try:
        result = editor().save_entry(kind, item_id, form.values(), form.version.data,
                                     current_user().name)
    except EditConflict as conflict:
        # The form starts again from the saved entry with this editor's own changes on top,
        # so a second 保存 cannot put back the other person's fields with stale values.
        if conflict.merged is not None:
            context["form"] = _form_for(kind, {"values": conflict.merged,
                                               "version": conflict.version})
        else:
            form.version.data = editor().entry(kind, item_id)["version"]
        return render_template("staff/entry_edit.html", conflict=conflict, **context), 409
    except (GuideDataError, EditError) as err:
        return render_template("staff/entry_edit.html", error="保存できませんでした（データの検証で"
                               f"問題が見つかりました）: {err}", **context), 422
    flash(saved_message(result))
    return redirect(url_for("staff.content.entry_edit", kinds=kinds, item_id=item_id))


@bp.get("/answers/")
def answer_list():
    return render_template("staff/answer_list.html", responses=editor().responses())


@bp.route("/answers/<name>", methods=["GET", "POST"])
def answer_edit(name: str):
    current = editor().responses().get(name)
    if current is None:
        abort(404)
    form = ResponseForm(data=None if request.method == "POST" else
                        {"text": current["text"], "version": current["version"]})
    context = dict(name=name, current=current, form=form)
    if request.method == "GET":
        return render_template("staff/answer_edit.html", **context)
    if not form.validate():
        return render_template("staff/answer_edit.html", error="入力内容を確認してください。",
                               **context), 422
    try:
        result = editor().save_response(name, form.text.data, form.version.data,
                                        current_user().name)
    except EditConflict as conflict:
        form.version.data = editor().responses()[name]["version"]
        return render_template("staff/answer_edit.html", conflict=conflict, **context), 409
    except EditError as err:
        return render_template("staff/answer_edit.html", error=f"保存できませんでした: {err}",
                               **context), 422
    flash(saved_message(result))
    return redirect(url_for("staff.content.answer_edit", name=name))


@bp.get("/examples/")
def example_list():
    intents = editor().intents()
    return render_template("staff/example_list.html", intents=intents,
                           assignable=editor().assignable_intents())


@bp.route("/examples/<path:intent>", methods=["GET", "POST"])
def example_edit(intent: str):
    assignable = dict(editor().assignable_intents())
    if intent not in assignable:
        abort(404)
    info = editor().intents().get(intent) or {"file": "data/nlu/staff_examples.yml",
                                              "examples": [], "version": None}
    version = info["version"] or values_version([])
    form = ExamplesForm(data=None if request.method == "POST" else
                        {"examples": "\n".join(info["examples"]), "version": version})
    context = dict(intent=intent, label=assignable[intent], info=info, form=form)
    if request.method == "GET":
        return render_template("staff/example_edit.html", **context)
    if not form.validate():
        return render_template("staff/example_edit.html", error="入力内容を確認してください。",
                               **context), 422
    try:
        result = editor().save_examples(intent, lines(form.examples.data), form.version.data,
                                        current_user().name)
    except EditConflict as conflict:
        form.version.data = (editor().intents().get(intent) or {}).get("version") or version
        return render_template("staff/example_edit.html", conflict=conflict, **context), 409
    except EditError as err:
        return render_template("staff/example_edit.html", error=f"保存できませんでした: {err}",
                               **context), 422
    flash(saved_message(result))
    return redirect(url_for("staff.content.example_edit", intent=intent))


# --- translations ------------------------------------------------------------------------------

LIST_FIELDS = ("synonyms", "bring")


@bp.get("/translations/")
def translation_languages():
    """Every language with its entries translated / missing / unreviewed."""
    from bot import languages as lang_data
    guide = editor().guide()
    japanese = dict(lang_data.iter_japanese(guide))
    status = {s.code: s for s in lang_data.status(guide.languages, guide.packs, japanese, {})}
    return render_template("staff/translation_languages.html",
                           languages=editor().translation_languages(), status=status)


@bp.get("/translations/<lang>/")
def translation_list(lang: str):
    show = request.args.get("show", "all")
    try:
        entries = editor().translations(lang)
    except EditError:
        abort(404)
    if show == "unreviewed":
        entries = [e for e in entries if e["fields"] and not e["reviewed"]]
    elif show == "missing":
        entries = [e for e in entries if not e["fields"]]
    language = next(lg for lg in editor().translation_languages() if lg.code == lang)
    return render_template("staff/translation_list.html", language=language, entries=entries,
                           show=show)


@bp.route("/translations/<lang>/<item_id>", methods=["GET", "POST"])
def translation_edit(lang: str, item_id: str):
    from kiosk_ui.staff.forms import TranslationForm
    try:
        current = editor().translation(lang, item_id)
    except EditError:
        abort(404)
    language = next(lg for lg in editor().translation_languages() if lg.code == lang)
    form = TranslationForm(data=None if request.method == "POST" else
                           {"reviewed": current["values"]["reviewed"], "version": current["version"]})
    values = current["values"]["fields"]
    if request.method == "POST":
        values = {}
        for key in current["allowed"]:
            raw = request.form.get(f"field-{key}", "")
            values[key] = lines(raw) if key in LIST_FIELDS else raw.strip()
    context = dict(language=language, current=current, form=form, values=values,
                   list_fields=LIST_FIELDS)
    if request.method == "GET":
        return render_template("staff/translation_edit.html", **context)
    if not form.validate():
        return render_template("staff/translation_edit.html", error="入力内容を確認してください。",
                               **context), 422
    try:
        result = editor().save_translation(lang, item_id, values, form.reviewed.data,
                                           form.version.data, current_user().name)
    except EditConflict as conflict:
        form.version.data = editor().translation(lang, item_id)["version"]
        return render_template("staff/translation_edit.html", conflict=conflict, **context), 409
    except (EditError, GuideDataError) as err:
        return render_template("staff/translation_edit.html", error=f"保存できませんでした: {err}",
                               **context), 422
    flash(saved_message(result))
    return redirect(url_for("staff.content.translation_edit", lang=lang, item_id=item_id))
