"""Answers per second with one Rasa server and with two, on the same machine (figures, no timing asserts)."""

from __future__ import annotations

import json
import os

import pytest

from tools.bench import button_payloads, latency_summary
from bot.evaluation import load_questions
from bot.guide_data import load_guide
from tools.loadgen import run_load
from bot.settings import HELDOUT_DIR, REPO
from tests.support.servers import gunicorn_kiosk

pytestmark = pytest.mark.servers
SECONDS = float(os.environ.get("SCALE_SECONDS", "15"))
SESSIONS = int(os.environ.get("SCALE_SESSIONS", "20"))


def test_one_server_versus_two(cluster, tmp_path):
    guide = load_guide(REPO / "data" / "guide", REPO / "data" / "offices" / "kanazawa")
    texts = [q["text"] for q in load_questions(HELDOUT_DIR / "visitor_questions.yml")]
    payloads = button_payloads(guide)
    figures = {}
    for label, names in (("one", ["a"]), ("two", ["a", "b"])):
        workdir = tmp_path / label
        workdir.mkdir()
        with gunicorn_kiosk(",".join(cluster.urls[n] for n in names), workdir) as url:
            result = run_load(url, SESSIONS, SECONDS, texts, payloads)
        figures[label] = {"servers": len(names), "answers": result.answers, "errors": result.errors,
                          "resent": result.resent, "answers_per_s": round(result.throughput, 1),
                          **latency_summary(result.latencies_s)}
        assert result.errors == 0, result.error_kinds
    figures["scaling"] = round(figures["two"]["answers_per_s"] / figures["one"]["answers_per_s"], 2)
    print(json.dumps(figures, ensure_ascii=False))
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "scale_report.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
