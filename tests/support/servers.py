"""The real servers the tests talk to: Rasa and the action server on test ports, and the kiosk
under gunicorn as in the Procfile. Imported by the conftests and by tests that start their own.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from bot import rasa_server
from bot.rasa_server import free_port, port_free
from bot.settings import REPO

BIN = Path(sys.executable).parent
TEST_RASA_PORT = int(os.environ.get("TEST_RASA_PORT", "5105"))
TEST_ACTIONS_PORT = int(os.environ.get("TEST_ACTIONS_PORT", "5155"))
TEST_TOKEN = "test-token-not-secret"

__all__ = ["BIN", "TEST_TOKEN", "Servers", "free_port", "gunicorn_kiosk", "ok", "wait_until"]


def port_must_be_free(port: int, what: str) -> None:
    """A server left over from an interrupted run would answer the health check in place of
    the one just started (which dies on the taken port), and the tests would run against it."""
    if not port_free(port):
        raise RuntimeError(f"{what}: port {port} is already in use (a server left from an "
                           f"earlier run?); stop it or set TEST_RASA_PORT/TEST_ACTIONS_PORT")


def wait_until(check, timeout: float, what: str, procs) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{what}: a server exited early with code {proc.returncode}")
        if check():
            return
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready after {timeout} s")


class Servers:
    """The real Rasa server and action server, on test ports, with their own tracker store."""

    def __init__(self, workdir: Path, rasa_port: int = TEST_RASA_PORT,
                 actions_port: int = TEST_ACTIONS_PORT, env: dict | None = None,
                 tracker_db: Path | None = None):
        self.workdir = workdir
        self.rasa_port, self.actions_port = rasa_port, actions_port
        self.env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", **(env or {}))
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.actions_url = f"http://127.0.0.1:{actions_port}"
        self.tracker_db = tracker_db or workdir / "trackers.db"
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            f'action_endpoint:\n  url: "{self.actions_url}/webhook"\n'
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.tracker_db}\n",
            encoding="utf-8")
        # GUIDE_MODEL picks a model by hand; by default, the one trained from the current data.
        self.model = os.environ.get("GUIDE_MODEL") or subprocess.run(
            [BIN / "guide", "model-path"], capture_output=True, text=True, check=True,
            cwd=REPO).stdout.strip()
        self.procs: dict[str, subprocess.Popen] = {}

    def start_actions(self) -> None:
        port_must_be_free(self.actions_port, "action server")
        env = dict(self.env, SANIC_HOST="127.0.0.1")
        self.procs["actions"] = subprocess.Popen(
            [BIN / "python", "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=REPO, env=env, stdout=open(self.workdir / "actions.log", "ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: ok(f"{self.actions_url}/health"), 60, "action server",
                    [self.procs["actions"]])

    def start_rasa(self) -> None:
        port_must_be_free(self.rasa_port, "Rasa server")
        self.procs["rasa"] = subprocess.Popen(
            rasa_server.command(self.model, self.rasa_port, self.endpoints),
            cwd=REPO, env=rasa_server.env(TEST_TOKEN, self.env), stdout=open(self.workdir / "rasa.log", "ab"),
            stderr=subprocess.STDOUT)
        wait_until(lambda: ok(f"{self.rasa_url}/status?token={TEST_TOKEN}"), 240, "Rasa server",
                    [self.procs["rasa"]])

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    @contextlib.contextmanager
    def running(self):
        """The action server and Rasa up for the block, both stopped after it."""
        if not Path(self.model).exists():
            raise RuntimeError(f"no trained model at {self.model}: run `make model` (make test does)")
        try:
            self.start_actions()
            self.start_rasa()
            yield self
        finally:
            self.stop_all()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def app(self, **config):
        from kiosk_ui import create_app

        return create_app({"TESTING": True, "RASA_URL": self.rasa_url, "RASA_TOKEN": TEST_TOKEN,
                           **config})


def ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextlib.contextmanager
def gunicorn_kiosk(rasa_url: str, workdir: Path, **env):
    """The kiosk served by gunicorn as in the Procfile, on a free port; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "2", "--threads", "8", "--bind", f"127.0.0.1:{port}",
         "kiosk_ui:create_app()"], cwd=REPO,
        env=dict(os.environ, RASA_URL=rasa_url, RASA_TOKEN=TEST_TOKEN, GUIDE_VAR_DIR=str(workdir), **env),
        stdout=open(workdir / "kiosk.log", "ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: ok(f"{url}/api/health"), 60, "kiosk", [proc])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def ask(client, text=None, payload=None, session=None) -> dict:
    """One turn through a live kiosk client's /api/chat; it must be answered, not degraded."""
    body = {"session_id": session or uuid.uuid4().hex}
    body["payload" if payload else "text"] = payload or text
    resp = client.post("/api/chat", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()
    assert data["degraded"] is False, data
    return data
