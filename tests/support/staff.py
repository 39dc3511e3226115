"""Helpers for the staff console tests: project copies, sign-in, CSRF tokens, tracker events."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

from bot.rasa_server import free_port as closed_port
from bot.settings import REPO

PASSWORD = "correct-horse-battery"
ROLES = ("viewer", "front_desk", "editor", "admin")
# What a copy of the project needs for editing, validation and training.
PROJECT_FILES = ("config.yml", "domain.yml", "credentials.yml", "endpoints.yml", "endpoints.production.yml")
PROJECT_DIRS = ("data",)


def copy_project(target: Path) -> Path:
    """The repository's data files, copied: the console may write here freely."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, target / name)
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, target / name)
    return target


def create_tracker_db(path: Path) -> Path:
    """An empty Rasa SQL tracker store (the same table Rasa creates)."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER NOT NULL, "
                     "sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, "
                     "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), "
                     "data TEXT, PRIMARY KEY (id))")
    return path


def staff_config(project: Path, tmp_path: Path, **extra) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "STAFF_DB": str(tmp_path / "staff.db"), "STAFF_PROJECT_DIR": str(project),
            "GUIDE_DIR": str(project / "data" / "guide"),
            "GUIDE_OFFICE_DIR": str(project / "data" / "offices" / "kanazawa"), "KIOSK_DB": str(tmp_path / "kiosk.db"),
            "TRACKER_STORE": str(tmp_path / "trackers.db"), "PUBLISH_RASA_VALIDATE": False,
            "RASA_URL": f"http://127.0.0.1:{closed_port()}", "RASA_TIMEOUT": 2, **extra}


def sign_in(client, name: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"name": name, "password": password})


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def add_events(tracker_db: Path, sender: str, events: list[dict]) -> None:
    """Append Rasa-shaped events for one conversation to the tracker store."""
    with sqlite3.connect(tracker_db) as conn:
        next_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM events").fetchone()[0]
        for i, event in enumerate(events):
            conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (next_id + i, sender, event["event"], event["timestamp"],
                          (event.get("parse_data") or {}).get("intent", {}).get("name"),
                          event.get("name") if event["event"] in ("action", "slot") else None,
                          json.dumps(event, ensure_ascii=False)))


def user_turn(text: str, intent: str, confidence: float, ts: float,
              actions=("action_route_visitor",), custom: dict | None = None,
              reply: str = "ご案内します。") -> list[dict]:
    """The events Rasa stores for one visitor message and the guide's answer."""
    events = [{"event": "user", "timestamp": ts, "text": text,
               "parse_data": {"intent": {"name": intent, "confidence": confidence}, "text": text}}]
    for action in actions:
        events.append({"event": "action", "timestamp": ts + 0.1, "name": action})
    events.append({"event": "bot", "timestamp": ts + 0.2, "text": reply, "data": {"custom": custom}})
    events.append({"event": "action", "timestamp": ts + 0.3, "name": "action_listen"})
    return events


def office_dir(project: Path) -> Path:
    """The default office's data pack in a project copy."""
    return project / "data" / "offices" / "kanazawa"


def project_guide(project: Path):
    """The guide as the console validates it: shared files plus the default office's pack."""
    from bot.guide_data import load_guide

    return load_guide(project / "data" / "guide", office_dir(project))


def form_of(client, path) -> dict:
    """The edit form's current values, as the browser would send them back."""
    html = client.get(path).get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'<input[^>]*?value="([^"]*)"[^>]*?name="([^"]+)"', html):
        data.setdefault(value, name)
    for name, body in re.findall(r'<textarea[^>]*?name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = body
    for tag in re.findall(r'<input[^>]*type="checkbox"[^>]*>', html):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        if "checked" in tag:
            data[name] = "y"
        else:  # a browser sends nothing for an unticked box
            data.pop(name, None)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options) or \
            re.search(r'<option value="([^"]*)" selected', options)
        if chosen:
            data[name] = chosen.group(1)
    return {k: v for k, v in data.items() if k != "csrf_token"}
