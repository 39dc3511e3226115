"""Opening hours: is the ward office open at a given moment, and what to say about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Optional

import jpholiday

from bot.guide_data import Guide

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


def open_state(guide: Guide, moment: Optional[datetime] = None) -> OpenState:
    """Whether the office is open at ``moment`` (default: now, Japan time)."""
    moment = (moment or now_jst()).astimezone(JST)
    hours = guide.office.hours
    day = moment.date()
    clock = moment.time()
    if day.strftime("%m-%d") in hours.closed_dates:
        return OpenState(False, False, "年末年始のため閉庁しています", "年末年始")
    holiday = jpholiday.is_holiday_name(day)
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


def hours_summary(guide: Guide) -> str:
    """The standing opening hours, in one sentence."""
    h = guide.office.hours
    weeks = "・".join(f"第{w}" for w in h.saturday.weeks)
    names = "・".join(guide.sections[s].name for s in h.saturday.sections)
    return (f"平日 {_hm(h.weekday_open)}〜{_hm(h.weekday_close)}。"
            f"{weeks}土曜日は {_hm(h.saturday.open)}〜{_hm(h.saturday.close)} に"
            f"{names}の一部の手続きができます。土日祝日・年末年始（12月29日〜1月3日）は閉庁です。")
