"""Schematic floor maps (案内図（模式図）), drawn as SVG from the guide data.

Each floor is laid out from what the guide says is on it: sections (with their desks)
along the top, facilities along the bottom, a corridor between them, the elevator at
the right end. It is a schematic, not a plan: positions are an ordering, not a survey.
Every box whose place is not verified says so (※場所は確認中), not only the destination.
All text is escaped; the SVG has no ids, scripts or styles, so several maps can sit in
one page under a Content-Security-Policy, and page CSS can restyle them (high contrast).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Optional

from bot.guide_data import Guide

WIDTH, HEIGHT = 960, 560
MARGIN = 10
GAP = 12
SECTION_ROW = (64, 300)     # top and bottom y of the sections' row
CORRIDOR = (310, 370)
FACILITY_ROW = (380, 540)
MAX_SECTION_W = 440
MAX_FACILITY_W = 220

# Colours chosen for WCAG AA text contrast on every fill used.
INK = "#111111"
ROOM_FILL, ROOM_LINE = "#eef3f8", "#44546a"
TARGET_FILL, TARGET_ROOM_FILL, TARGET_LINE = "#ffd400", "#fff3b0", "#000000"
HERE = "#b00020"
_HL = ' data-highlight="true"'

DEFAULT_LABELS = {
    "title": "{floor}階 案内図（模式図）",
    "here": "現在地（この案内機）",
    "arrive": "エレベーターで到着",
    "target": "目的地",
    "unverified": "※場所は確認中",
    "corridor": "通路",
    "counter": "{counter}番窓口",
    "desc_target": "目的地: {name}（{floor}階）",
    "desc_rooms": "この階: {names}",
    "desc_route": "回る順: {stops}",
}
ROUTE_FILL = "#0b4f8a"   # white numbers on it: 8.3:1


@dataclass
class _Room:
    kind: str                 # "section" or "facility"
    id: str
    name: str
    counter: Optional[str] = None
    verified: bool = True
    # (desk name, counter, verified)
    desks: list[tuple[str, Optional[str], bool]] = field(default_factory=list)


def rooms_on_floor(guide: Guide, floor: int) -> tuple[list[_Room], list[_Room]]:
    """(sections, facilities) on one floor, in guide order; the elevator is always last."""
    sections = []
    for s in guide.sections.values():
        desks = [d for d in s.desks if d.floor == floor]
        if s.floor != floor and not desks:
            continue
        # The box stands for the section's own place on its floor; elsewhere, for its desks.
        verified = s.verified if s.floor == floor else all(d.verified for d in desks)
        sections.append(_Room("section", s.id, s.name, s.counter if s.floor == floor else None,
                              verified, [(d.name, d.counter, d.verified) for d in desks]))
    facilities = [_Room("facility", f.id, f.name, verified=f.verified)
                  for f in guide.facilities.values() if f.floor == floor and f.id != "elevator"]
    # Elevators serve every floor: the way in for anyone not on the kiosk's floor.
    elevator = guide.facilities.get("elevator")
    facilities.append(_Room("facility", "elevator", elevator.name if elevator else "エレベーター",
                            verified=elevator.verified if elevator else False))
    return sections, facilities


def _wrap(text: str, width: float, size: int, cut: bool = True) -> list[str]:
    """Break text into lines that fit ``width`` (CJK glyphs are about one em wide).

    Lines break between words, never inside a katakana, Latin or number run (多目的トイ/レ)
    nor before closing punctuation; only a word longer than a line is cut.
    """
    per_line = max(1, int(width // size))
    if len(text) <= per_line:
        return [text]
    lines, line = [], ""
    for word in _WORDS.findall(text):
        if len(line) + len(word) <= per_line:
            line += word
            continue
        if line:
            lines.append(line)
        if len(word) > per_line and not cut:
            return []
        while len(word) > per_line:
            lines.append(word[:per_line])
            word = word[per_line:]
        line = word
    return lines + ([line] if line else []) or [""]


def _fit(text: str, width: float, size: int, max_lines: int, smallest: int) -> tuple[list[str], int]:
    """The largest size from ``size`` down to ``smallest`` at which the text fits the lines."""
    for cut in (False, True):  # whole words at any size first, cut words only as a last resort
        for s in range(size, smallest - 1, -1):
            lines = _wrap(text, width, s, cut)
            if lines and len(lines) <= max_lines:
                return lines, s
    return _wrap(text, width, smallest)[:max_lines], smallest


# A word: a katakana, kanji, Latin or number run, or one other character, with any closing
# marks after it and any opening bracket before it.
_WORDS = re.compile(r"[（「(]*(?:[ァ-ヶー]+|[\u3400-\u9fff々]+|[A-Za-z0-9]+|.)[）」)、。・]*")


def _text(x: float, y: float, text: str, size: int, *, weight: str = "normal",
          anchor: str = "middle", fill: str = INK, cls: str = "map-text", halo: bool = False) -> str:
    label = (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" '
             f'text-anchor="{anchor}" fill="{fill}" class="{cls}">{escape(text)}</text>')
    if not halo:
        return label
    # A plate behind the label, so a route line drawn before it passes under the text.
    w = len(text) * size + 8
    left = {"start": x - 4, "end": x - w + 4, "middle": x - w / 2}[anchor]
    return (f'<rect x="{left:.0f}" y="{y - size:.0f}" width="{w:.0f}" height="{size + 8:.0f}" '
            f'rx="4" fill="#ffffff" class="map-plate"/>' + label)


def _rect(x, y, w, h, fill, line, width, cls, extra="") -> str:
    return (f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="6" '
            f'fill="{fill}" stroke="{line}" stroke-width="{width}" class="{cls}"{extra}/>')


def _row(count: int, max_w: float) -> tuple[float, float]:
    """(first x, box width) for ``count`` boxes across the building."""
    inner = WIDTH - 2 * MARGIN - GAP
    w = min(max_w, (inner - GAP * count) / max(count, 1))
    return MARGIN + GAP, w


def floor_svg(guide: Guide, floor: int, *, section: Optional[str] = None,
              desk: Optional[str] = None, facility: Optional[str] = None,
              stops: Optional[list[tuple[int, str]]] = None,
              labels: Optional[dict] = None, route: Optional[str] = None) -> str:
    """The SVG map of one floor; ``section``/``desk`` or ``facility`` is highlighted.

    ``stops`` are a visit plan's (step number, section id): each of those rooms is highlighted
    and carries its numbers, so a plan reads as a numbered route across the floors' maps.
    ``route`` draws the way along the corridor: ``to_elevator`` (from the kiosk to the lift),
    ``from_elevator`` (from the lift to the destination) or ``here`` (kiosk to destination).
    """
    lab = {**DEFAULT_LABELS, **(labels or {})}
    stops = stops or []
    sections, facilities = rooms_on_floor(guide, floor)
    kiosk_here = floor == guide.office.kiosk_floor
    target_name = None
    target_x: Optional[float] = None
    target_edge: Optional[float] = None     # the side of the destination's box on the corridor
    parts: list[str] = []

    parts.append(_rect(MARGIN, 50, WIDTH - 2 * MARGIN, HEIGHT - 50 - MARGIN, "#ffffff", ROOM_LINE,
                       3, "map-building"))
    parts.append(_text(MARGIN, 36, lab["title"].format(floor=floor), 28, weight="bold",
                       anchor="start", cls="map-text map-title"))

    x, w = _row(len(sections), MAX_SECTION_W)
    top, bottom = SECTION_ROW
    visits: list[str] = []     # 「1 戸籍課」: the plan's stops on this floor, for the description
    for room in sections:
        numbers = [n for n, sid in stops if sid == room.id]
        is_target = room.id == section or bool(numbers)
        desk_hit = is_target and any(d == desk for d, _, _ in room.desks)
        parts.append(f'<g class="map-room{" map-target" if is_target else ""}" '
                     f'data-kind="section" data-id="{escape(room.id)}"'
                     f'{_HL if is_target and not desk_hit else ""}>')
        parts.append(_rect(x, top, w, bottom - top,
                           (TARGET_ROOM_FILL if desk_hit else TARGET_FILL) if is_target else ROOM_FILL,
                           TARGET_LINE if is_target else ROOM_LINE, 8 if is_target else 2,
                           "map-box"))
        name = ("★ " + room.name) if is_target else room.name
        lines, size = _fit(name, w - 16, 24, 2, 19)
        y = top + 32
        for line in lines:
            parts.append(_text(x + w / 2, y, line, size, weight="bold"))
            y += size + 4
        if room.counter:
            parts.append(_text(x + w / 2, y, lab["counter"].format(counter=room.counter), 22,
                               weight="bold"))
            y += 26
        if is_target:
            target_name = room.name + (f" {desk}" if desk_hit else "")
            target_x, target_edge = x + w / 2, bottom
        if not room.verified:
            parts.append(_text(x + w / 2, y, lab["unverified"], 18, weight="bold"))
            y += 22
        if room.desks:
            parts.extend(_desk_boxes(room, x, y, w, bottom, desk if is_target else None, lab))
        for k, n in enumerate(numbers):
            parts.append(_route_badge(x + 24 + k * 42, top - 2, n))
            visits.append(f"{n} {room.name}")
        parts.append("</g>")
        x += w + GAP

    x, w = _row(len(facilities), MAX_FACILITY_W)
    top, bottom = FACILITY_ROW
    elevator_x = None
    for room in facilities:
        is_target = facility == room.id
        if room.id == "elevator":
            elevator_x = x + w / 2
        parts.append(f'<g class="map-room{" map-target" if is_target else ""}" '
                     f'data-kind="facility" data-id="{escape(room.id)}"'
                     f'{_HL if is_target else ""}>')
        parts.append(_rect(x, top, w, bottom - top, TARGET_FILL if is_target else ROOM_FILL,
                           TARGET_LINE if is_target else ROOM_LINE, 8 if is_target else 2,
                           "map-box"))
        lines, size = _fit(("★ " if is_target else "") + room.name, w - 10, 20 if w >= 130 else 18,
                           2, 14)
        y = top + 34
        for line in lines:
            parts.append(_text(x + w / 2, y, line, size, weight="bold"))
            y += size + 4
        if not room.verified:
            for line in _wrap(lab["unverified"], w - 10, 15)[:2]:
                parts.append(_text(x + w / 2, y, line, 15))
                y += 19
        if is_target:
            target_name = room.name
            target_x, target_edge = x + w / 2, top
        parts.append("</g>")
        x += w + GAP

    c_top, c_bottom = CORRIDOR
    mid = (c_top + c_bottom) / 2
    parts.append(_text(WIDTH / 2, mid + 8, lab["corridor"], 20, fill="#44546a"))
    if route:
        start = MARGIN + 36 if kiosk_here and route != "from_elevator" else elevator_x
        end = elevator_x if route == "to_elevator" else target_x
        if start is not None and end is not None:
            # Drawn before the markers: their labels' white halo keeps the text readable over it.
            parts.append(_route(start, end, mid + 20, None if route == "to_elevator" else target_edge))
    if kiosk_here:
        parts.append(f'<g class="map-here" data-here="kiosk">'
                     f'<circle cx="{MARGIN + 36}" cy="{mid:.0f}" r="16" fill="{HERE}" '
                     f'stroke="#ffffff" stroke-width="4" class="map-here-dot"/>'
                     + _text(MARGIN + 62, mid + 8, lab["here"], 22, weight="bold", anchor="start",
                             fill=HERE, cls="map-text map-here-text", halo=True) + "</g>")
    elif elevator_x is not None:
        # The label goes on whichever side of the lift has room for it, inside the building.
        label_w = len(lab["arrive"]) * 22
        left = elevator_x - 26 - label_w >= MARGIN + 8
        parts.append(f'<g class="map-here" data-here="elevator">'
                     f'<circle cx="{elevator_x:.0f}" cy="{mid:.0f}" r="16" fill="{HERE}" '
                     f'stroke="#ffffff" stroke-width="4" class="map-here-dot"/>'
                     + _text(elevator_x - 26 if left else elevator_x + 26, mid + 8, lab["arrive"], 22,
                             weight="bold", anchor="end" if left else "start", fill=HERE,
                             cls="map-text map-here-text", halo=True) + "</g>")

    title = lab["title"].format(floor=floor)
    names = "、".join(r.name for r in (*sections, *facilities))
    desc = lab["desc_rooms"].format(names=names)
    if target_name and not stops:
        desc = lab["desc_target"].format(name=target_name, floor=floor) + "。" + desc
    if visits:
        desc = lab["desc_route"].format(stops="、".join(sorted(visits, key=lambda r: int(r.split()[0])))) + "。" + desc
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'class="floor-map" role="img" data-floor="{floor}" lang="ja" '
            f'font-family="Noto Sans CJK JP, Noto Sans JP, sans-serif">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
            + "".join(parts) + "</svg>")


def _route_badge(cx: float, cy: float, number: int) -> str:
    """A numbered circle on a room: this stop's place in the visit plan."""
    return (f'<g class="map-stop" data-step="{number}">'
            f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="19" fill="{ROUTE_FILL}" stroke="#ffffff" '
            f'stroke-width="3" class="map-stop-dot"/>'
            + _text(cx, cy + 8, str(number), 22, weight="bold", fill="#ffffff",
                    cls="map-text map-stop-number") + "</g>")


def _route(x1: float, x2: float, y: float, edge: Optional[float]) -> str:
    """A dashed line along the corridor and, with ``edge``, into the destination's box
    (up to a section, down to a facility), with an arrow head at its end."""
    if edge is not None:
        way = -1 if edge < y else 1
        points = [(x1, y), (x2, y), (x2, edge - way * 16)]
        tx, ty = x2, edge - way * 2
        head = f"{tx - 12:.0f},{ty - way * 16:.0f} {tx + 12:.0f},{ty - way * 16:.0f} {tx:.0f},{ty:.0f}"
    else:
        way = 1 if x2 > x1 else -1
        points = [(x1, y), (x2 - way * 34, y)]
        tx, ty = x2 - way * 20, y
        head = f"{tx - way * 16:.0f},{ty - 12:.0f} {tx - way * 16:.0f},{ty + 12:.0f} {tx:.0f},{ty:.0f}"
    path = " ".join(f"{px:.0f},{py:.0f}" for px, py in points)
    return (f'<g class="map-route" data-route="true">'
            f'<polyline points="{path}" fill="none" stroke="{HERE}" stroke-width="6" '
            f'stroke-dasharray="14 10" stroke-linecap="round" class="map-route-line"/>'
            f'<polygon points="{head}" fill="{HERE}" class="map-route-head"/></g>')


def _desk_boxes(room: _Room, x: float, y: float, w: float, bottom: float,
                desk: Optional[str], lab: dict) -> list[str]:
    """The desks (係・担当) of a section, as boxes inside its room."""
    out = []
    k = len(room.desks)
    area_top, area_bottom = y - 4, bottom - 10
    h = (area_bottom - area_top - 6 * (k - 1)) / k
    if h < 26:  # too many desks for boxes: list their names instead
        names = "・".join(name for name, _, _ in room.desks)
        lines = _wrap(names, w - 16, 17)[:3]
        if room.verified and not all(ok for _, _, ok in room.desks):
            lines.append(lab["unverified"])
        for line in lines:
            out.append(_text(x + w / 2, y + 14, line, 17))
            y += 20
        return out
    for name, counter, desk_verified in room.desks:
        hit = name == desk
        label = name + (f" {lab['counter'].format(counter=counter)}" if counter else "")
        out.append(f'<g class="map-desk{" map-target" if hit else ""}"'
                   f'{_HL if hit else ""} data-desk="{escape(name)}">')
        out.append(_rect(x + 10, area_top, w - 20, h, TARGET_FILL if hit else "#ffffff",
                         TARGET_LINE if hit else ROOM_LINE, 6 if hit else 1.5, "map-box"))
        size = 18 if h < 40 else 20
        room_for = max(1, int(h // (size + 4)))
        if not desk_verified and room_for < 2:
            size, room_for = 15, 2  # the name and its mark, in smaller type
        lines = _wrap(("▶ " if hit else "") + label, w - 36, size)
        if desk_verified:
            lines = lines[:room_for]
        else:  # the mark is kept even when the name has to be cut short
            lines = lines[:room_for - 1] + [lab["unverified"]]
        ty = area_top + h / 2 - (len(lines) - 1) * (size + 4) / 2 + size / 3
        for line in lines:
            out.append(_text(x + w / 2, ty, line, size, weight="bold" if hit else "normal"))
            ty += size + 4
        out.append("</g>")
        area_top += h + 6
    return out

