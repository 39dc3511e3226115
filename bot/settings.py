"""Ports, paths, tokens and limits: read from the environment in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    guide_dir: Path
    var_dir: Path
    rasa_url: str
    rasa_token: str
    rasa_timeout: float
    kiosk_port: int
    max_text_length: int
    idle_seconds: int


def _token(var_dir: Path) -> str:
    """The Rasa API token: from RASA_TOKEN, else the file the run command writes."""
    token = os.environ.get("RASA_TOKEN", "").strip()
    if token:
        return token
    try:
        return (var_dir / "rasa_token").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("GUIDE_VAR_DIR", REPO / "var"))
    return Settings(
        guide_dir=Path(os.environ.get("GUIDE_DATA_DIR", REPO / "data" / "guide")),
        var_dir=var_dir,
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=_token(var_dir),
        rasa_timeout=float(os.environ.get("RASA_TIMEOUT", "15")),
        kiosk_port=int(os.environ.get("KIOSK_PORT", "5000")),
        # A visitor's question fits in a few sentences; longer input is refused with 413.
        max_text_length=int(os.environ.get("GUIDE_MAX_TEXT", "200")),
        idle_seconds=int(os.environ.get("KIOSK_IDLE_SECONDS", "60")),
    )
