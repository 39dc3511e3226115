"""The kiosk's client for the Rasa server: REST channel for turns, HTTP API with the token."""

from __future__ import annotations

from typing import Any, Optional

import requests


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer a turn (down, timed out, or an empty reply)."""


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout: float = 15.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._http = requests.Session()

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """One visitor turn through the REST channel; the bot's messages, in order."""
        try:
            resp = self._http.post(f"{self.base_url}/webhooks/rest/webhook",
                                   json={"sender": sender, "message": message}, timeout=self.timeout)
        except requests.RequestException as err:
            raise RasaUnavailable(f"Rasa server unreachable: {err.__class__.__name__}") from err
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

    def is_ready(self) -> bool:
        """True once the server answers and has a model loaded."""
        try:
            resp = self._http.get(f"{self.base_url}/status", params={"token": self.token}, timeout=2)
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (requests.RequestException, ValueError):
            return False
