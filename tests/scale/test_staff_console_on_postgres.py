"""The staff console reads visitors' questions from the production tracker store (PostgreSQL),
found through the production endpoints file as the deployment configures it."""

from __future__ import annotations

import uuid

import pytest
import requests

from back_office import accounts
from tests.support.staff import PASSWORD, copy_project, sign_in, staff_config

pytestmark = pytest.mark.servers


def test_the_inbox_and_figures_show_questions_stored_in_postgresql(cluster, postgres, monkeypatch,
                                                                   tmp_path):
    sender = f"visitor-pg-{uuid.uuid4().hex[:10]}"
    question = "区役所の近くでおいしいラーメン屋ある？"
    resp = requests.post(f"{cluster.urls['a']}/webhooks/rest/webhook",
                         json={"sender": sender, "message": question}, timeout=60)
    assert resp.status_code == 200 and resp.json()

    # As deploy/ configures the kiosk: the production endpoints file and its environment.
    for key, value in cluster.env.items():
        if key.startswith("POSTGRES_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("GUIDE_ENDPOINTS", "endpoints.production.yml")
    project = copy_project(tmp_path / "project")
    config = staff_config(project, tmp_path, INBOX_CONFIDENCE=1.01)  # every typed turn is "weak"
    del config["TRACKER_STORE"]
    from kiosk_ui import create_app

    app = create_app(config)
    assert app.config["TRACKER_STORE"].startswith("postgresql://")
    accounts.add_user(app.config["STAFF_DB"], "viewer", PASSWORD, "viewer")
    client = app.test_client()
    assert sign_in(client, "viewer").status_code == 302

    inbox = client.get("/staff/inbox/").get_data(as_text=True)
    assert question in inbox
    conversation = client.get(f"/staff/conversations/{sender}").get_data(as_text=True)
    assert question in conversation
    figures = client.get("/staff/api/figures").get_json()
    assert figures["questions"] >= 1
