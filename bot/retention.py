"""Conversation retention: delete stored conversations older than the retention period.

Visitors' questions are kept only as long as the staff need them to improve the guide
(default 30 days, GUIDE_RETENTION_DAYS). Whole conversations are deleted, never a part
of one, so what remains is always a complete record.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlalchemy as sa
import yaml

from bot.settings import REPO


def tracker_store_url(endpoints: Path = REPO / "endpoints.yml") -> str:
    """The SQLAlchemy URL of the SQL tracker store configured in endpoints.yml."""
    raw = yaml.safe_load(endpoints.read_text(encoding="utf-8"))["tracker_store"]
    # ${VAR} values, as Rasa itself expands them in endpoints files.
    config = {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in raw.items()}
    if config.get("type") != "SQL":
        raise ValueError(f"{endpoints}: retention supports the SQL tracker store, not {config.get('type')!r}")
    dialect = config.get("dialect", "sqlite")
    if dialect == "sqlite":
        db = Path(config["db"])
        return f"sqlite:///{db if db.is_absolute() else REPO / db}"
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
