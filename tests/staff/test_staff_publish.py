"""The retrain/publish job without real training: phases, refusals, one job at a time."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from back_office import publish
from back_office.accounts import transaction


def wait_for_end(db, timeout=60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = publish.job_status(db)
        if job and not job["running"]:
            return job
        time.sleep(0.1)
    raise TimeoutError("the job did not finish")


def config_of(app) -> publish.PublishConfig:
    from kiosk_ui.staff.publish import publish_config

    with app.app_context():
        return publish_config()


def test_broken_guide_data_stops_the_job_before_training(app, client_as, project, monkeypatch):
    trained = []
    monkeypatch.setattr(publish.Job, "train", lambda self: trained.append(1))
    path = project / "data/offices/kanazawa/sections.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: eisei", "id: EISEI"),
                    encoding="utf-8")
    resp = client_as("editor").post("/staff/api/publish")
    assert resp.status_code == 202 and resp.get_json()["phase"] == "validating"
    job = wait_for_end(app.config["STAFF_DB"])
    assert job["phase"] == "failed" and trained == []
    assert "案内データに問題があります" in job["message"] and "現在のモデルのまま" in job["message"]
    status = client_as("viewer").get("/staff/api/publish/status").get_json()["job"]
    assert status["phase"] == "failed" and status["phase_label"] == "失敗"


def test_a_stale_generated_nlu_file_stops_the_job(app, project, monkeypatch):
    monkeypatch.setattr(publish.Job, "train", lambda self: pytest.fail("must not train"))
    (project / "data/nlu/generated_from_guide.yml").write_text("version: '3.1'\n", encoding="utf-8")
    publish.start_job(config_of(app), "editor")
    job = wait_for_end(app.config["STAFF_DB"])
    assert job["phase"] == "failed" and "guide export-nlu" in job["message"]


def test_only_one_job_at_a_time(app, client_as, monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(publish.Job, "run", lambda self: release.wait(10))
    editor = client_as("editor")
    assert editor.post("/staff/api/publish").status_code == 202
    resp = editor.post("/staff/api/publish")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "job_running"
    with pytest.raises(publish.JobRunning):
        publish.start_job(config_of(app), "admin")
    assert publish.job_status(app.config["STAFF_DB"])["running"] is True
    release.set()
    deadline = time.monotonic() + 10
    while publish.is_locked(Path(app.config["STAFF_DB"])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not publish.is_locked(Path(app.config["STAFF_DB"]))


def test_a_job_left_running_by_a_dead_process_is_reported_failed(app):
    now = time.time()
    with transaction(app.config["STAFF_DB"]) as conn:
        conn.execute("INSERT INTO publish_jobs (user, started, phase, phase_started) "
                     "VALUES ('editor', ?, 'training', ?)", (now - 60, now - 50))
    job = publish.job_status(app.config["STAFF_DB"])
    assert job["phase"] == "failed" and "中断されました" in job["message"]


def report(dept_accuracy: float) -> dict:
    return {"total": 10, "accuracy": dept_accuracy, "by_kind": {"department": {
        "n": 10, "accuracy": dept_accuracy}}, "out_of_scope_routed": 0, "degraded_answers": 0,
        "misses": []}


def test_a_model_below_the_accuracy_bar_is_not_published(app, monkeypatch, tmp_path):
    db = Path(app.config["STAFF_DB"])
    new, live = tmp_path / "guide-new.tar.gz", tmp_path / "guide-live.tar.gz"
    publish._cache_report(db, new.name, report(0.85))
    publish._cache_report(db, live.name, report(0.95))
    swaps = []
    monkeypatch.setattr(publish.Job, "validate", lambda self: None)
    monkeypatch.setattr(publish.Job, "train", lambda self: new)
    monkeypatch.setattr(publish.Job, "_live_model", lambda self, url=None: live)
    monkeypatch.setattr(publish.RasaClient, "load_model", lambda *a, **k: swaps.append(a))
    publish.start_job(config_of(app), "editor")
    job = wait_for_end(db)
    assert job["phase"] == "failed" and swaps == []
    assert "85.0%" in job["message"] and "基準 90%" in job["message"]
    assert job["before"]["department_accuracy"] == 0.95 and job["after"]["department_accuracy"] == 0.85


class Servers:
    """Live Rasa servers as the publish job sees them: which model each reports, PUT /model."""

    def __init__(self, urls, model, refuse=()):
        self.serving = {url: model for url in urls}
        self.refuse, self.puts = set(refuse), []

    def live_model(self, url=None):
        return self.serving[url or next(iter(self.serving))]

    def load_model(self, client, model_file, timeout):
        """RasaClient.load_model (PUT /model) as each server answers it."""
        server = client.base_url
        self.puts.append((server, Path(model_file).name))
        if server in self.refuse:
            raise publish.RasaUnavailable("HTTP 500: LoadingError")
        self.serving[server] = Path(model_file)


def test_the_bar_is_configurable_and_every_server_gets_the_good_model(make_app, monkeypatch,
                                                                      tmp_path):
    urls = ["http://127.0.0.1:9001", "http://127.0.0.1:9002"]
    app = make_app(PUBLISH_MIN_ACCURACY=0.8, RASA_URL=",".join(urls))
    db = Path(app.config["STAFF_DB"])
    new, live = tmp_path / "guide-new.tar.gz", tmp_path / "guide-live.tar.gz"
    publish._cache_report(db, new.name, report(0.85))
    publish._cache_report(db, live.name, report(0.80))
    servers = Servers(urls, live)
    monkeypatch.setattr(publish.Job, "validate", lambda self: None)
    monkeypatch.setattr(publish.Job, "train", lambda self: new)
    monkeypatch.setattr(publish.Job, "_live_model", servers.live_model)
    monkeypatch.setattr(publish.RasaClient, "load_model",
                        lambda client, model_file, timeout: servers.load_model(client, model_file, timeout))
    publish.start_job(config_of(app), "editor")
    job = wait_for_end(db)
    assert job["phase"] == "done", job["message"]
    assert "80.0% → 85.0%" in job["message"]
    assert servers.puts == [(urls[0], new.name), (urls[1], new.name)]  # one after the other


def test_a_failed_swap_puts_the_previous_model_back(make_app, monkeypatch, tmp_path):
    urls = ["http://127.0.0.1:9001", "http://127.0.0.1:9002"]
    app = make_app(RASA_URL=",".join(urls))
    db = Path(app.config["STAFF_DB"])
    new, live = tmp_path / "guide-new.tar.gz", tmp_path / "guide-live.tar.gz"
    live.write_bytes(b"model")
    publish._cache_report(db, new.name, report(0.95))
    publish._cache_report(db, live.name, report(0.95))
    servers = Servers(urls, live, refuse=[urls[1]])
    monkeypatch.setattr(publish.Job, "validate", lambda self: None)
    monkeypatch.setattr(publish.Job, "train", lambda self: new)
    monkeypatch.setattr(publish.Job, "_live_model", servers.live_model)
    monkeypatch.setattr(publish.RasaClient, "load_model",
                        lambda client, model_file, timeout: servers.load_model(client, model_file, timeout))
    publish.start_job(config_of(app), "editor")
    job = wait_for_end(db)
    assert job["phase"] == "failed" and "サーバー 2/2" in job["message"]
    assert {url: m.name for url, m in servers.serving.items()} == {u: live.name for u in urls}


def test_the_publish_page_shows_the_job(app, client_as, monkeypatch):
    monkeypatch.setattr(publish.Job, "run", lambda self: None)
    client_as("editor").post("/staff/api/publish")
    page = client_as("viewer").get("/staff/publish/").get_data(as_text=True)
    assert "直近の実行 #1" in page and 'data-page="publish"' in page
    assert "再学習して公開する" not in page  # a viewer sees progress but no button


def test_the_publish_page_shows_steps_in_words_not_the_tools_raw_output(app, client_as,
                                                                        monkeypatch):
    """Issue 15: the log showed Rasa's warnings with ANSI colour codes; staff now read steps."""
    import sys

    noisy = ("import sys\n"
             "print('\\x1b[33m/usr/lib/python3/site-packages/rasa/utils/train_utils.py:530: "
             "UserWarning: constrain_similarities is set to `False`.\\x1b[0m')\n"
             "print('Epochs:  35%|###5      | 35/100 [00:10<00:19]')\n"
             "print('\\x1b[31mrasa.shared.exceptions.RasaException: boom\\x1b[0m')\n"
             "sys.exit(1)\n")
    monkeypatch.setattr(publish, "train_into",
                        lambda target, run, **_: run([sys.executable, "-c", noisy]) == 0)
    assert client_as("editor").post("/staff/api/publish").status_code == 202
    job = wait_for_end(app.config["STAFF_DB"])
    viewer = client_as("viewer")
    page = viewer.get("/staff/publish/").get_data(as_text=True)
    status = viewer.get("/staff/api/publish/status").get_data(as_text=True)
    for seen in (page, status):
        assert "\x1b" not in seen and "\\u001b" not in seen
        assert "UserWarning" not in seen and "RasaException" not in seen
    assert job["phase_label"] == "失敗" and "学習に失敗しました" in job["message"]
    assert [(s["label"], s["state"]) for s in job["steps"]] == [
        ("データの検証", "済み"), ("学習", "失敗"), ("精度の確認", "未"),
        ("稼働中のサーバーへの読み込み", "未")]
    assert "学習：<span class=\"state\">失敗</span>" in page and "学習に失敗しました" in page
    # The developer's log keeps the tool's lines, without the colour codes.
    log = viewer.get(f"/staff/publish/{job['id']}/log")
    assert log.mimetype == "text/plain" and "attachment" in log.headers["Content-Disposition"]
    text = log.get_data(as_text=True)
    assert "UserWarning: constrain_similarities" in text and "\x1b" not in text


def test_progress_is_said_in_words():
    assert publish.progress_words(["Epochs:  35%|###5      | 35/100 [00:10<00:19]"]) == \
        "学習の反復 35% まで進みました"
    assert publish.progress_words([
        "2026-12-03 07:05:53 INFO     rasa.engine.training.hooks  - Starting to train component "
        "'GuideEntrySelector'."]) == "案内先（窓口・制度）を学習しています"
    assert publish.clean_line("\x1b[33mUserWarning\x1b[0m\r") == "UserWarning"
    assert publish.steps("evaluating", None)[1:3] == [
        {"phase": "training", "label": "学習", "state": "済み"},
        {"phase": "evaluating", "label": "精度の確認", "state": "実行中"}]
