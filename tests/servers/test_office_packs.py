"""One code base, many offices: each office's facts are a data pack (data/offices/<office>).

Kanazawa is the default pack; Isogo is a small example pack whose facts are all unverified.
Switching GUIDE_OFFICE changes what the kiosk and the action server answer, with no code
change and with the same trained model.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid

import pytest

from tools import cli
from back_office.editing import extra_checks
from bot.guide_data import (OFFICE_FILES, SHARED_FILES, GuideDataError, GuideStore, load_guide,
                            shared_store)
from bot.settings import REPO, SettingsError, load_settings
from tests.support.servers import Servers, free_port

SHARED = REPO / "data" / "guide"
OFFICES = REPO / "data" / "offices"
KANAZAWA, ISOGO = OFFICES / "kanazawa", OFFICES / "isogo"


@pytest.fixture(scope="module")
def isogo():
    return load_guide(SHARED, ISOGO)


@pytest.fixture
def no_office_env(monkeypatch):
    for name in ("GUIDE_OFFICE", "GUIDE_OFFICE_DIR", "GUIDE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- the packs ---------------------------------------------------------------------------


def test_the_guide_is_split_into_shared_files_and_office_packs():
    # languages.yml (and translations/, texts/) are shared too: every office speaks the same
    # languages (bot/languages.py).
    assert sorted(p.name for p in SHARED.glob("*.yml")) == sorted([*SHARED_FILES, "languages.yml"])
    for office in ("kanazawa", "isogo"):
        assert sorted(p.name for p in (OFFICES / office).glob("*.yml")) == sorted(OFFICE_FILES)


@pytest.mark.parametrize("office", ["kanazawa", "isogo"])
def test_every_pack_loads_and_passes_the_console_checks(office):
    guide = load_guide(SHARED, OFFICES / office)
    extra_checks(guide)
    assert len(guide.procedures) > 100  # the shared division of work, whatever the office


def test_both_packs_define_the_same_section_ids(guide, isogo):
    # The shared procedures and the trained NLU refer to sections by these ids.
    assert list(isogo.sections) == list(guide.sections)


def test_the_isogo_pack_is_marked_unverified_and_invents_nothing(isogo):
    assert isogo.office.name == "横浜市磯子区役所"
    assert "要確認" in isogo.office.address and isogo.office.phone is None
    assert isogo.programs == {}  # no Isogo policy document: no programs
    for section in isogo.sections.values():
        assert section.verified is False, section.id
        assert section.counter is None and section.phone is None, section.id
        assert all(not d.verified for d in section.desks)
    assert all(not f.verified for f in isogo.facilities.values())
    names = {s.id: s.name for s in isogo.sections.values()}
    assert names["doboku"] == "磯子土木事務所" and names["shobo"] == "磯子消防署"
    assert names["library"] == "磯子図書館"
    assert "金沢" not in "".join(s.name + s.reading + s.mission + (s.building or "")
                               for s in isogo.sections.values())
    # Yokohama-wide: the same opening hours and Saturday service as Kanazawa.
    assert isogo.procedures["juminhyo"].section == "koseki"


def test_the_yokohama_wide_hours_are_the_same_in_both_packs(guide, isogo):
    assert isogo.office.hours == guide.office.hours


def _drop_section(path, section_id):
    text = path.read_text(encoding="utf-8")
    new = re.sub(rf"\n  - id: {section_id}\n.*?(?=\n  - id: |\Z)", "\n", text, flags=re.S)
    assert new != text
    path.write_text(new, encoding="utf-8")


def test_a_pack_missing_a_section_the_procedures_use_is_refused(tmp_path):
    pack = tmp_path / "data" / "offices" / "broken"
    shutil.copytree(ISOGO, pack)
    _drop_section(pack / "sections.yml", "doboku")
    with pytest.raises(GuideDataError) as err:
        load_guide(SHARED, pack)
    assert err.value.file == "procedures.yml"
    assert "unknown section 'doboku'" in str(err.value)
    assert "broken/sections.yml" in str(err.value)  # says which pack lacks it


def test_errors_in_a_pack_name_the_pack_file(tmp_path):
    shared, pack = tmp_path / "data" / "guide", tmp_path / "data" / "offices" / "isogo"
    shutil.copytree(SHARED, shared)
    shutil.copytree(ISOGO, pack)
    (pack / "office.yml").write_text("office: [", encoding="utf-8")
    with pytest.raises(GuideDataError) as err:
        load_guide(shared, pack)
    assert err.value.file == "office.yml"
    assert str(err.value).startswith("data/offices/isogo/office.yml:1: invalid YAML")


def test_a_flat_directory_with_all_files_still_loads(guide_copy):
    assert load_guide(guide_copy).office.name == "横浜市金沢区役所"


def test_an_empty_programs_list_is_accepted_but_a_missing_one_is_not(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ISOGO, pack)
    (pack / "programs.yml").write_text("programs:\n", encoding="utf-8")
    with pytest.raises(GuideDataError, match="programs.yml: expected a top-level 'programs:' list"):
        load_guide(SHARED, pack)


def test_the_store_reloads_an_edited_pack_file(tmp_path):
    # Packs side by side under offices/, as in data/: the shared translations name the
    # facilities of every pack.
    shared, pack = tmp_path / "guide", tmp_path / "offices" / "isogo"
    shutil.copytree(SHARED, shared)
    shutil.copytree(ISOGO, pack)
    shutil.copytree(KANAZAWA, tmp_path / "offices" / "kanazawa")
    store = GuideStore(shared, pack)
    assert store.get().sections["koseki"].counter is None
    path = pack / "sections.yml"
    text = path.read_text(encoding="utf-8")
    koseki = re.search(r"  - id: koseki\n.*?counter: null", text, re.S).group(0)
    path.write_text(text.replace(koseki, koseki.replace("counter: null", 'counter: "101"')),
                    encoding="utf-8")
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert store.get().sections["koseki"].counter == "101"
    assert shared_store(shared, pack) is shared_store(shared, pack)
    assert shared_store(shared, pack) is not shared_store(shared, KANAZAWA)


# --- settings ----------------------------------------------------------------------------


def test_the_default_office_is_kanazawa(no_office_env):
    settings = load_settings()
    assert settings.office == "kanazawa" and settings.office_dir == KANAZAWA
    assert settings.guide_dir == SHARED


def test_guide_office_picks_the_pack(no_office_env):
    no_office_env.setenv("GUIDE_OFFICE", "isogo")
    assert load_settings().office_dir == ISOGO


def test_guide_office_dir_overrides_the_path(no_office_env, tmp_path):
    shutil.copytree(ISOGO, tmp_path / "isogo-draft")
    no_office_env.setenv("GUIDE_OFFICE_DIR", str(tmp_path / "isogo-draft"))
    assert load_settings().office_dir == tmp_path / "isogo-draft"


@pytest.mark.parametrize("name, reason", [
    ("../guide", "lower-case letters"),
    ("Kanazawa", "lower-case letters"),
    ("kanazawa/../isogo", "lower-case letters"),
    ("tsurumi", "no data pack data/offices/tsurumi/"),
])
def test_a_bad_office_name_is_refused(no_office_env, name, reason):
    no_office_env.setenv("GUIDE_OFFICE", name)
    with pytest.raises(SettingsError, match=re.escape(reason)):
        load_settings()
    from kiosk_ui import create_app

    with pytest.raises(SettingsError):
        create_app({"TESTING": True})


def test_guide_check_validates_another_pack(no_office_env, capsys):
    assert cli.main(["check", "--no-rasa", "--office", "isogo"]) == 0
    out = capsys.readouterr().out
    assert "guide data (isogo): ok" in out and "(fresh)" in out
    assert cli.main(["check", "--no-rasa", "--office", "../etc"]) == 1
    assert "lower-case letters" in capsys.readouterr().err


# --- the kiosk with another pack: no code change -----------------------------------------


def _kiosk(monkeypatch, office, tmp_path):
    from kiosk_ui import create_app

    monkeypatch.setenv("GUIDE_OFFICE", office)
    return create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                       "RASA_TIMEOUT": 2, "KIOSK_DB": str(tmp_path / f"{office}.db")}).test_client()


def test_switching_guide_office_changes_the_kiosk_answers(no_office_env, tmp_path):
    isogo = _kiosk(no_office_env, "isogo", tmp_path)
    kanazawa = _kiosk(no_office_env, "kanazawa", tmp_path)

    results = isogo.get("/api/search?q=土木事務所").get_json()["results"]
    doboku = next(r for r in results if r["kind"] == "section" and r["id"] == "doboku")
    assert doboku["destination"]["department"] == "磯子土木事務所"
    assert doboku["destination"]["verified"] is False

    page = isogo.get("/counter/show/section/doboku").get_data(as_text=True)
    assert "磯子土木事務所" in page and "金沢土木事務所" not in page
    assert "金沢土木事務所" in kanazawa.get("/counter/show/section/doboku").get_data(as_text=True)

    assert "横浜市磯子区役所" in isogo.get("/").get_data(as_text=True)
    # The floor map is drawn from the pack, unverified places marked as such.
    svg = isogo.get("/map/1.svg?section=koseki").get_data(as_text=True)
    assert "戸籍課" in svg and "※場所は確認中" in svg


def test_the_degraded_answer_comes_from_the_pack_too(no_office_env, tmp_path, isogo):
    client = _kiosk(no_office_env, "isogo", tmp_path)
    data = client.post("/api/chat", json={"session_id": uuid.uuid4().hex,
                                          "payload": '/request{"item": "juminhyo"}'}).get_json()
    assert data["degraded"] is True
    assert data["destination"]["department"] == "戸籍課"
    assert data["destination"]["floor"] == isogo.sections["koseki"].floor
    assert data["destination"]["verified"] is False


def test_a_kanazawa_program_is_not_answered_with_an_isogo_program(no_office_env, tmp_path):
    client = _kiosk(no_office_env, "isogo", tmp_path)
    resp = client.post("/api/chat", json={"session_id": uuid.uuid4().hex,
                                          "payload": '/program{"item": "bousai_en"}'})
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["program"] is None and data["destination"] is None  # nothing invented
    assert data["facility"]["id"] == "information_desk"


# --- the real servers: the same trained model, another office ----------------------------


@pytest.fixture(scope="module")
def isogo_servers(tmp_path_factory):
    """An action server with GUIDE_OFFICE=isogo, and a Rasa server with the usual model."""
    with Servers(tmp_path_factory.mktemp("isogo-servers"), rasa_port=free_port(),
                 actions_port=free_port(), env={"GUIDE_OFFICE": "isogo"}).running() as srv:
        yield srv


def _ask(client, text):
    resp = client.post("/api/chat", json={"session_id": uuid.uuid4().hex, "text": text})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()
    assert data["degraded"] is False, data
    return data


@pytest.mark.servers
def test_the_action_server_answers_from_the_isogo_pack(isogo_servers, isogo):
    client = isogo_servers.app(GUIDE_OFFICE_DIR=str(ISOGO)).test_client()
    data = _ask(client, "住民票を取りたい")
    dest = data["destination"]
    assert dest["department"] == "戸籍課"
    assert dest["floor"] == isogo.sections["koseki"].floor and dest["verified"] is False
    data = _ask(client, "道路に穴があいています")
    assert data["destination"]["department"] == "磯子土木事務所"
    assert any("磯子土木事務所" in r["text"] for r in data["replies"])


# --- the staff console edits the served pack ---------------------------------------------


def test_the_console_edits_the_served_pack_and_keeps_the_nlu_of_the_default(tmp_path):
    from back_office.editing import Editor, Project

    root = tmp_path / "project"
    shutil.copytree(REPO / "data", root / "data")
    generated = (root / "data/nlu/generated_from_guide.yml").read_text(encoding="utf-8")
    kanazawa = (root / "data/offices/kanazawa/sections.yml").read_text(encoding="utf-8")
    editor = Editor(Project(root, "isogo"), tmp_path / "staff.db")
    assert editor.guide().sections["doboku"].name == "磯子土木事務所"

    entry = editor.entry("section", "doboku")
    result = editor.save_entry("section", "doboku", {**entry["values"], "phone": "045-000-0000"},
                               entry["version"], "tester")
    assert result.change.file == "data/offices/isogo/sections.yml"
    assert not result.regenerated_nlu
    assert editor.guide().sections["doboku"].phone == "045-000-0000"
    # A floor outside the pack's building is refused, as for Kanazawa.
    entry = editor.entry("section", "koseki")
    with pytest.raises(GuideDataError, match="floor 9"):
        editor.save_entry("section", "koseki", {**entry["values"], "floor": 9}, entry["version"],
                          "tester")
    # Reverting a pack file goes through the same validation.
    editor.revert(result.change.id, "tester")
    assert editor.guide().sections["doboku"].phone is None
    assert (root / "data/nlu/generated_from_guide.yml").read_text(encoding="utf-8") == generated
    assert (root / "data/offices/kanazawa/sections.yml").read_text(encoding="utf-8") == kanazawa
