"""The sealed evaluation sets are as committed: a changed question would change what they measure."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from bot.evaluation import LABELS
from bot.settings import HELDOUT_DIR

SEALED = HELDOUT_DIR / "sealed"


def _sums() -> dict[str, str]:
    lines = (SEALED / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def test_every_sealed_set_has_its_hash_and_no_other_file_is_there():
    assert set(_sums()) == {p.name for p in SEALED.glob("*.yml")}


@pytest.mark.parametrize("name", sorted(_sums()))
def test_a_sealed_set_is_unchanged(name):
    assert hashlib.sha256((SEALED / name).read_bytes()).hexdigest() == _sums()[name]


@pytest.mark.parametrize("path", sorted((HELDOUT_DIR / "sealed").glob("*.yml"))
                         + sorted((HELDOUT_DIR / "dev").glob("*.yml")), ids=lambda p: p.parent.name + "/" + p.name)
def test_each_question_has_one_label(path):
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    assert questions
    for q in questions:
        assert isinstance(q["text"], str) and q["text"].strip()
        assert len(set(LABELS) & set(q)) == 1, q
