"""The one place that builds the Rasa server's command line, and the launcher it runs.

``python -m bot.rasa_server --model M --port P --endpoints E`` starts ``rasa run`` in this
process with the API token read from ``RASA_TOKEN``: a token on the command line could be
read by any local user from /proc/<pid>/cmdline.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from bot.private_files import private_file

TOKEN_ENV = "RASA_TOKEN"


def command(model: Path | str, port: int | str, endpoints: Path | str,
            credentials: Path | str = "credentials.yml", interface: str = "127.0.0.1") -> list[str]:
    """The command that serves ``model`` with the REST channel and the token-protected API.

    The token is passed in the environment (``env(token)``), never on the command line.
    """
    return [sys.executable, "-m", "bot.rasa_server", "--model", str(model), "--interface", interface,
            "--port", str(port), "--credentials", str(credentials), "--endpoints", str(endpoints)]


def env(token: str, base: dict | None = None) -> dict:
    """The environment for ``command``: the token, and no telemetry from a ward office machine."""
    return dict(os.environ if base is None else base, **{TOKEN_ENV: token},
                RASA_TELEMETRY_ENABLED="false")


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    """True when a server could bind ``port`` now (an orphan would answer in a new one's place)."""
    with socket.socket() as s:
        # SO_REUSEADDR, as the servers set it: a port left in TIME_WAIT by the last run is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def private_tracker_store(argv: list[str]) -> None:
    """Files Rasa creates are for the guide's user only (umask 077); an SQLite tracker store
    named in the endpoints file is made 0600, in a 0700 directory, before Rasa opens it."""
    os.umask(0o077)
    endpoints = Path(argv[argv.index("--endpoints") + 1]) if "--endpoints" in argv else Path("endpoints.yml")
    if not endpoints.exists():
        return
    from bot.tracker_store import tracker_store_url

    try:
        url = tracker_store_url(endpoints)
    except (KeyError, TypeError, ValueError):
        return
    if url.startswith("sqlite:///"):
        private_file(url[len("sqlite:///"):])


def rasa_run_argv(argv: list[str], token: str) -> list[str]:
    """`rasa run` with the API on behind ``token``. The token is joined to its option with "=":
    a URL-safe random token starts with "-" one time in 64, and argparse then took it for an
    option ("argument -t/--auth-token: expected one argument") and the server did not start."""
    return ["rasa", "run", *argv, "--enable-api", f"--auth-token={token}"]


def main(argv: list[str] | None = None) -> None:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        sys.exit(f"{TOKEN_ENV} is not set: the Rasa API must not run without a token")
    private_tracker_store(sys.argv[1:] if argv is None else argv)
    from rasa.__main__ import main as rasa_main

    # Rasa's own CLI parses sys.argv; the kernel keeps the launcher's argv, without the token.
    sys.argv = rasa_run_argv(sys.argv[1:] if argv is None else argv, token)
    rasa_main()


if __name__ == "__main__":
    main()
