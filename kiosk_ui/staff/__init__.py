"""The staff console (``/staff``): ward-office staff keep the guide right without a developer.

One blueprint, ``staff``, with its routes split by area (auth, content, inbox, calls,
publish, history, figures, admin) and its own templates and static files; plus the small
public ``feedback`` blueprint at ``/api/feedback`` that the kiosk posts to.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Flask, current_app

from bot.editing import Editor, Project
from bot.settings import REPO, load_settings

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", static_url_path="/static")


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _tracker_db_default(project: Path) -> str:
    """The SQLite tracker store named in the project's endpoints.yml (var/trackers.db)."""
    import yaml

    try:
        endpoints = yaml.safe_load((project / "endpoints.yml").read_text(encoding="utf-8")) or {}
        db = (endpoints.get("tracker_store") or {}).get("db") or "var/trackers.db"
    except FileNotFoundError:
        db = "var/trackers.db"
    return str(db if Path(db).is_absolute() else project / db)


def _actions_url_default(project: Path) -> str:
    import yaml

    try:
        endpoints = yaml.safe_load((project / "endpoints.yml").read_text(encoding="utf-8")) or {}
        return (endpoints.get("action_endpoint") or {}).get("url") or ""
    except FileNotFoundError:
        return ""


def _secret_key(var_dir: Path) -> str:
    """GUIDE_SECRET_KEY, else a random key kept in the var dir (like the Rasa token)."""
    key = os.environ.get("GUIDE_SECRET_KEY", "").strip()
    if key:
        return key
    path = var_dir / "secret_key"
    if not path.exists():
        # gunicorn boots its workers together, and on a fresh var dir each of them gets here.
        # Each writes a whole key to a file of its own and links it into place: the first link
        # wins, the others find it there, and nobody reads a half-written key.
        var_dir.mkdir(parents=True, exist_ok=True)
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
    cfg.setdefault("TRACKER_DB", _tracker_db_default(project))
    cfg.setdefault("INBOX_CONFIDENCE", 0.6)
    cfg.setdefault("INBOX_DAYS", 30)
    cfg.setdefault("PUBLISH_MIN_ACCURACY", 0.90)
    cfg.setdefault("PUBLISH_HELDOUT", str(REPO / "tests" / "heldout" / "visitor_questions.yml"))
    cfg.setdefault("PUBLISH_ACTIONS_URL", _actions_url_default(project))
    cfg.setdefault("PUBLISH_MODELS_DIR", str(project / "models"))
    cfg.setdefault("PUBLISH_RASA_VALIDATE", True)
    # Accuracy of the serving model too (cached per model file), for the before/after figures.
    cfg.setdefault("PUBLISH_EVAL_BEFORE", True)
    cfg.setdefault("LOGIN_MAX_FAILURES", 5)
    cfg.setdefault("LOGIN_WINDOW_SECONDS", 15 * 60)
    # A sign-in lasts a working day unless STAFF_SESSION_HOURS says otherwise.
    hours = float(cfg.setdefault("STAFF_SESSION_HOURS",
                                 float(os.environ.get("STAFF_SESSION_HOURS", "8"))))
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)
    # The session cookie carries a staff sign-in: not readable by scripts, not sent cross-site,
    # and HTTPS-only when the deployment says so (STAFF_COOKIE_SECURE=1).
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    if "STAFF_COOKIE_SECURE" in os.environ:
        cfg["SESSION_COOKIE_SECURE"] = _env_flag("STAFF_COOKIE_SECURE")
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(Path(cfg["STAFF_DB"]).parent)

    app.extensions["staff_editor"] = Editor(Project(project, settings.office), cfg["STAFF_DB"])

    from kiosk_ui.staff import (admin, auth, calls, content, feedback, figures,  # noqa: F401
                                history, inbox, publish, views_common)

    app.register_blueprint(bp)
    app.register_blueprint(feedback.bp)
    # The kiosk posts feedback like /api/chat: a public, state-light JSON endpoint.
    csrf.exempt(feedback.bp)


def editor() -> Editor:
    return current_app.extensions["staff_editor"]


def staff_db() -> str:
    return current_app.config["STAFF_DB"]
