"""The console asks for the source when a clerk marks a place verified (issue 14)."""

from __future__ import annotations

import pytest
import yaml
from tests.support.staff import form_of, office_dir, project_guide

NEEDS_SOURCE = "確認済みにするには出典（source）を入力してください"


def _file(project, name):
    return office_dir(project) / name


@pytest.mark.parametrize("path, change", [
    ("/staff/sections/somu", {"verified": "y", "source": ""}),
    ("/staff/sections/hoken_nenkin", {"desks-0-verified": "y", "desks-0-source": ""}),
    ("/staff/facilities/toilet", {"verified": "y", "source": ""}),
])
def test_verified_without_a_source_is_refused_and_nothing_written(client_as, project, path, change):
    name = "office.yml" if "facilities" in path else "sections.yml"
    before = _file(project, name).read_bytes()
    editor = client_as("editor")
    form = form_of(editor, path)
    assert "source" in form or "desks-0-source" in form  # the form asks for it
    resp = editor.post(path, data={**form, **change})
    assert resp.status_code == 422
    assert NEEDS_SOURCE in resp.get_data(as_text=True)
    assert _file(project, name).read_bytes() == before


def test_a_section_marked_verified_with_its_source_is_saved(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/somu")
    resp = editor.post("/staff/sections/somu", data={
        **form, "counter": "501", "verified": "y", "source": "総務課の職員が現地で確認（2026-12-02）"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    somu = project_guide(project).sections["somu"]
    assert (somu.counter, somu.verified, somu.source) == ("501", True, "総務課の職員が現地で確認（2026-12-02）")


def test_a_desk_marked_verified_with_its_source_is_saved(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/koseki")
    assert form["desks-0-name"] == "登録担当"
    resp = editor.post("/staff/sections/koseki", data={
        **form, "desks-0-counter": "11", "desks-0-verified": "y",
        "desks-0-source": "戸籍課で確認（2026-12-02）"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    desk = project_guide(project).sections["koseki"].desk("登録担当")
    assert (desk.counter, desk.verified, desk.source) == ("11", True, "戸籍課で確認（2026-12-02）")


def test_a_facility_marked_verified_with_its_source_is_saved(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/facilities/atm")
    assert form["floor"] == "1"
    resp = editor.post("/staff/facilities/atm", data={
        **form, "where": "1階 正面入口の右", "verified": "y", "source": "総務課が現地で確認"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    atm = project_guide(project).facilities["atm"]
    assert (atm.where, atm.verified, atm.source) == ("1階 正面入口の右", True, "総務課が現地で確認")
    raw = yaml.safe_load(_file(project, "office.yml").read_text(encoding="utf-8"))
    assert next(f for f in raw["facilities"] if f["id"] == "atm")["source"] == "総務課が現地で確認"


def test_the_desks_source_cannot_be_copied_to_the_section(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/kusei")
    desk_source = form["desks-0-source"]
    resp = editor.post("/staff/sections/kusei", data={
        **form, "counter": form["desks-0-counter"], "phone": form["desks-0-phone"],
        "verified": "y", "source": desk_source})
    assert resp.status_code == 422
    assert "企画調整係" in resp.get_data(as_text=True)
