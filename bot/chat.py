"""One conversation turn: send to Rasa → reshape into the kiosk contract → or a degraded answer.

``POST /api/chat``, ``guide ask``, the evaluation and the publish gate all answer through
``turn``, so what they measure is what a visitor gets. It only reshapes Rasa's reply; it does
not second-guess it. When Rasa cannot answer, it answers from the guide data alone.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional

from bot import answers
from bot.answers import Utterance
from bot.furigana import segments
from bot.guide_data import Guide
from bot.matcher import matcher_for
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.detect import detect
from bot.languages import SOURCE, Speaker
from bot.sorting import garbage_question
from bot.wording import render, responses

log = logging.getLogger(__name__)

# A tapped button: /intent or /intent{"item": "id"}; anything else is refused.
PAYLOAD = re.compile(r'^/([a-z_]{2,40})(\{"item": ?"([a-z0-9_]{1,60})"\})?$')
FIELDS = ("destination", "redirect", "program", "facility", "procedure", "choices", "hours",
          "sorting", "plan", "life_event")


def reshape(session_id: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Rasa's REST messages → the kiosk contract (text replies + structured fields)."""
    out: dict[str, Any] = {"session_id": session_id, "replies": [], "intent": None,
                           "staff_call": False, "degraded": False, **{f: None for f in FIELDS}}
    card_note = render(Utterance("utter_unverified"))
    for msg in messages:
        if msg.get("text"):
            reply = {"text": msg["text"]}
            if msg["text"] == card_note:
                # The answer card says it too: a screen with a card shows it once, there.
                reply["card_note"] = True
            if msg.get("buttons"):
                reply["buttons"] = [{"title": b.get("title"), "payload": b.get("payload")}
                                    for b in msg["buttons"]]
            out["replies"].append(reply)
        custom = msg.get("custom")
        if isinstance(custom, dict):
            for key in (*FIELDS, "intent"):
                if custom.get(key) is not None and out[key] is None:
                    out[key] = custom[key]
            out["staff_call"] = out["staff_call"] or bool(custom.get("staff_call"))
            out["fallback"] = out.get("fallback") or bool(custom.get("fallback"))
    if not out["choices"]:
        out["choices"] = None
    return out


def degraded_answer(guide: Guide, session_id: str, payload: Optional[str],
                    text: Optional[str] = None, sp: Optional[Speaker] = None) -> dict[str, Any]:
    """An answer from the guide data alone, while the assistant is unavailable."""
    sp = sp or guide.speaker()
    utterances: list[Utterance] = []
    match = PAYLOAD.match(payload or "")
    item_id = match.group(3) if match else None
    kind = guide.kind_of(item_id) if item_id else None
    item = garbage_question(guide, text, sp.lang) if text else None
    if item_id in guide.life_events:
        # A tapped life event names its plan, which is guide data alone.
        utterances = answers.plan_reply(guide, guide.life_events[item_id], sp)
    elif item is not None:
        # 「乾電池の捨て方」 is answered from the sorting dictionary, which needs no NLU.
        utterances = answers.sorting_reply(guide, item, sp)
    elif kind:
        # A tapped button names its entry: that answer needs no language understanding.
        utterances = answers.reply_for(guide, kind, item_id, sp=sp)
    elif text:
        # Typed text: the guide's own names and synonyms propose entries to tap, never a route.
        candidates = [m for m in matcher_for(guide).search(text) if m.kind != "clarification"][:4]
        if candidates:
            utterances = answers.reply_for(guide, None, None, candidates, sp=sp)
    utterances.append(Utterance("utter_degraded", dict(desk=answers.information_desk_text(guide, sp))))
    out = reshape(session_id, [{"text": render(u, sp=sp), "buttons": u.buttons,
                                "custom": {**u.payload, "choices": u.buttons or None}}
                               for u in utterances])
    out["degraded"] = True
    out["facility"] = out["facility"] or answers.facility_info(guide.office.information_desk, sp)
    return out


def with_ruby(out: dict[str, Any], furigana: bool = True) -> dict[str, Any]:
    """Add each reply's furigana as [base, reading] pieces; the kiosk builds <ruby> from them.
    Languages without furigana get the text as one piece."""
    for reply in out["replies"]:
        reply["ruby"] = ([list(piece) for piece in segments(reply["text"])] if furigana
                         else [[reply["text"], None]])
    return out


def choose_language(guide: Guide, lang: Optional[str], text: Optional[str]) -> str:
    """The language to answer in: the one the kiosk's button chose, else the one the text
    is written in (a known language of the guide), else Japanese."""
    if lang in guide.languages:
        return lang
    if text:
        found = detect(text, _japanese_words(guide),
                       {code: pack.own_words for code, pack in guide.packs.items()})
        if found in guide.languages:
            return found
    return SOURCE


def _japanese_words(guide: Guide) -> list[str]:
    return [w for _k, _i, _t, words in guide.named_entries() for w in words]


def _fixed_responses() -> dict[str, str]:
    """Japanese text → response name, for the responses without placeholders (greet, thank,
    goodbye, unverified, …): Rasa utters those itself in Japanese, and the turn swaps in the
    visitor's language. Responses with placeholders come from the actions, already translated."""
    return {text: name for name, text in responses().items() if "{" not in text}


def localize(out: dict[str, Any], sp: Speaker) -> dict[str, Any]:
    """The visitor's language on every reply Rasa uttered in Japanese, the language fields,
    and a visible note when part of the answer fell back to another language."""
    if not sp.japanese:
        fixed = _fixed_responses()
        card_note = render(Utterance("utter_unverified"), sp=sp)
        for reply in out["replies"]:
            name = fixed.get(reply["text"])
            if name:
                reply["text"] = render(Utterance(name), sp=sp)
            if reply["text"] == card_note:
                reply["card_note"] = True   # as reshape marks the Japanese note
    fallback = bool(out.pop("fallback", False)) or sp.fell_back
    out["lang"] = sp.lang
    out["fallback"] = fallback
    if fallback:
        out["replies"].append({"text": sp.phrase(
            "fallback_note", "※ 一部の案内は翻訳がまだないため、日本語で表示しています。"),
            "note": "fallback"})
    return out


def as_typed(text: str) -> str:
    """Typed text as Rasa must see it: text. Rasa reads a message that starts with "/" as an
    intent (``/call_staff``, ``/restart``) even after its NLU pipeline (which folds "／" to
    "/"); only a button's payload may do that, so leading slashes typed by a visitor go."""
    if not text.lstrip().startswith(("/", "／")):
        return text
    return text.lstrip(" \t\u3000/／") or "？"


def turn(rasa: RasaClient, guide: Guide, session_id: str, text: Optional[str] = None,
         payload: Optional[str] = None, lang: Optional[str] = None) -> dict[str, Any]:
    """One visitor turn (typed ``text`` or a button's ``payload``), as the kiosk contract.

    ``text`` must already be normalised (bot.normalize) and checked by the caller. ``lang``:
    the language the kiosk's button chose (a code of languages.yml); without it the language
    is detected from the text. The action server gets it as message metadata.
    """
    sp = guide.speaker(choose_language(guide, lang, None if payload else text))
    try:
        messages = rasa.send(session_id, payload or as_typed(text or ""), {"lang": sp.lang})
    except RasaUnavailable as err:
        log.error("degraded answer for session %s: %s", session_id, err)
        out = degraded_answer(guide, session_id, payload, text, sp)
        return with_ruby(localize(out, sp), sp.language.furigana)
    out = reshape(session_id, messages)
    if out["intent"] is None:
        out["intent"] = rasa.latest_intent(session_id)
    return with_ruby(localize(out, sp), sp.language.furigana)
