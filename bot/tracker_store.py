"""Rasa's SQL tracker store, read and pruned through SQLAlchemy: SQLite or PostgreSQL alike.

Rasa keeps every event in one table, ``events``. The staff console reads visitors' turns
from it; retention deletes whole conversations older than the retention period (default 30
days, GUIDE_RETENTION_DAYS), never a part of one, so what remains is a complete record.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
import yaml

from bot.settings import REPO


def tracker_store_url(endpoints: Path = REPO / "endpoints.yml") -> str:
    """The SQLAlchemy URL of the SQL tracker store configured in endpoints.yml."""
    raw = yaml.safe_load(endpoints.read_text(encoding="utf-8"))["tracker_store"]
    # ${VAR} values, as Rasa itself expands them in endpoints files.
    config = {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in raw.items()}
    if config.get("type") != "SQL":
        raise ValueError(f"{endpoints}: the guide reads and prunes the SQL tracker store, not {config.get('type')!r}")
    dialect = config.get("dialect", "sqlite")
    if dialect == "sqlite":
        # A relative SQLite path is relative to the project the endpoints file belongs to.
        db = Path(config["db"])
        return f"sqlite:///{db if db.is_absolute() else endpoints.resolve().parent / db}"
    auth = f"{config.get('username', '')}:{config.get('password', '')}@" if config.get("username") else ""
    port = f":{config['port']}" if config.get("port") else ""
    return f"{dialect}://{auth}{config.get('url', 'localhost')}{port}/{config['db']}"


def delete_old_conversations(url: str, days: float, dry_run: bool = False,
                             now: float | None = None) -> int:
    """Delete every conversation whose last event is older than ``days``; returns how many."""
    cutoff = (now or time.time()) - days * 86400
    engine = sa.create_engine(url)
    old = sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
    with engine.begin() as conn:
        if not sa.inspect(conn).has_table("events"):
            return 0
        senders = [row[0] for row in conn.execute(old, {"cutoff": cutoff})]
        if senders and not dry_run:
            for i in range(0, len(senders), 500):
                conn.execute(sa.text("DELETE FROM events WHERE sender_id IN :ids")
                             .bindparams(sa.bindparam("ids", expanding=True)),
                             {"ids": senders[i:i + 500]})
    engine.dispose()
    return len(senders)


def as_url(store: str | Path) -> str:
    """A SQLAlchemy URL; a plain path names a SQLite file."""
    store = str(store)
    return store if "://" in store else f"sqlite:///{Path(store).resolve()}"


@functools.lru_cache(maxsize=8)
def _engine(url: str) -> sa.engine.Engine:
    # One pool per store for the process: the console reads on every inbox page.
    return sa.create_engine(url, pool_pre_ping=True)


EVENT_TYPES = ("user", "action", "bot", "slot")


def events(store: str | Path, since: float = 0.0, sender_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Events of visitors' turns since ``since`` (epoch seconds), by conversation, in order.

    Nothing is written: an absent SQLite file or an empty store reads as no events.
    """
    url = as_url(store)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return []
    query = ("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
             "WHERE timestamp >= :since AND type_name IN :types")
    params: dict[str, Any] = {"since": since, "types": EVENT_TYPES}
    if sender_id is not None:
        query += " AND sender_id = :sender"
        params["sender"] = sender_id
    statement = sa.text(query + " ORDER BY sender_id, id").bindparams(
        sa.bindparam("types", expanding=True))
    try:
        with _engine(url).connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement, params)]
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        return []  # no events table yet: Rasa has not stored a conversation
