"""Every /staff route for every kind of visitor: anonymous, viewer, front desk, editor, admin."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from tests.support.staff import (PASSWORD, ROLES, copy_project, create_tracker_db, sign_in,
                           staff_config)

from back_office import accounts, publish
from back_office.db import transaction

IRON = quote("アイロン")  # a garbage item
# (method, path, the least role that may use it). Paths name real entries of the data copy.
ROUTES = [
    ("GET", "/staff/", "viewer"),
    ("GET", "/staff/sections/", "viewer"),
    ("GET", "/staff/sections/eisei", "viewer"),
    ("GET", "/staff/procedures/", "viewer"),
    ("GET", "/staff/procedures/dog_registration", "viewer"),
    ("GET", "/staff/redirects/", "viewer"),
    ("GET", "/staff/redirects/passport", "viewer"),
    ("GET", "/staff/programs/", "viewer"),
    ("GET", "/staff/programs/bousai_en", "viewer"),
    ("GET", "/staff/plans/", "viewer"),
    ("GET", "/staff/plans/moving_in_abroad", "viewer"),
    ("GET", "/staff/garbage/", "viewer"),
    ("GET", "/staff/garbage/new", "viewer"),
    ("GET", f"/staff/garbage/item/{IRON}", "viewer"),
    ("GET", "/staff/answers/", "viewer"),
    ("GET", "/staff/answers/utter_route", "viewer"),
    ("GET", "/staff/examples/", "viewer"),
    ("GET", "/staff/examples/request/dog_registration", "viewer"),
    ("GET", "/staff/translations/", "viewer"),
    ("GET", "/staff/translations/en/", "viewer"),
    ("GET", "/staff/translations/en/juminhyo", "viewer"),
    ("GET", "/staff/inbox/", "viewer"),
    ("GET", "/staff/conversations/visitor-0001", "viewer"),
    ("GET", "/staff/calls/", "viewer"),
    ("GET", "/staff/publish/", "viewer"),
    ("GET", "/staff/history/", "viewer"),
    ("GET", "/staff/history/1", "viewer"),
    ("GET", "/staff/figures/", "viewer"),
    ("GET", "/staff/api/me", "viewer"),
    ("GET", "/staff/api/calls", "viewer"),
    ("GET", "/staff/api/figures", "viewer"),
    ("GET", "/staff/api/publish/status", "viewer"),
    ("GET", "/staff/publish/1/log", "viewer"),
    ("GET", "/staff/admin/users", "admin"),
    ("GET", "/staff/admin/audit", "admin"),
    ("POST", "/staff/sections/eisei", "editor"),
    ("POST", "/staff/procedures/dog_registration", "editor"),
    ("POST", "/staff/redirects/passport", "editor"),
    ("POST", "/staff/programs/bousai_en", "editor"),
    ("POST", "/staff/plans/moving_in_abroad", "editor"),
    ("POST", "/staff/garbage/new", "editor"),
    ("POST", f"/staff/garbage/item/{IRON}", "editor"),
    ("POST", f"/staff/garbage/item/{IRON}/remove", "editor"),
    ("POST", "/staff/answers/utter_route", "editor"),
    ("POST", "/staff/examples/request/dog_registration", "editor"),
    ("POST", "/staff/translations/en/juminhyo", "editor"),
    ("POST", "/staff/inbox/assign", "editor"),
    ("POST", "/staff/inbox/dismiss", "editor"),
    ("POST", "/staff/calls/1/handled", "front_desk"),
    ("POST", "/staff/api/calls/1/handled", "front_desk"),
    ("POST", "/staff/publish/", "editor"),
    ("POST", "/staff/api/publish", "editor"),
    ("POST", "/staff/history/1/revert", "editor"),
    ("POST", "/staff/admin/users", "admin"),
    ("POST", "/staff/admin/users/viewer", "admin"),
]
PUBLIC = [("GET", "/staff/login"), ("POST", "/staff/login"), ("GET", "/staff/static/staff.css"),
          ("POST", "/staff/logout")]
RANK = {None: -1, "viewer": 0, "front_desk": 1, "editor": 2, "admin": 3}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app for the whole matrix, with a change in the history and a staff call, so routes
    with ids have something to show. Requests here may change data; only access is checked."""
    from kiosk_ui import create_app

    tmp = tmp_path_factory.mktemp("permissions")
    project = copy_project(tmp / "project")
    create_tracker_db(tmp / "trackers.db")
    app = create_app(staff_config(project, tmp))
    for role in ROLES:
        accounts.add_user(app.config["STAFF_DB"], role, PASSWORD, role)
    editor = app.extensions["staff_editor"]
    entry = editor.entry("section", "eisei")
    editor.save_entry("section", "eisei", {**entry["values"], "counter": "408"}, entry["version"],
                      "admin")
    app.extensions["staff_calls"].record("visitor-0001", [{"who": "visitor", "text": "犬の登録"}])
    with transaction(app.config["STAFF_DB"]) as conn:
        conn.execute("INSERT INTO publish_jobs (user, started, finished, phase, phase_started, "
                     "log_tail) VALUES ('editor', 1, 2, 'done', 1, 'a line')")
    # No real training from a permission test: the job start is replaced by a stub.
    original = publish.start_job
    publish.start_job = lambda config, user, on_done=None: 1
    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        assert sign_in(clients[role], role).status_code == 302
    yield app, clients
    publish.start_job = original


def test_the_table_covers_every_staff_route(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path, *_ in [*ROUTES, *PUBLIC]:
        endpoint, _args = adapter.match(path, method=method)
        covered.add((endpoint, method))
    every = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/staff") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert every - covered == set()


@pytest.mark.parametrize("method, path, least", ROUTES)
def test_anonymous_is_sent_to_sign_in(world, method, path, least):
    resp = world[0].test_client().open(path, method=method)
    if path.startswith("/staff/api/"):
        assert resp.status_code == 401
        assert resp.get_json()["error"]["code"] == "unauthenticated"
    else:
        assert resp.status_code == 302
        assert resp.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, least", ROUTES)
def test_each_role_may_do_exactly_what_its_role_allows(world, role, method, path, least):
    resp = world[1][role].open(path, method=method, data={})
    if RANK[role] >= RANK[least]:
        assert resp.status_code not in (401, 403), (role, path, resp.status_code)
        assert "/staff/login" not in resp.headers.get("Location", "")
        if method == "GET":
            assert resp.status_code == 200, (role, path, resp.status_code)
    else:
        assert resp.status_code == 403, (role, path, resp.status_code)


def test_a_viewer_sees_values_but_no_form(client_as):
    html = client_as("viewer").get("/staff/sections/eisei").get_data(as_text=True)
    assert "407" in html and "<form method=\"post\" class=\"form\">" not in html


def test_the_front_desk_marks_a_call_handled_and_changes_nothing_else(app, client_as, project):
    store = app.extensions["staff_calls"]
    call_id = store.record("visitor-0002", [{"who": "visitor", "text": "窓口の人を呼んでください"}])
    desk = client_as("front_desk")
    page = desk.get("/staff/calls/").get_data(as_text=True)
    assert f"/staff/calls/{call_id}/handled" in page and "受付" in page
    assert desk.post(f"/staff/api/calls/{call_id}/handled").get_json() == {"id": call_id,
                                                                            "handled": True}
    assert client_as("viewer").post(f"/staff/api/calls/{call_id}/handled").status_code == 403
    form = {"counter": "499", "floor": "4"}
    assert desk.post("/staff/sections/eisei", data=form).status_code == 403
    assert desk.post("/staff/api/publish").status_code == 403
    assert app.extensions["staff_editor"].changes() == []


def test_the_sign_in_page_and_its_stylesheet_are_public(app):
    client = app.test_client()
    assert client.get("/staff/login").status_code == 200
    assert client.get("/staff/static/staff.css").status_code == 200


def test_a_disabled_account_is_signed_out_at_its_next_request(app, client_as):
    client = client_as("editor")
    assert client.get("/staff/").status_code == 200
    from back_office import accounts

    accounts.set_active(app.config["STAFF_DB"], "editor", False)
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/api/me").status_code == 401


def test_a_role_change_applies_at_once(app, client_as):
    from back_office import accounts

    client = client_as("editor")
    accounts.set_role(app.config["STAFF_DB"], "editor", "viewer")
    assert client.post("/staff/inbox/dismiss", data={}).status_code == 403


@pytest.mark.parametrize("path", ["/", "/counter"])
def test_kiosk_pages_never_link_to_the_console(app, path):
    resp = app.test_client().get(path)
    assert resp.status_code == 200
    assert "/staff" not in resp.get_data(as_text=True)
