"""Scripted faults with the real processes: the kiosk keeps answering and loses nothing.

These tests start their own Rasa and action servers (on free ports, with their own tracker
store and their own copy of the guide data), because they kill, lock and corrupt them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from bot.settings import REPO
from tests.support.servers import TEST_TOKEN, Servers, free_port

pytestmark = pytest.mark.servers
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def guide_dirs(tmp_path_factory):
    """A private copy of the guide data the action server reads, so it can be corrupted."""
    base = tmp_path_factory.mktemp("fault-guide")
    shutil.copytree(REPO / "data" / "guide", base / "guide")
    office = REPO / "data" / "offices" / "kanazawa"
    if office.exists():
        shutil.copytree(office, base / "office")
    return base / "guide", (base / "office" if office.exists() else None)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, guide_dirs):
    guide_dir, office_dir = guide_dirs
    env = {"GUIDE_DATA_DIR": str(guide_dir)}
    if office_dir:
        env["GUIDE_OFFICE_DIR"] = str(office_dir)
    with Servers(tmp_path_factory.mktemp("faults"), rasa_port=free_port(), actions_port=free_port(),
                 env=env).running() as srv:
        yield srv


@pytest.fixture
def kiosk(faulty, guide_dirs):
    guide_dir, office_dir = guide_dirs
    config = {"GUIDE_DIR": str(guide_dir), "RASA_TIMEOUT": 20}
    if office_dir:
        config["GUIDE_OFFICE_DIR"] = str(office_dir)
    return faulty.app(**config).test_client()


def ask(client, session, text):
    resp = client.post("/api/chat", json={"session_id": session, "text": text})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()
    assert data["replies"] and all(r["text"] for r in data["replies"]), "never silence"
    return data


def user_texts(db: Path, sender: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' "
                            "ORDER BY id", (sender,)).fetchall()
    return [json.loads(r[0])["text"] for r in rows]


def test_rasa_killed_mid_conversation_then_restarted(faulty, kiosk, caplog):
    session = f"fault-kill-{uuid.uuid4().hex[:8]}"
    assert ask(kiosk, session, "住民票を取りたい")["destination"]["department"] == "戸籍課"
    faulty.procs["rasa"].kill()
    faulty.procs["rasa"].wait()
    with caplog.at_level(logging.ERROR):
        meanwhile = ask(kiosk, session, "持ち物は？")
    assert meanwhile["degraded"] is True and meanwhile["facility"]["id"] == "information_desk"
    assert "degraded answer" in caplog.text
    faulty.start_rasa()
    after = ask(kiosk, session, "持ち物は？")
    assert after["degraded"] is False
    # The restarted server read the conversation back from the tracker store.
    assert after["procedure"]["id"] == "juminhyo"
    assert user_texts(faulty.tracker_db, session)[0] == "住民票を取りたい"


def test_action_server_down_gives_a_polite_answer_not_silence(faulty, kiosk):
    faulty.stop("actions")
    try:
        data = ask(kiosk, f"fault-actions-{uuid.uuid4().hex[:8]}", "住民票を取りたい")
        assert data["degraded"] is True
        assert data["facility"]["id"] == "information_desk"
        assert any("総合案内" in r["text"] for r in data["replies"])
        assert data["choices"], "the guide's names still propose what to tap"
    finally:
        faulty.start_actions()
    assert ask(kiosk, f"fault-actions-{uuid.uuid4().hex[:8]}", "住民票を取りたい")["degraded"] is False


def test_tracker_store_locked_still_answers_and_logs(faulty, kiosk, caplog):
    session = f"fault-lock-{uuid.uuid4().hex[:8]}"
    ask(kiosk, session, "こんにちは")
    conn = sqlite3.connect(faulty.tracker_db, timeout=1, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")  # nobody else may read or write the store now
    try:
        with caplog.at_level(logging.ERROR):
            data = ask(kiosk, session, "住民票を取りたい")
        if data["degraded"]:
            assert "degraded answer" in caplog.text
        else:
            # Rasa's fail-safe store answered from memory; the fault is in its log.
            assert data["destination"]["department"] == "戸籍課"
            log = (faulty.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
            assert "database is locked" in log
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert ask(kiosk, session, "住民票を取りたい")["degraded"] is False


def test_corrupted_guide_file_keeps_the_last_good_data(faulty, kiosk, guide_dirs):
    guide_dir, office_dir = guide_dirs
    sections = (office_dir or guide_dir) / "sections.yml"
    original = sections.read_text(encoding="utf-8")
    try:
        sections.write_text(original[: len(original) // 2] + "\n  - id: [broken\n", encoding="utf-8")
        data = ask(kiosk, f"fault-data-{uuid.uuid4().hex[:8]}", "住民票を取りたい")
        assert data["degraded"] is False and data["destination"]["department"] == "戸籍課"
        env = dict(os.environ, GUIDE_DATA_DIR=str(guide_dir))
        if office_dir:
            env["GUIDE_OFFICE_DIR"] = str(office_dir)
        check = subprocess.run([BIN / "guide", "check", "--no-rasa"], env=env, cwd=REPO,
                               capture_output=True, text=True)
        assert check.returncode == 1
        assert "sections.yml" in check.stderr and "invalid YAML" in check.stderr
    finally:
        sections.write_text(original, encoding="utf-8")


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: a real 'No space left on device' for whatever lives on it."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_disk_full_under_the_tracker_store(tmp_path_factory, guide_dirs, small_disk):
    guide_dir, office_dir = guide_dirs
    office = {"GUIDE_OFFICE_DIR": str(office_dir)} if office_dir else {}
    srv = Servers(tmp_path_factory.mktemp("diskfull"), rasa_port=free_port(), actions_port=free_port(),
                  env={"GUIDE_DATA_DIR": str(guide_dir), **office}, tracker_db=small_disk / "trackers.db")
    srv.start_actions()
    srv.start_rasa()
    try:
        client = srv.app(GUIDE_DIR=str(guide_dir), **office).test_client()
        ask(client, "diskfull-warmup", "こんにちは")  # the store's tables exist now
        filler = small_disk / "filler"
        with open(filler, "wb", buffering=0) as f:  # take every free byte of the disk
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        answers = [ask(client, f"diskfull-{i}", "住民票を取りたいです") for i in range(3)]
        # Rasa's fail-safe tracker store keeps the turn going in memory and logs the fault.
        assert all(a["destination"]["department"] == "戸籍課" for a in answers)
        log = (srv.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
        assert "database or disk is full" in log, "the disk never filled: the test proves nothing"
        filler.unlink()
        after = ask(client, "diskfull-after", "住民票を取りたい")
        assert after["degraded"] is False
        assert user_texts(srv.tracker_db, "diskfull-after") == ["住民票を取りたい"]
    finally:
        srv.stop_all()


def test_concurrent_turns_during_a_fault_all_get_answers(faulty, kiosk):
    """A fault while several kiosks talk: every request is answered (degraded or not), none 5xx."""
    results: list[int] = []

    def visitor(i):
        for _ in range(3):
            resp = kiosk.post("/api/chat", json={"session_id": f"fault-many-{i:04d}xx", "text": "住民票"})
            results.append(resp.status_code)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    faulty.stop("actions")
    for t in threads:
        t.join()
    faulty.start_actions()
    assert results and set(results) == {200}


def tree_digest(root: Path, entries: list[str]) -> dict[str, str]:
    digests = {}
    for entry in entries:
        path = root / entry
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file():
                digests[str(file.relative_to(root))] = hashlib.sha256(file.read_bytes()).hexdigest()
    return digests


def test_training_killed_midway_leaves_no_model_and_the_data_untouched(faulty, kiosk, tmp_path):
    """`guide train` whose `rasa train` dies mid-training (say, the OOM killer): no model file
    appears under the name a later run would trust, nothing in data/ changes, and the running
    servers go on answering with the model they have."""
    project = tmp_path / "project"
    for entry in ["bot", "data", "config.yml", "domain.yml", "requirements.lock", "credentials.yml"]:
        (shutil.copytree if (REPO / entry).is_dir() else shutil.copy)(REPO / entry, project / entry)
    inputs = ["data", "config.yml", "domain.yml"]
    before = tree_digest(project, inputs)
    log = tmp_path / "train.log"
    with open(log, "wb") as out:
        guide = subprocess.Popen([BIN / "python", "-m", "tools.cli", "train", "--force"], cwd=project,
                                 env=dict(os.environ, PYTHONPATH=str(project), RASA_TELEMETRY_ENABLED="false"),
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while "Starting to train component 'GuideEntrySelector'" not in log.read_text(errors="replace"):
            assert guide.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.5)
        scratch = [p for p in (project / "models").iterdir() if p.name.startswith(".training-")]
        assert scratch, "training did not run in a scratch directory"
        rasa_train = subprocess.run(["pgrep", "-P", str(guide.pid)], capture_output=True, text=True)
        os.kill(int(rasa_train.stdout.split()[0]), signal.SIGKILL)
        assert guide.wait(timeout=60) != 0
    finally:
        if guide.poll() is None:
            guide.kill()
    assert list((project / "models").iterdir()) == [], "a model or a scratch directory was left"
    assert tree_digest(project, inputs) == before
    data = ask(kiosk, f"fault-train-{uuid.uuid4().hex[:8]}", "住民票を取りたい")
    assert data["degraded"] is False and data["destination"]["department"] == "戸籍課"


def test_rasa_killed_while_swapping_models_comes_back_on_the_previous_one(faulty, kiosk, tmp_path):
    """The staff console's publish step is `PUT /model`; if the server dies while loading the
    new model, the restarted server serves the model it was started with and loses nothing."""
    session = f"fault-swap-{uuid.uuid4().hex[:8]}"
    assert ask(kiosk, session, "住民票を取りたい")["destination"]["department"] == "戸籍課"
    candidate = tmp_path / "guide-candidate.tar.gz"
    shutil.copy(faulty.model, candidate)

    def swap():
        try:
            requests.put(f"{faulty.rasa_url}/model", params={"token": TEST_TOKEN},
                         json={"model_file": str(candidate)}, timeout=120)
        except requests.RequestException:
            pass  # the server dies under it: that is the point

    loader = threading.Thread(target=swap)
    loader.start()
    time.sleep(1.5)  # loading a model takes several seconds: this lands in the middle
    faulty.procs["rasa"].kill()
    faulty.procs["rasa"].wait()
    loader.join()
    meanwhile = ask(kiosk, session, "持ち物は？")
    assert meanwhile["degraded"] is True
    faulty.start_rasa()
    status = requests.get(f"{faulty.rasa_url}/status", params={"token": TEST_TOKEN}, timeout=10).json()
    assert status["model_file"] == Path(faulty.model).name
    after = ask(kiosk, session, "持ち物は？")
    assert after["degraded"] is False and after["procedure"]["id"] == "juminhyo"
