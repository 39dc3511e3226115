"""Two Rasa servers sharing PostgreSQL (tracker store) and Redis (lock store)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.servers


def send(url: str, sender: str, text: str) -> list[dict]:
    resp = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    resp.raise_for_status()
    return resp.json()


def user_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def turns_are_whole(tracker: dict) -> bool:
    """Each user message is followed by its own actions, ending in action_listen, before the next."""
    waiting_for_listen = False
    for event in tracker["events"]:
        if event["event"] == "user":
            if waiting_for_listen:
                return False
            waiting_for_listen = True
        elif event["event"] == "action" and event.get("name") == "action_listen":
            waiting_for_listen = False
    return not waiting_for_listen


def test_a_conversation_alternating_between_servers_keeps_its_state_and_order(cluster):
    sender = f"alt-{uuid.uuid4().hex[:12]}"
    a, b = cluster.urls["a"], cluster.urls["b"]
    assert send(a, sender, "住民票を取りたい")
    # The follow-up goes to the other server, which must know what was answered before.
    reply = send(b, sender, "持ち物は？")
    assert any("本人確認" in m.get("text", "") for m in reply)
    send(a, sender, "ありがとう")
    for name in ("a", "b"):
        tracker = cluster.tracker(name, sender)
        assert user_texts(tracker) == ["住民票を取りたい", "持ち物は？", "ありがとう"]
        assert tracker["slots"]["current_item"] == "juminhyo"
        assert turns_are_whole(tracker)


def test_concurrent_messages_of_one_conversation_are_serialised_by_the_lock_store(cluster):
    sender = f"burst-{uuid.uuid4().hex[:12]}"
    texts = [f"住民票を{i}通ほしい" for i in range(1, 17)]
    urls = [cluster.urls["a"], cluster.urls["b"]]
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda it: send(urls[it[0] % 2], sender, it[1]), enumerate(texts)))
    assert all(replies), "every message got an answer"
    tracker = cluster.tracker("a", sender)
    assert sorted(user_texts(tracker)) == sorted(texts)
    assert turns_are_whole(tracker)


def test_the_kiosk_spreads_turns_and_survives_one_server_dying(cluster):
    app = cluster.app(["a", "b"])
    client = app.test_client()
    sender = f"kiosk-{uuid.uuid4().hex[:12]}"

    def ask(text):
        resp = client.post("/api/chat", json={"session_id": sender, "text": text})
        assert resp.status_code == 200
        return resp.get_json()

    assert ask("住民票を取りたい")["destination"]["department"] == "戸籍課"
    cluster.kill("a")
    for _ in range(4):  # round robin hits the dead server too: it must be skipped
        data = ask("持ち物は？")
        assert data["degraded"] is False
        assert data["procedure"]["id"] == "juminhyo"
    tracker = cluster.tracker("b", sender)
    assert user_texts(tracker)[0] == "住民票を取りたい"
    assert len(user_texts(tracker)) == 5
