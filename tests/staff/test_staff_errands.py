"""Issue 16 in the console: life-event plans and the garbage dictionary, edited like other data
(validated by bot.guide_data, versioned, recorded, undoable, editors only, live at once)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import yaml

from back_office.editing import EditError

from tests.support.staff import project_guide

PLAN = "/staff/plans/moving_in_abroad"
LIFE_EVENTS = "data/guide/life_events.yml"
GARBAGE = "data/guide/garbage.yml"


def plan_form(client, path=PLAN) -> dict:
    """The plan form as the browser would send it back, unchanged."""
    html = client.get(path).get_data(as_text=True)
    data = dict(re.findall(r'<input(?![^>]*type="checkbox")[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"',
                           html))
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        data[name] = re.search(r'<option value="([^"]+)" selected', body).group(1)
    data.pop("csrf_token", None)
    return data


def steps_of(project, plan_id="moving_in_abroad") -> list:
    return [(s.procedure or s.redirect, s.condition)
            for s in project_guide(project).life_events[plan_id].steps]


def test_an_editor_reorders_a_plan_and_changes_a_condition_and_the_kiosk_shows_it(
        app, client_as, project):
    before = (project / LIFE_EVENTS).read_text(encoding="utf-8")
    first, second = steps_of(project)[:2]
    editor = client_as("editor")
    form = plan_form(editor)
    assert form["step-0-ref"] == first[0] and form["step-1-ref"] == second[0]
    resp = editor.post(PLAN, data={**form, "step-0-order": "2", "step-1-order": "1",
                                   "step-1-condition": "国民健康保険に入る方"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert steps_of(project)[:2] == [(second[0], "国民健康保険に入る方"), (first[0], None)]
    after = (project / LIFE_EVENTS).read_text(encoding="utf-8")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["        condition: 国民健康保険に入る方"]  # the rest moved, not rewritten
    assert len(after.splitlines()) == len(before.splitlines())
    card = app.test_client().get("/fragment/plan/moving_in_abroad").get_data(as_text=True)
    assert card.index("国民健康保険に入る方") < card.index(project_guide(project).procedures[first[0]].title)
    history = client_as("viewer").get("/staff/history/").get_data(as_text=True)
    assert "海外から金沢区への引っ越し（moving_in_abroad）: 手順を変更" in history


def test_adding_and_removing_steps(client_as, project):
    editor = client_as("editor")
    form = plan_form(editor)
    rows = int(form["rows"])
    steps = steps_of(project)
    new_row = len(steps)  # the first empty row
    resp = editor.post(PLAN, data={**form, f"step-{new_row}-kind": "redirect",
                                   f"step-{new_row}-ref": "passport",
                                   f"step-{new_row}-order": "99", "step-0-remove": "1"})
    assert resp.status_code == 302 and rows == len(steps) + 2
    assert steps_of(project) == [*steps[1:], ("passport", None)]


def test_an_unknown_procedure_is_refused_and_nothing_is_lost(client_as, project):
    before = (project / LIFE_EVENTS).read_bytes()
    editor = client_as("editor")
    form = plan_form(editor)
    resp = editor.post(PLAN, data={**form, "step-0-ref": "no_such_procedure",
                                   "step-1-condition": "この入力は残る"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "手続き「no_such_procedure」はありません" in page
    assert 'value="no_such_procedure"' in page and 'value="この入力は残る"' in page
    assert (project / LIFE_EVENTS).read_bytes() == before


def test_the_validator_has_the_last_word(app, client_as, project):
    """A step listed twice passes the form and is refused by bot.guide_data's own check too."""
    editor = app.extensions["staff_editor"]
    plan = editor.plan("moving_in_abroad")
    steps = plan["values"]["steps"]
    before = (project / LIFE_EVENTS).read_bytes()
    resp = client_as("editor").post(PLAN, data={**plan_form(client_as("editor")),
                                               "step-1-ref": steps[0]["ref"]})
    assert resp.status_code == 422 and "二度あります" in resp.get_data(as_text=True)
    assert (project / LIFE_EVENTS).read_bytes() == before


def test_a_plan_saved_against_an_older_version_is_a_conflict(client_as, project):
    alice, bob = client_as("editor"), client_as("admin")
    a, b = plan_form(alice), plan_form(bob)
    assert alice.post(PLAN, data={**a, "step-1-condition": "アリスの条件"}).status_code == 302
    resp = bob.post(PLAN, data={**b, "step-1-condition": "ボブの条件"})
    assert resp.status_code == 409
    assert "別の人が変更しました" in resp.get_data(as_text=True)
    assert steps_of(project)[1][1] == "アリスの条件"


def test_garbage_item_add_edit_remove_and_the_kiosk_card(app, client_as, project):
    editor = client_as("editor")
    kiosk = app.test_client()
    resp = editor.post("/staff/garbage/new", data={
        "name": "メガホン", "reading": "めがほん", "category": "moyasu",
        "synonyms": "拡声器\n応援用メガホン", "note": "電池は外してください。", "source": "kinzoku",
        "verified": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    item = project_guide(project).garbage.items["メガホン"]
    assert item.category == "moyasu" and item.synonyms == ("拡声器", "応援用メガホン")
    assert item.sources == ("kinzoku",) and item.verified
    assert "電池は外してください。" in kiosk.get("/fragment/sorting/メガホン").get_data(as_text=True)

    path = "/staff/garbage/item/" + quote("メガホン")
    page = editor.get(path).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)
    resp = editor.post(path, data={"name": "メガホン", "category": "moenai", "synonyms": "拡声器",
                                   "verified": "", "version": version})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    item = project_guide(project).garbage.items["メガホン"]
    assert item.category == "moenai" and not item.verified and item.note is None
    line = next(l for l in (project / GARBAGE).read_text(encoding="utf-8").splitlines() if "メガホン" in l)
    assert line == "  - {name: メガホン, category: moenai, synonyms: [拡声器], verified: false}"

    version = app.extensions["staff_editor"].garbage_item("メガホン")["version"]
    resp = editor.post(path + "/remove", data={"version": version})
    assert resp.status_code == 302
    assert "メガホン" not in project_guide(project).garbage.items
    assert [c.summary for c in app.extensions["staff_editor"].changes()] == [
        "ごみ品目「メガホン」を削除", "ごみ品目「メガホン」を変更", "ごみ品目「メガホン」を追加"]


def test_a_garbage_item_is_refused_with_a_clear_message(app, client_as, project):
    before = (project / GARBAGE).read_bytes()
    editor = client_as("editor")
    cases = [
        ({"category": "no_such_category"}, "選択肢が正しくありません"),
        ({"category": "moyasu", "source": "no_such_source"}, "is not a valid choice"),
        ({"category": "moyasu", "verified": "y"}, "出典（市のページ）を選んでください"),
        ({"category": "moyasu", "source": "bunbetsu"}, "未確認にするなら出典を外してください"),
        ({"category": "moyasu", "name": "生ごみ"}, "品目「生ごみ」はすでにあります"),
        ({"category": "moyasu", "synonyms": "スマホ"}, "already used by item &#39;スマートフォン&#39;"),
    ]
    for data, says in cases:
        resp = editor.post("/staff/garbage/new", data={"name": "試験の品目", **data})
        assert resp.status_code == 422, data
        assert says in resp.get_data(as_text=True), (data, says)
    assert (project / GARBAGE).read_bytes() == before
    assert app.extensions["staff_editor"].changes() == []
    # The back office checks what the form cannot: an unknown category through the API.
    with pytest.raises(EditError, match="分別区分「sorting」はありません"):
        app.extensions["staff_editor"].save_garbage_item(
            None, {"name": "試験", "category": "sorting", "verified": False}, None, "x")


def test_undo_one_garbage_item_keeps_a_later_edit_of_another(app, client_as, project):
    editor = app.extensions["staff_editor"]
    for name, note in (("アイロン", "一つ目"), ("電話機", "二つ目")):
        item = editor.garbage_item(name)
        editor.save_garbage_item(name, {**item["values"], "note": note}, item["version"], "e")
    assert client_as("editor").post("/staff/history/1/revert").status_code == 302
    items = project_guide(project).garbage.items
    assert items["アイロン"].note == "50cm未満の家電製品は燃やすごみです。"
    assert items["電話機"].note == "二つ目"


def test_a_garbage_item_changed_by_someone_else_is_a_conflict(app, client_as, project):
    editor = app.extensions["staff_editor"]
    item = editor.garbage_item("アイロン")
    editor.save_garbage_item("アイロン", {**item["values"], "note": "先の変更"}, item["version"], "a")
    resp = client_as("editor").post("/staff/garbage/item/" + quote("アイロン"), data={
        "name": "アイロン", "category": "moyasu", "source": "bunbetsu", "verified": "y",
        "note": "後の変更", "version": item["version"]})
    assert resp.status_code == 409 and "別の人が変更しました" in resp.get_data(as_text=True)
    assert project_guide(project).garbage.items["アイロン"].note == "先の変更"


def test_viewers_and_the_front_desk_cannot_change_plans_or_garbage(client_as, project):
    before = [(project / f).read_bytes() for f in (LIFE_EVENTS, GARBAGE)]
    for role in ("viewer", "front_desk"):
        client = client_as(role)
        assert '<button type="submit" class="primary">保存' not in client.get(PLAN).get_data(as_text=True)
        assert client.post(PLAN, data={"rows": "0"}).status_code == 403
        assert client.post("/staff/garbage/new", data={"name": "x"}).status_code == 403
    assert [(project / f).read_bytes() for f in (LIFE_EVENTS, GARBAGE)] == before
    assert yaml.safe_load((project / GARBAGE).read_text(encoding="utf-8"))["items"]
