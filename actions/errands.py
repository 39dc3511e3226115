"""Whole errands: what goes out as which garbage, and one visit plan for a life event."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button_item, current_guide, named_items, say
from actions.routing import ActionRouteVisitor
from bot import answers
from bot.answers import Utterance
from bot.matcher import matcher_for
from bot.routing import resolve, selector_ranking
from bot.guide_data import Guide
from bot.life_events import find_event
from bot.sorting import sorting_index


def _names_an_entry(guide: Guide, tracker: Tracker) -> bool:
    """Whether the words name one guide entry clearly (a procedure, section, redirect, …)."""
    message = tracker.latest_message
    res = resolve(guide, matcher_for(guide), message.get("text") or "", selector_ranking(message),
                  named_ids=named_items(tracker))
    return res.found and res.kind != "clarification"


class ActionSortGarbage(Action):
    """「乾電池はどうやって捨てますか」: the item's category and how to put it out."""

    def name(self) -> str:
        return "action_sort_garbage"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        item = sorting_index(guide).find(tracker.latest_message.get("text") or "")
        say(dispatcher, tracker, answers.sorting_reply(guide, item))
        return []


class ActionPlanLifeEvent(Action):
    """「母が亡くなりました」: every counter the event needs, in order, with what to bring."""

    def name(self) -> str:
        return "action_plan_life_event"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        # A tapped button's item comes as an entity of Rasa's RegexMessageHandler.
        chosen = next((i for i in (button_item(tracker), *named_items(tracker))
                       if i in guide.life_events), None)
        event = (guide.life_events[chosen] if chosen
                 else find_event(guide, tracker.latest_message.get("text") or ""))
        if event is None and _names_an_entry(guide, tracker):
            # 「死亡届を出したい」 read as a life event names one procedure: route it as usual.
            return ActionRouteVisitor().run(dispatcher, tracker, domain)
        if event is None:
            say(dispatcher, tracker, [Utterance("utter_which_life_event",
                                                buttons=answers.life_event_buttons(guide))])
            return []
        say(dispatcher, tracker, answers.plan_reply(guide, event))
        return []
