"""Routing accuracy on the held-out visitor questions, through /api/chat on the real servers.

data/heldout/visitor_questions*.yml are never used for training (a test below checks that
no held-out text appears in data/nlu). Targets: ≥ 95 % correct department, ≥ 90 % of redirects,
no out-of-scope question routed to a counter.
"""

from __future__ import annotations

import json

import pytest
import yaml

from bot.evaluation import asking_kiosk, evaluate, load_questions, print_report
from bot.normalize import normalize
from bot.settings import HELDOUT_DIR, REPO

HELDOUT = HELDOUT_DIR / "visitor_questions.yml"
HELDOUT_2 = HELDOUT_DIR / "visitor_questions_2.yml"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.mark.parametrize("questions", [HELDOUT, HELDOUT_2], ids=["set1", "set2"])
def test_heldout_set_is_never_used_for_training(questions):
    training = set()
    for path in (REPO / "data" / "nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                training.add(normalize(line.strip().removeprefix("- ")))
    leaked = [q["text"] for q in load_questions(questions) if normalize(q["text"]) in training]
    assert leaked == []


def test_heldout_covers_every_section_and_redirect(guide):
    questions = load_questions(HELDOUT)
    assert len(questions) >= 200
    departments = {q["department"] for q in questions if "department" in q}
    assert departments == {s.name for s in guide.sections.values()}
    assert {q["redirect"] for q in questions if "redirect" in q} == set(guide.redirects)
    assert {q["program"] for q in questions if "program" in q} <= set(guide.programs)


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
