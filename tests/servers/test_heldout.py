"""Routing accuracy on the held-out visitor questions, through /api/chat on the real servers.

data/heldout/visitor_questions*.yml are never used for training (a test below checks that
no held-out text appears in data/nlu). Targets: ≥ 95 % correct department, ≥ 90 % of redirects,
no out-of-scope question routed to a counter.
"""

from __future__ import annotations

import functools
import json
import re

import pytest
import yaml

from bot.evaluation import asking_kiosk, evaluate, load_questions, print_report
from bot.normalize import normalize
from bot.settings import HELDOUT_DIR, REPO

HELDOUT = HELDOUT_DIR / "visitor_questions.yml"
HELDOUT_2 = HELDOUT_DIR / "visitor_questions_2.yml"
# Set 3: two questions for each service added in December 2026, by an author who saw no
# training data. Measured and reported; the targets below are for sets 1 and 2.
HELDOUT_3 = HELDOUT_DIR / "visitor_questions_3.yml"
ARTIFACTS = REPO / "tests" / "artifacts"


# Every set under data/heldout: the held-out sets, the sealed sets and the development sets
# (a development question trained on would stop telling what the guide misses).
EVERY_SET = sorted(HELDOUT_DIR.rglob("*.yml"))
# Punctuation and spaces do not make a question new: 「…잊어버렸어요」 is 「…잊어버렸어요.」.
_NOT_WORDS = re.compile(r"[\s。、，,.．？?！!・…~〜「」『』()（）]")


def _key(text: str) -> str:
    return _NOT_WORDS.sub("", normalize(text))


@functools.lru_cache(maxsize=1)
def _training_keys() -> frozenset[str]:
    """Every written training example. Not data/nlu/generated_from_guide.yml: it is the guide's
    own names and synonyms, and a visitor who types one (「車庫証明」) is meant to be found by it."""
    keys = set()
    for path in (REPO / "data" / "nlu").rglob("*.yml"):
        if path.name == "generated_from_guide.yml":
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                keys.add(_key(line.strip().removeprefix("- ")))
    return frozenset(keys)


@pytest.mark.parametrize("questions", EVERY_SET, ids=[str(p.relative_to(HELDOUT_DIR)) for p in EVERY_SET])
def test_heldout_set_is_never_used_for_training(questions):
    leaked = [q["text"] for q in load_questions(questions) if _key(q["text"]) in _training_keys()]
    assert leaked == []


def test_heldout_covers_every_section_and_redirect(guide):
    questions = load_questions(HELDOUT)
    assert len(questions) >= 200
    departments = {q["department"] for q in questions if "department" in q}
    assert departments == {s.name for s in guide.sections.values()}
    assert {q["program"] for q in questions if "program" in q} <= set(guide.programs)
    # Every organisation the guide sends visitors to is asked about in a held-out set: sets 1
    # and 3 name redirects by id; the development sets (written before some were added) by name.
    by_id = {q["redirect"] for path in (HELDOUT, HELDOUT_3) for q in load_questions(path) if "redirect" in q}
    assert by_id <= set(guide.redirects)
    by_name = {q["elsewhere"] for path in (HELDOUT_DIR / "dev").glob("*.yml")
               for q in load_questions(path) if "elsewhere" in q}
    uncovered = [r.id for r in guide.redirects.values() if r.id not in by_id and r.name not in by_name]
    assert uncovered == []


@pytest.mark.servers
@pytest.mark.parametrize("questions", [HELDOUT, HELDOUT_2], ids=["set1", "set2"])
def test_heldout_routing_meets_the_targets(live_client, guide, questions):
    """Set 2 was written later by another author and never looked at while tuning."""
    report = evaluate(questions, asking_kiosk(client=live_client), guide)
    print_report(report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"heldout_report_{questions.stem}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    assert report["degraded_answers"] == 0
    assert report["by_kind"]["department"]["accuracy"] >= 0.95
    assert report["by_kind"]["redirect"]["accuracy"] >= 0.90
    assert report["out_of_scope_routed"] == 0
