"""Facts a visitor can trust (issue 14): a place, counter, phone or attribution is shown as
certain only where a source confirms it, and everything else says 確認中."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import yaml

from bot import answers
from bot.guide_data import load_guide
from bot.hours import JST, hours_summary, open_state
from bot.matcher import matcher_for
from bot.settings import REPO
from bot.wording import render, responses

SVG = "{http://www.w3.org/2000/svg}"
UNVERIFIED = "確認中"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- 1. a desk's confirmed place is that desk's, not its whole section's -----------------


@pytest.mark.parametrize("section_id, desk", [("kusei", "企画調整係"), ("chiiki", "区民活動支援担当")])
def test_the_section_is_not_verified_by_its_desks_place(guide, section_id, desk):
    section = guide.sections[section_id]
    confirmed = section.desk(desk)
    assert confirmed.verified and confirmed.source
    assert section.verified is False
    assert section.phone != confirmed.phone and section.counter != confirmed.counter


@pytest.mark.parametrize("procedure", ["koho", "iken", "kumin_ishiki", "horitsu_sodan",
                                       "shogai_gakushu"])
def test_the_rest_of_the_section_is_shown_unverified(guide, procedure):
    proc = guide.procedures[procedure]
    section = guide.sections[proc.section]
    dest = answers.procedure_destination(guide, proc)
    assert dest["verified"] is False
    for desk in section.desks:
        if desk.verified and desk.name != proc.desk:
            assert dest["phone"] != desk.phone and dest["counter"] != desk.counter
    said = answers.reply_for(guide, "procedure", procedure)
    assert said[-1].response == "utter_unverified"


def test_the_confirmed_desk_keeps_its_verified_place(guide):
    dest = answers.destination(guide.sections["kusei"], "企画調整係")
    assert (dest["floor"], dest["counter"], dest["phone"], dest["verified"]) == \
        (6, "602", "045-788-7729", True)
    dest = answers.procedure_destination(guide, guide.procedures["jichikai"])
    assert (dest["desk"], dest["counter"], dest["verified"]) == ("区民活動支援担当", "601", True)


# --- 2. the hedge says what it is: 確認中 ---------------------------------------------------


def test_the_unverified_note_says_the_place_is_being_confirmed():
    text = responses()["utter_unverified"]
    assert UNVERIFIED in text and "総合案内" in text
    assert "変更されている" not in text
    assert "変更されている" not in (REPO / "bot" / "answers.py").read_text(encoding="utf-8")


# --- 3. garbage collection is the city's 収集事務所 ----------------------------------------


@pytest.mark.parametrize("words", ["収集日", "ごみ集積場所", "ごみが回収されない",
                                   "ごみが収集されていない"])
def test_garbage_collection_goes_to_the_collection_office(guide, words):
    best = matcher_for(guide).search(words)[0]
    assert (best.kind, best.id) == ("redirect", "garbage_collection")


def test_the_collection_office_is_named_without_an_unsourced_phone(guide):
    red = guide.redirects["garbage_collection"]
    # The bureau's name for its office here (資源循環局金沢事務所); 「金沢収集事務所」 is on no page.
    assert red.name == "収集事務所（資源循環局金沢事務所）" and "資源循環局金沢事務所" in red.title
    assert red.phone is None


def test_one_office_has_one_name_wherever_the_guide_sends_visitors_to_it(guide):
    """Dead animals on the road go to the same collection office as missed pickups."""
    assert guide.redirects["dobutsu_shitai"].name == guide.redirects["garbage_collection"].name
    for code, pack in guide.packs.items():
        names = {pack.entries[i].fields.get("name") for i in ("garbage_collection", "dobutsu_shitai")}
        assert len(names) == 1, code


def test_the_recycling_desk_keeps_only_what_its_mission_names(guide):
    for proc in guide.procedures.values():
        if proc.desk == "資源化推進担当":
            words = " ".join((proc.title, *proc.synonyms))
            assert not re.search("収集|集積|回収されない", words), proc.id


# --- 4. 指定難病 ----------------------------------------------------------------------------


def test_designated_intractable_diseases_go_to_the_elderly_and_disability_section(guide):
    nanbyo = guide.procedures["nanbyo"]
    assert nanbyo.section == "korei"
    assert nanbyo.source and "高齢・障害支援課" in nanbyo.source


# --- 5. every unverified box on the floor maps says so ------------------------------------


def _boxes(svg: str):
    """(label, own text, verified?) for every room and desk box of one map."""
    root = ET.fromstring(svg)
    for g in root.iter(f"{SVG}g"):
        cls = g.get("class", "")
        if cls.startswith("map-room") or cls.startswith("map-desk"):
            own = "".join(t.text or "" for t in g.findall(f"{SVG}text"))
            yield g.get("data-id") or g.get("data-desk"), g.get("data-kind") or "desk", own


@pytest.mark.parametrize("floor", [1, 2, 3, 4, 5, 6])
def test_every_unverified_box_on_the_map_says_so(guide, floor):
    from kiosk_ui.floor_map import floor_svg

    svg = floor_svg(guide, floor)
    seen = 0
    for label, kind, own in _boxes(svg):
        if kind == "facility":
            verified = guide.facilities[label].verified
        elif kind == "section":
            section = guide.sections[label]
            verified = section.verified if section.floor == floor else \
                all(d.verified for d in section.desks if d.floor == floor)
        else:
            desk = next(d for s in guide.sections.values() for d in s.desks
                        if d.name == label and d.floor == floor)
            verified = desk.verified
        if not verified:
            seen += 1
            assert UNVERIFIED in own, (floor, kind, label, own)
        else:
            assert UNVERIFIED not in own, (floor, kind, label, own)
    assert seen


# --- 6. a program's section in charge is an inference: shown as 確認中 --------------------


def test_a_programs_inferred_section_is_marked_unconfirmed(guide):
    for prog in guide.programs.values():
        dest = answers.program_destination(guide, prog)
        said = answers.reply_for(guide, "program", prog.id)
        text = render(said[0])
        if prog.section_source:
            continue
        assert dest["verified"] is False, prog.id
        assert "担当（確認中）" in text, text
        assert said[-1].response == "utter_unverified"


def test_the_program_card_marks_the_attribution(offline_client):
    html = offline_client.get("/fragment/answer/program/magokoro").get_data(as_text=True)
    assert "担当（確認中）" in html
    assert "※ 窓口の場所は確認中です" in html


def test_one_heading_of_the_policy_has_one_section(guide):
    # Both are printed under 「区民の皆様への｢まごころ｣あふれる区役所づくり」.
    assert guide.programs["magokoro"].section == guide.programs["kumin_service"].section


# --- 7. the smaller items -----------------------------------------------------------------


def test_program_words_are_in_the_text_they_lead_to(guide):
    for prog in guide.programs.values():
        for word in ("区民ライター", "区民カメラマン"):
            if word in prog.synonyms:
                assert word in prog.text, prog.id
    nlu = yaml.safe_load((REPO / "data" / "nlu" / "programs.yml").read_text(encoding="utf-8"))
    for block in nlu["nlu"]:
        prog = guide.programs.get(block.get("intent", "").partition("/")[2])
        for word in ("区民ライター", "区民カメラマン"):
            if prog and word in block["examples"]:
                assert word in prog.text, prog.id


def test_the_fire_station_is_not_verified_without_a_place(guide):
    shobo = guide.sections["shobo"]
    assert shobo.floor is None and shobo.verified is False


def test_a_verified_facility_names_its_source(guide):
    assert guide.facilities["meeting_rooms"].verified
    assert guide.facilities["meeting_rooms"].source


def test_the_closure_is_read_from_the_data(guide_copy):
    _edit(guide_copy / "office.yml", 'dates: ["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"]',
          'dates: ["12-28", "12-29", "12-30", "12-31", "01-01", "01-02", "01-03", "01-04"]')
    guide = load_guide(guide_copy)
    summary = hours_summary(guide)
    assert "12月28日〜1月4日" in summary and "12月29日〜1月3日" not in summary
    assert not open_state(guide, datetime(2027, 1, 4, 10, 0, tzinfo=JST)).open
    closure = guide.office.hours.closure
    if not closure.verified:
        assert UNVERIFIED in summary


def test_the_saturday_weeks_on_the_answer_card_are_read_from_the_data(guide_copy, tmp_path):
    from kiosk_ui import create_app
    from tests.conftest import free_port

    _edit(guide_copy / "office.yml", "weeks: [2, 4]", "weeks: [1, 3]")
    app = create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                      "GUIDE_DIR": str(guide_copy), "GUIDE_OFFICE_DIR": str(guide_copy),
                      "KIOSK_DB": str(tmp_path / "kiosk.db")})
    html = app.test_client().get("/fragment/answer/procedure/juminhyo").get_data(as_text=True)
    assert "第1・第3土曜日" in html and "第2・第4" not in html


def test_the_information_desks_place_is_hedged_when_unverified(guide, offline_client):
    desk = guide.office.information_desk
    assert desk.verified is False
    assert UNVERIFIED in answers.information_desk_text(guide)
    said = answers.reply_for(guide, None, None)
    assert UNVERIFIED in render(said[0])
    html = offline_client.get("/").get_data(as_text=True)
    dialog = html.split('id="staff-dialog"')[1].split("</dialog>")[0]
    assert "※場所は確認中" in dialog


def test_the_road_office_is_not_said_to_be_a_separate_building_without_a_source(guide):
    doboku = guide.sections["doboku"]
    assert doboku.verified is False and not doboku.source
    assert "別の建物" not in (doboku.building or "")
    for proc in guide.procedures.values():
        if proc.section == "doboku":
            assert "別の建物" not in (proc.note or ""), proc.id


def test_street_lights_do_not_claim_who_manages_them(guide):
    gaito = guide.procedures["gaito"]
    assert "自治会町内会" not in (gaito.note or "")
    assert "土木事務所" in gaito.note
    assert answers.procedure_destination(guide, gaito)["verified"] is False


def test_a_pension_claim_names_both_places(guide):
    best = matcher_for(guide).search("年金の請求")[0]
    assert best.kind == "clarification"
    said = answers.reply_for(guide, best.kind, best.id)
    question = render(said[0])
    assert "保険年金課" in question and "年金事務所" in question
    items = {re.search(r'"item": "(\w+)"', b["payload"]).group(1) for b in said[0].buttons}
    assert "employee_pension" in items
    assert any(guide.procedures[i].section == "hoken_nenkin" for i in items
               if i in guide.procedures)
