"""Sending the visitor to the right counter, or elsewhere, or asking back."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import button_item, current_guide, named_items, say, visitor_speaker
from actions.errands import elsewhere_garbage, errand_reply
from bot.answers import Utterance, not_sure_reply, other_city_reply, reply_for, sorting_reply
from bot.guide_data import GarbageItem, Guide
from bot.languages import Speaker
from bot.matcher import Match, matcher_for
from bot.places import other_city
from bot.routing import (Resolution, about_an_entry, asks_for_a_business, guesses, only_a_topic,
                         outside_likely, resolve, selector_ranking, selector_sure, title_of)
from bot.sorting import named_item

# Entries a follow-up question (持ち物は？ 何階？) can refer back to. An ask-back is one too:
# 「持ち物は？」 after 「どの証明書ですか？」 is about the choices on screen.
REMEMBERED = ("procedure", "section", "redirect", "clarification")
# Garbage entries: when the visitor names an item, its sorting answers them, not a counter.
GARBAGE_ENTRIES = ("gomi_bunbetsu", "gomi_genryo", "kaden_recycle", "bulky_waste")


def sorting_asked(guide: Guide, text: str, res: Resolution, sp: Speaker) -> Optional[GarbageItem]:
    """The garbage item whose sorting answers the message, or None.

    「乾電池の出し方」 goes to a garbage entry: the item's sorting answers it, not the counter.
    So does a message the guide would ask back about when a garbage entry is among the
    choices and an item is named: "I broke a ceramic plate and two glass cups" has no
    question word for the dictionary, and "old batterys AA size how to thow away" a typo in
    it. An item alone is not enough: the dictionary finds 自転車 in a stolen bicycle and
    洗濯機 in a health insurance card that went through the wash.
    """
    if res.id in GARBAGE_ENTRIES or (not res.found and any(c.id in GARBAGE_ENTRIES for c in res.candidates)):
        item = named_item(guide, text, sp.lang)
        return None if item is None or elsewhere_garbage(guide, text, sp) else item
    return None


def guess_reply(guide: Guide, text: str, res: Resolution, message: dict[str, Any],
                sp: Speaker) -> Optional[Utterance]:
    """The reply when the entry found is a guess to offer beside the information desk, not an
    answer; None when it is the answer.

    - The message is about another city (「藤沢市の保育園の空き状況」): most likely that city's
      matter, though it sounds like the office's work. That city's office comes first.
    - The entry was found by a name in the message (「引っ越し」) while the selector, ranking every
      entry, holds the question to be about nothing here: 「引っ越したので電気の契約を変えたい」.
    - The message says only whose or what matter it is (「母のことで相談です」): the visitor has
      not said what they need.
    - It asks to be recommended a business (「補聴器のいい店知らんか」), which the office does not.
    """
    city = other_city(guide, text, None if sp.writes_japanese else sp.lang)
    found_by_name = not res.confidence  # a ranked entry carries the selector's confidence
    if city is None and not (found_by_name and outside_likely(message)) \
            and not only_a_topic(text) and not asks_for_a_business(text):
        return None
    guessed = guesses(guide, res, selector_ranking(message))
    return other_city_reply(guide, city, guessed, sp) if city else not_sure_reply(guide, guessed, sp)


class ActionRouteVisitor(Action):
    """request/section/program/facility intents: answer about the entry the visitor means."""

    def name(self) -> str:
        return "action_route_visitor"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        message = tracker.latest_message
        text = message.get("text") or ""
        explicit = button_item(tracker)
        res = resolve(guide, matcher_for(guide), text, selector_ranking(message),
                      explicit_id=None if explicit in guide.life_events else explicit,
                      named_ids=[i for i in named_items(tracker) if i not in guide.life_events])
        sp = visitor_speaker(guide, tracker)
        errand = errand_reply(guide, tracker, res, sp)
        if errand:
            say(dispatcher, tracker, errand, sp)
            return []
        item = None if explicit else sorting_asked(guide, text, res, sp)
        if item is not None:
            say(dispatcher, tracker, sorting_reply(guide, item, sp), sp)
            return []
        if not res.found and outside_likely(message):
            # Rather than ask which of its entries it is: most likely the office has none.
            say(dispatcher, tracker, [not_sure_reply(guide, [], sp)], sp)
            return []
        unsure = guess_reply(guide, text, res, message, sp) if res.found and not explicit else None
        if unsure is not None:
            say(dispatcher, tracker, [unsure], sp)
            return []
        say(dispatcher, tracker, reply_for(guide, res.kind, res.id, res.candidates, sp=sp), sp)
        return [SlotSet("current_item", res.id)] if res.kind in REMEMBERED else []


class ActionSuggest(Action):
    """The NLU was unsure: propose what the visitor may mean.

    Only when the doubt was between kinds of question about an entry, and the entry's place is
    clear, is the visitor sent there as for a request.
    """

    def name(self) -> str:
        return "action_suggest"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: dict[str, Any]) -> list[dict]:
        guide = current_guide()
        matcher = matcher_for(guide)
        text = tracker.latest_message.get("text") or ""
        sp = visitor_speaker(guide, tracker)
        errand = errand_reply(guide, tracker, sp=sp)
        if errand:
            say(dispatcher, tracker, errand, sp)
            return []
        res = resolve(guide, matcher, text, selector_ranking(tracker.latest_message),
                      named_ids=named_items(tracker))
        item = sorting_asked(guide, text, res, sp)
        if item is not None:
            say(dispatcher, tracker, sorting_reply(guide, item, sp), sp)
            return []
        if res.kind == "clarification":
            say(dispatcher, tracker, reply_for(guide, res.kind, res.id, sp=sp), sp)
            return [SlotSet("current_item", res.id)]
        if selector_sure(res) or res.found and about_an_entry(tracker.latest_message.get("intent_ranking") or []):
            return ActionRouteVisitor().run(dispatcher, tracker, domain)
        proposals = [Match(res.kind, res.id, title_of(guide, res.kind, res.id), 1.0)] if res.found else []
        seen, candidates = set(), []
        for m in [*proposals, *res.candidates, *matcher.search(text)]:
            if m.kind != "clarification" and (m.kind, m.id) not in seen:
                seen.add((m.kind, m.id))
                candidates.append(m)
        if outside_likely(tracker.latest_message):
            say(dispatcher, tracker, [not_sure_reply(guide, [], sp)], sp)
            return []
        say(dispatcher, tracker, reply_for(guide, None, None, candidates[:4], sp=sp), sp)
        return []
