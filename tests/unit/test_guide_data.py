"""The guide data loader: the real files load, and every kind of breakage is named."""

from __future__ import annotations

import os
import time

import pytest

from bot.answers import reply_for
from bot.guide_data import GUIDE_FILES, GuideDataError, GuideStore, load_guide
from bot.wording import render

ORG_CHART = ["総務課", "区政推進課", "地域振興課", "読書活動推進担当（金沢図書館）", "戸籍課", "税務課",
             "区会計室", "福祉保健課", "生活衛生課", "高齢・障害支援課", "こども家庭支援課",
             "保育園（金沢さくら・釜利谷・南六浦・並木）", "生活支援課", "保険年金課",
             "金沢土木事務所", "金沢消防署"]


def test_every_section_of_the_org_chart_is_in_the_guide(guide):
    assert sorted(s.name for s in guide.sections.values()) == sorted(ORG_CHART)
    for section in guide.sections.values():
        assert section.mission and section.reading


def test_only_facts_from_public_pages_are_marked_verified(guide):
    # 戸籍課's floor and counter were not found in public pages: never presented as certain.
    assert guide.sections["koseki"].verified is False
    assert guide.sections["eisei"].verified is True and guide.sections["eisei"].counter == "407"
    nenkin = guide.sections["hoken_nenkin"].desk("国民年金係")
    assert (nenkin.floor, nenkin.counter, nenkin.verified) == (2, "204", True)


def test_the_first_slice_of_procedures_routes_where_yokohama_divides_the_work(guide):
    assert guide.procedures["juminhyo"].section == "koseki"
    assert guide.procedures["kokuho_join"].section == "hoken_nenkin"
    assert guide.procedures["jido_teate"].section == "kodomo"
    assert guide.procedures["dog_registration"].section == "eisei"
    assert guide.redirects["passport"].name == "神奈川県パスポートセンター"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, reason", [
    ("procedures.yml", "section: koseki", "section: nowhere", "unknown section 'nowhere'"),
    ("procedures.yml", "id: kokuho_join", "id: juminhyo", "duplicate id"),
    ("procedures.yml", "    title: 住民票の写しの交付\n", "", "missing field 'title'"),
    ("procedures.yml", "    saturday: true\n", "    saturday: sometimes\n", "must be true or false"),
    ("sections.yml", "    reading: こせきか\n", "    reading: こせきか\n    colour: blue\n", "unknown field"),
    ("procedures.yml", "synonyms: [国民健康保険,", "synonyms: [住民票,", "already used by 'juminhyo'"),
    ("clarifications.yml", "choices: [juminhyo,", "choices: [no_such_procedure,", "unknown procedure"),
    ("office.yml", 'weekday_open: "08:45"', 'weekday_open: "8時45分"', "time like 08:45"),
    ("office.yml", "redirect: multicultural_center", "redirect: no_such_place", "unknown redirect"),
    ("office.yml", "    floor: 2\n    source: \"広報よこはま金沢区版", "    floor: 9\n    source: \"広報よこはま金沢区版",
     "floor 9 is not one of the office's floors"),
    ("office.yml", '  source: "金沢区の地名と由来', '  # source: "金沢区の地名と由来', "missing field 'source'"),
])
def test_a_broken_file_is_named_with_its_line_and_reason(guide_copy, file, old, new, reason):
    _edit(guide_copy / file, old, new)
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy)
    assert err.value.file == file
    assert reason in err.value.reason
    assert err.value.line is None or err.value.line > 0


def test_invalid_yaml_reports_the_line(guide_copy):
    path = guide_copy / "redirects.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "  - id: [unclosed")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy)
    assert err.value.file == "redirects.yml" and "invalid YAML" in err.value.reason
    assert err.value.line is not None and 5 <= err.value.line <= 8


def test_a_missing_file_is_named(guide_copy):
    (guide_copy / "programs.yml").unlink()
    with pytest.raises(GuideDataError, match="programs.yml: file is missing"):
        load_guide(guide_copy)


def test_every_guide_file_is_utf8_yaml(guide_copy):
    for name in GUIDE_FILES:
        (guide_copy / name).read_text(encoding="utf-8")
    (guide_copy / "office.yml").write_bytes("office: 区役所".encode("shift_jis"))
    with pytest.raises(GuideDataError, match="not UTF-8"):
        load_guide(guide_copy)


def test_store_keeps_serving_the_last_good_data_while_a_file_is_broken(guide_copy):
    store = GuideStore(guide_copy)
    good = store.get()
    path = guide_copy / "sections.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n  - id: [broken\n", encoding="utf-8")
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert store.get() is good
    assert store.error is not None and store.error.file == "sections.yml"
    # Fixed again: the new data is picked up without a restart.
    path.write_text(original.replace("counter: \"407\"", "counter: \"409\""), encoding="utf-8")
    os.utime(path, (time.time() + 10, time.time() + 10))
    assert store.get().sections["eisei"].counter == "409"
    assert store.error is None


def test_store_without_any_good_data_raises_the_error(guide_copy):
    (guide_copy / "office.yml").write_text("office: [", encoding="utf-8")
    with pytest.raises(GuideDataError):
        GuideStore(guide_copy).get()


def test_a_counter_upstairs_that_the_office_does_not_run_is_not_sent_out_of_the_building(guide):
    """金沢国際交流ラウンジ is on the office's 2nd floor (広報金沢区版 2023-01): its answer says the
    floor, and never "not handled at the ward office, contact …" (which sends a visitor outside)."""
    lounge = reply_for(guide, "redirect", "multicultural_center")
    assert [u.response for u in lounge] == ["utter_redirect_in_building"]
    assert lounge[0].payload["redirect"]["floor"] == 2
    text = render(lounge[0])
    assert "この建物の2階" in text and "取り扱っていません" not in text
    # Only the ward's lounge is upstairs, not the city's centre the redirect is named after:
    # the sentence names the floor's counter, and the note (金沢国際交流ラウンジ) the rest.
    assert text.startswith("外国人の方の生活相談・日本語教室（多言語）は、この建物の2階の窓口へどうぞ")
    english = render(reply_for(guide, "redirect", "multicultural_center", sp=guide.speaker("en"))[0],
                     sp=guide.speaker("en"))
    assert "2F of this building" in english and "not handled" not in english
    # A redirect out of the building keeps its wording, and an office without the lounge
    # (a pack with no in_building) sends nobody upstairs.
    assert [u.response for u in reply_for(guide, "redirect", "passport")] == ["utter_redirect"]
    assert guide.redirects["passport"].floor is None
