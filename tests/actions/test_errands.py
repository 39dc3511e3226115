"""Garbage items and life events answered by the routing actions, run with a CollectingDispatcher."""

from __future__ import annotations

from typing import Optional

import pytest

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.followups import ActionAnswerHours
from actions.routing import ActionRouteVisitor, ActionSuggest
from actions.staff_call import ActionOutOfScope
from actions.waiting import ActionAnswerWaiting


def message(text: str, intent: str, item: Optional[str] = None, ranking=None) -> Tracker:
    entities = [{"entity": "item", "value": item}] if item else []
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities,
              "response_selector": ranking or {}}
    return Tracker("visitor-1", {}, latest, [], False, None, {}, "")


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_a_garbage_item_gets_its_category_and_how_not_a_counter():
    messages, _ = run(ActionRouteVisitor(), message("乾電池はどうやって捨てますか", "request"))
    first = messages[0]
    assert first["response"] == "utter_sorting"
    sorting = first["custom"]["sorting"]
    assert (sorting["item"], sorting["category"], sorting["verified"]) == ("乾電池", "乾電池", True)
    assert sorting["source"]["url"].startswith("https://www.city.yokohama.lg.jp/")
    assert "destination" not in first["custom"]


def test_an_unverified_item_sends_the_visitor_to_the_citys_dictionary():
    messages, _ = run(ActionRouteVisitor(), message("冷蔵庫を捨てたい", "request"))
    assert [m["response"] for m in messages] == ["utter_sorting", "utter_sorting_unverified"]
    assert messages[0]["custom"]["sorting"]["verified"] is False
    assert messages[0]["custom"]["sorting"]["source"] is None


def test_bulky_waste_names_the_reception_centre():
    messages, _ = run(ActionRouteVisitor(), message("ソファを捨てたい", "request"))
    assert [m["response"] for m in messages] == ["utter_sorting", "utter_sorting_bulky"]
    assert messages[0]["custom"]["redirect"]["phone"] == "0570-200-530"


def test_a_garbage_question_read_as_the_sorting_counter_still_gets_the_item():
    ranking = {"request": {"ranking": [{"intent_response_key": "request/gomi_bunbetsu",
                                        "confidence": 0.9}]}}
    messages, events = run(ActionRouteVisitor(), message("スプレー缶の捨て方", "request", ranking=ranking))
    assert messages[0]["response"] == "utter_sorting"
    assert messages[0]["custom"]["sorting"]["category"] == "スプレー缶"
    assert events == []


@pytest.mark.parametrize("action, intent", [(ActionAnswerHours(), "ask_hours"),
                                            (ActionAnswerWaiting(), "ask_waiting")])
def test_a_garbage_item_read_as_another_question_type_still_gets_its_sorting(action, intent):
    """The question-type classifier read 「アイロンは何ごみですか」 as ask_hours (0.81)."""
    messages, _ = run(action, message("アイロンは何ごみですか", intent))
    assert messages[0]["response"] == "utter_sorting"
    assert messages[0]["custom"]["sorting"]["item"] == "アイロン"


@pytest.mark.parametrize("action, intent, response", [
    (ActionAnswerHours(), "ask_hours", ("utter_hours_open", "utter_hours_closed")),
    (ActionAnswerWaiting(), "ask_waiting", None)])
def test_a_life_event_does_not_take_over_a_question_about_hours_or_waiting(action, intent, response):
    messages, _ = run(action, message("子どもが生まれたけど何時まで開いてますか", intent))
    assert all(m["response"] not in ("utter_sorting", "utter_plan") for m in messages)
    if response:
        assert messages[0]["response"] in response


def test_a_death_gets_the_whole_plan_in_order():
    messages, _ = run(ActionRouteVisitor(), message("母が亡くなりました", "request"))
    payload = messages[0]["custom"]
    assert messages[0]["response"] == "utter_plan"
    procedures = [s["procedure"] for s in payload["plan"]]
    assert procedures[0] == "shibou"
    assert procedures.index("kokuho_leave") < procedures.index("sosaihi")
    assert payload["destination"]["department"] == "戸籍課"
    assert payload["life_event"]["id"] == "death"
    assert all(set(s) >= {"step", "procedure", "title", "department", "desk", "floor", "counter",
                          "verified", "condition", "bring"} for s in payload["plan"])


def test_a_tapped_life_event_button_names_its_event():
    tracker = message('/request{"item": "birth"}', "request")
    for entity in ({"entity": "item", "value": "birth"},
                   # as Rasa 3.6's RegexMessageHandler really sends it (seen from /model/parse)
                   {"entity": "item", "value": "birth", "extractor": "RegexMessageHandler"}):
        tracker.latest_message["entities"] = [entity]
        messages, _ = run(ActionRouteVisitor(), tracker)
        assert messages[0]["custom"]["plan"][0]["procedure"] == "shussei"


def test_a_named_step_of_a_life_event_is_answered_by_itself():
    ranking = {"request": {"ranking": [{"intent_response_key": "request/jido_teate", "confidence": 0.9}]}}
    tracker = message("子どもが生まれたので児童手当の手続きをしたい", "request", ranking=ranking)
    tracker.latest_message["entities"] = [{"entity": "item", "value": "jido_teate",
                                           "extractor": "RegexEntityExtractor"}]
    messages, _ = run(ActionRouteVisitor(), tracker)
    assert messages[0]["response"] == "utter_route"
    assert "plan" not in messages[0]["custom"]


def test_words_that_only_look_like_an_errand_are_routed_as_usual():
    # 「なくなりました」 of a job, 「生まれてから」 of a certificate, 「出せばいい」 of a form.
    for text, entry in (("生まれてから亡くなるまでの戸籍がほしい", "koseki_tohon"),
                        ("個人事業主の確定申告の書類、どこに出せばいい", "income_tax"),
                        ("仕事がなくなりました。家賃が払えません", "jukyo_kakuho")):
        ranking = {"request": {"ranking": [{"intent_response_key": f"request/{entry}", "confidence": 0.9}]}}
        messages, _ = run(ActionRouteVisitor(), message(text, "request", ranking=ranking))
        assert "plan" not in messages[0]["custom"] and "sorting" not in messages[0]["custom"], text


def test_a_garbage_question_read_as_out_of_scope_or_unsure_still_gets_the_item():
    for action in (ActionOutOfScope(), ActionSuggest()):
        messages, _ = run(action, message("ピアノを処分したい", "out_of_scope"))
        assert messages[0]["custom"]["sorting"]["item"] == "ピアノ"
    messages, _ = run(ActionOutOfScope(), message("明日の天気は？", "out_of_scope"))
    assert messages[0]["response"] == "utter_out_of_scope"


def unsure(*entries: str) -> dict:
    """A selector that spreads its doubt over these request entries (the guide would ask back)."""
    return {"request": {"ranking": [{"intent_response_key": f"request/{e}", "confidence": 0.12}
                                    for e in entries]}}


@pytest.mark.parametrize("action", [ActionRouteVisitor(), ActionSuggest()])
def test_an_item_named_in_an_unsure_question_with_a_garbage_choice_gets_its_sorting(action):
    """No question word for the dictionary (「割ってしまいました」), a garbage entry among the
    choices the guide would ask back with: the item's sorting answers it."""
    text = "お皿を割ってしまいました"
    messages, _ = run(action, message(text, "request", ranking=unsure("machi_bika", "gomi_genryo", "kenko_sodan")))
    assert messages[0]["response"] == "utter_sorting"
    assert messages[0]["custom"]["sorting"]["category"] == "燃えないごみ"
    # The same words with no garbage entry among the choices are asked back about.
    messages, _ = run(action, message(text, "request", ranking=unsure("machi_bika", "kenko_sodan", "koen")))
    assert "sorting" not in messages[0]["custom"]


def test_a_question_about_making_less_of_an_item_is_not_sorted():
    """Sure of ごみの減量, an item named is what to reduce (garbage.yml's not_item_words),
    not what to put out; an item broken or a garbage question still gets its sorting."""
    sure = {"request": {"ranking": [{"intent_response_key": "request/gomi_genryo", "confidence": 0.99}]}}
    messages, _ = run(ActionRouteVisitor(),
                      message("なまごみ を へらしたい。たいひ の つくりかた を おしえて ください", "request", ranking=sure))
    assert "sorting" not in messages[0]["custom"]
    assert messages[0]["custom"]["destination"]["department"] == "地域振興課"
    for text, category in (("生ごみは何ごみ？", "燃やすごみ"), ("お皿を割ってしまいました", "燃えないごみ")):
        messages, _ = run(ActionRouteVisitor(), message(text, "request", ranking=sure))
        assert messages[0]["custom"]["sorting"]["category"] == category


def test_an_item_in_a_confident_answer_elsewhere_is_not_sorted():
    # 洗濯機 is in the dictionary; the question is about the card that went through it.
    ranking = {"request": {"ranking": [{"intent_response_key": "request/kokuho_card", "confidence": 0.8},
                                       {"intent_response_key": "request/kaden_recycle", "confidence": 0.1}]}}
    messages, _ = run(ActionRouteVisitor(), message("保険証が洗濯機に入ってだめになった", "request", ranking=ranking))
    assert "sorting" not in messages[0]["custom"]
    assert messages[0]["custom"]["destination"]["department"] == "保険年金課"


def test_a_request_that_goes_where_the_plan_starts_gets_the_plan():
    # 国民年金 is the plan's second step but at 保険年金課, where the plan starts.
    ranking = {"request": {"ranking": [{"intent_response_key": "request/nenkin_join", "confidence": 0.9}]}}
    messages, _ = run(ActionRouteVisitor(), message("会社を辞めました。保険と年金は？", "request", ranking=ranking))
    assert messages[0]["custom"]["plan"][0]["procedure"] == "kokuho_join"


def ranking_of(*entries: tuple[str, float]) -> dict:
    """The selector's ranking of request entries, as Rasa's response selector reports it."""
    return {"request": {"ranking": [{"intent_response_key": f"request/{item}", "confidence": conf}
                                    for item, conf in entries]}}


def test_a_step_of_the_plan_the_selector_only_guessed_at_gets_the_plan():
    """「おっとが しにました」 put the survivors' pension first at 0.42: the plan, which shows that
    step among the rest. At 0.8 the step answers by itself."""
    def ranked(confidence: float) -> dict:
        return ranking_of(("nenkin_shibou", confidence), ("kaiso", 0.1))
    text = "夫が死にました。どうしたらいいですか。"
    messages, _ = run(ActionRouteVisitor(), message(text, "request", ranking=ranked(0.42)))
    assert messages[0]["custom"]["plan"][0]["procedure"] == "shibou"
    messages, _ = run(ActionRouteVisitor(), message(text, "request", ranking=ranked(0.8)))
    assert "plan" not in messages[0]["custom"]
    assert messages[0]["custom"]["destination"]["department"] == "保険年金課"


def test_a_visitor_who_asks_where_to_start_gets_the_plan_unless_asking_about_something_else():
    """「母が亡くなって、何から手をつけたらいいのか」 was sent, at 0.88, to 生活困窮の相談: asking
    where to start is asking for the plan. At 0.99 the selector is all but certain the question
    is about something else (an empty house), which answers by itself."""
    def ranked(confidence: float) -> dict:
        return ranking_of(("konkyu_sodan", confidence), ("shibou", 0.05))
    text = "母が亡くなって、何から手をつけたらいいのか全然わからない"
    messages, _ = run(ActionRouteVisitor(), message(text, "request", ranking=ranked(0.88)))
    assert messages[0]["custom"]["plan"][0]["procedure"] == "shibou"
    messages, _ = run(ActionRouteVisitor(), message(text, "request", ranking=ranked(0.99)))
    assert "plan" not in messages[0]["custom"]
    # Without the question where to start, a confident answer elsewhere is the question.
    messages, _ = run(ActionRouteVisitor(), message("母が亡くなって、生活が苦しい", "request",
                                                    ranking=ranked(0.88)))
    assert "plan" not in messages[0]["custom"]
