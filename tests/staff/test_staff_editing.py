"""Editing the guide through the console: validation, atomic writes, no lost update, history."""

from __future__ import annotations

import os
import re

import pytest
import yaml

from back_office import editing
from bot.guide_data import GuideDataError
from bot.nlu_export import render
from tests.support.staff import form_of, office_dir, project_guide


def sections_file(project):
    return office_dir(project) / "sections.yml"


def eisei_counter(project) -> str:
    return project_guide(project).sections["eisei"].counter


def test_moving_a_section_goes_live_in_the_kiosk_at_once(app, client_as, project):
    kiosk = app.test_client()
    before = kiosk.get("/api/search?q=生活衛生課").get_json()["results"][0]
    assert before["destination"]["counter"] == "407"
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/eisei")
    assert form["counter"] == "407" and form["floor"] == "4"
    resp = editor.post("/staff/sections/eisei", data={**form, "counter": "412"})
    assert resp.status_code == 302
    assert eisei_counter(project) == "412"
    after = kiosk.get("/api/search?q=生活衛生課").get_json()["results"][0]
    assert after["destination"]["counter"] == "412"
    page = editor.get(resp.headers["Location"]).get_data(as_text=True)
    assert "キオスクにすぐ反映されます" in page


def test_only_the_edited_line_changes_and_comments_stay(client_as, project):
    before = sections_file(project).read_text(encoding="utf-8")
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/eisei")
    editor.post("/staff/sections/eisei", data={**form, "counter": "412"})
    after = sections_file(project).read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [('    counter: "407"', '    counter: "412"')]
    assert len(before.splitlines()) == len(after.splitlines())


def test_a_save_against_an_older_version_is_refused_with_the_other_change_shown(client_as, project):
    alice, bob = client_as("editor"), client_as("admin")
    alice_form = form_of(alice, "/staff/sections/eisei")
    bob_form = form_of(bob, "/staff/sections/eisei")
    assert alice.post("/staff/sections/eisei", data={**alice_form, "counter": "412"}).status_code == 302
    resp = bob.post("/staff/sections/eisei", data={**bob_form, "counter": "499"})
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "別の人が変更しました" in page and "412" in page and "editor" in page
    assert eisei_counter(project) == "412"  # never silently overwritten
    # Having seen the other change, a second deliberate save goes through.
    assert bob.post("/staff/sections/eisei", data={**form_of_response(page), "counter": "499"}
                    ).status_code == 302
    assert eisei_counter(project) == "499"


def form_of_response(html: str) -> dict:
    data = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html))
    data.pop("csrf_token", None)
    data["verified"] = "y"
    return data


def test_a_save_to_another_entry_of_the_same_file_is_not_a_conflict(client_as, project):
    alice, bob = client_as("editor"), client_as("admin")
    eisei, somu = form_of(alice, "/staff/sections/eisei"), form_of(bob, "/staff/sections/somu")
    assert alice.post("/staff/sections/eisei", data={**eisei, "counter": "412"}).status_code == 302
    assert bob.post("/staff/sections/somu", data={**somu, "counter": "501"}).status_code == 302
    guide = project_guide(project)
    assert (guide.sections["eisei"].counter, guide.sections["somu"].counter) == ("412", "501")


def test_a_resave_after_a_conflict_keeps_the_other_change(app, project):
    """B saved a counter over A's phone: the conflict hands B both, merged field by field."""
    editor = app.extensions["staff_editor"]
    opened = editor.entry("section", "zeimu")
    a = {**opened["values"], "phone": "045-788-7750"}
    editor.save_entry("section", "zeimu", a, opened["version"], "a")
    b = {**opened["values"], "counter": "21"}
    with pytest.raises(editing.EditConflict) as caught:
        editor.save_entry("section", "zeimu", b, opened["version"], "b")
    conflict = caught.value
    assert conflict.merged["phone"] == "045-788-7750" and conflict.merged["counter"] == "21"
    assert conflict.fields == []
    editor.save_entry("section", "zeimu", conflict.merged, conflict.version, "b")
    zeimu = project_guide(project).sections["zeimu"]
    assert (zeimu.phone, zeimu.counter) == ("045-788-7750", "21")


def test_a_field_both_changed_is_a_conflict_shown_to_the_second_editor(app, project):
    editor = app.extensions["staff_editor"]
    opened = editor.entry("section", "zeimu")
    editor.save_entry("section", "zeimu", {**opened["values"], "counter": "20", "phone": "045-788-7750"},
                      opened["version"], "a")
    with pytest.raises(editing.EditConflict) as caught:
        editor.save_entry("section", "zeimu", {**opened["values"], "counter": "21"},
                          opened["version"], "b")
    assert caught.value.fields == ["counter"]
    assert caught.value.merged["counter"] == "21" and caught.value.merged["phone"] == "045-788-7750"


def test_a_resave_through_the_form_after_a_409_keeps_the_other_change(client_as, project):
    alice, bob = client_as("editor"), client_as("admin")
    alice_form = form_of(alice, "/staff/sections/zeimu")
    bob_form = form_of(bob, "/staff/sections/zeimu")
    assert alice.post("/staff/sections/zeimu", data={**alice_form, "phone": "045-788-7750"}
                      ).status_code == 302
    resp = bob.post("/staff/sections/zeimu", data={**bob_form, "counter": "21"})
    assert resp.status_code == 409
    again = form_of_response(resp.get_data(as_text=True))
    again.pop("verified")
    assert bob.post("/staff/sections/zeimu", data=again).status_code == 302
    zeimu = project_guide(project).sections["zeimu"]
    assert (zeimu.phone, zeimu.counter) == ("045-788-7750", "21")


@pytest.mark.parametrize("change, message", [
    ({"floor": "9"}, "階は"),
    ({"floor": "four"}, "無効な整数です"),
    ({"phone": "788-7729"}, "電話番号は"),
    ({"counter": "４０７番窓口です"}, "窓口番号は"),
])
def test_bad_section_input_is_refused_and_nothing_written(client_as, project, change, message):
    before = sections_file(project).read_bytes()
    editor = client_as("editor")
    resp = editor.post("/staff/sections/eisei", data={**form_of(editor, "/staff/sections/eisei"), **change})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert sections_file(project).read_bytes() == before


def test_a_floor_the_building_does_not_have_is_refused_by_the_data_check_too(app, project):
    editor = app.extensions["staff_editor"]
    entry = editor.entry("section", "eisei")
    with pytest.raises(GuideDataError, match="floor 9"):
        editor.save_entry("section", "eisei", {**entry["values"], "floor": 9}, entry["version"], "x")


def procedures_file(project):
    return project / "data" / "guide" / "procedures.yml"


def test_an_unknown_section_is_refused(client_as, project):
    before = procedures_file(project).read_bytes()
    editor = client_as("editor")
    form = form_of(editor, "/staff/procedures/dog_registration")
    resp = editor.post("/staff/procedures/dog_registration", data={**form, "section": "nowhere"})
    assert resp.status_code == 422
    assert procedures_file(project).read_bytes() == before


def test_the_loader_refuses_an_unknown_section_with_its_message(app, project):
    editor = app.extensions["staff_editor"]
    entry = editor.entry("procedure", "dog_registration")
    with pytest.raises(GuideDataError, match="unknown section 'nowhere'"):
        editor.save_entry("procedure", "dog_registration", {**entry["values"], "section": "nowhere"},
                          entry["version"], "x")
    assert editor.changes() == []


def test_a_duplicate_synonym_is_refused_with_the_loaders_message(client_as, project):
    before = procedures_file(project).read_bytes()
    generated = (project / editing.GENERATED_NLU).read_bytes()
    editor = client_as("editor")
    form = form_of(editor, "/staff/procedures/dog_registration")
    resp = editor.post("/staff/procedures/dog_registration",
                       data={**form, "synonyms": form["synonyms"] + "\n住民票"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "住民票" in page and "juminhyo" in page
    assert procedures_file(project).read_bytes() == before
    assert (project / editing.GENERATED_NLU).read_bytes() == generated


def test_a_new_synonym_re_renders_the_generated_nlu(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/procedures/dog_registration")
    resp = editor.post("/staff/procedures/dog_registration",
                       data={**form, "synonyms": form["synonyms"] + "\nわんこの登録"})
    assert resp.status_code == 302
    generated = (project / editing.GENERATED_NLU).read_text(encoding="utf-8")
    assert "わんこの登録" in generated
    assert generated == render(project_guide(project))
    assert "再学習・公開" in editor.get(resp.headers["Location"]).get_data(as_text=True)


def test_procedure_fields_round_trip(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/procedures/dog_registration")
    resp = editor.post("/staff/procedures/dog_registration", data={
        **form, "bring": "鑑札\n狂犬病予防注射済証", "fee": "3,000円", "note": "土曜は受付なし"})
    assert resp.status_code == 302
    proc = project_guide(project).procedures["dog_registration"]
    assert proc.bring == ("鑑札", "狂犬病予防注射済証") and proc.fee == "3,000円"
    assert proc.note == "土曜は受付なし"
    text = procedures_file(project).read_text(encoding="utf-8")
    assert "    bring: [鑑札, 狂犬病予防注射済証]\n" in text  # same inline style as its neighbours


def test_redirect_and_program_answers_are_editable(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/redirects/passport")
    assert editor.post("/staff/redirects/passport", data={**form, "phone": "045-671-7140"}
                       ).status_code == 302
    form = form_of(editor, "/staff/programs/bousai_en")
    assert editor.post("/staff/programs/bousai_en", data={**form, "text": "新しい説明文です。"}
                       ).status_code == 302
    guide = project_guide(project)
    assert guide.redirects["passport"].phone == "045-671-7140"
    assert guide.programs["bousai_en"].text == "新しい説明文です。"


# --- atomic writes ------------------------------------------------------------------------


def _no_temp_files(directory):
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_a_crash_mid_save_leaves_the_previous_file(app, project, monkeypatch, broken):
    editor = app.extensions["staff_editor"]
    before = sections_file(project).read_bytes()
    entry = editor.entry("section", "eisei")

    def crash(*_args, **_kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(editing.files.os, broken, crash)
    with pytest.raises(OSError, match="simulated crash"):
        editor.save_entry("section", "eisei", {**entry["values"], "counter": "412"},
                          entry["version"], "editor")
    monkeypatch.undo()
    assert sections_file(project).read_bytes() == before
    assert _no_temp_files(sections_file(project).parent) == []
    assert editor.changes() == []  # no history row for a change that did not happen


def test_atomic_write_keeps_the_file_mode(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\n")
    os.chmod(path, 0o640)
    editing.atomic_write(path, "a: 2\n")
    assert path.read_text() == "a: 2\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)


# --- history and revert ------------------------------------------------------------------


def test_every_change_is_in_the_history_with_its_diff_and_can_be_reverted(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/eisei")
    editor.post("/staff/sections/eisei", data={**form, "counter": "412"})
    history = editor.get("/staff/history/").get_data(as_text=True)
    assert "生活衛生課（eisei）: counter を変更" in history and "data/offices/kanazawa/sections.yml" in history
    detail = editor.get("/staff/history/1").get_data(as_text=True)
    assert '-    counter: &#34;407&#34;' in detail and '+    counter: &#34;412&#34;' in detail
    resp = editor.post("/staff/history/1/revert")
    assert resp.status_code == 302
    assert eisei_counter(project) == "407"
    page = editor.get(resp.headers["Location"]).get_data(as_text=True)
    assert "変更 #1 を取り消し" in page
    assert "取り消し済み（#2）" in editor.get("/staff/history/").get_data(as_text=True)
    # Undoing the undo is a change like any other.
    assert editor.post("/staff/history/2/revert").status_code == 302
    assert eisei_counter(project) == "412"


def test_revert_is_refused_when_the_file_changed_since(client_as, project):
    editor = client_as("editor")
    form = form_of(editor, "/staff/sections/eisei")
    editor.post("/staff/sections/eisei", data={**form, "counter": "412"})
    # A developer edits the file on disk: the console sees it, and will not undo blindly.
    path = sections_file(project)
    path.write_text(path.read_text(encoding="utf-8").replace('counter: "412"', 'counter: "413"'),
                    encoding="utf-8")
    resp = editor.post("/staff/history/1/revert")
    assert resp.status_code == 409
    assert "この変更の後にも変更されています" in resp.get_data(as_text=True)
    assert eisei_counter(project) == "413"
    assert form_of(editor, "/staff/sections/eisei")["counter"] == "413"


def test_a_revert_that_would_break_the_data_is_refused(client_as, app, project):
    editor = app.extensions["staff_editor"]
    entry = editor.entry("procedure", "dog_registration")
    words = [w for w in entry["values"]["synonyms"] if w != "鑑札"]
    editor.save_entry("procedure", "dog_registration", {**entry["values"], "synonyms": words},
                      entry["version"], "a")
    # The freed word now leads somewhere else; bringing it back would give it two owners.
    passport = editor.entry("redirect", "passport")
    editor.save_entry("redirect", "passport",
                      {**passport["values"], "synonyms": [*passport["values"]["synonyms"], "鑑札"]},
                      passport["version"], "b")
    before = procedures_file(project).read_bytes()
    resp = client_as("editor").post("/staff/history/1/revert")
    assert resp.status_code == 422
    assert "鑑札" in resp.get_data(as_text=True)
    assert procedures_file(project).read_bytes() == before
    assert len(editor.changes()) == 2


# --- answers and examples -------------------------------------------------------------------


def test_an_answer_keeps_only_its_own_placeholders(client_as, project):
    editor = client_as("editor")
    page = editor.get("/staff/answers/utter_route").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)
    resp = editor.post("/staff/answers/utter_route",
                       data={"version": version, "text": "{title}は{nowhere}です。"})
    assert resp.status_code == 422 and "nowhere" in resp.get_data(as_text=True)
    resp = editor.post("/staff/answers/utter_route",
                       data={"version": version, "text": "{title}の窓口は、{department}（{place}）です。"})
    assert resp.status_code == 302
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    assert domain["responses"]["utter_route"][0]["text"] == "{title}の窓口は、{department}（{place}）です。"


@pytest.mark.parametrize("text", ["{title}の窓口は{department!r}です。",
                                  "{title}の窓口は{department:>300000000}です。",
                                  "{title}の窓口は{department.__class__}です。",
                                  "{title}の窓口は{department[0]}です。"])
def test_an_answer_takes_only_plain_placeholders(client_as, project, text):
    editor = client_as("editor")
    before = (project / "domain.yml").read_bytes()
    page = editor.get("/staff/answers/utter_route").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)
    resp = editor.post("/staff/answers/utter_route", data={"version": version, "text": text})
    assert resp.status_code == 422 and "名前だけ" in resp.get_data(as_text=True)
    assert (project / "domain.yml").read_bytes() == before


def test_examples_are_edited_in_the_right_nlu_file(client_as, project):
    editor = client_as("editor")
    page = editor.get("/staff/examples/request/dog_registration").get_data(as_text=True)
    assert "requests_pets_hygiene.yml" in page
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)
    current = re.search(r'<textarea[^>]*name="examples"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)
    resp = editor.post("/staff/examples/request/dog_registration",
                       data={"version": version, "examples": current + "\nわんちゃんの登録をしたい"})
    assert resp.status_code == 302
    data = yaml.safe_load((project / "data/nlu/requests_pets_hygiene.yml").read_text(encoding="utf-8"))
    block = next(b for b in data["nlu"] if b["intent"] == "request/dog_registration")
    assert block["examples"].splitlines()[-1] == "- わんちゃんの登録をしたい"


def test_an_intent_spread_over_files_is_edited_where_each_example_lives(app, project):
    """dog_registration has examples in its concern's file, its situations file and a registers
    file: the console shows them as one list, and saving that list must neither copy the other
    files' examples into the first nor leave a removed one in place."""
    def blocks():
        found = {}
        for path in sorted((project / "data/nlu").glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
                if block.get("intent") == "request/dog_registration":
                    found[path.name] = block["examples"].splitlines()
        return found

    editor = app.extensions["staff_editor"]
    before = blocks()
    assert len(before) > 1
    info = editor.intents()["request/dog_registration"]
    elsewhere = before[sorted(before)[-1]][-1][2:]                  # an example of the last file
    examples = [e for e in info["examples"] if e != elsewhere] + ["わんちゃんを家族に迎えた"]
    editor.save_examples("request/dog_registration", examples, info["version"], "a")
    after = blocks()
    first, *others = sorted(before)
    assert after[first] == before[first] + ["- わんちゃんを家族に迎えた"]
    assert after[sorted(before)[-1]] == before[sorted(before)[-1]][:-1]
    assert all(after[name] == before[name] for name in others[:-1])
    assert editor.intents()["request/dog_registration"]["examples"] == [
        e for name in sorted(after) for e in (line[2:] for line in after[name])]


@pytest.mark.parametrize("text, message", [
    ("住民票がほしいです", "すでに request/juminhyo の例文です"),
    ("住民票の写しを２通ください", "精度評価用の質問"),
    # the second set, the sealed sets and the development sets are held out as well
    ("引っ越してきたんで転入の手続きしたいっす", "精度評価用の質問"),
    ("住民票ってどこで取れる？", "精度評価用の質問"),
    ("住所変更ってどの窓口？", "精度評価用の質問"),
])
def test_an_example_that_belongs_elsewhere_is_refused(app, project, text, message):
    editor = app.extensions["staff_editor"]
    before = (project / "data/nlu/requests_pets_hygiene.yml").read_bytes()
    with pytest.raises(editing.EditError, match=message):
        editor.add_example("request/dog_registration", text, "a")
    assert (project / "data/nlu/requests_pets_hygiene.yml").read_bytes() == before


def test_an_example_for_an_entry_without_examples_gets_its_own_block(app, project):
    # A guide entry that has no examples yet, as after adding a new procedure: its blocks are
    # taken out of every training file (the registers files have one too).
    for path in (project / "data/nlu").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if "- intent: request/dog_registration\n" not in text:
            continue
        start = text.index("- intent: request/dog_registration\n")
        end = text.find("- intent:", start + 1)
        path.write_text(text[:start] + (text[end:] if end >= 0 else ""), encoding="utf-8")
    editor = app.extensions["staff_editor"]
    assert "request/dog_registration" not in editor.intents()
    editor.add_example("request/dog_registration", "わんちゃんの登録", "a")
    assert editor.intents()["request/dog_registration"] == {
        "file": editing.STAFF_NLU, "examples": ["わんちゃんの登録"],
        "version": editing.values_version(["わんちゃんの登録"])}
    assert (project / editing.STAFF_NLU).read_text(encoding="utf-8") == (
        'version: "3.1"\nnlu:\n- intent: request/dog_registration\n  examples: |\n'
        '    - わんちゃんの登録\n')
