"""Routing accuracy on held-out visitor questions, measured through ``/api/chat``."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Optional

import requests
import yaml

from bot.chat import turn
from bot.guide_data import Guide
from bot.normalize import normalize
from bot.rasa_client import RasaClient

LABELS = ("department", "redirect", "program", "facility", "clarify", "out_of_scope")


def load_questions(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = data["questions"]
    for q in questions:
        labels = [k for k in q if k in LABELS]
        if len(labels) != 1 or not isinstance(q.get("text"), str):
            raise ValueError(f"{path}: each question needs text and exactly one label: {q}")
    return questions


def expected_of(q: dict) -> tuple[str, Any]:
    kind = next(k for k in q if k in LABELS)
    return kind, q[kind]


def predicted_of(answer: dict) -> tuple[str, Any]:
    """What the guide did with a question, in the same terms as the labels."""
    if answer.get("destination"):
        return "department", answer["destination"]["department"]
    if answer.get("redirect"):
        return "redirect", answer["redirect"]["id"]
    if answer.get("program"):
        return "program", answer["program"]["id"]
    if answer.get("facility") and not answer.get("staff_call") and not answer.get("degraded"):
        return "facility", answer["facility"]["id"]
    if answer.get("choices"):
        return "clarify", True
    return "out_of_scope", True


def is_correct(expected: tuple[str, Any], predicted: tuple[str, Any]) -> bool:
    if expected[0] == "out_of_scope":
        # Out of scope is right as long as the visitor is not sent anywhere.
        return predicted[0] in ("out_of_scope", "clarify")
    return expected == predicted


# Asks one question in a fresh conversation: (session id, text) → the /api/chat answer.
Ask = Callable[[str, str], dict]


def asking_rasa(rasa: RasaClient, guide: Guide) -> Ask:
    """Questions through ``bot.chat.turn``, the code path of ``POST /api/chat``, in process."""
    return lambda session_id, text: turn(rasa, guide, session_id, normalize(text))


def asking_kiosk(url: Optional[str] = None, client: Any = None) -> Ask:
    """Questions through a kiosk's ``POST /api/chat``: a running one at ``url``, or a test client."""
    def ask(session_id: str, text: str) -> dict:
        body = {"session_id": session_id, "text": text}
        if client is not None:
            return client.post("/api/chat", json=body).get_json()
        return requests.post(f"{url.rstrip('/')}/api/chat", json=body, timeout=30).json()
    return ask


def evaluate(path: Path, ask: Ask) -> dict:
    """Ask every question with a fresh conversation; count what was routed where."""
    rows = []
    degraded = 0
    for q in load_questions(path):
        answer = ask(f"eval-{uuid.uuid4().hex[:16]}", q["text"])
        degraded += bool(answer.get("degraded"))
        expected, predicted = expected_of(q), predicted_of(answer)
        rows.append({"text": q["text"], "expected": list(expected), "predicted": list(predicted),
                     "correct": is_correct(expected, predicted)})
    return summarise(rows, degraded)


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
    routed_oos = sum(1 for r in rows if r["expected"][0] == "out_of_scope"
                     and r["predicted"][0] in ("department", "redirect"))
    return {
        "total": len(rows),
        "accuracy": ratio([r["correct"] for r in rows]),
        "by_kind": {k: {"n": len(v), "accuracy": ratio(v)} for k, v in sorted(by_kind.items())},
        "by_department": {k: {"n": len(v), "accuracy": ratio(v)} for k, v in sorted(by_department.items())},
        "out_of_scope_routed": routed_oos,
        "degraded_answers": degraded,
        "confusion": [{"expected": e, "predicted": p, "count": n} for (e, p), n in confusion.most_common()],
        "misses": [r for r in rows if not r["correct"]],
    }


def print_report(report: dict, show_misses: bool = True) -> None:
    print(f"questions: {report['total']}   overall accuracy: {report['accuracy']:.1%}")
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
