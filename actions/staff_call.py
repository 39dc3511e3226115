"""When a visitor needs a person: calling staff, and questions the guide does not answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import current_guide, named_items, say, visitor_speaker
from actions.errands import errand_reply
from actions.routing import ActionRouteVisitor
from bot import answers
from bot.matcher import matcher_for
from bot.routing import guesses, outside_likely, resolve, selector_ranking, selector_sure, sure_out_of_scope


class ActionCallStaff(Action):
    """「職員を呼んで」: tell the visitor where help is; the kiosk records the call."""

    def name(self) -> str:
        return "action_call_staff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        sp = visitor_speaker(guide, tracker)
        say(dispatcher, tracker, [answers.staff_call_reply(guide, sp=sp)], sp)
        return []


class ActionOutOfScope(Action):
    """Chit-chat and unrelated questions: never a counter, always the information desk.

    When the entry selector is sure of one place, the visitor is sent there as for a request;
    when the question type leaves some doubt and the selector only points clearly at one
    place, the visitor is told the guide is not sure and offered it, with the next best places,
    as guesses. Otherwise, or when the selector too finds the question most likely about nothing
    the guide has (bot.routing.outside_likely), the answer is the desk alone: a fixed menu of
    topics would not be about the question, and the start screen is one tap away.
    """

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        sp = visitor_speaker(guide, tracker)
        # 「ピアノを処分したい」 is in scope after all: what goes out as which garbage.
        errand = errand_reply(guide, tracker, sp=sp)
        if errand:
            say(dispatcher, tracker, errand, sp)
            return []
        message = tracker.latest_message
        ranking = selector_ranking(message)
        res = None if outside_likely(message) else resolve(
            guide, matcher_for(guide), message.get("text") or "", ranking, named_ids=named_items(tracker))
        if res is not None and selector_sure(res):
            # The selector sure of one place, and so sure the question is not about nothing
            # here (its own out-of-scope class has the rest): a question that the question type
            # misread (bot.routing.SELECTOR_SURE), even when the type is sure.
            return ActionRouteVisitor().run(dispatcher, tracker, domain)
        if sure_out_of_scope(message.get("intent")):
            res = None
        found = res is not None and res.found and res.kind != "clarification"
        say(dispatcher, tracker, [answers.not_sure_reply(guide, guesses(guide, res, ranking) if found else [], sp)], sp)
        return []
