"""Ports, paths, tokens and limits: read from the environment in this one place."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parent.parent
OFFICES_DIR = REPO / "data" / "offices"
# Held-out visitor questions: never trained on; the publish gate and `guide eval` read them.
HELDOUT_DIR = REPO / "data" / "heldout"
# The office whose data pack the guide serves unless GUIDE_OFFICE names another.
DEFAULT_OFFICE = "kanazawa"
OFFICE_NAME = re.compile(r"[a-z0-9_-]+")


class SettingsError(ValueError):
    """A setting from the environment that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    guide_dir: Path        # the Yokohama-wide guide files (data/guide)
    office: str            # the ward office served (GUIDE_OFFICE)
    office_dir: Path       # its data pack (data/offices/<office>)
    var_dir: Path
    rasa_url: str
    rasa_token: str
    rasa_timeout: float
    kiosk_port: int
    max_text_length: int
    idle_seconds: int
    endpoints: Path              # Rasa's endpoints file; its tracker store is what staff read
    retention_days: float        # stored conversations older than this are deleted (guide retention)
    secret_key: str              # the staff console's session key ("" → a random one in var/)
    staff_session_hours: float
    staff_cookie_secure: Optional[bool]   # None: not set by the deployment
    trusted_proxies: int         # reverse proxies in front of the kiosk whose X-Forwarded-* count
    public_url: str              # where visitors' phones reach the kiosk's pages ("" → none)
    queue_feed_url: str          # the office's waiting-count feed ("" → none shown)


def _token(var_dir: Path) -> str:
    """The Rasa API token: from RASA_TOKEN, else the file the run command writes."""
    token = os.environ.get("RASA_TOKEN", "").strip()
    if token:
        return token
    try:
        return (var_dir / "rasa_token").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def _check_name(office: str) -> str:
    if not OFFICE_NAME.fullmatch(office or ""):
        raise SettingsError(f"office {office!r} (GUIDE_OFFICE): an office name is lower-case letters, "
                            "digits, '-' and '_' (e.g. kanazawa)")
    return office


def office_dir(office: str) -> Path:
    """The data pack of one office, refusing names that are not a plain folder name."""
    path = OFFICES_DIR / _check_name(office)
    if not path.is_dir():
        known = sorted(p.name for p in OFFICES_DIR.iterdir() if p.is_dir()) if OFFICES_DIR.is_dir() else []
        raise SettingsError(f"office {office!r} (GUIDE_OFFICE): no data pack {path.relative_to(REPO)}/ "
                            f"(known offices: {', '.join(known) or 'none'})")
    return path


def _office() -> tuple[str, Path]:
    """GUIDE_OFFICE (default kanazawa) and its pack; GUIDE_OFFICE_DIR overrides the path."""
    office = os.environ.get("GUIDE_OFFICE", "").strip() or DEFAULT_OFFICE
    override = os.environ.get("GUIDE_OFFICE_DIR", "").strip()
    if not override:
        return office, office_dir(office)
    path = Path(override)
    if not path.is_dir():
        raise SettingsError(f"GUIDE_OFFICE_DIR={override!r}: no such directory")
    return (_check_name(office) if "GUIDE_OFFICE" in os.environ else path.name), path


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("GUIDE_VAR_DIR", REPO / "var"))
    office, pack = _office()
    return Settings(
        guide_dir=Path(os.environ.get("GUIDE_DATA_DIR", REPO / "data" / "guide")),
        office=office,
        office_dir=pack,
        var_dir=var_dir,
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=_token(var_dir),
        rasa_timeout=float(os.environ.get("RASA_TIMEOUT", "15")),
        kiosk_port=int(os.environ.get("KIOSK_PORT", "5000")),
        # A visitor's question fits in a few sentences; longer input is refused with 413. 500,
        # not 200: the same few sentences take two to three times as many characters in English
        # or Vietnamese as in Japanese, and 200 cut foreign visitors' stories (whose request
        # comes at the end) at the kiosk's input or refused them at the API.
        max_text_length=int(os.environ.get("GUIDE_MAX_TEXT", "500")),
        idle_seconds=int(os.environ.get("KIOSK_IDLE_SECONDS", "60")),
        endpoints=_in_repo(os.environ.get("GUIDE_ENDPOINTS", "endpoints.yml")),
        retention_days=float(os.environ.get("GUIDE_RETENTION_DAYS", "30")),
        secret_key=os.environ.get("GUIDE_SECRET_KEY", "").strip(),
        staff_session_hours=float(os.environ.get("STAFF_SESSION_HOURS", "8")),
        staff_cookie_secure=_flag(os.environ.get("STAFF_COOKIE_SECURE")),
        trusted_proxies=int(os.environ.get("GUIDE_TRUSTED_PROXIES", "0") or 0),
        public_url=_url("GUIDE_PUBLIC_URL"),
        queue_feed_url=_url("GUIDE_QUEUE_FEED_URL"),
    )


def _url(name: str) -> str:
    """An http(s) address from the environment, or "" when unset; anything else is refused."""
    value = os.environ.get(name, "").strip()
    if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise SettingsError(f"{name}={value!r}: an http:// or https:// address is needed")
    return value


def _in_repo(path: str) -> Path:
    return Path(path) if Path(path).is_absolute() else REPO / path


def _flag(value: Optional[str]) -> Optional[bool]:
    return None if value is None else value.strip().lower() in ("1", "true", "yes", "on")
