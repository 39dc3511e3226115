"""The kiosk pages: start screen, counter tablet, answer cards, summaries and floor maps."""

from __future__ import annotations

from dataclasses import replace

from flask import (Blueprint, Response, abort, current_app, render_template, request)
from flask import g as flask_g
from markupsafe import Markup, escape

from bot import answers
from bot.furigana import ruby_html
from bot.hours import hours_summary, open_state
from bot.guide_data import Guide
from bot.queue_feed import feed_for
from kiosk_ui.answer_view import KINDS, answer_view, floor_map, plan_view, sorting_view
from kiosk_ui.texts import current_lang, speaker
from kiosk_ui.texts import gettext as _

bp = Blueprint("kiosk", __name__)


def guide() -> Guide:
    return current_app.extensions["guide_store"].get()


def hours_banner(g: Guide) -> dict:
    """The opening-hours line for the top of every screen."""
    sp = speaker()
    state = open_state(g, sp=sp)
    label = _("ただいま受付中です") if state.open else _("ただいま閉庁しています")
    return {"open": state.open, "saturday_service": state.saturday_service, "label": label,
            "today": state.today, "reason": state.reason, "summary": hours_summary(g, sp)}


@bp.app_template_filter("furigana")
def furigana_filter(text, reading=None):
    """Ruby markup over kanji (hidden unless the visitor turns furigana on); Japanese and
    やさしい日本語 only: other languages' texts (with 戸籍課 beside a name) get none."""
    if not speaker().language.furigana:
        return escape(str(text))
    return ruby_html(str(text), reading)


def js_strings() -> dict:
    """The scripts' fixed texts, in the interface language (passed in a data- attribute)."""
    return {
        "you": _("あなた"),
        "guide": _("案内"),
        "speak": _("読み上げる"),
        "stop": _("読み上げを止める"),
        "listening": _("お話しください…"),
        "voice": _("声で入力"),
        "voiceStop": _("聞き取りを止める"),
        "heard": _("「%(text)s」と聞き取りました", text="{text}"),
        "notHeard": _("聞き取れませんでした。もう一度お試しいただくか、文字で入力してください。"),
        "voiceUnavailable": _("この案内機では、いま声での入力が使えません。質問の欄に文字で入力してください。"),
        "staffCalled": _("スタッフを呼びました"),
        "staffClosed": _("ただいま閉庁しています"),
        "error": _("うまく送れませんでした。もう一度お試しいただくか、総合案内にお尋ねください。"),
        "cardError": _("案内図を表示できませんでした。"),
        "noResults": _("見つかりませんでした。別の言葉でお試しください。"),
        "kinds": {"procedure": _("手続き"), "section": _("課"), "facility": _("施設"),
                  "redirect": _("区役所の外"), "program": _("事業")},
        "floor": _("%(floor)s階", floor="{floor}"),
    }


@bp.app_context_processor
def page_context() -> dict:
    """The page's language: its code (for /api/chat), BCP 47 tag (<html lang>, speech),
    furigana, and every language for the picker (native names)."""
    sp = speaker()
    return {"lang": sp.lang, "lang_tag": sp.language.bcp47, "furigana": sp.language.furigana,
            "languages": list(guide().languages.values()), "js_strings": js_strings}


@bp.after_app_request
def remember_language(resp: Response) -> Response:
    lang = request.args.get("lang")
    try:
        known = guide().languages
    except Exception:   # no valid guide data at all: nothing to remember
        return resp
    if lang in known:
        resp.set_cookie("lang", lang, samesite="Lax", httponly=True)
    return resp


def _common(g: Guide) -> dict:
    sp, desk = speaker(), g.office.information_desk
    desk = replace(desk, name=sp.entry(desk.id, "name", desk.name),
                   where=sp.entry(desk.id, "where", desk.where))
    return {"guide": g, "hours": hours_banner(g), "desk": desk,
            "idle_seconds": current_app.config["IDLE_SECONDS"]}


@bp.get("/")
def start():
    g = guide()
    sp = speaker()
    categories = [(replace(c, title=sp.entry(c.id, "title", c.title)),
                   [(replace(g.procedures[p], title=sp.entry(p, "title", g.procedures[p].title)),
                     answers.procedure_button(g.procedures[p])["payload"])
                    for p in c.procedures]) for c in g.categories.values()]
    life_events = [(replace(e, title=sp.entry(e.id, "title", e.title)),
                    answers.button(e.title, "request", e.id)["payload"])
                   for e in g.life_events.values()]
    return render_template("kiosk.html", categories=categories, life_events=life_events,
                           **_common(g))


def _view_or_404(kind: str, item_id: str):
    if kind not in KINDS:
        abort(404)
    g = guide()
    view = answer_view(g, kind, item_id, desk=request.args.get("desk"),
                       public_url=current_app.config["PUBLIC_URL"], sp=speaker())
    if view is None:
        abort(404)
    url = current_app.config["QUEUE_FEED_URL"]
    status = feed_for(url).status(g) if url else None
    if status and view.destination:
        here = status.for_section(view.destination["section_id"], view.destination["desk"])
        view.waiting_now = here.waiting if here else None
    return view


@bp.get("/fragment/answer/<kind>/<item_id>")
def answer_fragment(kind: str, item_id: str):
    """The answer card alone, for the kiosk's script to place beside the conversation."""
    return render_template("partials/answer_card.html", view=_view_or_404(kind, item_id),
                           show_qr=True, qr_on_top=True, heading_level=2, followups=True)


@bp.get("/fragment/sorting/")
@bp.get("/fragment/sorting/<item>")
def sorting_fragment(item: str = ""):
    """The sorting card of a garbage item (or of an item the dictionary does not hold)."""
    view = sorting_view(guide(), item or None, sp=speaker())
    if view is None:
        abort(404)
    return render_template("partials/sorting_card.html", view=view, heading_level=2)


def _plan_or_404(event_id: str):
    view = plan_view(guide(), event_id, public_url=current_app.config["PUBLIC_URL"], sp=speaker())
    if view is None:
        abort(404)
    return view


@bp.get("/fragment/plan/<event_id>")
def plan_fragment(event_id: str):
    """A life event's visit plan: numbered steps, what to bring, route maps, QR code."""
    return render_template("partials/plan_card.html", view=_plan_or_404(event_id),
                           show_qr=True, qr_on_top=True, heading_level=2)


@bp.get("/summary/plan/<event_id>")
def plan_summary(event_id: str):
    """The whole plan on the visitor's phone (the plan card's QR code opens it)."""
    g = guide()
    return render_template("summary_plan.html", view=_plan_or_404(event_id), **_common(g))


@bp.get("/summary/<kind>/<item_id>")
def summary(kind: str, item_id: str):
    """A printable page of one answer, for the visitor's phone (the QR code opens it)."""
    g = guide()
    return render_template("summary.html", view=_view_or_404(kind, item_id), **_common(g))


@bp.get("/counter")
def counter():
    g = guide()
    maps = [(f, floor_map(g, f)) for f in g.office.floors]
    return render_template("counter.html", maps=maps, life_events=list(g.life_events.values()),
                           **_common(g))


@bp.get("/counter/show/plan/<event_id>")
def counter_show_plan(event_id: str):
    """A life event's whole plan on the counter tablet, to show the visitor."""
    g = guide()
    return render_template("counter_show.html", view=_plan_or_404(event_id),
                           card="partials/plan_card.html", **_common(g))


@bp.get("/counter/show/<kind>/<item_id>")
def counter_show(kind: str, item_id: str):
    """The answer to show the visitor; with ?visitor=<lang>, in the visitor's language beside
    the Japanese (the staff member reads one, the visitor the other)."""
    g = guide()
    view = _view_or_404(kind, item_id)
    visitor = request.args.get("visitor")
    visitor_card = None
    if visitor in g.languages and visitor != "ja":
        visitor_card = _card_in(visitor, kind, item_id)
        view = answer_view(g, kind, item_id, desk=request.args.get("desk"),
                           public_url=current_app.config["PUBLIC_URL"], sp=g.speaker("ja"))
    return render_template("counter_show.html", view=view, visitor=visitor,
                           visitor_card=visitor_card, **_common(g))


def _card_in(lang: str, kind: str, item_id: str):
    """The answer card rendered wholly in ``lang`` (its labels too), as markup."""
    saved = flask_g.pop("lang", None)
    flask_g.lang = lang
    try:
        view = answer_view(guide(), kind, item_id, desk=request.args.get("desk"),
                           public_url=current_app.config["PUBLIC_URL"], sp=speaker())
        return Markup(render_template("partials/answer_card.html", view=view, show_qr=True,
                                      heading_level=2))
    finally:
        flask_g.pop("lang", None)
        if saved is not None:
            flask_g.lang = saved


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page that names none (the staff pages)."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/map/<int:floor>.svg")
def floor_map_svg(floor: int):
    """One floor's map; ?section=&desk= or ?facility= highlights the destination."""
    g = guide()
    if floor not in g.office.floors:
        abort(404)
    highlight = {k: request.args.get(k) for k in ("section", "desk", "facility")
                 if request.args.get(k)}
    svg = floor_map(g, floor, **highlight)
    return Response(svg, mimetype="image/svg+xml")
