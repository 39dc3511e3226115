"""When a visitor needs a person: calling staff, and questions the guide does not answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import current_guide, say, visitor_speaker
from actions.errands import errand_reply
from bot import answers
from bot.answers import Utterance


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
    """Chit-chat and unrelated questions: never a counter; offer the menu and the desk."""

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
        say(dispatcher, tracker, [Utterance(
            "utter_out_of_scope", dict(desk=answers.information_desk_text(guide, sp)),
            buttons=answers.menu_buttons(guide, sp))], sp)
        return []
