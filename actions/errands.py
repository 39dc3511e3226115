"""Whole errands: a garbage item, or a life event, named in the visitor's words.

Both are closed vocabularies in the guide data (data/guide/garbage.yml, life_events.yml),
so they are looked up there before any counter is chosen, whatever question type the NLU
saw. They are not question types of their own: a classifier that learns 「新聞はどこに出すの」
as garbage also reads 「婚姻届はどこに出せばいい」 as garbage, and one that learns
「子どもが生まれました」 as a life event takes the examples away from 出生届.
"""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from actions.common import button_item, named_items
from bot import answers
from bot.answers import Utterance
from bot.contracts import company_matter
from bot.passports import another_countrys_passport
from bot.guide_data import Guide
from bot.languages import Speaker
from bot.life_events import asks_for_the_whole, find_event
from bot.places import other_city
from bot.routing import Resolution, destination_key
from bot.sorting import garbage_question

# Below this, the selector's best entry, a step of the visitor's life event, is a guess: the plan
# is given instead. On the development and held-out sets (8,244; 2026-12-07), at 0.9 15
# questions got the plan instead of their step, most of them asking about that one step (「母が
# 亡くなり、死亡届はもう出しました。…保険証を返すのと、お葬式の費用」 at 0.74); at 0.5, 2 did:
# 「おっとが しにました。どうしたら いいですか。」 (0.42, labelled 戸籍課) and a funeral grant
# asked in Chinese (0.46, its step in the plan).
STEP_GUESSED = 0.5
# A visitor who asks where to start (life_events.asks_for_the_whole) gets the plan unless the
# selector is all but certain the question is about something else: 「両親が亡くなって…何から
# 手をつければいいのか分かりません。誰も住んでいない家のことで相談できる窓口は」 is about the
# empty house (0.99); 「母が亡くなって、何から手をつけたらいいのか全然わからない」 was put at
# 生活困窮の相談 with 0.88. An entry the visitor named (confidence 0.0) is their question.
ELSEWHERE_CERTAIN = 0.95


def garbage_reply(guide: Guide, tracker: Tracker, sp: Speaker) -> Optional[list[Utterance]]:
    """The sorting of a garbage item the message asks about, or None.

    For the question types that are not about a procedure (opening hours, waiting): the
    question-type classifier reads 「アイロンは何ごみですか」 much like 「何時までですか」, and a
    named item's sorting is what the visitor asked. A life event is not looked for there: a
    question about the hours told with one (「子どもが生まれたけど何時まで？」) is about the hours.
    """
    text = tracker.latest_message.get("text") or ""
    item = garbage_question(guide, text, sp.lang)
    if item is None or elsewhere_garbage(guide, text, sp):
        return None
    return answers.sorting_reply(guide, item, sp)


def elsewhere_garbage(guide: Guide, text: str, sp: Speaker) -> bool:
    """Whether the garbage asked about is another city's (「鎌倉の実家のごみの出し方」): each city
    sorts and collects its own way, so Yokohama's sorting would mislead; the guide's answer for
    another city's matter is that city's office (actions.routing.guess_reply). Asked only once an
    item is found: it cuts the text into words, which most messages need not pay for."""
    return other_city(guide, text, None if sp.writes_japanese else sp.lang) is not None


def errand_reply(guide: Guide, tracker: Tracker, routed: Optional[Resolution] = None,
                 sp: Optional[Speaker] = None) -> Optional[list[Utterance]]:
    """The sorting of a garbage item or the visit plan of a life event, or None; or, for the
    visitor's own contract with a company (the electricity after a move, a bank account after a
    death: a part of the errand the office has no share in), who to ask instead.

    ``routed`` is where the request would go otherwise. A life event's plan is given when that
    is where the plan starts (「母が亡くなりました」 → 戸籍課; 「会社を辞めました。保険と年金は？」 →
    保険年金課), when the guide would only ask back, when the selector only guessed at one of
    its steps, when several of its steps are named (「会社を辞めました。国保と年金は？」), or when
    the visitor asks what to do first or for all of it (「…何から手をつけたらいいのか」).
    A confident answer elsewhere is a question about one step (「夫が亡くなったので遺族年金を」),
    or about something else that happens with the event (「引っ越してきたので自治会に入りたい」):
    that answers it.
    """
    sp = sp or guide.speaker()
    # A tapped life event arrives as an entity of Rasa's RegexMessageHandler; no lookup table
    # names a life event, so any life-event id among the items was tapped.
    tapped = button_item(tracker) or next(
        (i for i in named_items(tracker) if i in guide.life_events), None)
    if tapped:
        event = guide.life_events.get(tapped)
        return answers.plan_reply(guide, event, sp) if event else None
    garbage = garbage_reply(guide, tracker, sp)
    if garbage:
        return garbage  # 「解約したスマホは何ごみ？」 names a contract too, but asks about the phone
    text = tracker.latest_message.get("text") or ""
    if sp.writes_japanese and company_matter(text):
        return [answers.company_matter_reply(guide, sp)]
    if another_countrys_passport(text):
        return [answers.foreign_passport_reply(guide, sp)]
    event = find_event(guide, text, sp.lang)
    if event is None:
        return None
    steps = {step.procedure or step.redirect for step in event.steps}
    named_steps = steps & set(named_items(tracker))
    first = event.steps[0]
    first_place = (destination_key(guide, "procedure", first.procedure) if first.procedure
                   else destination_key(guide, "redirect", first.redirect))
    if (routed is None or not routed.found or routed.kind == "clarification"
            or destination_key(guide, routed.kind, routed.id) == first_place or len(named_steps) >= 2
            or _unsure_step(routed, steps)
            or asks_for_the_whole(text) and 0.0 < routed.confidence < ELSEWHERE_CERTAIN):
        # Where the request would go anyway is where the plan starts: the plan says more.
        return answers.plan_reply(guide, event, sp)
    return None


def _unsure_step(routed: Resolution, steps: set[str]) -> bool:
    """Whether the selector ranked a step of the plan first without being sure of it.

    「おっとが しにました。どうしたら いいですか。」 put the survivors' pension first at 0.42:
    a guess at one step of the plan, which the plan shows too, among the rest. A step the
    visitor named (confidence 0.0) or the selector is surer of (「夫が亡くなったので遺族年金を」)
    is the question.
    """
    return routed.id in steps and 0.0 < routed.confidence < STEP_GUESSED
