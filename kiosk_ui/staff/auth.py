"""Signing in and out, and the guard in front of every staff page and API."""

from __future__ import annotations

import time
from functools import wraps
from typing import Callable, Optional

from flask import (Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from back_office import accounts
from back_office.accounts import User
from kiosk_ui.staff.views_common import dashboard_context, staff_db

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"staff.auth.login", "staff.static"}
ROLE_LABELS = accounts.ROLE_LABELS


class LoginForm(FlaskForm):
    name = StringField("ユーザー名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("パスワード", validators=[DataRequired(), Length(max=200)])


def current_user() -> Optional[User]:
    return g.get("staff_user")


def _is_api() -> bool:
    return request.path.startswith("/staff/api/")


def _unauthenticated():
    if _is_api():
        return jsonify({"error": {"code": "unauthenticated", "message": "サインインしてください"}}), 401
    return redirect(url_for("staff.auth.login", next=request.full_path.rstrip("?")))


def _forbidden(role: str):
    message = f"この操作には「{ROLE_LABELS[role]}」以上の権限が必要です"
    if _is_api():
        return jsonify({"error": {"code": "forbidden", "message": message}}), 403
    return render_template("staff/error.html", title="権限がありません", message=message), 403


def least_role(role: str) -> Callable:
    """A change (POST) this view makes is allowed from ``role`` up, not only for editors."""
    def decorate(view: Callable) -> Callable:
        view.staff_least_role = role  # type: ignore[attr-defined]
        return view
    return decorate


def requires(role: str) -> Callable:
    """Only users whose role includes ``role`` may use this view."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return _unauthenticated()
            if not user.can(role):
                return _forbidden(role)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def _guard():
    """Nothing under /staff answers without a valid, unexpired sign-in of an active user."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    name, login_at = session.get("staff_user"), session.get("login_at", 0)
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    user = accounts.get_user(staff_db(), name) if name else None
    if (user is None or not user.active or time.time() - login_at > lifetime
            or session.get("session_version") != user.session_version):
        session.clear()
        return _unauthenticated()
    g.staff_user = user
    # Looking is for everyone signed in; any change needs at least the editor role, except
    # the few a view lowers with least_role (受付 marks staff calls handled).
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.endpoint != "staff.auth.logout":
        view = current_app.view_functions.get(request.endpoint or "")
        needed = getattr(view, "staff_least_role", "editor")
        if not user.can(needed):
            return _forbidden(needed)
    return None


def _no_store(resp):
    # Staff pages show visitors' questions: never keep them in a shared browser's cache.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


def _csrf_error(err: CSRFError):
    message = "フォームの有効期限が切れたか、不正な送信です。ページを開き直してから、もう一度お試しください。"
    if _is_api():
        return jsonify({"error": {"code": "csrf", "message": message}}), 400
    return render_template("staff/error.html", title="送信を受け付けられません", message=message), 400


def _staff_context() -> dict:
    return {"staff_user": g.get("staff_user"), "role_labels": ROLE_LABELS}


def protect(staff: Blueprint) -> None:
    """Every page under /staff: the sign-in check first, no caching, CSRF errors in words."""
    staff.before_request(_guard)
    staff.after_request(_no_store)
    staff.register_error_handler(CSRFError, _csrf_error)
    staff.app_context_processor(_staff_context)


def _client_ip() -> str:
    return request.remote_addr or "-"


def _safe_next(target: Optional[str]) -> str:
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return url_for("staff.auth.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        db, name, ip = staff_db(), form.name.data.strip(), _client_ip()
        cfg = current_app.config
        failures = accounts.recent_failures(db, name, ip, cfg["LOGIN_WINDOW_SECONDS"])
        from_address = accounts.recent_failures_from(db, ip, cfg["LOGIN_WINDOW_SECONDS"])
        if (failures >= cfg["LOGIN_MAX_FAILURES"]
                or from_address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
            accounts.audit(db, "login_blocked", name, ip)
            minutes = int(cfg["LOGIN_WINDOW_SECONDS"] // 60)
            return render_template("staff/login.html", form=form, error=(
                f"サインインの失敗が続いたため、{minutes}分間この端末からはサインインできません。")), 429
        user = accounts.authenticate(db, name, form.password.data)
        if user is None:
            accounts.audit(db, "login_failed", name, ip)
            error, status = "ユーザー名またはパスワードが正しくありません。", 401
        else:
            # A fresh session on sign-in, so nothing from before carries over.
            session.clear()
            session.permanent = True
            session["staff_user"], session["login_at"] = user.name, time.time()
            session["session_version"] = user.session_version
            accounts.audit(db, "login", user.name, ip)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        error, status = "ユーザー名とパスワードを入力してください。", 400
    return render_template("staff/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    user = current_user()
    if user:
        # The signed cookie stays valid until it expires: end it on the server too.
        accounts.end_sessions(staff_db(), user.name)
        accounts.audit(staff_db(), "logout", user.name, _client_ip())
    session.clear()
    return redirect(url_for("staff.auth.login"))


@bp.get("/")
def dashboard():
    return render_template("staff/dashboard.html", **dashboard_context())


@bp.get("/api/me")
def me():
    user = current_user()
    if user is None:
        abort(401)
    return jsonify({"name": user.name, "role": user.role})
