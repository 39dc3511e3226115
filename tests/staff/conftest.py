"""Staff console fixtures: a temporary copy of the project's data, accounts, signed-in clients.

The console is pointed at the copy with app.config (STAFF_PROJECT_DIR, GUIDE_DIR, STAFF_DB,
TRACKER_STORE, KIOSK_DB), so no test writes into the repository's files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.staff import (PASSWORD, ROLES, copy_project, create_tracker_db, sign_in,
                           staff_config)

from back_office import accounts


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """Cheap hashes in tests only: the real ones are slow on purpose."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(accounts, "generate_password_hash",
                        lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"))


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def tracker_db(tmp_path) -> Path:
    return create_tracker_db(tmp_path / "trackers.db")


@pytest.fixture
def make_app(project, tmp_path, tracker_db):
    """make_app(**config) → the whole kiosk app with the console on the project copy."""
    from kiosk_ui import create_app

    def make(**extra):
        return create_app(staff_config(project, tmp_path, **extra))

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def users(app):
    """One account per role, named after it; the password of each is PASSWORD."""
    db = app.config["STAFF_DB"]
    for role in ROLES:
        accounts.add_user(db, role, PASSWORD, role)
    return ROLES


@pytest.fixture
def client_as(app, users):
    """client_as(role) → a test client signed in as that role (None: anonymous)."""
    def make(role):
        client = app.test_client()
        if role:
            resp = sign_in(client, role)
            assert resp.status_code == 302, resp.get_data(as_text=True)
        return client

    return make
