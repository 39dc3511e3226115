"""Issues 16 and 17 in Chromium: the four life events of issue 16 as a visitor types them,
the plan on the counter tablet, the QR code on screen without scrolling, reading aloud that
stops, and voice input that says what it is doing.

Expected sections, floors and things to bring are read from the guide data (the same
``bot.answers.plan_steps`` the action server uses), not written here. Screenshots go to
tests/artifacts/screenshots/; axe-core finds 0 violations on every screen shown.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bot import answers
from kiosk_ui.answer_view import plan_view
from tests.browser.test_issue17_browser import (ANSWER_TIMEOUT, ASK, KIOSK, PHONE, TABLET,
                                                assert_axe_clean, in_viewport, wait_answers)
from tests.support.qr import zbarimg

pytestmark = pytest.mark.browser

# Issue 16's four sentences, as its owner wrote them, and the life event each must bring.
SENTENCES = [
    ("横浜市外から金沢区に引っ越してきました", "moving_in_city"),
    ("母が亡くなりました", "death"),
    ("子どもが生まれました", "birth"),
    ("会社を辞めました。保険と年金は？", "leaving_job"),
]


def on_screen(page: Page, selector: str) -> bool:
    """Inside the window and not scrolled away inside the answer column (which scrolls itself)."""
    return in_viewport(page, selector) and page.evaluate(
        """(sel) => { const el = document.querySelector(sel); const r = el.getBoundingClientRect();
        const box = el.closest('.card-area') || document.documentElement;
        const c = box.getBoundingClientRect();
        return r.top >= c.top - 1 && r.bottom <= c.bottom + 1; }""", selector)


def expected_plan(app, event_id: str):
    """The plan as the guide data gives it, with the QR text the kiosk should show."""
    guide = app.extensions["guide_store"].get()
    with app.test_request_context("/"):
        view = plan_view(guide, event_id, public_url=app.config["PUBLIC_URL"])
    return answers.plan_steps(guide, guide.life_events[event_id]), view


def check_plan_card(page: Page, card, steps, view, qr_png) -> None:
    """Steps in the data's order, the numbered route on each floor's map, one list of
    what to bring, and a QR code that decodes to the plan's text."""
    shown = card.locator(".plan-step")
    expect(shown).to_have_count(len(steps))
    for n, step in enumerate(steps):
        item = shown.nth(n)
        assert item.get_attribute("data-step") == str(step["step"])
        # innerText: what is shown, without the furigana hidden in <rt>.
        assert item.locator(".plan-title").inner_text() == step["title"]
        assert item.locator(".plan-place").inner_text().startswith(step["department"]), step
    # The route: one map per floor, in visiting order, each numbering its own stops.
    floors = []
    for step in steps:
        if step["floor"] is not None and not step["building"] and step["floor"] not in floors:
            floors.append(step["floor"])
    maps = card.locator(".plan-map")
    expect(maps).to_have_count(len(floors))
    for n, floor in enumerate(floors):
        figure = maps.nth(n)
        assert figure.get_attribute("data-floor") == str(floor)
        for step in steps:
            if step["floor"] == floor and not step["building"]:
                expect(figure.locator(f".map-stop[data-step='{step['step']}']")).to_be_visible()
    # Everything to bring, once, in one list.
    things = list(dict.fromkeys(thing for step in steps for thing in step["bring"]))
    expect(card.locator(".plan-bring")).to_have_count(1 if things else 0)
    if things:
        items = card.locator(".plan-bring li")
        expect(items).to_have_count(len(things))
        for n, thing in enumerate(things):
            assert items.nth(n).inner_text().startswith(thing)
    # The QR code a phone reads: the plan's own text, its sections in the plan's order.
    card.locator("svg.qr").screenshot(path=str(qr_png))
    text = zbarimg(qr_png)
    assert text == view.qr_text
    at = 0
    for step in steps:
        at = text.index(step["department"], at)
    assert "http" not in text                       # no kiosk address a phone cannot open


@pytest.mark.servers
@pytest.mark.parametrize("sentence, event_id", SENTENCES)
def test_a_typed_life_event_shows_its_plan_route_list_and_qr(live_kiosk, new_page, screenshot,
                                                             tmp_path, sentence, event_id):
    steps, view = expected_plan(live_kiosk.app, event_id)
    page = new_page(KIOSK)
    page.goto(live_kiosk.url + "/")
    page.get_by_label(ASK).fill(sentence)
    page.get_by_label(ASK).press("Enter")
    card = page.locator(f"#card .plan-card[data-id='{event_id}']")
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT)
    wait_answers(page)
    check_plan_card(page, card, steps, view, tmp_path / "qr.png")
    # The QR code is on screen as the plan arrives: nobody scrolls inside the card to find it.
    assert on_screen(page, "#card .plan-card svg.qr")
    assert on_screen(page, "#card .plan-card .card-title")
    # Over several floors, the way floor by floor is on screen too, in the data's order.
    floors = [s["floor"] for s in steps if s["floor"] is not None and not s["building"]]
    if len(set(floors)) > 1:
        assert on_screen(page, "#card .plan-legs")
        legs = [leg.split("（")[0] for leg in card.locator(".plan-leg").all_inner_texts()]
        way = [f"{f}階" for n, f in enumerate(floors) if n == 0 or floors[n - 1] != f]
        assert [leg for leg in legs if leg.endswith("階")] == way
    assert page.evaluate("document.scrollingElement.scrollHeight - innerHeight") <= 0
    assert_axe_clean(page)
    screenshot(page, f"issue16-kiosk-plan-{event_id}")


@pytest.mark.servers
def test_the_counter_tablet_shows_a_plan(live_kiosk, new_page, screenshot, tmp_path, guide):
    steps, view = expected_plan(live_kiosk.app, "death")
    page = new_page(TABLET)
    page.goto(live_kiosk.url + "/counter")
    page.get_by_role("link", name=guide.life_events["death"].title).click()
    card = page.locator(".plan-card[data-id='death']")
    expect(card).to_be_visible()
    check_plan_card(page, card, steps, view, tmp_path / "qr.png")
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    assert_axe_clean(page)
    screenshot(page, "issue16-counter-plan-tablet")
    # The printable summary of the whole plan, on a phone.
    page.set_viewport_size(PHONE)
    page.goto(live_kiosk.url + "/summary/plan/death")
    expect(page.locator(".plan-step")).to_have_count(len(steps))
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    assert_axe_clean(page)
    screenshot(page, "issue16-summary-plan-phone")


@pytest.mark.servers
def test_a_procedure_answers_qr_code_is_on_screen_without_scrolling(live_kiosk, new_page,
                                                                    screenshot):
    page = new_page(KIOSK)
    page.goto(live_kiosk.url + "/")
    page.get_by_role("button", name="証明書・住民票", exact=True).click()
    page.get_by_role("button", name="住民票の写しの交付", exact=True).click()
    card = page.locator("#card .answer-card")
    expect(card.locator(".dest-section")).to_contain_text("戸籍課", timeout=ANSWER_TIMEOUT)
    wait_answers(page)
    for selector in ("#card .answer-card svg.qr", "#card .dest-section", "#card .followups"):
        assert on_screen(page, selector), selector
    assert_axe_clean(page)
    screenshot(page, "issue17-kiosk-qr-above-fold")
    # Tablet and phone: one column, the code reachable and the page never wider than the screen.
    for name, size in (("tablet", TABLET), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
        card.locator("svg.qr").scroll_into_view_if_needed()
        expect(card.locator("svg.qr")).to_be_in_viewport()
        screenshot(page, f"issue17-kiosk-qr-{name}")


# Counts the page's calls to the browser's speech API (the calls still go through).
SPEECH_SPY = """
window.__speech = {speak: 0, cancel: 0};
if (window.speechSynthesis) {
  const realSpeak = speechSynthesis.speak.bind(speechSynthesis);
  const realCancel = speechSynthesis.cancel.bind(speechSynthesis);
  speechSynthesis.speak = (u) => { window.__speech.speak += 1; realSpeak(u); };
  speechSynthesis.cancel = () => { window.__speech.cancel += 1; realCancel(); };
}
"""


@pytest.mark.servers
def test_read_aloud_becomes_a_stop_button_and_stops(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    page.add_init_script(SPEECH_SPY)
    page.goto(live_kiosk.url + "/")
    page.get_by_role("button", name="証明書・住民票", exact=True).click()
    page.get_by_role("button", name="住民票の写しの交付", exact=True).click()
    button = page.locator("#card [data-speak-target='card']")
    expect(button).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(button).to_have_text("読み上げる")
    # Headless Chromium has speechSynthesis but no voice: an utterance fails a moment after it
    # starts. Both taps are made in one task, before that failure can arrive, so what is seen
    # is the state while reading and what the second tap does.
    seen = button.evaluate("""(b) => {
        b.click();
        const reading = {text: b.textContent, pressed: b.getAttribute('aria-pressed'),
                         speaking: speechSynthesis.speaking, cancels: window.__speech.cancel};
        b.click();
        const stopped = {text: b.textContent, pressed: b.getAttribute('aria-pressed'),
                         speaking: speechSynthesis.speaking, cancels: window.__speech.cancel};
        return {reading, stopped, speaks: window.__speech.speak};
    }""")
    assert seen["speaks"] == 1
    assert seen["reading"]["text"] == "読み上げを止める" and seen["reading"]["pressed"] == "true"
    assert seen["reading"]["speaking"] is True
    assert seen["stopped"]["cancels"] > seen["reading"]["cancels"]          # speechSynthesis.cancel
    assert seen["stopped"]["text"] == "読み上げる" and seen["stopped"]["pressed"] == "false"
    assert seen["stopped"]["speaking"] is False
    # A real tap: the button says 止める while the browser reads, and 読み上げる after it.
    button.evaluate("""(b) => { window.__labels = [];
        new MutationObserver(() => window.__labels.push(b.textContent))
            .observe(b, {childList: true, characterData: true, subtree: true}); }""")
    button.click()
    expect(button).to_have_text("読み上げる")
    assert "読み上げを止める" in page.evaluate("window.__labels")
    assert_axe_clean(page)
    # A new question stops the reading of the answer it replaces (its stop button goes).
    calls = page.evaluate("window.__speech.cancel")
    page.evaluate("document.querySelector('#card .answer-card').dataset.old = 'yes'")
    page.locator("#card .followup-button", has_text="持ち物").click()
    expect(page.locator("#log .msg-visitor")).to_have_count(2)
    assert page.evaluate("window.__speech.cancel") > calls
    # The card arrives after the chat's reply: wait for the new one before using its button.
    expect(page.locator("#card .answer-card:not([data-old])")).to_be_visible(timeout=ANSWER_TIMEOUT)
    # The reading state lasts only a moment without a voice: for the pictures at the three
    # screens the button is put in the state the page gives it while reading.
    button.evaluate("""(b) => { b.textContent = '読み上げを止める'; b.setAttribute('aria-pressed', 'true'); }""")
    for name, size in (("kiosk", KIOSK), ("tablet", TABLET), ("phone", PHONE)):
        page.set_viewport_size(size)
        button.scroll_into_view_if_needed()
        screenshot(page, f"issue17-read-aloud-stop-{name}")


@pytest.mark.servers
def test_voice_input_shows_it_listens_and_says_when_it_cannot(live_kiosk, new_page, screenshot):
    page = new_page(KIOSK)
    # Every state the status line goes through, seen as it happens.
    page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
        window.__voice = [];
        const status = document.getElementById('voice-status');
        const voice = document.getElementById('voice');
        new MutationObserver(() => window.__voice.push({state: status.dataset.state,
            text: status.textContent, hidden: status.hidden,
            button: voice.textContent, pressed: voice.getAttribute('aria-pressed')}))
            .observe(status, {attributes: true, childList: true, characterData: true, subtree: true});
    });""")
    page.goto(live_kiosk.url + "/")
    voice = page.get_by_role("button", name="声で入力")
    expect(voice).to_be_visible()
    voice.click()
    status = page.locator("#voice-status")
    # Headless Chromium has no speech service: recognition starts, then fails (not-allowed).
    expect(status).to_have_attribute("data-state", "unavailable")
    expect(status).to_have_text("この案内機では、いま声での入力が使えません。質問の欄に文字で入力してください。")
    expect(status).to_be_visible()
    states = page.evaluate("window.__voice")
    listening = [s for s in states if s["state"] == "listening"]
    assert listening and listening[0]["text"] == "お話しください…" and not listening[0]["hidden"]
    assert listening[0]["button"] == "聞き取りを止める" and listening[0]["pressed"] == "true"
    # Typing is offered: the cursor is in the question box and the microphone is off again.
    expect(page.get_by_label(ASK)).to_be_focused()
    expect(voice).to_have_attribute("aria-pressed", "false")
    expect(voice).to_have_text("声で入力")
    assert_axe_clean(page)
    for name, size in (("kiosk", KIOSK), ("tablet", TABLET), ("phone", PHONE)):
        page.set_viewport_size(size)
        status.scroll_into_view_if_needed()
        expect(status).to_be_in_viewport()
        screenshot(page, f"issue17-voice-unavailable-{name}")
    # The listening state itself, shown as the page shows it while the microphone is on.
    page.set_viewport_size(KIOSK)
    page.evaluate("""() => { const s = document.getElementById('voice-status');
        s.textContent = 'お話しください…'; s.dataset.state = 'listening'; s.hidden = false;
        const v = document.getElementById('voice'); v.setAttribute('aria-pressed', 'true');
        v.textContent = '聞き取りを止める'; }""")
    screenshot(page, "issue17-voice-listening-kiosk")
