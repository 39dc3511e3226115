"""Undo per item (issue 15): undoing a change restores the items it touched, whatever later
changes did to the file's other items; it is refused only when the same item changed since."""

from __future__ import annotations

import yaml

from tests.support.staff import form_of, office_dir, project_guide


def counter(project, section_id: str) -> str:
    return project_guide(project).sections[section_id].counter


def test_undoing_an_earlier_change_keeps_a_later_change_of_another_item(client_as, project):
    original = (office_dir(project) / "sections.yml").read_bytes()
    editor = client_as("editor")
    eisei = form_of(editor, "/staff/sections/eisei")
    assert editor.post("/staff/sections/eisei", data={**eisei, "counter": "412"}).status_code == 302
    koseki = form_of(editor, "/staff/sections/koseki")
    old_koseki = project_guide(project).sections["koseki"].counter
    assert editor.post("/staff/sections/koseki", data={**koseki, "counter": "99"}).status_code == 302
    resp = editor.post("/staff/history/1/revert")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert counter(project, "eisei") == "407"
    assert counter(project, "koseki") == "99" != old_koseki
    # Undoing the later change too brings the whole file back, line for line.
    assert editor.post("/staff/history/2/revert").status_code == 302
    assert counter(project, "koseki") == old_koseki
    assert (office_dir(project) / "sections.yml").read_bytes() == original


def test_undo_is_refused_when_the_same_item_changed_again(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/eisei")
    editor.post("/staff/sections/eisei", data={**form, "counter": "412"})
    form = form_of(editor, "/staff/sections/eisei")
    editor.post("/staff/sections/eisei", data={**form, "phone": "045-788-0000"})
    before = (office_dir(project) / "sections.yml").read_bytes()
    resp = editor.post("/staff/history/1/revert")
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "「eisei」は、この変更の後にも変更されています（変更 #2、editor）" in page
    assert (office_dir(project) / "sections.yml").read_bytes() == before
    # The later change undone first, the earlier one may go.
    assert editor.post("/staff/history/2/revert").status_code == 302
    assert editor.post("/staff/history/1/revert").status_code == 302
    assert counter(project, "eisei") == "407"


def test_undo_per_response_and_per_intent(app, project):
    editor = app.extensions["staff_editor"]
    answers = editor.responses()
    names = [n for n, r in answers.items() if not r["placeholders"]][:2]
    first = editor.save_response(names[0], "一つ目の変更です。", answers[names[0]]["version"], "a")
    editor.save_response(names[1], "二つ目の変更です。", answers[names[1]]["version"], "b")
    editor.revert(first.change.id, "c")
    now = editor.responses()
    assert now[names[0]]["text"] == answers[names[0]]["text"]
    assert now[names[1]]["text"] == "二つ目の変更です。"

    intents = editor.intents()
    a, b = [i for i, info in intents.items() if info["file"] == intents["greet"]["file"]][:2] \
        if "greet" in intents else list(intents)[:2]
    added = editor.add_example(a, "取り消しの試験の例文その一", "a")
    editor.add_example(b, "取り消しの試験の例文その二", "b")
    editor.revert(added.change.id, "c")
    now = editor.intents()
    assert "取り消しの試験の例文その一" not in now[a]["examples"]
    assert "取り消しの試験の例文その二" in now[b]["examples"]
    assert yaml.safe_load((project / now[b]["file"]).read_text(encoding="utf-8"))["nlu"]


def test_every_training_file_staff_edit_has_one_block_per_intent():
    """Undo restores an intent's block alone only if the file names each intent once; with two
    blocks of one intent the whole list is one item, and undoing an example of another intent
    is refused as a conflict (two out_of_scope blocks in conversation.yml did that). The files
    are those the example editor reads: data/nlu/*.yml, not the languages' folder."""
    from pathlib import Path

    from back_office.editing.items import items_of

    nlu = Path(__file__).resolve().parents[2] / "data" / "nlu"
    whole = [path.name for path in sorted(nlu.glob("*.yml"))
             if ("nlu",) in items_of(path.read_text(encoding="utf-8"))]
    assert whole == []
