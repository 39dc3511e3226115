"""Issue 16's data in the console: life-event plans (ordered steps) and the garbage dictionary."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from back_office.editing import EditConflict, EditError
from back_office.editing.errands import STEP_KINDS
from bot.guide_data import GuideDataError
from kiosk_ui.staff.auth import current_user
from kiosk_ui.staff.content import saved_message
from kiosk_ui.staff.forms import GarbageItemForm, VersionForm, lines
from kiosk_ui.staff.views_common import editor

bp = Blueprint("errands", __name__)
# Empty rows under a plan's steps, for adding steps.
NEW_STEP_ROWS = 2
REFUSED = "保存できませんでした（データの検証で問題が見つかりました）: "


# --- plans -----------------------------------------------------------------------------


@bp.get("/plans/")
def plan_list():
    return render_template("staff/plan_list.html", plans=editor().plans(),
                           titles=_target_titles())


def _target_titles() -> dict[str, dict[str, str]]:
    guide = editor().guide()
    return {"procedure": {p.id: p.title for p in guide.procedures.values()},
            "redirect": {r.id: r.title for r in guide.redirects.values()}}


def _posted_steps() -> list[dict]:
    """The steps in the form, in the order staff numbered them (empty rows and removals out)."""
    rows = []
    for i in range(int(request.form.get("rows", 0) or 0)):
        ref = (request.form.get(f"step-{i}-ref") or "").strip()
        if not ref or request.form.get(f"step-{i}-remove"):
            continue
        try:
            order = float(request.form.get(f"step-{i}-order") or i + 1)
        except ValueError:
            raise EditError(f"順番「{request.form.get(f'step-{i}-order')}」は数字で入力してください") from None
        rows.append((order, i, {"kind": request.form.get(f"step-{i}-kind", ""), "ref": ref,
                                "condition": request.form.get(f"step-{i}-condition")}))
    return [step for _order, _i, step in sorted(rows, key=lambda r: (r[0], r[1]))]


@bp.route("/plans/<plan_id>", methods=["GET", "POST"])
def plan_edit(plan_id: str):
    try:
        plan = editor().plan(plan_id)
    except EditError:
        abort(404)
    form = VersionForm(data=None if request.method == "POST" else {"version": plan["version"]})
    context = dict(plan=plan, steps=plan["values"]["steps"], form=form, kinds=STEP_KINDS,
                   titles=_target_titles(), new_rows=NEW_STEP_ROWS,
                   file=editor().project.rel(editor().project.guide_file("life_events.yml")))
    if request.method == "GET":
        return render_template("staff/plan_edit.html", **context)
    if not form.validate():
        return render_template("staff/plan_edit.html", error="入力内容を確認してください。", **context), 422
    try:
        steps = _posted_steps()
        context["steps"] = steps
        result = editor().save_plan(plan_id, steps, form.version.data, current_user().name)
    except EditConflict as conflict:
        form.version.data = editor().plan(plan_id)["version"]
        return render_template("staff/plan_edit.html", conflict=conflict, **context), 409
    except (GuideDataError, EditError) as err:
        return render_template("staff/plan_edit.html", error=f"{REFUSED}{err}", **context), 422
    flash(saved_message(result))
    return redirect(url_for("staff.errands.plan_edit", plan_id=plan_id))


# --- the garbage dictionary ---------------------------------------------------------------


@bp.get("/garbage/")
def garbage_list():
    query = request.args.get("q", "").strip()
    items = editor().garbage_items()
    if query:
        items = [i for i in items if query in i["name"] or query in (i["reading"] or "")
                 or any(query in s for s in i["synonyms"])]
    return render_template("staff/garbage_list.html", items=items, query=query,
                           categories=editor().garbage_choices()["categories"])


def _garbage_form(values: dict | None = None, version: str | None = None, formdata=None):
    choices = editor().garbage_choices()
    data = None
    if values is not None and formdata is None:
        data = {**values, "synonyms": "\n".join(values["synonyms"]), "version": version}
    form = GarbageItemForm(formdata=formdata, data=data)
    form.category.choices = [("", "（選んでください）"), *choices["categories"].items()]
    form.source.choices = list(choices["sources"].items())
    return form


def _garbage_values(form: GarbageItemForm) -> dict:
    return {"name": form.name.data, "reading": form.reading.data, "category": form.category.data,
            "synonyms": lines(form.synonyms.data or ""), "note": form.note.data,
            "source": form.source.data or [], "verified": form.verified.data}


def _save_garbage(name: str | None, item: dict | None):
    form = _garbage_form(item["values"] if item else None, item["version"] if item else None,
                         formdata=request.form if request.method == "POST" else None)
    context = dict(item=item, form=form, remove_form=VersionForm(
        formdata=None, data={"version": item["version"]}) if item else None,
        file=editor().project.rel(editor().project.guide_file("garbage.yml")))
    if request.method == "GET":
        return render_template("staff/garbage_edit.html", **context)
    if not form.validate():
        return render_template("staff/garbage_edit.html", error="入力内容を確認してください。", **context), 422
    try:
        result = editor().save_garbage_item(name, _garbage_values(form), form.version.data or None,
                                            current_user().name)
    except EditConflict as conflict:
        return render_template("staff/garbage_edit.html", conflict=conflict, **context), 409
    except (GuideDataError, EditError) as err:
        return render_template("staff/garbage_edit.html", error=f"{REFUSED}{err}", **context), 422
    flash(saved_message(result))
    return redirect(url_for("staff.errands.garbage_edit", name=form.name.data.strip()))


@bp.route("/garbage/new", methods=["GET", "POST"])
def garbage_new():
    return _save_garbage(None, None)


@bp.route("/garbage/item/<name>", methods=["GET", "POST"])
def garbage_edit(name: str):
    try:
        item = editor().garbage_item(name)
    except EditError:
        abort(404)
    return _save_garbage(name, item)


@bp.post("/garbage/item/<name>/remove")
def garbage_remove(name: str):
    form = VersionForm()
    if not form.validate():
        abort(400)
    try:
        result = editor().remove_garbage_item(name, form.version.data, current_user().name)
    except EditConflict as conflict:
        flash(conflict.message, "error")
        return redirect(url_for("staff.errands.garbage_list"))
    except (GuideDataError, EditError) as err:
        flash(f"削除できませんでした: {err}", "error")
        return redirect(url_for("staff.errands.garbage_list"))
    flash(f"品目「{name}」を削除しました。" + saved_message(result))
    return redirect(url_for("staff.errands.garbage_list"))
