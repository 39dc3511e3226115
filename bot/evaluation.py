"""Routing accuracy on held-out visitor questions, measured through ``/api/chat``.

Each question is labelled with where a visitor must go: a ``department`` (section) of the
office, a ``redirect`` (id) or an organisation ``elsewhere`` (by name), a ``program``, a
``facility``, a garbage ``sorting`` category, or nowhere (``out_of_scope``, ``info_desk``,
``clarify``). Every answer then has one outcome, as a visitor lives it:

- right at once: the answer names the right place (for a question about nothing at the office,
  names none, or names the information desk);
- right within one tap: an ask-back whose buttons include one that leads there (or right at once);
  for a question about nothing at the office, the ask-back's button to the information desk;
- asked back: the guide offered buttons instead of an answer;
- confidently wrong: it named a place (counter, organisation, program, category) that is not the right one;
- nothing: no place and no buttons, for a question that had one.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

import requests
import yaml

from bot.chat import turn
from bot.guide_data import Guide
from bot.normalize import normalize
from bot.rasa_client import RasaClient

LABELS = ("department", "redirect", "elsewhere", "program", "facility", "sorting", "clarify",
          "out_of_scope", "info_desk")
# Labels that say the office has no place for the question: right when it sends nobody anywhere.
NOWHERE = ("out_of_scope", "info_desk", "clarify")
OUTCOMES = ("right_at_once", "right_within_one_tap", "asked_back", "confidently_wrong", "nothing")
# The answer languages a visitor of a language reads: a Japanese question written without kanji
# (「じゅうみんひょう ほしい」) is answered in やさしい日本語, which is Japanese with readings
# (bot/detect.py). The reverse does not hold: a reader of easy Japanese needs it.
READ_BY = {"ja": ("ja", "ja-easy")}
BUTTON_ITEM = re.compile(r'"item":\s*"([a-z0-9_]+)"')
# Places the guide renamed after sets named them in their labels (old label → name now).
RENAMED_PLACES = Path(__file__).resolve().parents[1] / "data" / "evaluation" / "renamed_places.yml"


def load_questions(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = data["questions"]
    for q in questions:
        labels = [k for k in q if k in LABELS]
        if len(labels) != 1 or not isinstance(q.get("text"), str):
            raise ValueError(f"{path}: each question needs text and exactly one label: {q}")
    return questions


@lru_cache(maxsize=1)
def renamed_places() -> dict[str, dict[str, str]]:
    """label kind → old label → the place's name now (RENAMED_PLACES; none when absent)."""
    if not RENAMED_PLACES.exists():
        return {}
    return yaml.safe_load(RENAMED_PLACES.read_text(encoding="utf-8")) or {}


def expected_of(q: dict) -> tuple[str, Any]:
    kind = next(k for k in q if k in LABELS)
    value = q[kind]
    if isinstance(value, str):
        value = renamed_places().get(kind, {}).get(value, value)
    return kind, value


def predicted_of(answer: dict) -> tuple[str, Any]:
    """What the guide did with a question, in the same terms as the labels."""
    # Labels name places in Japanese (the signs in the building); answers in another language
    # carry the Japanese beside the translation.
    if answer.get("destination"):
        dest = answer["destination"]
        return "department", dest.get("department_ja") or dest["department"]
    if answer.get("redirect"):
        return "redirect", answer["redirect"]["id"]
    if answer.get("sorting"):
        return "sorting", answer["sorting"].get("category")
    if answer.get("program"):
        return "program", answer["program"]["id"]
    if answer.get("facility") and not answer.get("staff_call") and not answer.get("degraded"):
        return "facility", answer["facility"]["id"]
    if answer.get("choices"):
        return "clarify", True
    return "out_of_scope", True


def _same_place(expected: tuple[str, Any], place: tuple[str, Any]) -> bool:
    """An organisation or a garbage category may be labelled by a shorter form of its name
    (法テラス for 法テラス（日本司法支援センター）, 市では収集しない for 市では収集しないもの):
    the development sets were written before those entries existed."""
    if expected == place:
        return True
    if expected[0] != place[0] or expected[0] not in ("elsewhere", "sorting"):
        return False
    label, name = str(expected[1]), str(place[1] or "")
    return bool(label) and name.startswith(label)


def places_of(answer: dict) -> set[tuple[str, Any]]:
    """Every label a confident answer satisfies (a redirect by its id and by its name).

    A life event's plan shows every counter of the errand at once, numbered, on the maps: each
    of its steps is a place the visitor is sent to (「夫が亡くなった、年金は？」 is answered by
    the おくやみ plan, whose third step is 保険年金課).
    """
    kind, value = predicted_of(answer)
    places = {(kind, value)}
    if kind == "redirect":
        red = answer["redirect"]
        places.add(("elsewhere", red.get("name_ja") or red.get("name")))
    if kind == "program" and answer["program"].get("in_charge_verified"):
        # A program's answer names the section in charge when a page confirms it.
        prog = answer["program"]
        places.add(("department", prog.get("department_ja") or prog.get("department")))
    if answer.get("sorting"):
        # A bulky item's sorting also names the reception centre (a redirect): both are right.
        places.add(("sorting", answer["sorting"].get("category")))
    for step in answer.get("plan") or []:
        if step.get("redirect"):
            red = step["redirect"]
            places |= {("redirect", red.get("id")), ("elsewhere", red.get("name_ja") or red.get("name"))}
        else:
            places.add(("department", step.get("department_ja") or step.get("department")))
    return places


def button_places(guide: Guide, answer: dict) -> set[tuple[str, Any]]:
    """Where the answer's buttons lead with one tap (a vague-topic button leads to more buttons)."""
    places: set[tuple[str, Any]] = set()
    for button in answer.get("choices") or []:
        match = BUTTON_ITEM.search(button.get("payload") or "")
        item = match.group(1) if match else None
        kind = guide.kind_of(item) if item else None
        if kind == "procedure":
            places.add(("department", guide.sections[guide.procedures[item].section].name))
        elif kind == "section":
            places.add(("department", guide.sections[item].name))
        elif kind == "redirect":
            places |= {("redirect", item), ("elsewhere", guide.redirects[item].name)}
        elif kind in ("program", "facility"):
            places.add((kind, item))
    return places


def outcome_of(expected: tuple[str, Any], answer: dict, guide: Optional[Guide] = None) -> str:
    """One of OUTCOMES for an answer to a question labelled ``expected``."""
    kind, value = predicted_of(answer)
    if expected[0] == "clarify":
        # A vague question ("証明書がほしい"): asking which one is the right answer, also when
        # every choice is at one counter and the answer names it (「引っ越し」 → 戸籍課, which one?).
        if kind == "clarify" or answer.get("choices") and kind == "department":
            return "right_at_once"
        return "confidently_wrong" if kind in ("department", "redirect", "program", "sorting") \
            else "nothing"
    if expected[0] in NOWHERE:
        if kind == "out_of_scope":
            return "right_at_once"
        if expected[0] != "clarify" and guide is not None \
                and (kind, value) == ("facility", guide.office.information_desk.id):
            # The information desk named as the place to go (「どこへ行けばいいか分からない」):
            # where such a visitor goes. A vague question still needs its choices.
            return "right_at_once"
        if kind == "clarify":
            # The guesses' last button, 「どれでもない（総合案内へ）」, is where such a visitor goes.
            desk = guide is not None and ("facility", guide.office.information_desk.id) \
                in button_places(guide, answer)
            return "right_within_one_tap" if desk else "asked_back"
        return "confidently_wrong"
    if any(_same_place(expected, place) for place in places_of(answer)):
        return "right_at_once"
    if kind == "clarify":
        # A button's place is matched as an answer's is (_same_place: a shorter name).
        reachable = guide is not None and any(_same_place(expected, place)
                                              for place in button_places(guide, answer))
        return "right_within_one_tap" if reachable else "asked_back"
    if kind in ("out_of_scope", "facility"):
        return "nothing"
    return "confidently_wrong"


def is_correct(expected: tuple[str, Any], predicted: tuple[str, Any]) -> bool:
    if expected[0] in NOWHERE:
        # Out of scope is right as long as the visitor is not sent anywhere.
        return predicted[0] in ("out_of_scope", "clarify")
    if expected[0] == "elsewhere":
        return False  # an organisation's name is checked through places_of (it needs the answer)
    return expected == predicted


# Asks one question in a fresh conversation: (session id, text) → the /api/chat answer.
Ask = Callable[[str, str], dict]


def asking_rasa(rasa: RasaClient, guide: Guide, lang: Optional[str] = None) -> Ask:
    """Questions through ``bot.chat.turn``, the code path of ``POST /api/chat``, in process.
    ``lang``: the kiosk's language button (None: the language is detected per question)."""
    return lambda session_id, text: turn(rasa, guide, session_id, normalize(text), lang=lang)


def asking_kiosk(url: Optional[str] = None, client: Any = None, lang: Optional[str] = None) -> Ask:
    """Questions through a kiosk's ``POST /api/chat``: a running one at ``url``, or a test client."""
    def ask(session_id: str, text: str) -> dict:
        body = {"session_id": session_id, "text": text, **({"lang": lang} if lang else {})}
        if client is not None:
            return client.post("/api/chat", json=body).get_json()
        return requests.post(f"{url.rstrip('/')}/api/chat", json=body, timeout=30).json()
    return ask


def evaluate(path: Path, ask: Ask, guide: Optional[Guide] = None,
             lang: Optional[str] = None) -> dict:
    """Ask every question with a fresh conversation; count what was routed where.

    With ``guide``, an ask-back counts as right within one tap when one of its buttons leads
    to the right place. With ``lang``, the report also says how many answers came in a language
    its visitor reads (READ_BY), and in which languages the answers came.
    """
    rows = []
    degraded = 0
    answered_in: Counter = Counter()
    for q in load_questions(path):
        answer = ask(f"eval-{uuid.uuid4().hex[:16]}", q["text"])
        degraded += bool(answer.get("degraded"))
        answered_in[answer.get("lang")] += 1
        expected, predicted = expected_of(q), predicted_of(answer)
        outcome = outcome_of(expected, answer, guide)
        rows.append({"text": q["text"], "expected": list(expected), "predicted": list(predicted),
                     "correct": is_correct(expected, predicted) or outcome == "right_at_once",
                     "outcome": outcome, "register": q.get("register")})
    report = summarise(rows, degraded)
    if lang:
        n = sum(answered_in.values())
        report["lang"] = lang
        report["in_language"] = round(sum(answered_in[code] for code in READ_BY.get(lang, (lang,))) / n, 4) \
            if n else None
        report["answered_in"] = {code or "none": count for code, count in answered_in.most_common()}
    return report


def summarise(rows: list[dict], degraded: int = 0) -> dict:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_department: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter = Counter()
    for row in rows:
        kind, value = row["expected"]
        by_kind[kind].append(row["correct"])
        if kind == "department":
            by_department[value].append(row["correct"])
        if not row["correct"]:
            confusion[(f"{kind}:{value}", "{}:{}".format(*row["predicted"]))] += 1
    ratio = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
    routed_oos = sum(1 for r in rows if r["expected"][0] in ("out_of_scope", "info_desk")
                     and r["predicted"][0] in ("department", "redirect"))
    outcomes = Counter(r["outcome"] for r in rows if "outcome" in r)
    return {
        "total": len(rows),
        "accuracy": ratio([r["correct"] for r in rows]),
        "outcomes": {
            "right_at_once": ratio([r.get("outcome") == "right_at_once" for r in rows]),
            "right_within_one_tap": ratio([r.get("outcome") in ("right_at_once", "right_within_one_tap")
                                           for r in rows]),
            "asked_back": ratio([r.get("outcome") in ("asked_back", "right_within_one_tap") for r in rows]),
            "confidently_wrong": ratio([r.get("outcome") == "confidently_wrong" for r in rows]),
            "nothing": ratio([r.get("outcome") == "nothing" for r in rows]),
            # The one tap that is the information desk's button, for a question about nothing
            # at the office: counted since 2026-12-07, so reported apart for comparison.
            "within_one_tap_by_the_desk": ratio([r.get("outcome") == "right_within_one_tap"
                                                 and r["expected"][0] in NOWHERE for r in rows]),
            "counts": {o: outcomes[o] for o in OUTCOMES},
        } if outcomes else None,
        "by_kind": {k: {"n": len(v), "accuracy": ratio(v)} for k, v in sorted(by_kind.items())},
        "by_department": {k: {"n": len(v), "accuracy": ratio(v)} for k, v in sorted(by_department.items())},
        "out_of_scope_routed": routed_oos,
        "degraded_answers": degraded,
        "confusion": [{"expected": e, "predicted": p, "count": n} for (e, p), n in confusion.most_common()],
        "misses": [r for r in rows if not r["correct"]],
    }


def print_report(report: dict, show_misses: bool = True) -> None:
    print(f"questions: {report['total']}   overall accuracy: {report['accuracy']:.1%}")
    if report.get("lang"):
        shares = ", ".join(f"{code} {count}" for code, count in report["answered_in"].items())
        print(f"  language {report['lang']}: answered in it {report['in_language']:.1%} ({shares})")
    if report.get("outcomes"):
        o = report["outcomes"]
        print(f"  right at once {o['right_at_once']:.1%}   right within one tap {o['right_within_one_tap']:.1%}"
              f" (by the desk button {o['within_one_tap_by_the_desk']:.1%})"
              f"   asked back {o['asked_back']:.1%}   confidently wrong {o['confidently_wrong']:.1%}"
              f"   nothing {o['nothing']:.1%}")
    if report["degraded_answers"]:
        print(f"WARNING: {report['degraded_answers']} answers were degraded (Rasa unavailable)")
    for kind, row in report["by_kind"].items():
        print(f"  {kind:<14} n={row['n']:<4} accuracy={row['accuracy']:.1%}")
    print(f"  out-of-scope questions routed to a counter or elsewhere: {report['out_of_scope_routed']}")
    print("per department:")
    for dept, row in report["by_department"].items():
        print(f"  {dept:<28} n={row['n']:<4} accuracy={row['accuracy']:.1%}")
    if report["confusion"]:
        print("confusion pairs (expected → predicted):")
        for c in report["confusion"][:30]:
            print(f"  {c['count']:>3}  {c['expected']} → {c['predicted']}")
    if show_misses and report["misses"]:
        print("misses:")
        for m in report["misses"]:
            print(f"  {m['text']}  expected {m['expected'][0]}={m['expected'][1]}"
                  f"  got {m['predicted'][0]}={m['predicted'][1]}")
