"""The four outcomes a visitor lives, computed from /api/chat answers (no server needed)."""

from __future__ import annotations

import pytest

from bot.answers import button
from bot.evaluation import evaluate, outcome_of, summarise


def answer(**fields) -> dict:
    return {"destination": None, "redirect": None, "program": None, "facility": None,
            "sorting": None, "choices": None, **fields}


def test_outcomes_for_a_department(guide):
    koseki = guide.sections["koseki"].name
    expected = ("department", koseki)
    juminhyo = next(p for p in guide.procedures.values() if p.section == "koseki")
    other = next(p for p in guide.procedures.values() if p.section != "koseki")
    assert outcome_of(expected, answer(destination={"department": koseki})) == "right_at_once"
    assert outcome_of(expected, answer(destination={"department": "税務課"})) == "confidently_wrong"
    assert outcome_of(expected, answer(redirect={"id": "passport", "name": "x"})) == "confidently_wrong"
    tap = answer(choices=[button(other.title, "request", other.id), button(juminhyo.title, "request", juminhyo.id)])
    assert outcome_of(expected, tap, guide) == "right_within_one_tap"
    no_tap = answer(choices=[button(other.title, "request", other.id)])
    assert outcome_of(expected, no_tap, guide) == "asked_back"
    assert outcome_of(expected, answer()) == "nothing"


def test_an_organisation_elsewhere_is_matched_by_its_name(guide):
    red = next(iter(guide.redirects.values()))
    assert outcome_of(("elsewhere", red.name), answer(redirect={"id": red.id, "name": red.name})) == "right_at_once"
    assert outcome_of(("elsewhere", "法テラス"), answer(redirect={"id": red.id, "name": red.name})) == "confidently_wrong"
    assert outcome_of(("elsewhere", red.name), answer(destination={"department": "戸籍課"})) == "confidently_wrong"
    tap = answer(choices=[button(red.title, "request", red.id)])
    assert outcome_of(("elsewhere", red.name), tap, guide) == "right_within_one_tap"


@pytest.mark.parametrize("fields, outcome", [
    ({}, "right_at_once"),
    ({"choices": [{"title": "x", "payload": "/request"}]}, "asked_back"),
    ({"destination": {"department": "戸籍課"}}, "confidently_wrong"),
])
def test_a_question_the_office_has_no_place_for(fields, outcome):
    assert outcome_of(("info_desk", True), answer(**fields)) == outcome


def test_the_desk_button_is_one_tap_only_for_a_question_the_office_has_no_place_for(guide):
    juminhyo = guide.procedures["juminhyo"]
    desk = guide.office.information_desk
    with_desk = answer(choices=[button(juminhyo.title, "request", juminhyo.id),
                                button("どれでもない（総合案内へ）", "facility", desk.id)])
    assert outcome_of(("info_desk", True), with_desk, guide) == "right_within_one_tap"
    assert outcome_of(("out_of_scope", True), with_desk, guide) == "right_within_one_tap"
    # The desk is nobody's counter: for a question with a place it is a tap that leads nowhere.
    assert outcome_of(("department", "税務課"), with_desk, guide) == "asked_back"
    without = answer(choices=[button(juminhyo.title, "request", juminhyo.id)])
    assert outcome_of(("info_desk", True), without, guide) == "asked_back"


def test_the_information_desk_named_is_right_only_for_a_question_with_no_place(guide):
    desk = guide.office.information_desk
    to_the_desk = answer(facility={"id": desk.id, "name": desk.name})
    assert outcome_of(("info_desk", True), to_the_desk, guide) == "right_at_once"
    assert outcome_of(("out_of_scope", True), to_the_desk, guide) == "right_at_once"
    # A vague question needs its choices; a question with a counter, that counter.
    assert outcome_of(("clarify", True), to_the_desk, guide) == "nothing"
    assert outcome_of(("department", "税務課"), to_the_desk, guide) == "nothing"
    toilet = answer(facility={"id": "toilet", "name": "トイレ"})
    assert outcome_of(("info_desk", True), toilet, guide) == "confidently_wrong"


def test_a_vague_question_is_right_when_asked_back_with_or_without_the_one_counter():
    choices = [{"title": "転入届", "payload": '/request{"item": "tennyu"}'}]
    assert outcome_of(("clarify", True), answer(choices=choices)) == "right_at_once"
    assert outcome_of(("clarify", True), answer(choices=choices,
                                                destination={"department": "戸籍課"})) == "right_at_once"
    assert outcome_of(("clarify", True), answer(destination={"department": "戸籍課"})) == "confidently_wrong"
    # Named with its choices, the counter is a right answer for a question about that counter.
    assert outcome_of(("department", "戸籍課"), answer(choices=choices,
                                                    destination={"department": "戸籍課"})) == "right_at_once"


def test_every_step_of_a_plan_is_a_place_the_visitor_is_sent_to():
    plan = [{"department": "戸籍課", "redirect": None},
            {"department": "保険年金課", "redirect": None},
            {"department": "年金事務所", "redirect": {"id": "employee_pension", "name": "年金事務所"}}]
    dest = {"department": "戸籍課"}
    assert outcome_of(("department", "保険年金課"), answer(destination=dest, plan=plan)) == "right_at_once"
    assert outcome_of(("elsewhere", "年金事務所"), answer(destination=dest, plan=plan)) == "right_at_once"
    assert outcome_of(("department", "税務課"), answer(destination=dest, plan=plan)) == "confidently_wrong"


def test_a_shorter_name_of_the_organisation_or_category_is_the_same_place(guide):
    legal = answer(redirect={"id": "houterasu", "name": "法テラス（日本司法支援センター）"})
    assert outcome_of(("elsewhere", "法テラス"), legal) == "right_at_once"
    # The same on a button: one tap leads to 法テラス（日本司法支援センター）.
    tap = answer(choices=[button("法律相談", "request", "houterasu")])
    assert outcome_of(("elsewhere", "法テラス"), tap, guide) == "right_within_one_tap"
    assert outcome_of(("elsewhere", "テラス"), legal) == "confidently_wrong"
    not_collected = answer(sorting={"category": "市では収集しないもの"})
    assert outcome_of(("sorting", "市では収集しない"), not_collected) == "right_at_once"
    bulky = answer(sorting={"category": "粗大ごみ"}, redirect={"id": "bulky_waste", "name": "粗大ごみ受付センター"})
    assert outcome_of(("sorting", "粗大ごみ"), bulky) == "right_at_once"
    assert outcome_of(("redirect", "bulky_waste"), bulky) == "right_at_once"


def test_a_label_of_a_renamed_place_is_read_as_the_place_it_was(guide):
    """A set labelled before the renaming keeps the office's old name; the office is the same."""
    from bot.evaluation import expected_of
    office = guide.redirects["dobutsu_shitai"]
    expected = expected_of({"text": "猫が道で死んでいる", "elsewhere": "資源循環局の収集事務所（金沢収集事務所）"})
    assert expected == ("elsewhere", office.name)
    assert outcome_of(expected, answer(redirect={"id": office.id, "name": office.name})) == "right_at_once"
    assert expected_of({"text": "x", "elsewhere": "法テラス"}) == ("elsewhere", "法テラス")


def test_a_program_names_its_section_only_when_a_page_confirms_it():
    confirmed = answer(program={"id": "p", "department": "区政推進課", "in_charge_verified": True})
    inferred = answer(program={"id": "p", "department": "区政推進課", "in_charge_verified": False})
    assert outcome_of(("department", "区政推進課"), confirmed) == "right_at_once"
    assert outcome_of(("department", "区政推進課"), inferred) == "confidently_wrong"


def test_a_garbage_question_is_right_only_with_its_category():
    assert outcome_of(("sorting", "乾電池"), answer(sorting={"category": "乾電池"})) == "right_at_once"
    assert outcome_of(("sorting", "乾電池"), answer(sorting={"category": "燃やすごみ"})) == "confidently_wrong"
    assert outcome_of(("sorting", "乾電池"), answer(destination={"department": "地域振興課"})) == "confidently_wrong"


def test_the_report_counts_each_outcome():
    rows = [{"text": str(i), "expected": ["department", "戸籍課"], "predicted": ["clarify", True],
             "correct": False, "outcome": o}
            for i, o in enumerate(["right_at_once"] * 6 + ["right_within_one_tap"] * 2
                                  + ["asked_back", "confidently_wrong"])]
    o = summarise(rows)["outcomes"]
    assert (o["right_at_once"], o["right_within_one_tap"], o["asked_back"], o["confidently_wrong"]) == \
        (0.6, 0.8, 0.3, 0.1)
    assert o["within_one_tap_by_the_desk"] == 0.0
    # A tap on the desk's button, for a question about nothing here, is reported apart too.
    rows[6]["expected"] = ["info_desk", True]
    assert summarise(rows)["outcomes"]["within_one_tap_by_the_desk"] == 0.1


def test_an_answer_in_easy_japanese_is_in_a_japanese_visitors_language_and_not_the_reverse(tmp_path):
    path = tmp_path / "questions.yml"
    path.write_text("questions:\n  - {text: じゅうみんひょう ほしい, out_of_scope: true}\n"
                    "  - {text: 住民票がほしい, out_of_scope: true}\n", encoding="utf-8")
    answers = {"じゅうみんひょう ほしい": "ja-easy", "住民票がほしい": "ja"}
    ask = lambda _session, text: {"lang": answers[text]}  # noqa: E731
    japanese = evaluate(path, ask, lang="ja")
    assert japanese["in_language"] == 1.0 and japanese["answered_in"] == {"ja-easy": 1, "ja": 1}
    assert evaluate(path, ask, lang="ja-easy")["in_language"] == 0.5
