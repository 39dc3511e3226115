"""What an answer screen shows for one guide entry, built from the guide data.

The kiosk's answer card, the counter tablet's "show the visitor" view and the printable
summary page all render this one view, so they always agree with each other and with
the bot (which builds its destinations with the same ``bot.answers`` functions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import qrcode
import qrcode.image.svg
from dataclasses import replace

from flask import url_for
from markupsafe import Markup

from bot import answers
from kiosk_ui.floor_map import floor_svg
from bot.guide_data import Facility, Guide, Procedure, Program, Redirect, SaturdayService, Section
from bot.languages import Speaker
from kiosk_ui.texts import gettext as _

KINDS = ("procedure", "section", "facility", "redirect", "program")


@dataclass
class AnswerView:
    kind: str
    id: str
    title: str
    destination: Optional[dict] = None       # bot.answers.destination(...)
    section: Optional[Section] = None
    procedure: Optional[Procedure] = None
    redirect: Optional[Redirect] = None
    program: Optional[Program] = None
    facility: Optional[Facility] = None
    map_floor: Optional[int] = None
    map_svg: Optional[Markup] = None          # the destination's floor, with the way to it
    lift_svg: Optional[Markup] = None         # the kiosk's floor and the way to the lift, if another floor
    kiosk_floor: Optional[int] = None
    link: Optional[str] = None                # the page the QR code links to, if any
    link_is_official: bool = False
    qr_text: str = ""                         # what a phone shows when it reads the QR code
    qr_svg: Optional[Markup] = None
    saturday: Optional[SaturdayService] = None  # the Saturday service, for procedures that have it
    waiting_now: Optional[int] = None         # people waiting at this counter, from the queue feed
    sp: Optional[Speaker] = None              # the visitor's language

    @property
    def verified(self) -> bool:
        if self.destination is not None:
            return bool(self.destination["verified"])
        if self.facility is not None:
            return self.facility.verified
        return True

    def saturday_hours(self) -> Optional[dict]:
        """The Saturday service as the card says it (第2・第4, 9:00, 12:00), from the data."""
        if self.saturday is None:
            return None
        weeks = [_("第%(n)s", n=w) for w in self.saturday.weeks]
        return {"weeks": answers.list_text(weeks, self.sp) if self.sp and not self.sp.japanese
                else "・".join(weeks),
                "open": _clock(self.saturday.open), "close": _clock(self.saturday.close)}

    def speech(self) -> str:
        """The answer as one plain sentence list, for reading aloud."""
        parts = [self.title]
        d = self.destination
        sp = self.sp
        if sp is not None and not sp.japanese:
            # Read aloud in the visitor's language: the section's Japanese name stays on
            # screen for the signs, but is not spoken by a foreign voice.
            if d:
                parts.append(f"{d['department']}, {d['place']}")
            if self.facility:
                parts.append(self.facility.where)
            if self.redirect:
                parts.append(self.redirect.name)
            if self.procedure and self.procedure.bring:
                parts.append(_("お持ちいただくもの") + ": " +
                             answers.list_text(self.procedure.bring, sp))
            return ". ".join(parts)
        if d:
            in_charge = f"{answers.in_charge_label(self.program)}、" if self.program else ""
            parts.append(f"{in_charge}{d['department']}{'、' + d['desk'] if d['desk'] else ''}。"
                         f"{d['place']}")
        if self.facility:
            parts.append(self.facility.where)
        if self.redirect:
            parts.append(self.redirect.name)
        if self.procedure and self.procedure.bring:
            parts.append("お持ちいただくもの。" + "、".join(self.procedure.bring))
        if not self.verified:
            parts.append("窓口の場所は確認中です。")
        return "。".join(parts)


# A phone decodes a QR code of up to version 10 (57 modules) reliably off a kiosk screen;
# UTF-8 kanji take 3 bytes, so the take-away text is cut to this many bytes.
QR_MAX_BYTES = 270


def _fits(lines: list[str]) -> bool:
    return len("\n".join(lines).encode("utf-8")) <= QR_MAX_BYTES


def take_away_text(guide: Guide, view: AnswerView) -> str:
    """The answer as plain text for the QR code: a phone camera shows it with no network.

    Section, floor and counter, what to bring, phone, opening hours and a link; when it
    would not fit, what to bring is shortened first (「ほか」), then the hours are dropped.
    """
    sp = view.sp or guide.speaker()
    # Screen texts are stored trimmed: a spaced script needs the space back before an add-on.
    gap = "" if sp.japanese else " "
    hedge = gap + _("（確認中）")
    head = [f"{guide.office.name} {view.title}"]
    d = view.destination
    if d:
        name = f"{d['department']}{' ' + d['desk'] if d['desk'] else ''}"
        if name != view.title:
            head.append(name)
        # A floor without a counter number already says the number is being confirmed.
        said = "確認中" in d["place"] or (d["floor"] is not None and not d["counter"])
        head.append(d["place"] + (hedge if not d["verified"] and not said else ""))
    if view.facility:
        head.append(view.facility.where + ("" if view.facility.verified or "確認" in view.facility.where
                                           else hedge))
    if view.redirect:
        head.append(view.redirect.name)
        if view.redirect.floor is not None:
            head.append(_("この建物の%(floor)s階です（区役所の窓口ではありません）",
                          floor=view.redirect.floor))
    phone = (d or {}).get("phone") or (view.redirect.phone if view.redirect else None)
    tail = [_("電話 %(phone)s", phone=phone)] if phone else []
    h = guide.office.hours
    # The ward office's hours say nothing about an office elsewhere.
    hours = [] if view.redirect else [_("受付 平日%(open)s〜%(close)s", open=_clock(h.weekday_open),
                                        close=_clock(h.weekday_close))]
    link = [view.link] if view.link else []
    bring = list(view.procedure.bring) if view.procedure else []

    def lines(n: int, with_hours: bool) -> list[str]:
        items = answers.list_text(bring[:n], sp) + (gap + _("ほか") if n < len(bring) else "")
        return head + ([_("持ち物: %(items)s", items=items)] if n else []) + tail \
            + (hours if with_hours else []) + link

    tries = [(n, True) for n in range(len(bring), 0, -1)] + [(n, False) for n in range(len(bring), 0, -1)]
    for n, with_hours in tries + [(0, True), (0, False)]:
        if _fits(lines(n, with_hours)):
            return "\n".join(lines(n, with_hours))
    return "\n".join(head[:3] + link)


def _clock(hhmm: str) -> str:
    """「09:00」 → 「9:00」."""
    return hhmm[1:] if hhmm.startswith("0") else hhmm


def map_labels() -> dict:
    """The map's fixed texts in the interface language."""
    return {
        "title": _("%(floor)s階 案内図（模式図）", floor="{floor}"),
        "here": _("現在地（この案内機）"),
        "arrive": _("エレベーターで到着"),
        "unverified": _("※場所は確認中"),
        "corridor": _("通路"),
        "counter": _("%(counter)s番窓口", counter="{counter}"),
    }


def floor_map(guide: Guide, floor: int, **highlight) -> Markup:
    # floor_svg escapes every text it draws, so its output is safe markup.
    return Markup(floor_svg(guide, floor, labels=map_labels(), **highlight))


def _route_maps(guide: Guide, view: AnswerView, floor: int, **highlight) -> None:
    """The way from the kiosk: on its floor straight to the destination; else to the lift
    on the kiosk's floor, then from the lift on the destination's floor."""
    here = guide.office.kiosk_floor
    view.map_floor, view.kiosk_floor = floor, here
    if floor == here:
        view.map_svg = floor_map(guide, floor, route="here", **highlight)
    else:
        view.lift_svg = floor_map(guide, here, route="to_elevator")
        view.map_svg = floor_map(guide, floor, route="from_elevator", **highlight)


def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG (no external service, no image file)."""
    # Low error correction leaves room for the answer text; a screen is not a worn sticker.
    # The 4-module quiet zone is the standard's, which phone cameras rely on.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=10, border=4,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    # Several codes may share a page, so the generator's fixed id is dropped.
    svg = svg.replace(' id="qr-path"', "")
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" class="qr" ', 1)
    return Markup(svg)


def answer_view(guide: Guide, kind: str, item_id: str, desk: Optional[str] = None,
                public_url: Optional[str] = None, sp: Optional[Speaker] = None
                ) -> Optional[AnswerView]:
    """The view of one guide entry, or None when there is no such entry; every text in
    the speaker's language (the guide's Japanese when none is given).

    ``public_url`` is the deployment's address that visitors' phones can open
    (GUIDE_PUBLIC_URL); without it, and without an official page, the QR code holds
    the answer as text only (the kiosk's own address is of no use to a phone).
    """
    sp = sp or guide.speaker()
    view: Optional[AnswerView] = None
    if kind == "procedure" and item_id in guide.procedures:
        proc = guide.procedures[item_id]
        d = answers.procedure_details(proc, sp)
        shown = replace(proc, title=d["title"], bring=tuple(d["bring"]), fee=d["fee"],
                        online=d["online"], note=d["note"])
        view = AnswerView(kind, item_id, shown.title, procedure=shown,
                          section=guide.section_of(proc),
                          destination=answers.procedure_destination(guide, proc, sp),
                          saturday=guide.office.hours.saturday if proc.saturday else None)
        view.link, view.link_is_official = proc.url, bool(proc.url)
    elif kind == "section" and item_id in guide.sections:
        section = guide.sections[item_id]
        desk = desk if section.desk(desk) else None
        dest = answers.destination(section, desk, sp)
        view = AnswerView(kind, item_id, dest["department"], section=section, destination=dest)
    elif kind == "program" and item_id in guide.programs:
        prog = guide.programs[item_id]
        section = guide.sections[prog.section]
        info = answers.program_info(guide, prog, sp)
        view = AnswerView(kind, item_id, info["title"],
                          program=replace(prog, title=info["title"], text=info["text"]),
                          section=section,
                          destination=answers.program_destination(guide, prog, sp))
    elif kind == "redirect" and item_id in guide.redirects:
        red = guide.redirects[item_id]
        info = answers.redirect_info(red, sp)
        view = AnswerView(kind, item_id, info["title"],
                          redirect=replace(red, title=info["title"], name=info["name"],
                                           note=info["note"]))
        view.link, view.link_is_official = red.url, bool(red.url)
        if red.floor is not None:
            # A counter upstairs that the ward office does not run: the way to its floor.
            _route_maps(guide, view, red.floor)
    elif kind == "facility" and item_id in guide.facilities:
        fac = guide.facilities[item_id]
        info = answers.facility_info(fac, sp)
        view = AnswerView(kind, item_id, info["name"],
                          facility=replace(fac, name=info["name"], where=info["where"]))
        if fac.floor is not None:
            _route_maps(guide, view, fac.floor, facility=fac.id)
    if view is None:
        return None
    view.sp = sp
    d = view.destination
    if d and d["floor"] is not None and not d["building"]:
        _route_maps(guide, view, d["floor"], section=d["section_id"], desk=d["desk"])
    if not view.link and public_url:
        args = {"desk": view.destination["desk"]} if kind == "section" and d and d["desk"] else {}
        if not sp.japanese:
            args["lang"] = sp.lang   # the visitor's phone has no cookie: the language goes along
        path = url_for("kiosk.summary", kind=kind, item_id=item_id, **args)
        view.link = public_url.rstrip("/") + path
    view.qr_text = take_away_text(guide, view)
    view.qr_svg = qr_svg(view.qr_text)
    return view


@dataclass
class SortingView:
    """What the kiosk shows for 「これは何ごみ？」: the category, how, and where to check, in
    the visitor's language where the dictionary is translated."""

    sorting: dict                             # bot.answers.sorting_info(...)
    category_id: Optional[str]
    dictionary: str
    dictionary_name: str
    collection_office: str
    bulky: dict                               # bot.answers.redirect_info(...)

    def speech(self) -> str:
        s = self.sorting
        if not s["item"]:
            return "。".join((self.dictionary, self.collection_office, self.bulky["name"]))
        return "。".join([f"{s['item_label']}、{s['category_label']}", s["how"], *s["notes"]])


def sorting_view(guide: Guide, item_name: Optional[str], sp: Optional[Speaker] = None
                 ) -> Optional[SortingView]:
    """The sorting card of one dictionary item, or the card for an item not in it (None)."""
    sp = sp or guide.speaker()
    garbage = guide.garbage
    item = garbage.items.get(item_name) if item_name else None
    if item_name and item is None:
        return None
    where = answers.garbage_help(guide, sp)
    return SortingView(answers.sorting_info(guide, item, sp), item.category if item else None,
                       where["dictionary"], garbage.help.dictionary_name, where["office"],
                       answers.redirect_info(guide.redirects[garbage.help.bulky_redirect], sp))


@dataclass
class PlanView:
    """A life event's visit plan: numbered steps, what to bring for all of them, route maps."""

    id: str
    title: str
    note: Optional[str]
    steps: list[dict]                         # bot.answers.plan_steps(...)
    bring: list[tuple[str, list[int]]]        # (thing, the steps that need it)
    maps: list[tuple[int, list[int], Markup]]  # (floor, its step numbers, SVG), in visiting order
    link: Optional[str] = None                # the public summary page, when the deployment has one
    qr_text: str = ""
    qr_svg: Optional[Markup] = None
    sp: Optional[Speaker] = None              # the visitor's language

    @property
    def verified(self) -> bool:
        return all(s["verified"] for s in self.steps)

    def legs(self) -> list[tuple[Optional[int], Optional[str], int, int]]:
        """The visit floor by floor, in order: (floor; else the other building's name, or None
        outside the office; first step, last step). A place visited twice is two legs, so the
        overview never reorders the steps."""
        out: list[tuple[Optional[int], Optional[str], int, int]] = []
        for s in self.steps:
            where = (None, None) if s["redirect"] else (
                (None, s["building"]) if s["building"] else (s["floor"], None))
            if out and out[-1][:2] == where:
                out[-1] = (*where, out[-1][2], s["step"])
            else:
                out.append((*where, s["step"], s["step"]))
        return out

    def speech(self) -> str:
        if self.sp is not None and not self.sp.japanese:
            # In the visitor's language: the sections' Japanese names are for the signs, not
            # for a foreign voice to read out.
            parts = [self.title] + [f"{s['step']}. {s['title']}: {s['department']}, {s['place']}"
                                    for s in self.steps]
            if self.bring:
                parts.append(_("お持ちいただくもの") + ": " +
                             answers.list_text([thing for thing, _steps in self.bring], self.sp))
            return ". ".join(parts)
        parts = [self.title]
        for s in self.steps:
            parts.append(f"{s['step']}、{s['title']}。{s['department']}、{s['place']}"
                         + (f"。{s['condition']}" if s["condition"] else ""))
        if self.bring:
            parts.append("お持ちいただくもの。" + "、".join(thing for thing, _ in self.bring))
        return "。".join(parts)


# A plan has more to carry than one answer; 360 bytes still fit version 12 at level L
# (73 modules with the quiet zone), the size every answer's code stays within.
PLAN_QR_MAX_BYTES = 360


def plan_take_away_text(guide: Guide, view: PlanView) -> str:
    """The whole plan as plain text for the QR code, read by a phone with no network.

    Every step keeps its number, section and floor, in order. When it would not fit, what to
    bring goes first, then the hours; then steps at the same place share one line, first
    with the procedures' short names, then without them, then without the floors.
    """
    sp = view.sp or guide.speaker()
    gap = "" if sp.japanese else " "      # screen texts are stored trimmed
    head = [f"{guide.office.name} {view.title}"]
    h = guide.office.hours
    hours = [_("受付 平日%(open)s〜%(close)s", open=_clock(h.weekday_open), close=_clock(h.weekday_close))]
    unsure = [] if view.verified else [_("※一部の窓口の場所は確認中")]
    link = [view.link] if view.link else []
    things = [thing for thing, _steps in view.bring]

    def where(s: dict, with_place: bool = True) -> str:
        if s["redirect"]:
            return s["department"] + gap + _("（区役所の外）")
        if not with_place or s["floor"] is None:
            return s["department"]
        if not sp.japanese:
            return f"{s['department']}, {s['place']}"
        return f"{s['department']} {s['floor']}階" + (f"{s['counter']}番" if s["counter"] else "")

    def short(title: str) -> str:
        return title.split("（")[0]

    def runs(with_place: bool) -> list[list[dict]]:
        """Consecutive steps at one place (or, without places, at one section)."""
        out: list[list[dict]] = []
        for s in view.steps:
            if out and where(out[-1][-1], with_place) == where(s, with_place):
                out[-1].append(s)
            else:
                out.append([s])
        return out

    def numbers(run: list[dict]) -> str:
        dash = "〜" if sp.japanese else "–"
        return str(run[0]["step"]) if len(run) == 1 else f"{run[0]['step']}{dash}{run[-1]['step']}"

    def steps(level: int) -> list[str]:
        if level == 0:
            return [f"{s['step']} {short(s['title'])} → {where(s)}" for s in view.steps]
        if level == 1:
            return [f"{numbers(r)} {where(r[0])}: " + answers.list_text([short(s["title"]) for s in r], sp)
                    for r in runs(True)]
        return [f"{numbers(r)} {where(r[0], level == 2)}" for r in runs(level == 2)]

    def lines(level: int, n_bring: int, with_hours: bool) -> list[str]:
        bring = answers.list_text(things[:n_bring], sp) + (gap + _("ほか") if n_bring < len(things) else "")
        return (head + steps(level) + ([_("持ち物: %(items)s", items=bring)] if n_bring else [])
                + unsure + (hours if with_hours else []) + link)

    tries = [(0, n, True) for n in range(len(things), 0, -1)]
    tries += [(level, 0, with_hours) for level in range(4) for with_hours in (True, False)]
    for args in tries:
        text = "\n".join(lines(*args))
        if len(text.encode("utf-8")) <= PLAN_QR_MAX_BYTES:
            return text
    return "\n".join(lines(3, 0, False))


def plan_view(guide: Guide, event_id: str, public_url: Optional[str] = None,
              sp: Optional[Speaker] = None) -> Optional[PlanView]:
    """The plan of one life event, or None when there is no such event.

    As for an answer, the QR code holds the plan as text; only a deployment with a public
    address (GUIDE_PUBLIC_URL) adds the summary page's link: a phone cannot open the kiosk's own.
    """
    event = guide.life_events.get(event_id)
    if event is None:
        return None
    sp = sp or guide.speaker()
    steps = answers.plan_steps(guide, event, sp)
    bring: dict[str, list[int]] = {}
    for s in steps:
        for thing in s["bring"]:
            bring.setdefault(thing, []).append(s["step"])
    floors: dict[int, list[tuple[int, str]]] = {}
    for s in steps:
        if s["floor"] is not None and not s["building"]:
            floors.setdefault(s["floor"], []).append((s["step"], s["section_id"]))
    maps = [(floor, [n for n, _ in stops],
             Markup(floor_svg(guide, floor, stops=stops, labels=map_labels())))
            for floor, stops in floors.items()]
    view = PlanView(event.id, sp.entry(event.id, "title", event.title),
                    sp.entry(event.id, "note", event.note), steps,
                    list(bring.items()), maps)
    view.sp = sp
    if public_url:
        args = {} if sp.japanese else {"lang": sp.lang}
        view.link = public_url.rstrip("/") + url_for("kiosk.plan_summary", event_id=event.id, **args)
    view.qr_text = plan_take_away_text(guide, view)
    view.qr_svg = qr_svg(view.qr_text)
    return view
