"""Accounts (admin only): add users, change roles, disable, reset passwords; the sign-in log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from back_office import accounts
from back_office.accounts import AccountError
from kiosk_ui.staff.views_common import staff_db
from kiosk_ui.staff.auth import _client_ip, current_user, requires
from kiosk_ui.staff.forms import UserForm, UserUpdateForm


bp = Blueprint("admin", __name__)

def _page(form: UserForm, error: str | None = None, status: int = 200):
    users = accounts.list_users(staff_db())
    updates = {u.name: UserUpdateForm(formdata=None, data={"role": u.role, "active": u.active},
                                      prefix=f"u-{u.name}") for u in users}
    return render_template("staff/users.html", users=users, form=form, updates=updates,
                           error=error), status


@bp.get("/admin/users")
@requires("admin")
def users():
    return _page(UserForm(formdata=None))


@bp.post("/admin/users")
@requires("admin")
def add_user():
    form = UserForm()
    if not form.validate():
        return _page(form, "入力内容を確認してください。", 422)
    try:
        accounts.add_user(staff_db(), form.name.data, form.password.data, form.role.data)
    except AccountError as err:
        return _page(form, str(err), 422)
    accounts.audit(staff_db(), "user_added", current_user().name, _client_ip(),
                   f"{form.name.data} ({form.role.data})")
    flash(f"ユーザー {form.name.data} を追加しました。")
    return redirect(url_for("staff.admin.users"))


@bp.post("/admin/users/<name>")
@requires("admin")
def update_user(name: str):
    db = staff_db()
    target = accounts.get_user(db, name)
    if target is None:
        return _page(UserForm(formdata=None), f"ユーザー {name} は存在しません", 404)
    form = UserUpdateForm(prefix=f"u-{name}")
    if not form.validate():
        return _page(UserForm(formdata=None), "入力内容を確認してください。", 422)
    active = bool(form.active.data)
    losing_admin = target.role == "admin" and target.active and (form.role.data != "admin" or not active)
    if losing_admin and accounts.active_admins(db) <= 1:
        return _page(UserForm(formdata=None), "最後の管理者の役割は変更・無効化できません。", 422)
    try:
        if form.role.data != target.role:
            accounts.set_role(db, name, form.role.data)
        if active != target.active:
            accounts.set_active(db, name, active)
        if form.password.data:
            accounts.set_password(db, name, form.password.data)
    except AccountError as err:
        return _page(UserForm(formdata=None), str(err), 422)
    accounts.audit(db, "user_changed", current_user().name, _client_ip(),
                   f"{name}: role={form.role.data} active={active}"
                   + (" password reset" if form.password.data else ""))
    flash(f"ユーザー {name} を更新しました。")
    return redirect(url_for("staff.admin.users"))


@bp.get("/admin/audit")
@requires("admin")
def audit_log():
    return render_template("staff/audit.html", entries=accounts.audit_log(staff_db(),
                           request.args.get("limit", 300, type=int)))
