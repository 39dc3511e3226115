"""What every action needs: the current guide, its matcher, and one way to answer."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Utterance
from bot.guide_data import Guide, shared_store
from bot.languages import Speaker
from bot.settings import load_settings
from bot.wording import render


def current_guide() -> Guide:
    """The last good guide data of this office (GUIDE_OFFICE); edits on disk are picked up
    without a restart."""
    settings = load_settings()
    return shared_store(settings.guide_dir, settings.office_dir).get()


def button_item(tracker: Tracker) -> Optional[str]:
    """The item a tapped button names (payload ``/request{"item": "juminhyo"}``)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "item" and not entity.get("extractor"):
            return entity.get("value")
    return None


def named_items(tracker: Tracker) -> list[str]:
    """Guide ids the NLU found named in the visitor's words (lookup table + synonyms)."""
    return [e["value"] for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == "item" and e.get("extractor")]


def visitor_speaker(guide: Guide, tracker: Tracker) -> Speaker:
    """The visitor's language, sent by the kiosk as the message's metadata (bot.chat.turn)."""
    event = tracker.get_last_event_for("user") or {}
    lang = (event.get("metadata") or {}).get("lang")
    return guide.speaker(lang if isinstance(lang, str) else None)


def say(dispatcher: CollectingDispatcher, tracker: Tracker, utterances: list[Utterance],
        sp: Optional[Speaker] = None) -> None:
    """Utter domain responses, each with its structured fields as a custom payload.

    In Japanese the text comes from domain.yml (editable wording); in another language from
    that language's texts (bot.wording.render). The kiosk reads the payload, never the text,
    to show destinations, maps and choices.
    """
    intent = tracker.latest_message.get("intent") or {}
    for i, utt in enumerate(utterances):
        payload = dict(utt.payload)
        if utt.buttons:
            payload["choices"] = utt.buttons
        if i == 0:
            payload["intent"] = {"name": intent.get("name"), "confidence": intent.get("confidence")}
        if sp is None or sp.japanese:
            dispatcher.utter_message(response=utt.response, buttons=utt.buttons,
                                     json_message=payload or None, **utt.fields)
            continue
        text = render(utt, sp=sp)
        if i == len(utterances) - 1:
            payload["fallback"] = sp.fell_back
        dispatcher.utter_message(text=text, buttons=utt.buttons, json_message=payload or None)
