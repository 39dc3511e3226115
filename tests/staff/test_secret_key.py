"""The staff console's session key, made on first start in the var dir.

gunicorn boots its workers at the same moment; on a fresh var dir each of them reaches
`_secret_key` before any has written the file. One lost the race with FileExistsError
(gunicorn: "worker failed to boot", exit 3), or read the file while it was still empty."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

from bot.settings import load_settings
from kiosk_ui.staff import _secret_key


def _race(var_dir: str, barrier, results) -> None:
    os.environ.pop("GUIDE_SECRET_KEY", None)
    barrier.wait()
    try:
        results.put(("ok", _secret_key(Path(var_dir), "")))
    except Exception as exc:  # the failure this test is about
        results.put(("error", repr(exc)))


def test_workers_starting_together_get_one_whole_key(tmp_path):
    ctx = mp.get_context("fork")
    workers = 8
    for attempt in range(25):
        var_dir = tmp_path / f"var-{attempt}"
        barrier, results = ctx.Barrier(workers), ctx.Queue()
        procs = [ctx.Process(target=_race, args=(str(var_dir), barrier, results)) for _ in range(workers)]
        for p in procs:
            p.start()
        got = [results.get(timeout=30) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        errors = [detail for kind, detail in got if kind == "error"]
        assert not errors, f"attempt {attempt}: {errors[:3]}"
        keys = {detail for _, detail in got}
        assert len(keys) == 1, f"attempt {attempt}: workers got {len(keys)} different keys"
        key = keys.pop()
        assert len(key) >= 64, f"attempt {attempt}: a worker read a partly written key {key!r}"
        assert (var_dir / "secret_key").stat().st_mode & 0o777 == 0o600
        assert [p.name for p in var_dir.iterdir()] == ["secret_key"]  # no temporary files left


def test_an_environment_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDE_SECRET_KEY", "from-the-environment")
    assert _secret_key(tmp_path, load_settings().secret_key) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
