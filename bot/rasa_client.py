"""The kiosk's client for the Rasa server: REST channel for turns, HTTP API with the token."""

from __future__ import annotations

import itertools
import threading
from typing import Any, Optional

import requests


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer a turn (down, timed out, or an empty reply)."""


class RasaClient:
    """Talks to one Rasa server, or spreads turns over several (``RASA_URL`` with commas).

    Several servers share the tracker store and the lock store (production profile), so any
    of them can take any turn; a server that refuses the connection is skipped.
    """

    def __init__(self, base_url: str, token: str, timeout: float = 15.0):
        self.base_urls = [u.strip().rstrip("/") for u in base_url.split(",") if u.strip()]
        self.token = token
        self.timeout = timeout
        self._http = requests.Session()
        # Rasa is the kiosk's own backend (plain HTTP on the machine or the compose network),
        # never behind a proxy, ~/.netrc or a CA bundle from the environment: without this every
        # call reads them again (0.5–1.2 ms of a ~4 ms /model/parse here).
        self._http.trust_env = False
        self._next = itertools.count()
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The first server: the one the HTTP API calls (tracker, parse, status) go to."""
        return self.base_urls[0]

    @base_url.setter
    def base_url(self, url: str) -> None:
        self.base_urls = [url.rstrip("/")]

    def _rotation(self) -> list[str]:
        with self._lock:
            start = next(self._next) % len(self.base_urls)
        return self.base_urls[start:] + self.base_urls[:start]

    def send(self, sender: str, message: str,
             metadata: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
        """One visitor turn through the REST channel; the bot's messages, in order.
        ``metadata`` (the visitor's language) reaches the actions with the message."""
        resp = None
        for url in self._rotation():
            try:
                resp = self._http.post(f"{url}/webhooks/rest/webhook",
                                       json={"sender": sender, "message": message,
                                             **({"metadata": metadata} if metadata else {})},
                                       timeout=self.timeout)
                break
            except requests.ConnectionError:
                continue  # refused: this server is down, the turn never started; try the next
            except requests.RequestException as err:
                # A timeout may mean the turn is still running: never send it twice.
                raise RasaUnavailable(f"Rasa server did not answer: {err.__class__.__name__}") from err
        if resp is None:
            raise RasaUnavailable("Rasa server unreachable: ConnectionError")
        if resp.status_code != 200:
            raise RasaUnavailable(f"Rasa server answered HTTP {resp.status_code}")
        try:
            messages = resp.json()
        except ValueError as err:
            raise RasaUnavailable("Rasa server answered something that is not JSON") from err
        # The REST channel answers 200 with [] when a turn failed inside Rasa.
        if not isinstance(messages, list) or not messages:
            raise RasaUnavailable("Rasa server returned no messages for the turn")
        return messages

    def latest_intent(self, sender: str) -> Optional[dict]:
        """The intent Rasa recorded for the conversation's last message (API, token needed)."""
        try:
            resp = self._http.get(f"{self.base_url}/conversations/{sender}/tracker",
                                  params={"include_events": "NONE", "token": self.token},
                                  timeout=self.timeout)
            resp.raise_for_status()
            intent = (resp.json().get("latest_message") or {}).get("intent") or {}
        except (requests.RequestException, ValueError):
            return None
        return {"name": intent.get("name"), "confidence": intent.get("confidence")} if intent else None

    def parse(self, text: str) -> dict[str, Any]:
        """NLU only (``/model/parse``): intent, entities and the response selector's ranking."""
        resp = self._http.post(f"{self.base_url}/model/parse", params={"token": self.token},
                               json={"text": text}, timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    def status(self, timeout: float = 2.0) -> dict[str, Any]:
        """``GET /status`` of the first server; raises RasaUnavailable when it does not answer."""
        try:
            resp = self._http.get(f"{self.base_url}/status", params={"token": self.token},
                                  timeout=timeout)
            resp.raise_for_status()
            body = resp.json()
        except (requests.RequestException, ValueError) as err:
            raise RasaUnavailable(f"Rasa status: {err.__class__.__name__}") from err
        return body if isinstance(body, dict) else {}

    def model_file(self, timeout: float = 10.0) -> Optional[str]:
        """The model file the first server has loaded (None: no model)."""
        return self.status(timeout).get("model_file") or None

    def is_ready(self) -> bool:
        """True once the server answers and has a model loaded."""
        try:
            return bool(self.model_file(timeout=2))
        except RasaUnavailable:
            return False

    def load_model(self, model_file: str, timeout: float) -> None:
        """``PUT /model`` on the first server; raises RasaUnavailable saying why it failed."""
        try:
            resp = self._http.put(f"{self.base_url}/model", params={"token": self.token},
                                  json={"model_file": model_file}, timeout=timeout)
        except requests.RequestException as err:
            raise RasaUnavailable(err.__class__.__name__) from err
        if resp.status_code not in (200, 204):
            raise RasaUnavailable(f"HTTP {resp.status_code}: {resp.text[:200]}")
