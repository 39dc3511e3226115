"""The var directory is 0700 and the files the guide creates in it are 0600."""

from __future__ import annotations

import stat

from back_office.db import transaction
from back_office.staff_calls import StaffCallStore
from bot import rasa_server


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_staff_database_and_its_directory_are_private(tmp_path):
    var = tmp_path / "var"
    with transaction(var / "staff.db") as conn:
        conn.execute("INSERT INTO feedback (time, session_id, helpful) VALUES (0, 's', 1)")
    assert mode(var) == 0o700
    assert mode(var / "staff.db") == 0o600
    for extra in ("staff.db-wal", "staff.db-shm"):
        if (var / extra).exists():
            assert mode(var / extra) == 0o600


def test_an_existing_var_directory_and_database_are_made_private(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "kiosk.db").touch(mode=0o644)
    var.chmod(0o755)
    (var / "kiosk.db").chmod(0o644)
    StaffCallStore(var / "kiosk.db").record("visitor-0001", [])
    assert mode(var) == 0o700 and mode(var / "kiosk.db") == 0o600


def test_the_secret_key_is_private(tmp_path, monkeypatch):
    from kiosk_ui.staff import _secret_key

    var = tmp_path / "var"
    _secret_key(var, "")
    assert mode(var) == 0o700 and mode(var / "secret_key") == 0o600


def test_the_rasa_launcher_makes_the_sqlite_tracker_store_private(tmp_path):
    import os

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: var/trackers.db\n",
                         encoding="utf-8")
    old = os.umask(0o022)
    try:
        rasa_server.private_tracker_store(["--model", "m.tar.gz", "--endpoints", str(endpoints)])
        assert os.umask(0o022) == 0o077  # what Rasa creates from here on is private too
    finally:
        os.umask(old)
    assert mode(tmp_path / "var") == 0o700 and mode(tmp_path / "var" / "trackers.db") == 0o600


def test_the_deployments_run_as_an_unprivileged_user_that_others_cannot_watch():
    import yaml

    from bot.settings import REPO

    for unit in sorted((REPO / "deploy" / "systemd").glob("*.service")):
        lines = set(unit.read_text(encoding="utf-8").splitlines())
        for setting in ("User=guide", "ProtectProc=invisible", "ProtectSystem=strict",
                        "NoNewPrivileges=yes", "PrivateTmp=yes", "UMask=0077"):
            assert setting in lines, (unit.name, setting)
        assert any(line.startswith("ReadWritePaths=/srv/guide") for line in lines), unit.name
    compose = yaml.safe_load((REPO / "deploy" / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in ("actions", "rasa-1", "rasa-2", "kiosk"):
        assert compose["services"][name]["user"] not in ("root", "0", "0:0"), name
    assert "\nUSER guide" in (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")


def test_a_token_that_starts_with_a_dash_still_reaches_rasa():
    """secrets.token_urlsafe starts with "-" one time in 64; argparse took such a token for an
    option and the publish job's evaluation server did not start (found by a CI run)."""
    from rasa.__main__ import create_argument_parser

    args = create_argument_parser().parse_args(
        rasa_server.rasa_run_argv(["--model", "m.tar.gz", "--port", "5005"], "-Ab_c9")[1:])
    assert args.auth_token == "-Ab_c9" and args.enable_api is True and args.port == 5005
