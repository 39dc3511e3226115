"""The loader refuses a fact marked verified without its source, and a desk's place copied up
to its whole section (``guide check`` with it)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.guide_data import GuideDataError, load_guide
from bot.settings import OFFICES_DIR
from tools import cli


def _change(path, change) -> None:
    """Edit one guide file as data: ``change(data)`` mutates the parsed YAML."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _section(data, section_id):
    return next(s for s in data["sections"] if s["id"] == section_id)


def _desk(data, section_id, name):
    return next(d for d in _section(data, section_id)["desks"] if d["name"] == name)


def _verified_without_source_section(data):
    _section(data, "somu").update(verified=True, source=None)


def _verified_without_source_desk(data):
    _desk(data, "hoken_nenkin", "国民年金係").pop("source")


def _verified_without_source_facility(data):
    next(f for f in data["facilities"] if f["id"] == "toilet")["verified"] = True


@pytest.mark.parametrize("file, change, entry", [
    ("sections.yml", _verified_without_source_section, "'somu'"),
    ("sections.yml", _verified_without_source_desk, "'国民年金係'"),
    ("office.yml", _verified_without_source_facility, "'toilet'"),
])
def test_verified_without_a_source_is_refused_naming_the_file_and_entry(guide_copy, file, change,
                                                                         entry):
    _change(guide_copy / file, change)
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy)
    assert err.value.file == file
    assert entry in err.value.reason and "source" in err.value.reason
    assert err.value.line and err.value.line > 0


def _copy_desk_place_to_section(data, section_source):
    desk = _desk(data, "kusei", "企画調整係")
    _section(data, "kusei").update(floor=desk["floor"], counter=desk["counter"],
                                   phone=desk["phone"], verified=True, source=section_source)
    return desk


def test_a_desks_verified_place_copied_to_its_section_is_refused(guide_copy):
    _change(guide_copy / "sections.yml",
            lambda data: _copy_desk_place_to_section(data, _desk(data, "kusei", "企画調整係")["source"]))
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy)
    assert err.value.file == "sections.yml"
    assert "'kusei'" in err.value.reason and "企画調整係" in err.value.reason
    assert "source" in err.value.reason


def test_a_section_may_share_its_desks_place_with_its_own_source_or_unverified(guide_copy):
    path = guide_copy / "sections.yml"
    original = path.read_text(encoding="utf-8")
    _change(path, lambda data: _copy_desk_place_to_section(
        data, "区政推進課 6階 602: the ward's floor guide for the whole section (example)"))
    assert load_guide(guide_copy).sections["kusei"].verified is True
    path.write_text(original, encoding="utf-8")

    def unverified_copy(data):
        _copy_desk_place_to_section(data, None)
        _section(data, "kusei")["verified"] = False

    _change(path, unverified_copy)
    assert load_guide(guide_copy).sections["kusei"].verified is False


def test_the_real_data_keeps_the_rule(guide):
    """What the loader enforces, stated on the shipped data: no verified fact without a source,
    and no section vouched for by its desk's source alone."""
    for section in guide.sections.values():
        assert not section.verified or section.source, section.id
        for desk in section.desks:
            assert not desk.verified or desk.source, (section.id, desk.name)
    for facility in guide.facilities.values():
        assert not facility.verified or facility.source, facility.id


def test_guide_check_refuses_the_pack(monkeypatch, tmp_path, capsys):
    pack = tmp_path / "kanazawa-draft"
    shutil.copytree(OFFICES_DIR / "kanazawa", pack)
    _change(pack / "sections.yml", _verified_without_source_section)
    for name in ("GUIDE_OFFICE", "GUIDE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GUIDE_OFFICE_DIR", str(pack))
    assert cli.main(["check", "--no-rasa"]) == 1
    err = capsys.readouterr().err
    assert "sections.yml" in err and "'somu'" in err and "source" in err
