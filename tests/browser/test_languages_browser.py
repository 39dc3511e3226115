"""A foreign visitor's whole journey in Chromium: pick the language, ask, read the card and the
map, open the QR page — without meeting text in a language they did not choose.

Screenshots per language go to tests/artifacts/screenshots/lang-<code>-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.qr import zbarimg

pytestmark = [pytest.mark.browser, pytest.mark.servers]

KIOSK = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT = 45_000
# Kana, not the middle dot 「・」 (U+30FB), which Chinese and Korean texts use as a separator too.
KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff]")

# (code, picker name, start heading, category, procedure) — the titles as the kiosk shows them
# in that language (an entry not yet translated shows in English, the fallback, and says so).
JOURNEYS = [
    ("ko", "한국어", "용건을 선택해 주세요"),
    ("en", "English", "What do you need today?"),
    ("zh", "简体中文", "请选择您要办的事"),
    ("vi", "Tiếng Việt", "Bạn cần làm gì hôm nay?"),
    ("pt", "Português", "Do que você precisa hoje?"),
    ("ja-easy", "やさしい にほんご", "用事を選んでください"),
]


def japanese_left(page: Page, guide) -> list[str]:
    """Kana in the visible text once the Japanese names the signs use are taken out: the
    section and desk names (shown beside their translations), the office's name and address;
    the language picker names each language in itself."""
    text = page.evaluate("""() => {
        const clone = document.body.cloneNode(true);
        clone.querySelectorAll('svg, script, rt, [hidden], dialog:not([open]), .lang-picker').forEach((e) => e.remove());
        return clone.textContent; }""")
    allowed = {guide.office.name, guide.office.address}
    for s in guide.sections.values():
        allowed |= {s.name, s.name.split("（")[0], *(d.name for d in s.desks)}
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, "")
    return [line.strip() for line in text.splitlines() if KANA.search(line)]


@pytest.mark.parametrize("code, name, heading", JOURNEYS, ids=[j[0] for j in JOURNEYS])
def test_pick_a_language_then_question_card_map_and_qr_page(live_kiosk, new_page, screenshot, guide,
                                                              tmp_path, code, name, heading):
    page = new_page(KIOSK)
    page.goto(live_kiosk.url + "/")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    tag = guide.languages[code].bcp47
    assert page.evaluate("document.documentElement.lang") == tag
    if code != "ja-easy":
        assert japanese_left(page, guide) == []
    screenshot(page, f"lang-{code}-start")

    # The question by the category buttons, whose titles are in the language (or its fallback).
    category = page.locator(".category-button[data-category='certificates']")
    category.click()
    page.locator(".screen:not([hidden]) .procedure-button").first.click()
    card = page.locator("#card .answer-card")
    expect(card.locator(".dest-section")).to_contain_text("戸籍課", timeout=ANSWER_TIMEOUT)
    expect(card.locator(".floor-map [data-highlight='true']")).to_be_visible()
    expect(card.locator("svg.qr")).to_be_visible()
    assert card.get_attribute("lang") == tag
    if code != "ja-easy":
        expect(card.locator("ruby")).to_have_count(0)          # furigana only for Japanese
        assert japanese_left(page, guide) == []
    screenshot(page, f"lang-{code}-answer")

    # The QR code holds the answer as text (a phone shows it offline), in the language; the
    # ward's Japanese names stay beside the translations, as on the signs.
    png = tmp_path / f"qr-{code}.png"
    card.locator("svg.qr").screenshot(path=str(png))
    qr = zbarimg(png)
    assert "戸籍課" in qr
    if code != "ja-easy":
        leftover = qr
        for word in sorted({guide.office.name, "戸籍課", *(d.name for d in guide.sections["koseki"].desks)},
                           key=len, reverse=True):
            leftover = leftover.replace(word, "")
        assert not KANA.search(leftover), qr

    # The printable summary, as a phone opens it from GUIDE_PUBLIC_URL (no cookie: the
    # language travels in the link).
    procedure = card.get_attribute("data-id")
    phone = new_page(PHONE)
    phone.goto(f"{live_kiosk.url}/summary/procedure/{procedure}?lang={code}")
    expect(phone.locator(".dest-section")).to_contain_text("戸籍課")
    assert phone.evaluate("document.documentElement.lang") == tag
    if code != "ja-easy":
        assert japanese_left(phone, guide) == []
    screenshot(phone, f"lang-{code}-summary")


@pytest.mark.parametrize("code, text", [
    ("en", "I need a copy of my residence record"),
    ("ja-easy", "じゅうみんひょうが ほしいです"),
])
def test_a_typed_question_in_the_language_is_routed(live_kiosk, new_page, screenshot, guide, code, text):
    page = new_page(KIOSK)
    page.goto(live_kiosk.url + f"/?lang={code}")
    box = page.locator("#question")
    box.fill(text)
    box.press("Enter")
    card = page.locator("#card .answer-card")
    expect(card.locator(".dest-section")).to_contain_text("戸籍課", timeout=ANSWER_TIMEOUT)
    assert page.locator("#log .msg-bot .msg-text").first.get_attribute("lang") == guide.languages[code].bcp47
    screenshot(page, f"lang-{code}-typed")


def test_korean_typed_on_the_japanese_screen_is_answered_in_korean(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    page.goto(live_kiosk.url + "/")
    box = page.locator("#question")
    box.fill("주민표를 떼고 싶어요")
    box.press("Enter")
    reply = page.locator("#log .msg-bot .msg-text").first
    expect(reply).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert reply.get_attribute("lang") == "ko-KR"
    assert not KANA.search(reply.text_content() or "")
    screenshot(page, "lang-ko-typed-on-japanese-screen")
