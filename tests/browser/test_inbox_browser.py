"""Issue 15 in a real browser: a question in the inbox becomes a training example, its target
picked from the guide's own best guesses (asked from the running Rasa), shown by title."""

from __future__ import annotations

import time

import pytest
import yaml

from back_office import accounts
from tests.browser.conftest import _serve
from tests.support.staff import (PASSWORD, add_events, copy_project, create_tracker_db,
                                 staff_config, user_turn)

pytestmark = [pytest.mark.browser, pytest.mark.servers]


@pytest.fixture
def live_console(servers, tmp_path):
    """Kiosk and console on a copy of the data, asking the real Rasa server for guesses."""
    project = copy_project(tmp_path / "project")
    tracker = create_tracker_db(tmp_path / "trackers.db")
    add_events(tracker, "visitor-inbox", user_turn("犬を飼いはじめたけど登録ってどこでするの", "request", 0.3, time.time() - 60))
    config = staff_config(project, tmp_path, WTF_CSRF_ENABLED=True)
    del config["RASA_URL"], config["RASA_TIMEOUT"]  # servers.app gives the live server's
    app = servers.app(**config)
    accounts.add_user(app.config["STAFF_DB"], "tanaka", PASSWORD, "editor")
    server, kiosk = _serve(app)
    yield kiosk.url, project
    server.shutdown()


def test_staff_picks_the_guides_best_guess_and_the_example_lands(live_console, new_page,
                                                                 screenshot):
    url, project = live_console
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{url}/staff/inbox/")
    page.get_by_label("ユーザー名").fill("tanaka")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(f"{url}/staff/inbox/")

    group = page.locator("article.group", has_text="犬を飼いはじめたけど登録ってどこでするの")
    guesses = group.locator("label.guess")
    assert guesses.count() >= 1, "no best guess from the running guide"
    titles = guesses.all_inner_texts()
    assert any("犬の登録" in t for t in titles), titles
    assert not any(r.is_checked() for r in group.get_by_role("radio").all())  # no default
    screenshot(page, "staff_inbox_guesses")

    # Submitting without a choice is refused and adds nothing.
    nlu = project / "data/nlu/requests_pets_hygiene.yml"
    before = nlu.read_bytes()
    group.get_by_role("button", name="例文として登録").click()
    page.get_by_text("登録先を選んでください").wait_for()
    assert nlu.read_bytes() == before

    group = page.locator("article.group", has_text="犬を飼いはじめたけど登録ってどこでするの")
    group.locator("label.guess", has_text="犬の登録").get_by_role("radio").check()
    group.get_by_role("button", name="例文として登録").click()
    page.get_by_text("の例文に追加しました").wait_for()
    screenshot(page, "staff_inbox_assigned")
    data = yaml.safe_load(nlu.read_text(encoding="utf-8"))
    block = next(b for b in data["nlu"] if b["intent"] == "request/dog_registration")
    assert "- 犬を飼いはじめたけど登録ってどこでするの" in block["examples"].splitlines()
    assert errors == []
