"""Follow-up questions about the last answer: what to bring, fees, floor, online, hours."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button_item, current_guide, named_items, say, visitor_speaker
from actions.errands import errand_reply, garbage_reply
from bot import answers, hours
from bot.matcher import matcher_for
from bot.answers import Utterance
from bot.guide_data import Guide, Procedure
from bot.languages import Speaker, department_name


def _named_now(guide: Guide, tracker: Tracker) -> list[str]:
    """The entries tapped or named in this message (the NLU's lookup tables, else the matcher)."""
    text = tracker.latest_message.get("text") or ""
    tapped = button_item(tracker)
    return ([tapped] if tapped else []) + (named_items(tracker)
                                           or [m.id for m in matcher_for(guide).mentioned(text)])


def _subject(guide: Guide, tracker: Tracker) -> Optional[str]:
    """The entry the question is about: tapped or named now, or the last one on screen."""
    for item_id in _named_now(guide, tracker):
        if item_id in guide.procedures or item_id in guide.sections or item_id in guide.redirects:
            return item_id
    return tracker.get_slot("current_item")


# What a follow-up asks about, for 「{what}をお知らせします。どれについてですか？」.
ASKED = {"ask_what_to_bring": "持ち物", "ask_fee": "手数料", "ask_floor": "場所",
         "ask_online": "オンラインやコンビニでの手続き"}


def which_of_choices(guide: Guide, clarification_id: str, intent: str,
                     sp: Optional[Speaker] = None) -> Utterance:
    """A follow-up right after an ask-back: the same choices, each answering the follow-up
    in one tap (「持ち物は？」 after 「どの証明書ですか？」 → 住民票の持ち物, …)."""
    sp = sp or guide.speaker()
    clar = guide.clarifications[clarification_id]
    asked = intent if intent in ASKED else "ask_what_to_bring"
    buttons = [answers.button(answers.title_of_entry(guide, c, sp), asked, c) for c in clar.choices]
    what = ASKED[asked] if sp.japanese else sp.phrase(f"asked_{asked}", ASKED[asked])
    return Utterance("utter_detail_which", dict(what=what), buttons=buttons)


def detail_utterances(guide: Guide, proc: Procedure, intent: str,
                      sp: Optional[Speaker] = None) -> list[Utterance]:
    """What to bring, the fee, or online/service-corner options for one procedure."""
    sp = sp or guide.speaker()
    dest = answers.procedure_destination(guide, proc, sp)
    details = answers.procedure_details(proc, sp)
    fields = dict(title=details["title"])
    payload = dict(destination=dest, procedure=details)
    if intent == "ask_fee":
        utt = (Utterance("utter_fee", dict(fields, fee=details["fee"]), payload) if proc.fee
               else Utterance("utter_fee_unknown", fields, payload))
    elif intent == "ask_online":
        response = {(True, True): "utter_online_and_corner", (True, False): "utter_online",
                    (False, True): "utter_service_corner", (False, False): "utter_online_none"}
        utt = Utterance(response[bool(proc.online), proc.service_corner],
                        dict(fields, online=details["online"] or ""), payload)
    elif proc.bring:
        utt = Utterance("utter_bring", dict(fields, bring=answers.list_text(details["bring"], sp)),
                        payload)
    else:
        utt = Utterance("utter_bring_unknown", fields, payload)
    return [utt] + ([] if proc.verified else [Utterance("utter_details_unverified")])


class ActionAnswerDetail(Action):
    """「持ち物は？」「いくら？」「何階？」「コンビニで取れる？」 about a procedure."""

    def name(self) -> str:
        return "action_answer_detail"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        subject = _subject(guide, tracker)
        sp = visitor_speaker(guide, tracker)
        # 「パソコンは何ごみですか」 reads like a question about a detail; a named garbage item or
        # life event is answered from the guide data whatever the question type.
        errand = errand_reply(guide, tracker, sp=sp)
        if errand:
            say(dispatcher, tracker, errand, sp)
        elif subject in guide.clarifications:
            say(dispatcher, tracker, [which_of_choices(guide, subject, intent, sp)], sp)
        elif subject in guide.sections:
            say(dispatcher, tracker, answers.reply_for(guide, "section", subject, sp=sp), sp)
        elif subject in guide.redirects:
            say(dispatcher, tracker, answers.reply_for(guide, "redirect", subject, sp=sp), sp)
        elif subject in guide.procedures and intent == "ask_floor":
            say(dispatcher, tracker, answers.reply_for(guide, "procedure", subject, sp=sp), sp)
        elif subject in guide.procedures:
            say(dispatcher, tracker, detail_utterances(guide, guide.procedures[subject], intent, sp),
                sp)
        else:
            say(dispatcher, tracker, [Utterance("utter_which_item",
                                                buttons=answers.menu_buttons(guide, sp))], sp)
        return []


def _place_outside(guide: Guide, tracker: Tracker) -> Optional[tuple[str, str, str]]:
    """(kind, id, section or redirect id) of the place a question about hours is about, when it
    is not in the ward office building: an organisation elsewhere, or a section in a building
    of its own (the library). None for the office's own counters."""
    for item_id in _named_now(guide, tracker) or [tracker.get_slot("current_item")]:
        if item_id in guide.redirects:
            return "redirect", item_id, item_id
        section_id = (guide.procedures[item_id].section if item_id in guide.procedures
                      else item_id if item_id in guide.sections else None)
        if section_id and guide.sections[section_id].building:
            return ("procedure" if item_id in guide.procedures else "section"), item_id, section_id
    return None


def _place_name(guide: Guide, place_id: str, sp: Speaker) -> str:
    if place_id in guide.redirects:
        return sp.entry(place_id, "name", guide.redirects[place_id].name)
    return department_name(guide.sections[place_id], sp)


class ActionAnswerHours(Action):
    """Opening hours, and whether the office is open right now (or, for a place elsewhere,
    that place)."""

    def name(self) -> str:
        return "action_answer_hours"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        sp = visitor_speaker(guide, tracker)
        garbage = garbage_reply(guide, tracker, sp)
        if garbage:
            say(dispatcher, tracker, garbage, sp)
            return []
        place = _place_outside(guide, tracker)
        if place:
            # The library or ハローワーク keeps hours of its own, which the guide does not have:
            # the place (with its phone, where known) instead of the ward office's hours.
            kind, item_id, place_id = place
            say(dispatcher, tracker, answers.reply_for(guide, kind, item_id, sp=sp)
                + [Utterance("utter_hours_elsewhere", dict(name=_place_name(guide, place_id, sp)))], sp)
            return [SlotSet("current_item", item_id)]
        state = hours.open_state(guide, sp=sp)
        say(dispatcher, tracker, [Utterance(
            "utter_hours_open" if state.open else "utter_hours_closed",
            dict(summary=hours.hours_summary(guide, sp), today=state.today),
            dict(hours={"open": state.open, "today": state.today, "reason": state.reason}))], sp)
        return []
