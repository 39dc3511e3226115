"""Questions the guide could not answer well, read from Rasa's conversation store.

Rasa's SQL tracker store keeps every event in one table, ``events`` (sender_id, type_name,
timestamp, intent_name, action_name, data as JSON). A visitor's turn is a ``user`` event
followed by the actions and bot messages up to the next one. A turn goes to the inbox when
its intent confidence was low, when it fell back (``nlu_fallback``), or when the guide could
only suggest or say it was out of scope. Staff calls and "not helpful" feedback join them.
Every text is masked (bot.privacy) before it leaves this module.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from bot.normalize import normalize
from bot.rasa_client import RasaUnavailable
from bot.routing import selector_ranking
from bot.privacy import mask_personal_data
from bot.tracker_store import events as tracker_events
from back_office.db import transaction


JST = timezone(timedelta(hours=9))
# Actions that mean the guide did not know where to send the visitor.
UNANSWERED_ACTIONS = {"action_suggest": "候補を示しただけ", "action_out_of_scope": "対象外と回答",
                      "action_default_fallback": "聞き取れず"}
# Conversations the console itself or the evaluation started: not visitors.
INTERNAL_SENDERS = ("eval-", "publish-")
SIMILARITY = 0.5
# How many of the guide's own guesses the inbox offers first for a question.
GUESSES = 3


@dataclass
class Turn:
    """One visitor message and what the guide did with it."""

    sender_id: str
    time: float
    text: str                       # masked
    intent: Optional[str]
    confidence: Optional[float]
    actions: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)   # masked bot texts
    procedure: Optional[str] = None
    department: Optional[str] = None
    staff_call: bool = False

    @property
    def is_button(self) -> bool:
        return self.text.startswith("/")


@dataclass
class Question:
    """An item in the inbox: a question and why it is there."""

    key: str
    text: str
    reason: str
    time: float
    sender_id: Optional[str] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None


@dataclass
class Group:
    """Similar questions, shown together; the first is the newest."""

    questions: list[Question]

    @property
    def text(self) -> str:
        return self.questions[0].text

    @property
    def reasons(self) -> list[str]:
        return list(Counter(q.reason for q in self.questions))

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(q.key for q in self.questions))


def question_key(text: str) -> str:
    return hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()[:16]


# --- reading the tracker store ----------------------------------------------------


def read_turns(store: Path | str, since: float = 0.0,
               sender_id: Optional[str] = None) -> list[Turn]:
    """Every visitor turn since ``since`` (epoch seconds), oldest first, texts masked.

    ``store``: the SQLAlchemy URL of Rasa's SQL tracker store (a path: SQLite).
    """
    turns: list[Turn] = []
    current: Optional[Turn] = None
    for row in tracker_events(store, since, sender_id):
        if row["sender_id"].startswith(INTERNAL_SENDERS):
            continue
        data = _json(row["data"])
        kind = row["type_name"]
        if kind == "user":
            intent = (data.get("parse_data") or {}).get("intent") or {}
            current = Turn(row["sender_id"], row["timestamp"] or 0.0,
                           mask_personal_data(data.get("text") or ""),
                           intent.get("name") or row["intent_name"], intent.get("confidence"))
            turns.append(current)
        elif current is None or current.sender_id != row["sender_id"]:
            continue
        elif kind == "action" and row["action_name"] not in ("action_listen", None):
            current.actions.append(row["action_name"])
        elif kind == "bot":
            if data.get("text"):
                current.replies.append(mask_personal_data(data["text"]))
            custom = (data.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict):
                current.procedure = current.procedure or (custom.get("procedure") or {}).get("id")
                current.department = (current.department
                                      or (custom.get("destination") or {}).get("department"))
                current.staff_call = current.staff_call or bool(custom.get("staff_call"))
    turns.sort(key=lambda t: t.time)
    return turns


def _json(text: Optional[str]) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def unanswered_reason(turn: Turn, threshold: float) -> Optional[str]:
    """Why this turn belongs in the inbox, or None when the guide answered it well."""
    if turn.is_button:
        return None
    if turn.intent == "nlu_fallback":
        return "意図を判定できず"
    for action in turn.actions:
        if action in UNANSWERED_ACTIONS:
            return UNANSWERED_ACTIONS[action]
    if turn.confidence is not None and turn.confidence < threshold:
        return f"確信度が低い（{turn.confidence:.2f}）"
    return None


def conversation(store: Path | str, sender_id: str) -> list[dict]:
    """A conversation as visitor/bot lines, masked, for staff to pick it up."""
    lines = []
    for turn in read_turns(store, 0.0, sender_id):
        lines.append({"who": "visitor", "text": turn.text, "time": turn.time})
        lines += [{"who": "bot", "text": reply, "time": turn.time} for reply in turn.replies]
    return lines


# --- the inbox ------------------------------------------------------------------------


def collect(turns: Iterable[Turn], threshold: float, calls: Iterable[Any] = (),
            feedback: Iterable[dict] = ()) -> list[Question]:
    """Every question that needs a look: weak turns, staff calls, unhelpful answers."""
    out: list[Question] = []
    last_question: dict[str, Turn] = {}
    for turn in turns:
        if not turn.is_button:
            last_question[turn.sender_id] = turn
        reason = unanswered_reason(turn, threshold)
        if reason:
            out.append(Question(question_key(turn.text), turn.text, reason, turn.time,
                                turn.sender_id, turn.intent, turn.confidence))
    for call in calls:
        asked = [e["text"] for e in call.transcript if e.get("who") == "visitor"]
        text = mask_personal_data(asked[-1]) if asked else ""
        if text and not text.startswith("/"):
            out.append(Question(question_key(text), text, "職員呼び出し", _iso_time(call.created_at),
                                call.session_id))
    for item in feedback:
        if item["helpful"]:
            continue
        turn = last_question.get(item["session_id"])
        text = turn.text if turn else (item["text"] or "")
        if text:
            out.append(Question(question_key(text), text, "「役に立たなかった」の評価", item["time"],
                                item["session_id"]))
    out.sort(key=lambda q: q.time, reverse=True)
    return out


def _iso_time(value: str) -> float:
    try:
        return datetime.fromisoformat(value).timestamp()
    except (TypeError, ValueError):
        return 0.0


def bigrams(text: str) -> set[str]:
    norm = normalize(text).replace(" ", "")
    return {norm[i:i + 2] for i in range(len(norm) - 1)} or {norm}


def similarity(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two bigram sets."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def group_questions(questions: list[Question], threshold: float = SIMILARITY) -> list[Group]:
    """Put questions whose character bigrams overlap enough into one group."""
    groups: list[tuple[set[str], Group]] = []
    for q in questions:
        grams = bigrams(q.text)
        best, best_score = None, threshold
        for rep, group in groups:
            score = similarity(grams, rep)
            if score >= best_score:
                best, best_score = group, score
        if best is None:
            groups.append((grams, Group([q])))
        else:
            best.questions.append(q)
    ordered = [g for _rep, g in groups]
    ordered.sort(key=lambda g: (-len(g.questions), -g.questions[0].time))
    return ordered


# --- decisions and feedback in the staff database ------------------------------------


def decided_keys(db: Path | str) -> set[str]:
    with transaction(db) as conn:
        return {r["key"] for r in conn.execute("SELECT key FROM inbox_decisions")}


def record_decision(db: Path | str, keys: Iterable[str], text: str, decision: str,
                    user: str, intent: Optional[str] = None) -> None:
    """Assigned or dismissed: the questions leave the inbox, and who decided is kept."""
    with transaction(db) as conn:
        for key in keys:
            conn.execute("INSERT OR REPLACE INTO inbox_decisions (key, text, decision, intent, user, "
                         "time) VALUES (?, ?, ?, ?, ?, ?)",
                         (key, mask_personal_data(text), decision, intent, user, time.time()))


def decisions(db: Path | str, limit: int = 50) -> list[sqlite3.Row]:
    with transaction(db) as conn:
        return conn.execute("SELECT * FROM inbox_decisions ORDER BY time DESC LIMIT ?",
                            (limit,)).fetchall()


def add_feedback(db: Path | str, session_id: str, helpful: bool, text: Optional[str]) -> int:
    """Store a visitor's "helpful?" answer; the free text is masked before it is stored."""
    with transaction(db) as conn:
        cur = conn.execute("INSERT INTO feedback (time, session_id, helpful, text) VALUES (?, ?, ?, ?)",
                           (time.time(), session_id, int(helpful),
                            mask_personal_data(text) if text else None))
        return int(cur.lastrowid)


def delete_older_than(db: Path | str, days: float, now: Optional[float] = None) -> dict[str, int]:
    """Retention: delete feedback and inbox decisions older than ``days``; how many of each."""
    cutoff = (now or time.time()) - days * 86400
    with transaction(db) as conn:
        return {"feedback": conn.execute("DELETE FROM feedback WHERE time < ?", (cutoff,)).rowcount,
                "inbox decisions": conn.execute("DELETE FROM inbox_decisions WHERE time < ?",
                                                (cutoff,)).rowcount}


def feedback_since(db: Path | str, since: float) -> list[dict]:
    with transaction(db) as conn:
        return [dict(r) for r in conn.execute("SELECT * FROM feedback WHERE time >= ? ORDER BY id",
                                              (since,))]


def open_groups(store: Path | str, db: Path | str, threshold: float, since: float,
                calls: Iterable[Any] = ()) -> list[Group]:
    """The inbox: undecided questions since ``since``, grouped by similar text."""
    done = decided_keys(db)
    questions = [q for q in collect(read_turns(store, since), threshold, calls,
                                    feedback_since(db, since)) if q.key not in done]
    return group_questions(questions)


# --- usage figures ------------------------------------------------------------------------


def day_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, JST).strftime("%Y-%m-%d")


def usage_figures(turns: list[Turn], threshold: float, calls: Iterable[Any] = (),
                  feedback: Iterable[dict] = (), procedure_titles: Optional[dict] = None) -> dict:
    """Questions per day, unanswered rate, top procedures, staff calls per day."""
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"questions": 0, "unanswered": 0,
                                                              "calls": 0})
    procedures: Counter = Counter()
    departments: Counter = Counter()
    questions = unanswered = 0
    for turn in turns:
        if turn.procedure:
            procedures[turn.procedure] += 1
        if turn.department:
            departments[turn.department] += 1
        if turn.is_button:
            continue
        day = per_day[day_of(turn.time)]
        day["questions"] += 1
        questions += 1
        if unanswered_reason(turn, threshold):
            day["unanswered"] += 1
            unanswered += 1
    call_count = 0
    for call in calls:
        ts = _iso_time(call.created_at)
        if ts:
            per_day[day_of(ts)]["calls"] += 1
            call_count += 1
    feedback = list(feedback)
    titles = procedure_titles or {}
    return {
        "questions": questions,
        "unanswered": unanswered,
        "unanswered_rate": round(unanswered / questions, 3) if questions else None,
        "calls": call_count,
        "sessions": len({t.sender_id for t in turns}),
        "not_helpful": sum(1 for f in feedback if not f["helpful"]),
        "helpful": sum(1 for f in feedback if f["helpful"]),
        "per_day": [{"day": d, **v} for d, v in sorted(per_day.items())],
        "top_procedures": [{"id": pid, "title": titles.get(pid, pid), "count": n}
                           for pid, n in procedures.most_common(10)],
        "top_departments": [{"name": name, "count": n} for name, n in departments.most_common(10)],
    }


def best_guesses(rasa: Any, text: str, assignable: dict[str, str],
                 limit: int = GUESSES) -> Optional[list[tuple[str, str]]]:
    """(intent, label) the running guide itself would pick for ``text``, best first.

    The response selector's ranking over guide entries comes first, then the intent
    ranking; only intents a question may be assigned to. None when Rasa is down or slow
    (the inbox then offers the whole list without guesses).
    """
    try:
        parse = rasa.parse(text)
    except (RasaUnavailable, OSError, ValueError):  # requests' errors are OSErrors
        return None
    ranked = [key for key, _conf in selector_ranking(parse)]
    ranked += [str(entry.get("name")) for entry in parse.get("intent_ranking") or []
               if isinstance(entry, dict)]
    guesses: list[tuple[str, str]] = []
    for intent in dict.fromkeys(ranked):
        if intent in assignable and len(guesses) < limit:
            guesses.append((intent, assignable[intent]))
    return guesses
