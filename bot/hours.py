"""Opening hours: is the ward office open at a given moment, and what to say about it.

Every fact (times, Saturday weeks, closure days and their name) comes from office.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Optional

import jpholiday

from bot.languages import department_name
from bot.guide_data import Guide
from bot.languages import Speaker

JST = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True)
class OpenState:
    open: bool
    saturday_service: bool
    today: str        # e.g. "本日は 8:45〜17:00 です"
    reason: Optional[str]  # why it is closed, when it is


def _t(hhmm: str) -> time:
    hh, mm = hhmm.split(":")
    return time(int(hh), int(mm))


def _hm(hhmm: str) -> str:
    return hhmm.lstrip("0") if hhmm.startswith("0") else hhmm


def now_jst() -> datetime:
    return datetime.now(JST)


def open_state(guide: Guide, moment: Optional[datetime] = None,
               sp: Optional[Speaker] = None) -> OpenState:
    """Whether the office is open at ``moment`` (default: now, Japan time); ``today`` in the
    speaker's language when one is given."""
    state = _open_state(guide, moment)
    if sp is None or sp.japanese:
        return state
    return OpenState(state.open, state.saturday_service, _today(guide, moment, sp), state.reason)


def _today(guide: Guide, moment: Optional[datetime], sp: Speaker) -> str:
    moment = (moment or now_jst()).astimezone(JST)
    hours = guide.office.hours
    day = moment.date()
    if day.strftime("%m-%d") in hours.closure.dates:
        return sp.phrase("hours_today_closure", "")
    holiday = jpholiday.is_holiday_name(day) if hours.closure.holidays else None
    if holiday:
        return sp.phrase("hours_today_holiday", "", name=holiday)
    if day.weekday() < 5:
        return sp.phrase("hours_today_weekday", "", open=_hm(hours.weekday_open),
                         close=_hm(hours.weekday_close))
    sat = hours.saturday
    if day.weekday() == 5 and (day.day - 1) // 7 + 1 in sat.weeks:
        return sp.phrase("hours_today_saturday", "", open=_hm(sat.open), close=_hm(sat.close),
                         sections=_section_names(guide, sat.sections, sp))
    return sp.phrase("hours_today_closed", "")


def _section_names(guide: Guide, ids, sp: Speaker) -> str:
    return sp.phrase("list_separator", "、").join(department_name(guide.sections[s], sp)
                                                  for s in ids)


def _open_state(guide: Guide, moment: Optional[datetime] = None) -> OpenState:
    moment = (moment or now_jst()).astimezone(JST)
    hours = guide.office.hours
    closure = hours.closure
    day = moment.date()
    clock = moment.time()
    if day.strftime("%m-%d") in closure.dates:
        return OpenState(False, False, f"{closure.name}のため閉庁しています", closure.name)
    holiday = jpholiday.is_holiday_name(day) if closure.holidays else None
    if holiday:
        return OpenState(False, False, f"本日は祝日（{holiday}）のため閉庁しています", holiday)
    if day.weekday() < 5:
        start, end = _t(hours.weekday_open), _t(hours.weekday_close)
        text = f"本日は {_hm(hours.weekday_open)}〜{_hm(hours.weekday_close)} です"
        if start <= clock < end:
            return OpenState(True, False, text, None)
        return OpenState(False, False, text, "受付時間外")
    sat = hours.saturday
    week_of_month = (day.day - 1) // 7 + 1
    if day.weekday() == 5 and week_of_month in sat.weeks:
        names = "・".join(guide.sections[s].name for s in sat.sections)
        text = f"本日は第{week_of_month}土曜日の開庁日です（{_hm(sat.open)}〜{_hm(sat.close)}、{names}の一部の手続き）"
        if _t(sat.open) <= clock < _t(sat.close):
            return OpenState(True, True, text, None)
        return OpenState(False, True, text, "受付時間外")
    return OpenState(False, False, "本日は閉庁日です", "閉庁日")


def _month_day(mmdd: str) -> str:
    month, day = mmdd.split("-")
    return f"{int(month)}月{int(day)}日"


def closure_text(guide: Guide) -> str:
    """「土日祝日・年末年始（12月29日〜1月3日）は閉庁です。」, hedged while unverified."""
    closure = guide.office.hours.closure
    days = ["土日祝日" if closure.holidays else "土日"]
    if closure.dates:
        first, last = closure.dates[0], closure.dates[-1]
        span = _month_day(first) + (f"〜{_month_day(last)}" if last != first else "")
        days.append(f"{closure.name}（{span}）")
    hedge = "" if closure.verified else "（閉庁日は確認中です）"
    return f"{'・'.join(days)}は閉庁です{hedge}。"


def weekday_hours(guide: Guide, sp: Optional[Speaker] = None) -> str:
    """「平日 8:45〜17:00」 (in the speaker's language)."""
    h = guide.office.hours
    if sp is not None and not sp.japanese:
        return sp.phrase("weekday_hours", "平日 {open}〜{close}", open=_hm(h.weekday_open),
                         close=_hm(h.weekday_close))
    return f"平日 {_hm(h.weekday_open)}〜{_hm(h.weekday_close)}"


def hours_summary(guide: Guide, sp: Optional[Speaker] = None) -> str:
    """The standing opening hours, in one sentence (in the speaker's language)."""
    h = guide.office.hours
    if sp is not None and not sp.japanese:
        closure = h.closure
        span = ""
        if closure.dates:
            first, last = closure.dates[0], closure.dates[-1]
            span = f"{int(first[:2])}/{int(first[3:])}–{int(last[:2])}/{int(last[3:])}"
        return sp.phrase(
            "hours_summary", "", open=_hm(h.weekday_open), close=_hm(h.weekday_close),
            weeks=sp.phrase("list_separator", "、").join(str(w) for w in h.saturday.weeks),
            sat_open=_hm(h.saturday.open),
            sat_close=_hm(h.saturday.close),
            sections=_section_names(guide, h.saturday.sections, sp), closure_span=span,
            hedge="" if closure.verified else sp.phrase("hours_closure_hedge", ""))
    weeks = "・".join(f"第{w}" for w in h.saturday.weeks)
    names = "・".join(guide.sections[s].name for s in h.saturday.sections)
    return (f"平日 {_hm(h.weekday_open)}〜{_hm(h.weekday_close)}。"
            f"{weeks}土曜日は {_hm(h.saturday.open)}〜{_hm(h.saturday.close)} に"
            f"{names}の一部の手続きができます。{closure_text(guide)}")
