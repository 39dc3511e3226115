"""Signing in, the rate limit, sessions and cookies, CSRF, accounts and their CLI."""

from __future__ import annotations

import io
import time

import pytest

from back_office import accounts
from tools.cli import main as guide
from tests.support.staff import PASSWORD, csrf_from, sign_in


def test_sign_in_and_out_are_audited_with_the_address(app, users):
    client = app.test_client()
    assert sign_in(client, "editor", "wrong-password!").status_code == 401
    resp = sign_in(client, "editor")
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/"
    assert client.post("/staff/logout").status_code == 302
    assert client.get("/staff/").status_code == 302
    events = [(e["event"], e["user"], e["ip"]) for e in accounts.audit_log(app.config["STAFF_DB"])]
    assert events[:3] == [("logout", "editor", "127.0.0.1"), ("login", "editor", "127.0.0.1"),
                          ("login_failed", "editor", "127.0.0.1")]


def test_sign_in_returns_to_the_page_asked_for_but_only_inside_the_console(app, users):
    client = app.test_client()
    resp = client.get("/staff/history/")
    assert resp.headers["Location"] == "/staff/login?next=/staff/history/"
    resp = client.post("/staff/login?next=/staff/history/", data={"name": "viewer", "password": PASSWORD})
    assert resp.headers["Location"] == "/staff/history/"
    client = app.test_client()
    resp = client.post("/staff/login?next=https://evil.example/", data={"name": "viewer",
                                                                       "password": PASSWORD})
    assert resp.headers["Location"] == "/staff/"


def test_five_failures_block_that_user_from_that_address_for_15_minutes(app, users):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "editor", "wrong-password!").status_code == 401
    # Even the right password is refused now, from this address, for this name…
    resp = sign_in(client, "editor")
    assert resp.status_code == 429
    assert "15分間" in resp.get_data(as_text=True)
    # …while another name, or the same name from another address, may still sign in.
    assert sign_in(client, "viewer").status_code == 302
    other = app.test_client()
    resp = other.post("/staff/login", data={"name": "editor", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert resp.status_code == 302
    assert [e["event"] for e in accounts.audit_log(app.config["STAFF_DB"])].count("login_blocked") == 1


def test_the_block_ends_after_the_window(app, users, monkeypatch):
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "editor", "wrong-password!")
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(accounts.time, "time", lambda: later)
    assert sign_in(client, "editor").status_code == 302


def test_unknown_users_and_disabled_accounts_cannot_sign_in(app, users):
    accounts.set_active(app.config["STAFF_DB"], "viewer", False)
    client = app.test_client()
    assert sign_in(client, "viewer").status_code == 401
    assert sign_in(client, "nobody").status_code == 401


def test_a_session_expires(make_app, users, monkeypatch):
    app = make_app(STAFF_SESSION_HOURS=8)
    accounts.add_user(app.config["STAFF_DB"], "late", PASSWORD, "viewer")
    client = app.test_client()
    sign_in(client, "late")
    assert client.get("/staff/").status_code == 200
    import kiosk_ui.staff.auth as auth

    later = time.time() + 8 * 3600 + 5
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/api/me").status_code == 401


def test_the_session_cookie_is_http_only_and_same_site(app, users):
    resp = sign_in(app.test_client(), "viewer")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Expires=" in cookie  # a permanent session with a lifetime of 8 hours
    import email.utils

    expires = email.utils.parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires.timestamp() - time.time() - 8 * 3600) < 60


def test_secure_cookies_for_https_deployments(make_app, users, monkeypatch):
    monkeypatch.setenv("STAFF_COOKIE_SECURE", "1")
    app = make_app()
    accounts.add_user(app.config["STAFF_DB"], "https", PASSWORD, "viewer")
    assert "Secure" in sign_in(app.test_client(), "https").headers["Set-Cookie"]


def test_staff_pages_are_not_cached(client_as):
    assert client_as("viewer").get("/staff/").headers["Cache-Control"] == "no-store"


# --- CSRF ----------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    accounts.add_user(app.config["STAFF_DB"], "editor", PASSWORD, "editor")
    return app


def signed_in_with_csrf(app):
    client = app.test_client()
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    resp = client.post("/staff/login", data={"name": "editor", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    return client


def test_sign_in_without_the_token_is_refused(csrf_app):
    resp = csrf_app.test_client().post("/staff/login", data={"name": "editor", "password": PASSWORD})
    assert resp.status_code == 400


def test_a_form_without_the_token_is_refused_and_nothing_written(csrf_app, project):
    client = signed_in_with_csrf(csrf_app)
    path = project / "data/offices/kanazawa/sections.yml"
    before = path.read_bytes()
    page = client.get("/staff/sections/eisei").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    form = {"version": version, "floor": "4", "counter": "412", "verified": "y",
            "source": "public ward information, 2024"}
    resp = client.post("/staff/sections/eisei", data=form)
    assert resp.status_code == 400
    assert "送信を受け付けられません" in resp.get_data(as_text=True)
    assert path.read_bytes() == before
    resp = client.post("/staff/sections/eisei", data={**form, "csrf_token": "forged"})
    assert resp.status_code == 400 and path.read_bytes() == before
    resp = client.post("/staff/sections/eisei", data={**form, "csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    assert 'counter: "412"' in path.read_text(encoding="utf-8")


def test_the_json_api_needs_the_token_in_a_header(csrf_app):
    client = signed_in_with_csrf(csrf_app)
    call_id = csrf_app.extensions["staff_calls"].record("visitor-0001", [])
    resp = client.post(f"/staff/api/calls/{call_id}/handled")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "csrf"
    token = csrf_from(client.get("/staff/calls/").get_data(as_text=True))
    resp = client.post(f"/staff/api/calls/{call_id}/handled", headers={"X-CSRFToken": token})
    assert resp.status_code == 200


def test_sign_out_needs_the_token(csrf_app):
    client = signed_in_with_csrf(csrf_app)
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_the_public_kiosk_api_stays_exempt(csrf_app):
    client = csrf_app.test_client()
    resp = client.post("/api/chat", json={"session_id": "visitor-0001", "text": "住民票"})
    assert resp.status_code == 200 and resp.get_json()["degraded"] is True
    resp = client.post("/api/staff-call", json={"session_id": "visitor-0001", "transcript": []})
    assert resp.status_code == 201
    resp = client.post("/api/feedback", json={"session_id": "visitor-0001", "helpful": True})
    assert resp.status_code == 201


# --- accounts -----------------------------------------------------------------------------


def test_an_admin_adds_a_user_changes_the_role_and_disables_it(app, client_as):
    admin = client_as("admin")
    resp = admin.post("/staff/admin/users", data={"name": "tanaka", "password": "kanazawa-2024!",
                                                  "role": "viewer"})
    assert resp.status_code == 302
    db = app.config["STAFF_DB"]
    assert accounts.get_user(db, "tanaka").role == "viewer"
    tanaka = app.test_client()
    assert sign_in(tanaka, "tanaka", "kanazawa-2024!").status_code == 302
    resp = admin.post("/staff/admin/users/tanaka", data={"u-tanaka-role": "editor", "u-tanaka-active": "y"})
    assert resp.status_code == 302 and accounts.get_user(db, "tanaka").role == "editor"
    admin.post("/staff/admin/users/tanaka", data={"u-tanaka-role": "editor"})
    assert accounts.get_user(db, "tanaka").active is False
    assert tanaka.get("/staff/").status_code == 302
    audit = [e["event"] for e in accounts.audit_log(db)]
    assert "user_added" in audit and "user_changed" in audit


def test_short_passwords_and_duplicate_names_are_refused(app, client_as):
    admin = client_as("admin")
    resp = admin.post("/staff/admin/users", data={"name": "x", "password": "short", "role": "viewer"})
    assert resp.status_code == 422
    resp = admin.post("/staff/admin/users", data={"name": "editor", "password": "long-enough-1",
                                                  "role": "viewer"})
    assert resp.status_code == 422 and "すでに存在します" in resp.get_data(as_text=True)


def test_the_last_admin_cannot_be_demoted(app, client_as):
    resp = client_as("admin").post("/staff/admin/users/admin", data={"u-admin-role": "viewer",
                                                                     "u-admin-active": "y"})
    assert resp.status_code == 422
    assert accounts.get_user(app.config["STAFF_DB"], "admin").role == "admin"


def test_passwords_are_stored_hashed(app, users):
    import sqlite3

    with sqlite3.connect(app.config["STAFF_DB"]) as conn:
        stored = [r[0] for r in conn.execute("SELECT password_hash FROM users")]
    assert all(PASSWORD not in h and h.startswith(("pbkdf2:", "scrypt:")) for h in stored)


def test_cli_adds_and_lists_users(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "cli.db")
    monkeypatch.setattr("sys.stdin", io.StringIO("kanazawa-secret\n"))
    assert guide(["staff", "add-user", "sato", "--role", "editor", "--password-stdin", "--db", db]) == 0
    assert accounts.authenticate(db, "sato", "kanazawa-secret").role == "editor"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert guide(["staff", "add-user", "kato", "--role", "viewer", "--password-stdin", "--db", db]) == 1
    assert guide(["staff", "list-users", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "sato\teditor\tactive" in out and "kato" not in out.split("added")[-1]
    monkeypatch.setattr("sys.stdin", io.StringIO("front-desk-secret\n"))
    assert guide(["staff", "add-user", "uketsuke", "--role", "front_desk", "--password-stdin",
                  "--db", db]) == 0
    assert accounts.get_user(db, "uketsuke").role == "front_desk"


def _replay(app, cookie: str):
    """A fresh client that presents an old session cookie, as an attacker who copied it would."""
    other = app.test_client()
    other.set_cookie("session", cookie, domain="localhost")
    return other.get("/staff/api/me")


@pytest.mark.parametrize("end", ["logout", "password reset", "disabled"])
def test_an_old_session_cookie_stops_working_when_the_session_ends(app, users, end):
    client = app.test_client()
    assert sign_in(client, "editor").status_code == 302
    cookie = client.get_cookie("session").value
    assert _replay(app, cookie).status_code == 200
    db = app.config["STAFF_DB"]
    if end == "logout":
        assert client.post("/staff/logout").status_code == 302
    elif end == "password reset":
        accounts.set_password(db, "editor", "another-long-password")
    else:
        accounts.set_active(db, "editor", False)
        accounts.set_active(db, "editor", True)
    assert _replay(app, cookie).status_code == 401
    # A new sign-in works as before.
    fresh = app.test_client()
    password = "another-long-password" if end == "password reset" else PASSWORD
    assert sign_in(fresh, "editor", password).status_code == 302
    assert fresh.get("/staff/api/me").status_code == 200


def test_many_names_from_one_address_are_blocked_too(app, users):
    """Password spraying: one wrong password for each of many names from one address."""
    client = app.test_client()
    statuses = [sign_in(client, f"name-{i}", "wrong-password!").status_code for i in range(10)]
    assert statuses[:8] == [401] * 8 and statuses[8:] == [429, 429]
    assert sign_in(client, "editor").status_code == 429
    other = app.test_client()
    resp = other.post("/staff/login", data={"name": "editor", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert resp.status_code == 302


def test_x_forwarded_for_counts_only_behind_a_configured_proxy(make_app, tmp_path):
    def attempt(app, forwarded_for, name="editor", password=PASSWORD):
        return app.test_client().post("/staff/login", data={"name": name, "password": password},
                                      headers={"X-Forwarded-For": forwarded_for}).status_code

    for proxies, db in ((0, "direct.db"), (1, "proxied.db")):
        app = make_app(TRUSTED_PROXIES=proxies, STAFF_DB=str(tmp_path / db))
        accounts.add_user(app.config["STAFF_DB"], "editor", PASSWORD, "editor")
        for i in range(8):
            assert attempt(app, "198.51.100.1", f"name-{i}", "wrong-password!") == 401
        if proxies == 0:
            # Not configured: inventing an address does not escape the limit.
            assert attempt(app, "203.0.113.9") == 429
        else:
            # Behind one trusted proxy, each client's own address counts.
            assert attempt(app, "198.51.100.1") == 429
            assert attempt(app, "203.0.113.9") == 302


@pytest.mark.parametrize("setting, scheme, secure", [
    (None, "https", True), (None, "http", False), ("0", "https", False), ("1", "http", True)])
def test_cookies_are_secure_and_hsts_is_sent_over_https_by_default(make_app, monkeypatch,
                                                                   setting, scheme, secure):
    if setting is None:
        monkeypatch.delenv("STAFF_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("STAFF_COOKIE_SECURE", setting)
    app = make_app()
    accounts.add_user(app.config["STAFF_DB"], "someone", PASSWORD, "viewer")
    client = app.test_client()
    resp = client.post("/staff/login", data={"name": "someone", "password": PASSWORD},
                       base_url=f"{scheme}://localhost")
    assert resp.status_code == 302
    assert ("Secure" in resp.headers["Set-Cookie"]) is secure
    hsts = resp.headers.get("Strict-Transport-Security")
    assert (hsts is not None) is (scheme == "https" and setting != "0")


def test_the_cli_removes_a_user_but_not_the_last_admin(app, users, capsys):
    db = app.config["STAFF_DB"]
    assert guide(["staff", "remove-user", "editor", "--db", db]) == 0
    assert accounts.get_user(db, "editor") is None
    assert guide(["staff", "remove-user", "admin", "--db", db]) == 1
    assert "最後の管理者" in capsys.readouterr().err
    assert accounts.get_user(db, "admin") is not None
    assert guide(["staff", "remove-user", "nobody", "--db", db]) == 1
