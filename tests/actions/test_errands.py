"""action_sort_garbage and action_plan_life_event, run with a CollectingDispatcher."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.errands import ActionPlanLifeEvent, ActionSortGarbage
from actions.routing import ActionRouteVisitor


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
    messages, _ = run(ActionSortGarbage(), message("乾電池はどうやって捨てますか", "ask_garbage"))
    first = messages[0]
    assert first["response"] == "utter_sorting"
    sorting = first["custom"]["sorting"]
    assert (sorting["item"], sorting["category"], sorting["verified"]) == ("乾電池", "乾電池", True)
    assert sorting["source"]["url"].startswith("https://www.city.yokohama.lg.jp/")
    assert "destination" not in first["custom"]


def test_an_unverified_item_sends_the_visitor_to_the_citys_dictionary():
    messages, _ = run(ActionSortGarbage(), message("冷蔵庫を捨てたい", "ask_garbage"))
    assert [m["response"] for m in messages] == ["utter_sorting", "utter_sorting_unverified"]
    assert messages[0]["custom"]["sorting"]["verified"] is False
    assert messages[0]["custom"]["sorting"]["source"] is None


def test_bulky_waste_names_the_reception_centre():
    messages, _ = run(ActionSortGarbage(), message("ソファを捨てたい", "ask_garbage"))
    assert [m["response"] for m in messages] == ["utter_sorting", "utter_sorting_bulky"]
    assert messages[0]["custom"]["redirect"]["phone"] == "0570-200-530"


def test_an_unknown_item_gets_the_dictionary_the_office_and_the_bulky_centre():
    messages, _ = run(ActionSortGarbage(), message("これは何ごみですか", "ask_garbage"))
    assert messages[0]["response"] == "utter_sorting_unknown"
    assert messages[0]["custom"]["sorting"]["item"] is None
    assert messages[0]["custom"]["redirect"]["name"] == "粗大ごみ受付センター"


def test_a_garbage_question_read_as_the_sorting_counter_still_gets_the_item():
    ranking = {"request": {"ranking": [{"intent_response_key": "request/gomi_bunbetsu",
                                        "confidence": 0.9}]}}
    messages, events = run(ActionRouteVisitor(), message("スプレー缶の捨て方", "request", ranking=ranking))
    assert messages[0]["response"] == "utter_sorting"
    assert messages[0]["custom"]["sorting"]["category"] == "スプレー缶"
    assert events == []


def test_a_death_gets_the_whole_plan_in_order():
    messages, _ = run(ActionPlanLifeEvent(), message("母が亡くなりました", "life_event"))
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
    tracker = message('/life_event{"item": "birth"}', "life_event")
    tracker.latest_message["entities"] = [{"entity": "item", "value": "birth",
                                           "extractor": "RegexMessageHandler"}]
    messages, _ = run(ActionPlanLifeEvent(), tracker)
    assert messages[0]["custom"]["plan"][0]["procedure"] == "shussei"


def test_a_procedure_read_as_a_life_event_is_routed_as_usual():
    ranking = {"request": {"ranking": [{"intent_response_key": "request/shibou", "confidence": 0.9}]}}
    messages, _ = run(ActionPlanLifeEvent(), message("死亡届を出したい", "life_event", ranking=ranking))
    assert messages[0]["response"] == "utter_route"


def test_a_garbage_question_read_as_out_of_scope_or_unsure_still_gets_the_item():
    from actions.routing import ActionSuggest
    from actions.staff_call import ActionOutOfScope

    for action in (ActionOutOfScope(), ActionSuggest()):
        messages, _ = run(action, message("ピアノを処分したい", "out_of_scope"))
        assert messages[0]["custom"]["sorting"]["item"] == "ピアノ"
    messages, _ = run(ActionOutOfScope(), message("明日の天気は？", "out_of_scope"))
    assert messages[0]["response"] == "utter_out_of_scope"


def test_a_life_event_the_guide_cannot_tell_is_asked_back_with_the_events():
    messages, _ = run(ActionPlanLifeEvent(), message("いろいろあって手続きがわからない", "life_event"))
    assert messages[0]["response"] == "utter_which_life_event"
    assert any("life_event" in b["payload"] for b in messages[0]["buttons"])
