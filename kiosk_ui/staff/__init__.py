"""The staff console (``/staff``): ward-office staff keep the guide right without a developer.

A blueprint per area (auth, admin, content, history, inbox, calls, figures, publish), nested
under ``staff``, which holds the templates, static files and the sign-in check for them all;
plus the small public ``feedback`` blueprint at ``/api/feedback`` that the kiosk posts to.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import yaml
from flask import Blueprint, Flask

from back_office.editing import Editor, Project
from bot.private_files import private_dir
from bot.settings import HELDOUT_DIR, REPO, load_settings
from bot.tracker_store import as_url, tracker_store_url
from kiosk_ui.staff import admin, auth, calls, content, errands, feedback, figures, history, inbox, publish
from kiosk_ui.staff.views_common import local_time

log = logging.getLogger(__name__)
bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", static_url_path="/static")
for area in (auth, admin, content, errands, history, inbox, calls, figures, publish):
    bp.register_blueprint(area.bp)
auth.protect(bp)
bp.add_app_template_filter(local_time, "local_time")


def _tracker_store_default(project: Path, endpoints: Path) -> str:
    """The SQL tracker store named in the endpoints file (GUIDE_ENDPOINTS) of the project."""
    path = project / endpoints.relative_to(REPO) if endpoints.is_relative_to(REPO) else endpoints
    try:
        return tracker_store_url(path)
    except (FileNotFoundError, KeyError, TypeError, ValueError) as err:
        fallback = as_url(project / "var" / "trackers.db")
        log.warning("no SQL tracker store in %s (%s): the console reads %s", path, err, fallback)
        return fallback


def _actions_url_default(project: Path) -> str:
    try:
        endpoints = yaml.safe_load((project / "endpoints.yml").read_text(encoding="utf-8")) or {}
        return (endpoints.get("action_endpoint") or {}).get("url") or ""
    except FileNotFoundError:
        return ""


def _secret_key(var_dir: Path, configured: str) -> str:
    """GUIDE_SECRET_KEY, else a random key kept in the var dir (like the Rasa token)."""
    if configured:
        return configured
    path = var_dir / "secret_key"
    if not path.exists():
        # gunicorn boots its workers together, and on a fresh var dir each of them gets here.
        # Each writes a whole key to a file of its own and links it into place: the first link
        # wins, the others find it there, and nobody reads a half-written key.
        private_dir(var_dir)
        fd, tmp = tempfile.mkstemp(dir=var_dir, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


def init_app(app: Flask, csrf) -> None:
    """Configure sessions and the console's paths, and register the staff blueprints."""
    settings = load_settings()
    cfg = app.config
    cfg.setdefault("STAFF_DB", str(settings.var_dir / "staff.db"))
    project = Path(cfg.setdefault("STAFF_PROJECT_DIR", str(REPO)))
    cfg.setdefault("TRACKER_STORE", _tracker_store_default(project, settings.endpoints))
    cfg.setdefault("INBOX_CONFIDENCE", 0.6)
    cfg.setdefault("INBOX_DAYS", 30)
    cfg.setdefault("PUBLISH_MIN_ACCURACY", 0.90)
    cfg.setdefault("PUBLISH_HELDOUT", str(HELDOUT_DIR / "visitor_questions.yml"))
    cfg.setdefault("PUBLISH_ACTIONS_URL", _actions_url_default(project))
    cfg.setdefault("PUBLISH_MODELS_DIR", str(project / "models"))
    cfg.setdefault("PUBLISH_RASA_VALIDATE", True)
    # Accuracy of the serving model too (cached per model file), for the before/after figures.
    cfg.setdefault("PUBLISH_EVAL_BEFORE", True)
    cfg.setdefault("LOGIN_MAX_FAILURES", 5)
    # Many names tried from one address (password spraying) are blocked as well.
    cfg.setdefault("LOGIN_MAX_FAILURES_PER_ADDRESS", 8)
    cfg.setdefault("LOGIN_WINDOW_SECONDS", 15 * 60)
    # A sign-in lasts a working day unless STAFF_SESSION_HOURS says otherwise.
    hours = float(cfg.setdefault("STAFF_SESSION_HOURS", settings.staff_session_hours))
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)
    # The session cookie carries a staff sign-in: not readable by scripts, not sent cross-site,
    # and HTTPS-only when served over HTTPS (kiosk_ui.security) or when the deployment says so
    # (STAFF_COOKIE_SECURE=1; =0 opts out, for a plain-HTTP LAN).
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    if settings.staff_cookie_secure is not None:
        cfg["COOKIE_SECURE"] = settings.staff_cookie_secure
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(Path(cfg["STAFF_DB"]).parent, settings.secret_key)

    app.extensions["staff_editor"] = Editor(Project(project, settings.office), cfg["STAFF_DB"])
    app.register_blueprint(bp)
    app.register_blueprint(feedback.bp)
    # The kiosk posts feedback like /api/chat: a public, state-light JSON endpoint.
    csrf.exempt(feedback.bp)
