"""Fixtures: the guide data, the Flask app, and the real Rasa + action servers."""

from __future__ import annotations

import shutil

import pytest

from bot.guide_data import load_guide
from bot.settings import REPO
from tests.support.servers import Servers, free_port

GUIDE_DIR = REPO / "data" / "guide"
KANAZAWA = REPO / "data" / "offices" / "kanazawa"


@pytest.fixture(scope="session")
def guide():
    return load_guide(GUIDE_DIR, KANAZAWA)


@pytest.fixture
def guide_copy(tmp_path):
    """A writable copy of the guide data, for tests that break or edit it: one flat directory
    with the shared files (data/guide) and the default office's pack (data/offices/kanazawa)."""
    target = tmp_path / "guide"
    shutil.copytree(GUIDE_DIR, target)
    shutil.copytree(KANAZAWA, target, dirs_exist_ok=True)
    return target


@pytest.fixture
def offline_app():
    """The kiosk app pointed at a port where no Rasa server listens."""
    from kiosk_ui import create_app

    return create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                       "RASA_TIMEOUT": 2})


@pytest.fixture
def offline_client(offline_app):
    return offline_app.test_client()


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """Start the real servers once for the session (the model is trained by `make test`)."""
    workdir = tmp_path_factory.mktemp("servers")
    with Servers(workdir).running() as srv:
        yield srv


@pytest.fixture(scope="session")
def live_client(servers):
    return servers.app().test_client()




@pytest.fixture
def office_open(monkeypatch):
    """A weekday morning in Japan, for tests of what happens while the office is open."""
    from datetime import datetime

    from bot import hours

    monday = datetime(2024, 6, 10, 10, 0, tzinfo=hours.JST)
    monkeypatch.setattr(hours, "now_jst", lambda: monday)
    return monday
