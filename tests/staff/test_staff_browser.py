"""A staff member in a real browser: sign in, move 生活衛生課 to another counter, see the kiosk
show the new counter at once, and undo it from the history."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tests.support.staff import PASSWORD, copy_project, create_tracker_db, staff_config
from werkzeug.serving import make_server

from back_office import accounts

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


@pytest.fixture
def live_console(tmp_path):
    """The whole app (kiosk + console) on a free port, on a copy of the project's data."""
    from kiosk_ui import create_app

    project = copy_project(tmp_path / "project")
    create_tracker_db(tmp_path / "trackers.db")
    # The browser gets real CSRF tokens: the protection stays on here.
    app = create_app(staff_config(project, tmp_path, WTF_CSRF_ENABLED=True))
    accounts.add_user(app.config["STAFF_DB"], "tanaka", PASSWORD, "editor")
    accounts.add_user(app.config["STAFF_DB"], "suzuki", PASSWORD, "editor")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", project
    server.shutdown()


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
        context.set_default_timeout(30_000)
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff_{name}.png"), full_page=True)


def test_staff_moves_a_section_and_the_kiosk_shows_it_at_once(live_console, page):
    url, project = live_console
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    page.goto(f"{url}/staff/sections/eisei")
    assert "/staff/login" in page.url  # the console asks for a sign-in first
    page.get_by_label("ユーザー名").fill("tanaka")
    page.get_by_label("パスワード").fill(PASSWORD)
    shot(page, "login")
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(f"{url}/staff/sections/eisei")
    assert page.get_by_label("窓口番号", exact=True).input_value() == "407"

    page.get_by_label("窓口番号", exact=True).fill("412")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("保存しました。キオスクにすぐ反映されます。").wait_for()
    shot(page, "section_saved")
    assert 'counter: "412"' in (project / "data/offices/kanazawa/sections.yml").read_text(encoding="utf-8")

    kiosk = page.context.new_page()
    kiosk.goto(f"{url}/counter/show/section/eisei")
    card = kiosk.locator("article.answer-card")
    assert "412" in card.inner_text() and "407" not in card.inner_text()
    shot(kiosk, "kiosk_new_counter")

    page.goto(f"{url}/staff/history/")
    page.get_by_role("link", name="1", exact=True).click()
    page.once("dialog", lambda dialog: dialog.accept())  # 「この変更を取り消しますか？」
    page.get_by_role("button", name="この変更を取り消す").click()
    page.get_by_text("変更 #1 を取り消しました").wait_for()
    shot(page, "reverted")
    kiosk.reload()
    assert "407" in kiosk.locator("article.answer-card").inner_text()
    assert errors == []


def test_the_calls_page_updates_itself(live_console, page, tmp_path):
    url, _project = live_console
    page.goto(f"{url}/staff/login")
    page.get_by_label("ユーザー名").fill("tanaka")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.goto(f"{url}/staff/calls/")
    page.get_by_text("呼び出しはありません。").wait_for()
    resp = page.request.post(f"{url}/api/staff-call", data={
        "session_id": "visitor-0001", "transcript": [{"who": "visitor", "text": "保育園の申し込み"}]})
    assert resp.status == 201
    page.get_by_text("保育園の申し込み").wait_for(timeout=15_000)  # no reload: the script polls
    shot(page, "calls")
    page.get_by_role("button", name="対応済みにする").click()
    page.locator(".call.handled").wait_for(timeout=15_000)


def sign_in_page(page, url: str, name: str) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("ユーザー名").fill(name)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(f"{url}/staff/")


def test_two_editors_a_conflict_and_a_second_save_lose_nothing(live_console, page):
    """A saves 税務課's phone; B, who opened it before, saves a counter, sees the conflict and
    presses 保存 again: both changes stay."""
    url, project = live_console
    with_b = page.context.browser.new_context(locale="ja-JP")
    b = with_b.new_page()
    sign_in_page(page, url, "tanaka")
    sign_in_page(b, url, "suzuki")
    page.goto(f"{url}/staff/sections/zeimu")
    b.goto(f"{url}/staff/sections/zeimu")

    page.get_by_label("電話番号", exact=True).fill("045-788-7750")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("保存しました").wait_for()

    b.get_by_label("窓口番号", exact=True).fill("21")
    b.get_by_role("button", name="保存").click()
    b.get_by_text("保存していません：ほかの人の変更があります").wait_for()
    shot(b, "conflict")
    assert b.get_by_label("電話番号", exact=True).input_value() == "045-788-7750"
    assert b.get_by_label("窓口番号", exact=True).input_value() == "21"
    b.get_by_role("button", name="保存").click()
    b.get_by_text("保存しました").wait_for()
    with_b.close()

    text = (project / "data/offices/kanazawa/sections.yml").read_text(encoding="utf-8")
    zeimu = text[text.index("id: zeimu"):text.index("id: kaikei")]
    assert "045-788-7750" in zeimu and '"21"' in zeimu


def test_staff_add_a_garbage_item_and_reorder_a_plan_and_the_kiosk_shows_both(live_console, page):
    """Issue 16 in a real browser: the dictionary and the plans are edited like other data."""
    url, project = live_console
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    sign_in_page(page, url, "tanaka")
    page.get_by_role("link", name="ごみの分別").click()
    page.get_by_role("link", name="品目を追加する").click()
    page.get_by_label("品目名").fill("メガホン")
    page.get_by_label("言い換え・別名（1行に1つ）").fill("拡声器")
    page.get_by_label("分別区分").select_option(label="燃やすごみ")
    page.get_by_label("補足").fill("電池は外してください。")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("保存しました").wait_for()
    shot(page, "garbage_item_added")
    kiosk = page.context.new_page()
    kiosk.goto(f"{url}/fragment/sorting/メガホン")
    # The kiosk's card names the item and its category at once (its text carries furigana).
    kiosk.locator('.sorting-card[data-category="moyasu"] .card-title[aria-label="メガホン"]').wait_for()

    page.goto(f"{url}/staff/plans/moving_in_abroad")
    page.get_by_label("1番目の順番").fill("9")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("保存しました").wait_for()
    shot(page, "plan_saved")
    first = page.get_by_label("1番目の id").input_value()
    assert first == "kokuho_join" and page.get_by_label("6番目の id").input_value() == "kaigai_tenshutsu"
    text = (project / "data/guide/life_events.yml").read_text(encoding="utf-8")
    assert "- {name: メガホン, category: moyasu, synonyms: [拡声器], note: 電池は外してください。, " \
           "verified: false}" in (project / "data/guide/garbage.yml").read_text(encoding="utf-8")
    assert text.index("procedure: kokuho_join") < text.index("procedure: kaigai_tenshutsu")
    assert errors == []
