"""Staff accounts, sign-in audit and the sign-in rate limit, in the staff console's SQLite file.

Roles: ``viewer`` may look, ``front_desk`` (受付) may also mark staff calls handled, ``editor``
may also change the guide and publish, ``admin`` may also manage accounts. Passwords are
stored only as werkzeug hashes.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from werkzeug.security import check_password_hash, generate_password_hash

from back_office.db import transaction

# In rising order: each role may do what the ones before it may.
ROLES = ("viewer", "front_desk", "editor", "admin")
ROLE_LABELS = {"viewer": "閲覧のみ", "front_desk": "受付", "editor": "編集者", "admin": "管理者"}
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about accounts that cannot be done (unknown user, weak password, …)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool
    created_at: float
    last_login: Optional[float]
    session_version: int = 0

    def can(self, role: str) -> bool:
        """True when this user's role includes ``role`` (admin ⊃ editor ⊃ front_desk ⊃ viewer)."""
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


def _row_user(row: sqlite3.Row) -> User:
    return User(row["name"], row["role"], bool(row["active"]), row["created_at"], row["last_login"],
                row["session_version"])


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AccountError("ユーザー名は空白を含まない 1〜64 文字にしてください")
    return name


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"パスワードは {MIN_PASSWORD_LENGTH} 文字以上にしてください")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"役割は {', '.join(ROLES)} のいずれかです")
    return role


def add_user(db: Path | str, name: str, password: str, role: str) -> User:
    """Create an account; refuses an existing name, a short password or an unknown role."""
    name, role = _check_name(name), _check_role(role)
    _check_password(password)
    with transaction(db) as conn:
        try:
            conn.execute("INSERT INTO users (name, password_hash, role, active, created_at) "
                         "VALUES (?, ?, ?, 1, ?)", (name, generate_password_hash(password), role,
                                                    time.time()))
        except sqlite3.IntegrityError:
            raise AccountError(f"ユーザー {name} はすでに存在します") from None
    return get_user(db, name)  # type: ignore[return-value]


def get_user(db: Path | str, name: str) -> Optional[User]:
    with transaction(db) as conn:
        row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _row_user(row) if row else None


def list_users(db: Path | str) -> list[User]:
    with transaction(db) as conn:
        return [_row_user(r) for r in conn.execute("SELECT * FROM users ORDER BY name")]


def _update(db: Path | str, name: str, column: str, value) -> User:
    with transaction(db) as conn:
        cur = conn.execute(f"UPDATE users SET {column} = ? WHERE name = ?", (value, name))
    if cur.rowcount == 0:
        raise AccountError(f"ユーザー {name} は存在しません")
    return get_user(db, name)  # type: ignore[return-value]


def set_role(db: Path | str, name: str, role: str) -> User:
    return _update(db, name, "role", _check_role(role))


def set_active(db: Path | str, name: str, active: bool) -> User:
    user = _update(db, name, "active", int(active))
    return user if active else end_sessions(db, name)


def set_password(db: Path | str, name: str, password: str) -> User:
    _check_password(password)
    _update(db, name, "password_hash", generate_password_hash(password))
    return end_sessions(db, name)


def end_sessions(db: Path | str, name: str) -> User:
    """Every session signed in before now stops working (sign-out, new password, disabled)."""
    with transaction(db) as conn:
        cur = conn.execute("UPDATE users SET session_version = session_version + 1 WHERE name = ?",
                           (name,))
    if cur.rowcount == 0:
        raise AccountError(f"ユーザー {name} は存在しません")
    return get_user(db, name)  # type: ignore[return-value]


def remove_user(db: Path | str, name: str) -> None:
    """Delete an account (its audit entries stay); refuses removing the last active admin."""
    with transaction(db) as conn:
        row = conn.execute("SELECT role, active FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"ユーザー {name} は存在しません")
        if row["role"] == "admin" and row["active"] and conn.execute(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1").fetchone()[0] <= 1:
            raise AccountError("最後の管理者は削除できません")
        conn.execute("DELETE FROM users WHERE name = ?", (name,))


def active_admins(db: Path | str) -> int:
    with transaction(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1"
                            ).fetchone()[0]


# A hash to compare against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(db: Path | str, name: str, password: str) -> Optional[User]:
    """The active user with this name and password, else None."""
    with transaction(db) as conn:
        row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(row["password_hash"], password or "") or not row["active"]:
        return None
    with transaction(db) as conn:
        conn.execute("UPDATE users SET last_login = ? WHERE name = ?", (time.time(), name))
    return _row_user(row)


def audit(db: Path | str, event: str, user: Optional[str], ip: Optional[str],
          detail: str = "") -> None:
    """Record a sign-in, sign-out or account change."""
    with transaction(db) as conn:
        conn.execute("INSERT INTO audit (time, user, ip, event, detail) VALUES (?, ?, ?, ?, ?)",
                     (time.time(), user, ip, event, detail))


def recent_failures(db: Path | str, name: str, ip: Optional[str], window_seconds: float) -> int:
    """Failed sign-ins for this user name from this address within the window."""
    with transaction(db) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM audit WHERE event = 'login_failed' AND user = ? AND ip IS ? "
            "AND time > ?", (name, ip, time.time() - window_seconds)).fetchone()[0]


def recent_failures_from(db: Path | str, ip: Optional[str], window_seconds: float) -> int:
    """Failed sign-ins from this address within the window, whatever the name (spraying)."""
    with transaction(db) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM audit WHERE event = 'login_failed' AND ip IS ? AND time > ?",
            (ip, time.time() - window_seconds)).fetchone()[0]


def audit_log(db: Path | str, limit: int = 200) -> list[sqlite3.Row]:
    with transaction(db) as conn:
        return conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
