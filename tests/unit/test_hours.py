"""Opening hours: weekdays, 2nd/4th Saturdays, holidays and the year-end closure."""

from datetime import datetime

import pytest

from bot.hours import JST, hours_summary, open_state


@pytest.mark.parametrize("moment, is_open, saturday", [
    (datetime(2026, 12, 1, 9, 0, tzinfo=JST), True, False),     # Tuesday morning
    (datetime(2026, 12, 1, 8, 44, tzinfo=JST), False, False),   # before 8:45
    (datetime(2026, 12, 1, 17, 0, tzinfo=JST), False, False),   # 17:00 is closing time
    (datetime(2026, 12, 12, 10, 0, tzinfo=JST), True, True),    # 2nd Saturday
    (datetime(2026, 12, 12, 12, 30, tzinfo=JST), False, True),  # 2nd Saturday afternoon
    (datetime(2026, 12, 5, 10, 0, tzinfo=JST), False, False),   # 1st Saturday
    (datetime(2026, 12, 6, 10, 0, tzinfo=JST), False, False),   # Sunday
    (datetime(2026, 12, 29, 10, 0, tzinfo=JST), False, False),  # year-end closure (a Tuesday)
    (datetime(2026, 11, 23, 10, 0, tzinfo=JST), False, False),  # 勤労感謝の日 (a Monday)
])
def test_open_state(guide, moment, is_open, saturday):
    state = open_state(guide, moment)
    assert (state.open, state.saturday_service) == (is_open, saturday)
    assert state.today


def test_holiday_is_named(guide):
    assert "勤労感謝の日" in open_state(guide, datetime(2026, 11, 23, 10, 0, tzinfo=JST)).today


def test_summary_names_the_saturday_sections(guide):
    summary = hours_summary(guide)
    assert "8:45" in summary and "戸籍課" in summary and "第2・第4土曜日" in summary
