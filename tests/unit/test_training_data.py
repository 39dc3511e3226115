"""Rasa's own checks on the training data, and freshness of what is generated from the guide."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.nlu_export import GENERATED, render
from bot.settings import REPO

BIN = Path(sys.executable).parent


def test_generated_nlu_is_fresh(guide):
    assert (REPO / GENERATED).read_text(encoding="utf-8") == render(guide), \
        "run `guide export-nlu` after editing data/guide"


def test_guide_check_passes_including_rasa_data_validate():
    result = subprocess.run([BIN / "guide", "check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "rasa data validate: ok" in result.stdout


def test_every_guide_entry_has_training_examples(guide):
    keys = set()
    for path in (REPO / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block and "/" in block["intent"]:
                keys.add(block["intent"].split("/", 1)[1])
    expected = {*guide.procedures, *guide.redirects, *guide.clarifications, *guide.sections,
                *guide.programs, *guide.facilities}
    assert expected - keys == set(), "guide entries without NLU examples"
    assert keys - expected == set(), "NLU examples for ids the guide does not have"


def test_no_example_repeats_another_of_its_intent():
    # The normaliser folds width and case before training, so such a repeat only doubles an
    # example's weight and the retrain's work (606 of them, mostly romanised terms copied into
    # several languages' files, were removed on 2026-12-05).
    seen = Counter()
    for path in sorted((REPO / "data" / "nlu").rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines() if "intent" in block else ():
                if line.lstrip().startswith("- "):
                    text = unicodedata.normalize("NFKC", line.lstrip()[2:]).casefold().strip()
                    seen[(block["intent"], text)] += 1
    assert [k for k, n in seen.items() if n > 1] == []


@pytest.mark.servers
def test_conversation_test_stories(tmp_path):
    model = subprocess.run([BIN / "guide", "model-path"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.strip()
    result = subprocess.run(
        [BIN / "rasa", "test", "core", "--model", model, "--stories", "tests/actions/test_stories.yml",
         "--endpoints", "endpoints.yml", "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
