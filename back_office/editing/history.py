"""Every change staff made, with who, when and a diff; undo writes the file as it was."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from back_office.db import transaction
from back_office.editing.files import Change, atomic_write, sha256_text, unified_diff


class History:
    """The history part of :class:`back_office.editing.Editor`."""

    # history ---------------------------------------------------------------------------

    def _commit(self, path: Path, before: Optional[str], after: str, user: str, summary: str,
                revert_of: Optional[int] = None) -> Change:
        rel = self.project.rel(path)
        # The history row commits only if the file was written, and the file is written only
        # if its history row could be recorded.
        with transaction(self.db) as conn:
            cur = conn.execute(
                "INSERT INTO changes (time, user, file, summary, before_text, after_text, "
                "before_sha, after_sha, diff, revert_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), user, rel, summary, before, after,
                 sha256_text(before) if before is not None else None, sha256_text(after),
                 unified_diff(before, after, rel), revert_of))
            change_id = cur.lastrowid
            if revert_of:
                conn.execute("UPDATE changes SET reverted_by = ? WHERE id = ?", (change_id, revert_of))
            atomic_write(path, after)
        return self.change(change_id)  # type: ignore[return-value]

    def changes(self, limit: int = 200, file: Optional[str] = None) -> list[Change]:
        with transaction(self.db) as conn:
            rows = conn.execute("SELECT * FROM changes WHERE (? IS NULL OR file = ?) "
                                "ORDER BY id DESC LIMIT ?", (file, file, limit)).fetchall()
        return [Change(**dict(r)) for r in rows]

    def change(self, change_id: int) -> Optional[Change]:
        with transaction(self.db) as conn:
            row = conn.execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        return Change(**dict(row)) if row else None

    def latest_change(self, file: str) -> Optional[Change]:
        found = self.changes(limit=1, file=file)
        return found[0] if found else None

