"""Whole errands in headless Chromium: a visit plan with its numbered route, a garbage item.

Screenshots go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_kiosk_browser import ANSWER_TIMEOUT, KIOSK, assert_no_horizontal_scroll, start

pytestmark = [pytest.mark.browser, pytest.mark.servers]
QUESTION = "ご質問を入力してください（例：住民票を取りたい）"


def test_a_life_event_shows_the_plan_with_the_route_on_the_maps(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    box = page.get_by_label(QUESTION)
    box.fill("母が亡くなりました")
    box.press("Enter")
    card = page.locator("#card .plan-card")
    expect(card.locator(".plan-step").first).to_contain_text("死亡届", timeout=ANSWER_TIMEOUT)
    assert card.locator(".plan-step").count() >= 5
    expect(card.locator(".plan-condition").first).to_contain_text("該当する方")
    expect(card.locator(".plan-bring")).to_be_visible()
    maps = card.locator(".plan-map")
    assert maps.count() >= 2                       # the route crosses floors
    expect(maps.first.locator(".map-stop[data-step='1']")).to_be_visible()
    expect(card.locator("svg.qr")).to_be_visible()
    expect(card.locator(".speak-button")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "kiosk-plan-death")


def test_a_garbage_item_shows_its_category_and_how(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    box = page.get_by_label(QUESTION)
    box.fill("乾電池はどうやって捨てますか")
    box.press("Enter")
    card = page.locator("#card .sorting-card")
    expect(card.locator(".sorting-category")).to_contain_text("乾電池", timeout=ANSWER_TIMEOUT)
    expect(card.locator(".sorting-how")).to_contain_text("コイン")   # kanji carry ruby
    expect(card.locator(".sorting-mark")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "kiosk-sorting-battery")


def test_a_life_event_can_be_chosen_without_typing(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    page.locator(".life-events-button").click()
    expect(page.get_by_role("heading", name="くらしの出来事")).to_be_visible()
    screenshot(page, "kiosk-life-events")
    page.get_by_role("button", name="赤ちゃんが生まれた", exact=True).click()
    card = page.locator("#card .plan-card")
    expect(card.locator(".plan-step").first).to_contain_text("出生届", timeout=ANSWER_TIMEOUT)
    screenshot(page, "kiosk-plan-birth")
