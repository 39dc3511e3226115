"""Browser fixtures: headless Debian Chromium driving the kiosk served on a free port.

The kiosk app runs in a background thread (werkzeug) and talks to the real Rasa and
action servers of the session fixture ``servers``; the degraded kiosk talks to a port
where nothing listens.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
KIOSK = {"width": 1920, "height": 1080}
TABLET = {"width": 800, "height": 1280}


@dataclass
class LiveKiosk:
    app: Flask
    url: str

    @property
    def staff_calls(self):
        return self.app.extensions["staff_calls"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(app: Flask):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, LiveKiosk(app, f"http://127.0.0.1:{server.server_port}")


@pytest.fixture
def live_kiosk(servers, tmp_path):
    """The kiosk against the real Rasa and action servers, with its own staff-call store."""
    server, kiosk = _serve(servers.app(KIOSK_DB=str(tmp_path / "kiosk.db"), IDLE_SECONDS=60))
    yield kiosk
    server.shutdown()


@pytest.fixture
def quick_idle_kiosk(servers, tmp_path):
    """The kiosk with a 6-second idle reset (countdown in the last 3 s)."""
    server, kiosk = _serve(servers.app(KIOSK_DB=str(tmp_path / "kiosk.db"), IDLE_SECONDS=6))
    yield kiosk
    server.shutdown()


@pytest.fixture
def degraded_kiosk(tmp_path):
    """The kiosk while the assistant is unavailable: its Rasa URL points at a closed port."""
    from kiosk_ui import create_app

    app = create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{_closed_port()}",
                      "RASA_TIMEOUT": 2, "KIOSK_DB": str(tmp_path / "kiosk.db"),
                      "IDLE_SECONDS": 60})
    server, kiosk = _serve(app)
    yield kiosk
    server.shutdown()


# Module scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and later tests (asyncio.run, the staff browser tests) need it closed.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk "
                    "(make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport) → a page in a fresh context (no cookies shared between tests)."""
    contexts = []

    def make(viewport=None):
        context = browser.new_context(viewport=viewport or KIOSK, locale="ja-JP")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
