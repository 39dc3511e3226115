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
    map_svg: Optional[Markup] = None
    link: Optional[str] = None                # what the QR code opens
    link_is_official: bool = False
    qr_svg: Optional[Markup] = None
    saturday: Optional[SaturdayService] = None  # the Saturday service, for procedures that have it
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


def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG (no external service, no image file)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Several codes may share a page, so the generator's fixed id is dropped.
    svg = svg.replace(' id="qr-path"', "")
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" class="qr" ', 1)
    return Markup(svg)


def answer_view(guide: Guide, kind: str, item_id: str, desk: Optional[str] = None,
                host_url: Optional[str] = None, sp: Optional[Speaker] = None
                ) -> Optional[AnswerView]:
    """The view of one guide entry, or None when there is no such entry; every text in
    the speaker's language (the guide's Japanese when none is given)."""
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
    elif kind == "facility" and item_id in guide.facilities:
        fac = guide.facilities[item_id]
        info = answers.facility_info(fac, sp)
        view = AnswerView(kind, item_id, info["name"],
                          facility=replace(fac, name=info["name"], where=info["where"]))
        if fac.floor is not None:
            view.map_floor = fac.floor
            view.map_svg = floor_map(guide, fac.floor, facility=fac.id)
    if view is None:
        return None
    view.sp = sp
    d = view.destination
    if d and d["floor"] is not None and not d["building"]:
        view.map_floor = d["floor"]
        view.map_svg = floor_map(guide, d["floor"], section=d["section_id"], desk=d["desk"])
    if not view.link:
        args = {"desk": view.destination["desk"]} if kind == "section" and d and d["desk"] else {}
        if not sp.japanese:
            args["lang"] = sp.lang   # the visitor's phone has no cookie: the language goes along
        path = url_for("kiosk.summary", kind=kind, item_id=item_id, **args)
        view.link = (host_url or "/").rstrip("/") + path
    view.qr_svg = qr_svg(view.link)
    return view
