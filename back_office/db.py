"""The staff database (var/staff.db) and the kiosk's (var/kiosk.db): every table, one place.

Each back-office module reads and writes through ``transaction``; the schema is created on
first use of a file, so a fresh var directory needs no set-up step.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bot.private_files import private_file

STAFF_SCHEMA = """
-- accounts: staff sign-in and its audit trail
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    last_login REAL,
    -- bumped by sign-out, a password change and disabling: older sessions stop working
    session_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT,
    ip TEXT,
    event TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_event_user ON audit (event, user, ip, time);
-- editing: every change staff made to the guide files, for history and undo
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT NOT NULL,
    file TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_text TEXT,
    after_text TEXT NOT NULL,
    before_sha TEXT,
    after_sha TEXT NOT NULL,
    diff TEXT NOT NULL,
    revert_of INTEGER,
    reverted_by INTEGER
);
CREATE INDEX IF NOT EXISTS changes_file ON changes (file, id);
-- inbox: decisions on visitors' unanswered questions, and visitors' feedback
CREATE TABLE IF NOT EXISTS inbox_decisions (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    decision TEXT NOT NULL,
    intent TEXT,
    user TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    session_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    text TEXT
);
-- publish: retrain/publish jobs and the held-out evaluation of each model file
CREATE TABLE IF NOT EXISTS publish_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    phase TEXT NOT NULL,
    phase_started REAL NOT NULL,
    message TEXT,
    log_tail TEXT,
    -- the step a failed job stopped at (validating, training, …)
    failed_phase TEXT,
    model TEXT,
    before_json TEXT,
    after_json TEXT
);
CREATE TABLE IF NOT EXISTS evaluations (
    model TEXT PRIMARY KEY,
    time REAL NOT NULL,
    report_json TEXT NOT NULL
);
"""

# The kiosk's own file: calls for staff, written by the kiosk, read by the console.
KIOSK_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    transcript TEXT NOT NULL,
    handled INTEGER NOT NULL DEFAULT 0
);
"""

# Columns added after a file may have been created: (table, column, definition).
STAFF_COLUMNS = (("users", "session_version", "INTEGER NOT NULL DEFAULT 0"),
                 ("publish_jobs", "failed_phase", "TEXT"))

_schema_done: set[str] = set()
_schema_lock = threading.Lock()


def connect(db_path: Path | str, schema: str = STAFF_SCHEMA) -> sqlite3.Connection:
    """A connection to one of the guide's SQLite files, with its tables created."""
    db_path = Path(db_path)
    # Visitors' questions and staff accounts: only the guide's user may read the file.
    # (SQLite gives its -wal and -shm files the database file's mode.)
    private_file(db_path)
    conn = sqlite3.connect(db_path, timeout=10)
    conn.row_factory = sqlite3.Row
    key = str(db_path.resolve())
    if key not in _schema_done:
        with _schema_lock:
            # WAL lets the kiosk's writes and staff reads proceed side by side.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)
            if schema == STAFF_SCHEMA:
                _add_columns(conn, STAFF_COLUMNS)
            _schema_done.add(key)
    return conn


def _add_columns(conn: sqlite3.Connection, columns) -> None:
    for table, column, definition in columns:
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    conn.commit()


@contextmanager
def transaction(db_path: Path | str, schema: str = STAFF_SCHEMA) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success, rolls back on error, and is always closed."""
    conn = connect(db_path, schema)
    try:
        with conn:
            yield conn
    finally:
        conn.close()
