"""What several staff pages share: the staff-call store, the tracker store, time display."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Optional

from flask import current_app

from back_office import inbox
from back_office.editing import Editor
from bot.guide_data import GuideDataError


def editor() -> Editor:
    return current_app.extensions["staff_editor"]


def staff_db() -> str:
    return current_app.config["STAFF_DB"]


def staff_calls_store() -> Optional[Any]:
    """The kiosk's staff-call store (back_office.staff_calls), when the app has one."""
    return current_app.extensions.get("staff_calls")


def list_calls(handled: Optional[bool] = None, limit: int = 100) -> list:
    store = staff_calls_store()
    return store.list_calls(handled=handled, limit=limit) if store else []


def since() -> float:
    """The start of the period the inbox and the figures look at."""
    return time.time() - float(current_app.config["INBOX_DAYS"]) * 86400


def open_groups() -> list[inbox.Group]:
    cfg = current_app.config
    return inbox.open_groups(cfg["TRACKER_STORE"], staff_db(), cfg["INBOX_CONFIDENCE"], since(),
                             calls=list_calls(limit=500))


def local_time(timestamp: Optional[float]) -> str:
    if not timestamp:
        return "-"
    return datetime.fromtimestamp(timestamp, inbox.JST).strftime("%Y-%m-%d %H:%M")


def dashboard_context() -> dict:
    store = current_app.extensions["guide_store"]
    guide_error: Optional[str] = None
    try:
        editor().guide()
    except GuideDataError as err:
        guide_error = str(err)
    return {"guide_error": guide_error or (str(store.error) if store.error else None),
            "open_calls": len(list_calls(handled=False)),
            "inbox_groups": len(open_groups()),
            "changes": editor().changes(limit=5)}
