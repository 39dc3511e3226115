"""The visitor's and the counter's flows in headless Chromium, on the real servers.

Each test saves a screenshot to tests/artifacts/screenshots/<name>.png.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

KIOSK = {"width": 1920, "height": 1080}
ZOOM_200 = {"width": 960, "height": 540}      # the kiosk at 200% zoom
TABLET = {"width": 800, "height": 1280}
ANSWER_TIMEOUT = 45_000                       # the first turns of a fresh Rasa server are slow


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def assert_touch_targets(page: Page, minimum: int = 48) -> None:
    """Every visible button and link is at least 48 × 48 px."""
    small = page.evaluate("""(minimum) => Array.from(document.querySelectorAll('button, a, input'))
        .filter((el) => el.offsetParent !== null && !el.classList.contains('skip-link'))
        .map((el) => [el.textContent.trim() || el.id, el.getBoundingClientRect()])
        .filter(([, r]) => r.width < minimum || r.height < minimum)
        .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`)""", minimum)
    assert not small, small


def start(page: Page, url: str) -> None:
    page.goto(url + "/")
    expect(page.get_by_role("heading", name="ご用件をお選びください")).to_be_visible()


def answer_card(page: Page):
    return page.locator("#card .answer-card")


def expect_destination(page: Page, department: str) -> None:
    card = answer_card(page)
    expect(card.locator(".dest-section")).to_contain_text(department, timeout=ANSWER_TIMEOUT)
    expect(card.locator(".floor-map [data-highlight='true']")).to_be_visible()


def tap_procedure(page: Page, category: str, procedure: str) -> None:
    page.get_by_role("button", name=category, exact=True).click()
    expect(page.get_by_role("heading", name=category)).to_be_visible()
    page.get_by_role("button", name=procedure, exact=True).click()


# --- start screen ------------------------------------------------------------------------


@pytest.mark.servers
def test_start_screen(live_kiosk, new_page, screenshot, guide):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    buttons = page.locator(".category-button")
    expect(buttons).to_have_count(len(guide.categories))   # the ten below, and any staff add
    for title in ("証明書・住民票", "引っ越し", "保険・年金", "子育て", "福祉・介護", "税金",
                  "ペット・衛生", "道路・公園", "防災", "ごみ"):
        expect(page.get_by_role("button", name=title, exact=True)).to_be_visible()
    expect(page.get_by_label("ご質問を入力してください（例：住民票を取りたい）")).to_be_editable()
    expect(page.get_by_role("button", name="スタッフを呼ぶ")).to_be_visible()
    expect(page.locator("#hours")).to_contain_text("本日")
    expect(page.locator("#paused")).to_be_hidden()   # the real assistant is up
    assert page.evaluate("document.documentElement.lang") == "ja-JP"
    assert_touch_targets(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "kiosk-start")

    page.set_viewport_size(ZOOM_200)
    assert_no_horizontal_scroll(page)
    screenshot(page, "kiosk-start-200pct")


# --- a typed question --------------------------------------------------------------------


@pytest.mark.servers
def test_typed_question_is_answered_with_the_counter_and_the_map(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    box = page.get_by_label("ご質問を入力してください（例：住民票を取りたい）")
    box.fill("住民票を取りたい")
    box.press("Enter")
    expect(page.locator("#log .msg-visitor")).to_contain_text("住民票を取りたい")
    expect(page.locator("#log .msg-bot").first).to_contain_text("戸籍課", timeout=ANSWER_TIMEOUT)
    expect_destination(page, "戸籍課")
    card = answer_card(page)
    expect(card.locator(".dest-floor")).to_contain_text("1階")
    expect(card.locator(".unverified")).to_contain_text("窓口の場所は確認中です")
    expect(card.locator(".bring")).to_contain_text("本人確認書類")
    expect(card.locator(".floor-map [data-highlight='true']")).to_contain_text("登録担当")
    expect(card.locator(".floor-map [data-here='kiosk']")).to_be_visible()
    expect(card.locator("svg.qr")).to_be_visible()
    expect(card.locator(".map-box figcaption")).to_contain_text("案内図（模式図）")
    assert_no_horizontal_scroll(page)
    screenshot(page, "kiosk-answer-typed")

    # Furigana and high contrast are display options on the same answer.
    expect(card.locator("rt").first).to_be_hidden()
    page.get_by_role("button", name="ふりがな").click()
    expect(card.locator(".dest-section rt")).to_have_text("こせきか")
    expect(card.locator(".dest-section rt")).to_be_visible()
    page.get_by_role("button", name="白黒はっきり").click()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    screenshot(page, "kiosk-answer-contrast-furigana")


# Records what the page hands to the browser's own speech synthesis, then lets it speak.
SPEECH_SPY = """
window.__spoken = [];
const realSpeak = window.speechSynthesis && window.speechSynthesis.speak.bind(window.speechSynthesis);
if (realSpeak) {
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); realSpeak(u); };
}
"""


@pytest.mark.servers
def test_the_answer_is_read_aloud_in_japanese(live_kiosk, new_page):
    page = new_page(KIOSK)
    page.add_init_script(SPEECH_SPY)
    start(page, live_kiosk.url)
    box = page.get_by_label("ご質問を入力してください（例：住民票を取りたい）")
    box.fill("住民票を取りたい")
    box.press("Enter")
    card = answer_card(page)
    expect(card.locator(".dest-section")).to_contain_text("戸籍課", timeout=ANSWER_TIMEOUT)
    card.locator("[data-speak-target='card']").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[-1]["lang"] == "ja-JP"
    assert "戸籍課" in spoken[-1]["text"] and "1階" in spoken[-1]["text"]


@pytest.mark.servers
def test_typed_markup_is_shown_as_text(live_kiosk, new_page):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    box = page.get_by_label("ご質問を入力してください（例：住民票を取りたい）")
    box.fill("<img src=x id=injected>住民票")
    box.press("Enter")
    expect(page.locator("#log .msg-visitor")).to_contain_text("<img src=x id=injected>住民票")
    expect(page.locator("#log .msg-bot").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert page.locator("#injected").count() == 0


# --- buttons only ------------------------------------------------------------------------


@pytest.mark.servers
def test_button_flow_category_procedure_answer(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    page.get_by_role("button", name="証明書・住民票", exact=True).click()
    expect(page.get_by_role("heading", name="証明書・住民票")).to_be_visible()
    expect(page.locator("#screen-start")).to_be_hidden()
    screenshot(page, "kiosk-category")
    with page.expect_request("**/api/chat") as sent:
        page.get_by_role("button", name="住民票の写しの交付", exact=True).click()
    body = json.loads(sent.value.post_data)
    assert body["payload"] == '/request{"item": "juminhyo"}'
    assert "text" not in body
    expect_destination(page, "戸籍課")
    # 確認中 is said once, on the card: the chat's sentence names the floor only.
    expect(page.locator("#log .msg-bot .visually-hidden").first).to_have_text(
        "住民票の写しの交付は、戸籍課（1階）です。")
    expect(page.locator("#log")).not_to_contain_text("確認中")
    expect(page.locator("#card")).to_contain_text("確認中")
    screenshot(page, "kiosk-answer-button")


@pytest.mark.servers
def test_bot_choices_are_big_buttons_that_answer(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    box = page.get_by_label("ご質問を入力してください（例：住民票を取りたい）")
    box.fill("引っ越し")                     # vague: the guide asks back with choices
    box.press("Enter")
    # Asked back (「どちらから…」) or offered near matches: either way, buttons from the bot.
    choice = page.locator("#log .choice-button", has_text="転入届（市外からの引っ越し）")
    expect(choice).to_be_visible(timeout=ANSWER_TIMEOUT)
    size = choice.bounding_box()
    assert size["height"] >= 48 and size["width"] >= 48
    screenshot(page, "kiosk-choices")
    with page.expect_request("**/api/chat") as sent:
        choice.click()
    assert json.loads(sent.value.post_data)["payload"] == '/request{"item": "tennyu"}'
    expect(page.locator("#log .msg-visitor .msg-text").last).to_have_text("転入届（市外からの引っ越し）")
    expect_destination(page, "戸籍課")
    expect(answer_card(page).locator(".card-title")).to_have_attribute("aria-label", "転入届（市外からの引っ越し）")


# --- privacy: the idle reset ---------------------------------------------------------------


@pytest.mark.servers
def test_idle_reset_counts_down_then_clears_the_conversation(quick_idle_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, quick_idle_kiosk.url)
    with page.expect_request("**/api/chat") as first:
        tap_procedure(page, "証明書・住民票", "住民票の写しの交付")
    first_session = json.loads(first.value.post_data)["session_id"]
    expect_destination(page, "戸籍課")

    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text("まもなく最初の画面に戻ります")
    screenshot(page, "kiosk-idle-countdown")
    page.get_by_role("button", name="続ける").click()   # a touch cancels the countdown
    expect(warning).to_be_hidden()
    expect(page.locator("#screen-answer")).to_be_visible()
    expect(page.locator("#log li")).not_to_have_count(0)

    expect(warning).to_be_visible(timeout=10_000)
    expect(page.locator("#screen-start")).to_be_visible(timeout=10_000)
    expect(warning).to_be_hidden()
    expect(page.locator("#log li")).to_have_count(0)
    expect(page.locator("#card")).to_be_empty()
    screenshot(page, "kiosk-idle-reset")

    with page.expect_request("**/api/chat") as second:
        tap_procedure(page, "引っ越し", "転入届（市外からの引っ越し）")
    assert json.loads(second.value.post_data)["session_id"] != first_session


@pytest.mark.servers
def test_idle_reset_returns_an_english_screen_to_japanese(quick_idle_kiosk, new_page):
    page = new_page(KIOSK)
    start(page, quick_idle_kiosk.url)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="What do you need today?")).to_be_visible()
    # Nobody touches the screen: the next visitor must not find it in the last one's language.
    expect(page.locator("#idle-warning")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", name="ご用件をお選びください")).to_be_visible(timeout=10_000)
    assert page.evaluate("document.documentElement.lang") == "ja-JP"
    page.reload()  # and the choice is gone from the cookie too
    expect(page.get_by_role("heading", name="ご用件をお選びください")).to_be_visible()


# --- degraded mode ---------------------------------------------------------------------------


def test_degraded_mode_keeps_menus_and_maps(degraded_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, degraded_kiosk.url)
    paused = page.locator("#paused")
    expect(paused).to_be_visible()
    expect(paused).to_contain_text("自由入力でのご質問を一時停止しています")
    expect(page.get_by_label("ご質問を入力してください（例：住民票を取りたい）")).to_be_disabled()
    screenshot(page, "kiosk-degraded-start")
    tap_procedure(page, "証明書・住民票", "住民票の写しの交付")
    expect_destination(page, "戸籍課")
    expect(page.locator("#log .msg-bot").last).to_contain_text("一時停止")
    screenshot(page, "kiosk-degraded-answer")


# --- English interface -------------------------------------------------------------------------


@pytest.mark.servers
def test_english_toggle(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="What do you need today?")).to_be_visible()
    expect(page.get_by_role("button", name="Call staff")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    # The guide data is in English too (data/guide/translations/en.yml).
    expect(page.get_by_role("button", name="Certificates and residence records", exact=True)).to_be_visible()
    screenshot(page, "kiosk-english")
    tap_procedure(page, "Certificates and residence records", "Copy of the residence record (juminhyo)")
    expect_destination(page, "Family Register Division (戸籍課)")
    expect(answer_card(page)).to_contain_text("What to bring")
    screenshot(page, "kiosk-english-answer")
    page.get_by_role("link", name="日本語").click()
    expect(page.get_by_role("heading", name="ご用件をお選びください")).to_be_visible()


# --- counter tablet ------------------------------------------------------------------------------


@pytest.mark.servers
def test_counter_search_and_show_view(live_kiosk, new_page, screenshot):
    page = new_page(TABLET)
    page.goto(live_kiosk.url + "/counter")
    page.get_by_label("手続き・課・施設の名前で検索").fill("住民票")
    result = page.locator("#results a").first
    expect(result).to_contain_text("住民票の写しの交付")
    expect(result).to_contain_text("戸籍課")
    page.get_by_role("button", name="6階").click()
    expect(page.locator("[data-floor-panel='6']")).to_be_visible()
    expect(page.locator("[data-floor-panel='1']")).to_be_hidden()
    assert_no_horizontal_scroll(page)
    assert_touch_targets(page)
    screenshot(page, "counter-search")

    result.click()
    expect(page).to_have_url(live_kiosk.url + "/counter/show/procedure/juminhyo")
    expect(page.get_by_text("この画面をお客様にお見せください")).to_be_visible()
    expect(page.locator(".dest-section")).to_contain_text("戸籍課")
    expect(page.locator("svg.qr")).to_be_visible()
    expect(page.locator(".floor-map [data-highlight='true']")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "counter-show")

    # The QR code's page is the printable summary, served by the kiosk itself.
    page.goto(live_kiosk.url + "/summary/procedure/juminhyo")
    expect(page.locator(".dest-section")).to_contain_text("戸籍課")
    screenshot(page, "summary")


# --- calling staff ---------------------------------------------------------------------------------


@pytest.mark.servers
def test_call_staff_records_the_conversation(live_kiosk, new_page, screenshot, office_open):
    page = new_page(KIOSK)
    start(page, live_kiosk.url)
    tap_procedure(page, "証明書・住民票", "住民票の写しの交付")
    expect_destination(page, "戸籍課")
    page.locator("#call-staff").click()
    dialog = page.get_by_role("dialog", name="スタッフを呼びました")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#staff-dialog-message")).to_contain_text("職員をお呼びしました")
    expect(dialog).to_contain_text("総合案内")
    expect(dialog).to_contain_text("1階 正面入口の近く")
    screenshot(page, "kiosk-staff-call")

    [call] = live_kiosk.staff_calls.list_calls()
    assert call.handled is False
    assert {"who": "visitor", "text": "住民票の写しの交付"} in call.transcript
    assert any(t["who"] == "bot" and "戸籍課" in t["text"] for t in call.transcript)
    dialog.get_by_role("button", name="閉じる").click()
    expect(dialog).to_be_hidden()
