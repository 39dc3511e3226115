"""Staff review of translations: listed per language, edited and marked reviewed through the
same loader validation, atomic write and history as every other edit."""

from __future__ import annotations

import yaml

from tests.support.staff import form_of


def en_file(project):
    return project / "data" / "guide" / "translations" / "en.yml"


def test_languages_are_listed_with_reviewed_and_missing_counts(client_as):
    page = client_as("viewer").get("/staff/translations/").get_data(as_text=True)
    for name in ("English", "やさしい にほんご", "한국어", "Português"):
        assert name in page
    assert "日本語のままの欄" in page
    listing = client_as("viewer").get("/staff/translations/en/?show=unreviewed").get_data(as_text=True)
    assert "住民票の写しの交付" in listing and "未確認" in listing


def test_an_editor_corrects_a_translation_and_marks_it_reviewed(app, client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/translations/en/juminhyo")
    assert form["field-title"] == "Copy of the residence record (juminhyo)"
    assert "reviewed" not in form
    resp = editor.post("/staff/translations/en/juminhyo",
                       data={**form, "field-title": "Residence record copy (juminhyo)", "reviewed": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    entry = yaml.safe_load(en_file(project).read_text(encoding="utf-8"))["entries"]["juminhyo"]
    assert entry["title"] == "Residence record copy (juminhyo)" and entry["reviewed"] is True
    assert entry["fee"] == "300 yen per copy"                       # the other fields stay
    # The kiosk answers with the corrected text at once (GuideStore reloads on change).
    kiosk = app.test_client()
    data = kiosk.post("/api/chat", json={"session_id": "staff-tr-0001", "lang": "en",
                                         "payload": '/request{"item": "juminhyo"}'}).get_json()
    assert data["procedure"]["title"] == "Residence record copy (juminhyo)"
    history = editor.get("/staff/history/").get_data(as_text=True)
    assert "翻訳 en/juminhyo" in history


def test_a_translation_the_loader_refuses_is_not_written(client_as, project):
    before = en_file(project).read_text(encoding="utf-8")
    editor = client_as("editor")
    form = form_of(editor, "/staff/translations/en/juminhyo")
    resp = editor.post("/staff/translations/en/juminhyo",
                       data={**form, "field-bring": "only one item"})   # the Japanese has two
    assert resp.status_code == 422
    assert "bring has 1 item" in resp.get_data(as_text=True)
    assert en_file(project).read_text(encoding="utf-8") == before


def test_a_viewer_cannot_save(client_as):
    viewer = client_as("viewer")
    form = form_of(viewer, "/staff/translations/en/juminhyo")
    resp = viewer.post("/staff/translations/en/juminhyo", data={**form, "reviewed": "y"})
    assert resp.status_code == 403


def test_a_korean_name_is_saved_whether_or_not_the_file_exists_yet(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/translations/ko/koseki")
    resp = editor.post("/staff/translations/ko/koseki", data={**form, "field-name": "호적과"})
    assert resp.status_code == 302
    data = yaml.safe_load((project / "data/guide/translations/ko.yml").read_text(encoding="utf-8"))
    assert data["language"] == "ko" and data["entries"]["koseki"]["name"] == "호적과"
