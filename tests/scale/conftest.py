"""Real PostgreSQL and Redis on loopback, and two Rasa servers sharing them.

.ci/run installs Debian's postgresql and redis-server; these fixtures start private
instances in a temporary directory (never the system's own), on their own ports.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

from bot import rasa_server
from bot.settings import REPO
from tests.support.servers import TEST_TOKEN, free_port, ok as _ok, wait_until as _wait_until

BIN = Path(sys.executable).parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path("/usr/lib/postgresql").exists() else None


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    if PG_BIN is None or not shutil.which("redis-server"):
        pytest.fail("PostgreSQL and Redis are needed: apt-get install postgresql redis-server (.ci/run does)")
    # Not under pytest's basetemp: that is private to root, and PostgreSQL runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="guide-pg-"))
    data, sock = base / "data", base / "sock"
    data.mkdir(), sock.mkdir()
    if os.geteuid() == 0:
        uid = pwd.getpwnam("postgres")
        for path in (base, data, sock):
            os.chown(path, uid.pw_uid, uid.pw_gid)
    port = free_port()
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "guide",
                                 "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "pg.log"), "-w",
                                 "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "guide",
                        "-d", "postgres", "-c", "CREATE DATABASE trackers"], check=True, capture_output=True)
        yield {"host": "127.0.0.1", "port": port, "user": "guide", "db": "trackers"}
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    _wait_until(lambda: _ping(client), 20, "redis", [proc])
    yield {"host": "127.0.0.1", "port": port}
    proc.terminate()
    proc.wait(timeout=10)


def _ping(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


class Cluster:
    """One action server and N Rasa servers on the production endpoints (PostgreSQL + Redis)."""

    def __init__(self, workdir: Path, postgres: dict, redis_server: dict):
        self.workdir = workdir
        self.actions_port = free_port()
        self.env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SANIC_HOST="127.0.0.1",
                        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
                        POSTGRES_HOST=postgres["host"], POSTGRES_PORT=str(postgres["port"]),
                        POSTGRES_DB=postgres["db"], POSTGRES_USER=postgres["user"], POSTGRES_PASSWORD="",
                        REDIS_HOST=redis_server["host"], REDIS_PORT=str(redis_server["port"]), REDIS_DB="0")
        self.model = os.environ.get("GUIDE_MODEL") or subprocess.run(
            [BIN / "guide", "model-path"], capture_output=True, text=True, check=True, cwd=REPO).stdout.strip()
        self.procs: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}

    def start_actions(self) -> None:
        self.procs["actions"] = subprocess.Popen(
            [BIN / "python", "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=REPO, env=self.env, stdout=open(self.workdir / "actions.log", "ab"), stderr=subprocess.STDOUT)
        _wait_until(lambda: _ok(f"http://127.0.0.1:{self.actions_port}/health"), 60, "action server",
                    [self.procs["actions"]])

    def start_rasa(self, name: str) -> str:
        port = free_port()
        self.procs[name] = subprocess.Popen(
            rasa_server.command(self.model, port, "endpoints.production.yml"),
            cwd=REPO, env=rasa_server.env(TEST_TOKEN, self.env), stdout=open(self.workdir / f"{name}.log", "ab"), stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        _wait_until(lambda: _ok(f"{url}/status?token={TEST_TOKEN}"), 240, f"Rasa server {name}",
                    [self.procs[name]])
        self.urls[name] = url
        return url

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait(timeout=30)
        self.urls.pop(name, None)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def tracker(self, name: str, sender: str) -> dict:
        resp = requests.get(f"{self.urls[name]}/conversations/{sender}/tracker",
                            params={"token": TEST_TOKEN}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def app(self, names: list[str]):
        from kiosk_ui import create_app

        return create_app({"TESTING": True, "RASA_TOKEN": TEST_TOKEN,
                           "RASA_URL": ",".join(self.urls[n] for n in names)})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres, redis_server):
    c = Cluster(tmp_path_factory.mktemp("cluster"), postgres, redis_server)
    if not Path(c.model).exists():
        pytest.fail(f"no trained model at {c.model}: run `make model` (make test does)")
    try:
        c.start_actions()
        c.start_rasa("a")
        c.start_rasa("b")
        yield c
    finally:
        c.stop_all()
