"""Conversation retention on a real SQLite tracker store written by Rasa's SQLTrackerStore."""

from __future__ import annotations

import asyncio
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import delete_old_conversations


def _store(path):
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))


def _save(store, sender, when):
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("住民票", timestamp=when))
    tracker.update(UserUttered("持ち物は？", timestamp=when + 60))
    asyncio.run(store.save(tracker))


def test_only_whole_old_conversations_are_deleted(tmp_path):
    db = tmp_path / "trackers.db"
    store = _store(db)
    now = time.time()
    _save(store, "old-visit", now - 40 * 86400)
    _save(store, "recent-visit", now - 2 * 86400)
    url = f"sqlite:///{db}"
    assert delete_old_conversations(url, 30, dry_run=True) == 1
    assert delete_old_conversations(url, 30) == 1
    remaining = asyncio.run(store.keys())
    assert list(remaining) == ["recent-visit"]
    kept = asyncio.run(store.retrieve("recent-visit"))
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["住民票", "持ち物は？"]
    assert delete_old_conversations(url, 30) == 0


def test_empty_store_is_fine(tmp_path):
    assert delete_old_conversations(f"sqlite:///{tmp_path / 'none.db'}", 30) == 0


def test_production_endpoints_are_read_with_their_environment(monkeypatch):
    from bot.tracker_store import tracker_store_url
    from bot.settings import REPO

    for name, value in {"POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "5433", "POSTGRES_DB": "trackers",
                        "POSTGRES_USER": "guide", "POSTGRES_PASSWORD": "pw"}.items():
        monkeypatch.setenv(name, value)
    assert tracker_store_url(REPO / "endpoints.production.yml") == "postgresql://guide:pw@db.internal:5433/trackers"
