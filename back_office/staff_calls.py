"""Calls for staff made at the kiosk: a small SQLite store in the var directory.

The kiosk records a call with the conversation so far; the staff console lists the open
calls with ``list_calls`` and closes them with ``mark_handled``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from back_office.db import KIOSK_SCHEMA, transaction
from bot.privacy import mask_personal_data



@dataclass(frozen=True)
class StaffCall:
    id: int
    session_id: str
    created_at: str          # ISO 8601, UTC
    transcript: list[dict]   # [{"who": "visitor"|"bot", "text": "..."}]
    handled: bool


class StaffCallStore:
    """One SQLite file; a connection per operation, so it is safe across threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _connect(self):
        """A transaction on the kiosk's file, created with its table on first use."""
        return transaction(self.path, KIOSK_SCHEMA)

    def record(self, session_id: str, transcript: list[dict]) -> int:
        """Store a call; returns its id. What the visitor typed is stored masked (bot.privacy)."""
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        transcript = [{**entry, "text": mask_personal_data(entry["text"])}
                      if entry.get("who") == "visitor" else entry for entry in transcript]
        with self._lock, self._connect() as db:
            cur = db.execute(
                "INSERT INTO staff_calls (session_id, created_at, transcript) VALUES (?, ?, ?)",
                (session_id, created, json.dumps(transcript, ensure_ascii=False)))
            return int(cur.lastrowid)

    def list_calls(self, handled: Optional[bool] = None, limit: int = 100) -> list[StaffCall]:
        """Newest first; ``handled=False`` for the calls still waiting."""
        query, args = "SELECT * FROM staff_calls", []
        if handled is not None:
            query += " WHERE handled = ?"
            args.append(int(handled))
        query += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._connect() as db:
            rows = db.execute(query, args).fetchall()
        return [StaffCall(r["id"], r["session_id"], r["created_at"], json.loads(r["transcript"]),
                          bool(r["handled"])) for r in rows]

    def mark_handled(self, call_id: int) -> bool:
        """Close a call; False when there is no such call."""
        with self._lock, self._connect() as db:
            return db.execute("UPDATE staff_calls SET handled = 1 WHERE id = ?",
                              (call_id,)).rowcount == 1

    def delete_older_than(self, days: float, now: Optional[datetime] = None) -> int:
        """Delete calls made more than ``days`` ago (retention); returns how many."""
        cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=days)
                  ).isoformat(timespec="seconds")
        with self._lock, self._connect() as db:
            return db.execute("DELETE FROM staff_calls WHERE created_at < ?", (cutoff,)).rowcount
