"""「整理券はどこ」「混んでいますか」「待ち時間は」: only what the guide data and the
office's queue feed say, and that the rest is not known."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import current_guide, say, visitor_speaker
from actions.errands import garbage_reply
from bot.answers import Utterance, waiting_utterances
from bot.queue_feed import feed_for
from bot.settings import load_settings


class ActionAnswerWaiting(Action):
    """Numbered tickets, the busy periods the city publishes, and the waiting count now."""

    def name(self) -> str:
        return "action_answer_waiting"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        sp = visitor_speaker(guide, tracker)
        garbage = garbage_reply(guide, tracker, sp)
        if garbage:
            say(dispatcher, tracker, garbage, sp)
            return []
        url = load_settings().queue_feed_url
        status = feed_for(url).status(guide) if url else None
        utterances: list[Utterance] = waiting_utterances(guide, status, sp)
        say(dispatcher, tracker, utterances, sp)
        return []
