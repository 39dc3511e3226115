"""The issue's "done when", on the real Rasa and action servers.

A staff member adds 「わんちゃんの登録」 as an example of request/dog_registration, retrains from
the console while kiosks keep asking questions, and the kiosk then routes the new phrasing to
生活衛生課. Training uses a temporary copy of the repository's data, so the repository is untouched.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import yaml
from tests.support.staff import PASSWORD, copy_project, sign_in

from back_office import accounts

pytestmark = pytest.mark.servers

KIOSK_QUESTIONS = ["住民票を取りたい", "パスポートを作りたい", "国民健康保険に入りたい",
                   "犬を飼い始めたので登録したい", "児童手当の申請をしたい"]


@pytest.fixture
def staff_servers_app(servers, tmp_path):
    """The kiosk app on the real servers, with the console on a copy of the project."""
    project = copy_project(tmp_path / "project")
    heldout = yaml.safe_load((project / "data/heldout/visitor_questions.yml").read_text(encoding="utf-8"))
    # Every third held-out question keeps the evaluation short while covering every section.
    subset = tmp_path / "heldout_subset.yml"
    subset.write_text(yaml.safe_dump({"questions": heldout["questions"][::3]}, allow_unicode=True),
                      encoding="utf-8")
    app = servers.app(STAFF_DB=str(tmp_path / "staff.db"), STAFF_PROJECT_DIR=str(project),
                      KIOSK_DB=str(tmp_path / "kiosk.db"), TRACKER_STORE=str(servers.tracker_db),
                      SECRET_KEY="e2e", WTF_CSRF_ENABLED=False, PUBLISH_HELDOUT=str(subset),
                      PUBLISH_MODELS_DIR=str(tmp_path / "models"),
                      PUBLISH_ACTIONS_URL=f"{servers.actions_url}/webhook")
    accounts.add_user(app.config["STAFF_DB"], "tanaka", PASSWORD, "editor")
    serving = requests.get(f"{servers.rasa_url}/status", params={"token": "test-token-not-secret"},
                           timeout=10).json()["model_file"]
    yield app, project
    # Other server tests of the session expect the model they started with.
    if requests.get(f"{servers.rasa_url}/status", params={"token": "test-token-not-secret"},
                    timeout=10).json()["model_file"] != serving:
        requests.put(f"{servers.rasa_url}/model", params={"token": "test-token-not-secret"},
                     json={"model_file": servers.model}, timeout=300)


class KioskLoad:
    """Kiosks asking questions in a loop from a thread pool, recording every answer."""

    def __init__(self, app, workers: int = 3):
        self.app, self.workers = app, workers
        self.stop = threading.Event()
        self.results: list[tuple[float, int, bool, float]] = []
        self.pool = ThreadPoolExecutor(workers)

    def _ask_forever(self, n: int) -> None:
        client = self.app.test_client()
        i = n
        while not self.stop.is_set():
            started = time.monotonic()
            resp = client.post("/api/chat", json={"session_id": f"kiosk-{uuid.uuid4().hex[:12]}",
                                                  "text": KIOSK_QUESTIONS[i % len(KIOSK_QUESTIONS)]})
            degraded = resp.status_code != 200 or resp.get_json().get("degraded", True)
            self.results.append((time.time(), resp.status_code, degraded, time.monotonic() - started))
            i += 1
            time.sleep(0.5)

    def __enter__(self):
        self.futures = [self.pool.submit(self._ask_forever, n) for n in range(self.workers)]
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for future in self.futures:
            future.result(timeout=120)
        self.pool.shutdown()


def ask(client, text):
    resp = client.post("/api/chat", json={"session_id": uuid.uuid4().hex, "text": text})
    assert resp.status_code == 200
    return resp.get_json()


def test_add_an_example_retrain_and_publish_while_the_kiosk_keeps_answering(staff_servers_app,
                                                                             servers):
    app, project = staff_servers_app
    staff = app.test_client()
    assert sign_in(staff, "tanaka").status_code == 302

    page = staff.get("/staff/examples/request/dog_registration").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)
    examples = re.search(r'<textarea[^>]*name="examples"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)
    resp = staff.post("/staff/examples/request/dog_registration",
                      data={"version": version, "examples": examples + "\nわんちゃんの登録"})
    assert resp.status_code == 302
    nlu = (project / "data/nlu/requests_pets_hygiene.yml").read_text(encoding="utf-8")
    assert "    - わんちゃんの登録\n" in nlu

    phases: list[str] = []
    saw_training_progress = False
    started = time.monotonic()
    with KioskLoad(app) as load:
        resp = staff.post("/staff/api/publish")
        assert resp.status_code == 202, resp.get_data(as_text=True)
        while True:
            job = staff.get("/staff/api/publish/status").get_json()["job"]
            if not phases or phases[-1] != job["phase"]:
                phases.append(job["phase"])
            saw_training_progress |= job["phase"] == "training" and job["phase_elapsed"] > 0 \
                and bool(job["progress"])
            if not job["running"]:
                break
            assert time.monotonic() - started < 600, job
            time.sleep(1)
        time.sleep(3)  # a few more kiosk turns on the new model
    assert job["phase"] == "done", job["message"]
    assert phases[0] in ("validating", "training") and phases[-1] == "done"
    assert "training" in phases and "evaluating" in phases and "publishing" in phases
    assert saw_training_progress
    assert job["after"]["department_accuracy"] >= 0.9
    new_model = job["model"]
    status = requests.get(f"{servers.rasa_url}/status", params={"token": "test-token-not-secret"},
                          timeout=10).json()
    assert status["model_file"] == new_model

    # Kiosks kept answering through training, evaluation and the swap: no 5xx, no degraded.
    assert len(load.results) > 20
    failures = [r for r in load.results if r[1] >= 500 or r[2]]
    slowest = max(r[3] for r in load.results)
    print(f"kiosk turns during publish: {len(load.results)}, slowest {slowest:.1f} s, "
          f"failures {len(failures)}")
    assert failures == []

    data = ask(app.test_client(), "わんちゃんの登録")
    assert data["degraded"] is False
    assert data["destination"]["department"] == "生活衛生課"

    # The step is in the history and can be undone (the undo is itself recorded).
    history = staff.get("/staff/history/").get_data(as_text=True)
    assert "request/dog_registration: 例文を編集" in history
    assert staff.post("/staff/history/1/revert").status_code == 302
    assert "わんちゃんの登録" not in (project / "data/nlu/requests_pets_hygiene.yml").read_text(
        encoding="utf-8")
