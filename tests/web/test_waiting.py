"""Issue 17, point 6: tickets and crowds from sourced data only; the queue feed, pluggable.

The feed is served by a real HTTP server on a local port (no mock): the kiosk and the
action read it as they would the office's queue display system.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.answers import waiting_utterances
from bot.queue_feed import QueueFeed, parse
from bot.wording import render
from kiosk_ui import create_app
from tests.support.servers import free_port


class Feed:
    """A local queue feed whose body each test sets."""

    def __init__(self):
        self.body: bytes = b""
        self.status = 200
        self.hits = 0
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.hits += 1
                self.send_response(feed.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/queue.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def set(self, data) -> None:
        self.body = json.dumps(data, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def feed():
    f = Feed()
    yield f
    f.server.shutdown()


COUNTS = {"updated": "2024-06-10T10:05:00+09:00",
          "counters": [{"section": "koseki", "desk": "登録担当", "waiting": 12},
                       {"section": "hoken_nenkin", "waiting": 3}]}


def test_guide_data_says_what_is_sourced_and_what_is_not(guide):
    w = guide.office.waiting
    assert w.busy and all(n.verified and n.source.startswith("https://www.city.yokohama.lg.jp/")
                          for n in w.busy)
    # Where tickets are taken at this office is not in any public page: said so, not guessed.
    assert w.tickets and not any(n.verified for n in w.tickets)
    texts = [render(u) for u in waiting_utterances(guide)]
    assert any("確認できていません" in t for t in texts)
    assert any("3月から4月" in t for t in texts)
    assert texts[-1].startswith("いまの待ち人数や待ち時間は、この案内機ではお知らせできません")


def test_feed_counts_are_read_from_a_real_server(feed, guide):
    feed.set(COUNTS)
    status = QueueFeed(feed.url, cache_seconds=0).status(guide)
    assert status.for_section("koseki", "登録担当").waiting == 12
    assert status.for_section("hoken_nenkin").waiting == 3
    assert status.for_section("kodomo") is None
    texts = [render(u) for u in waiting_utterances(guide, status)]
    assert "ただいまの待ち人数：戸籍課 登録担当 12人、保険年金課 3人" in texts


@pytest.mark.parametrize("body,status", [
    (b"not json", 200), (b'{"counters": [{"section": "nowhere", "waiting": 1}]}', 200),
    (b'{"counters": [{"section": "koseki", "waiting": -4}]}', 200), (b"{}", 500),
])
def test_a_broken_feed_shows_nothing(feed, guide, body, status):
    feed.body, feed.status = body, status
    assert QueueFeed(feed.url, cache_seconds=0).status(guide) is None


def test_a_feed_that_is_down_shows_nothing(guide):
    assert QueueFeed(f"http://127.0.0.1:{free_port()}/q", timeout=1, cache_seconds=0).status(guide) is None


def test_feed_answers_are_cached(feed, guide):
    feed.set(COUNTS)
    q = QueueFeed(feed.url, cache_seconds=60)
    q.status(guide), q.status(guide)
    assert feed.hits == 1


def test_parse_refuses_unknown_desks(guide):
    with pytest.raises(ValueError, match="desk"):
        parse({"counters": [{"section": "koseki", "desk": "どこか", "waiting": 1}]}, guide)


def make_app(tmp_path, url=""):
    return create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                       "RASA_TIMEOUT": 2, "KIOSK_DB": str(tmp_path / "k.db"), "QUEUE_FEED_URL": url})


def test_card_shows_the_waiting_count_only_with_a_feed(feed, tmp_path):
    feed.set(COUNTS)
    url = "/fragment/answer/procedure/juminhyo"
    html = make_app(tmp_path, feed.url).test_client().get(url).get_data(as_text=True)
    assert "ただいまの待ち人数" in html and '<span class="big-count">12</span>' in html
    html = make_app(tmp_path).test_client().get(url).get_data(as_text=True)
    assert "待ち人数" not in html


def test_queue_feed_url_comes_from_the_environment(monkeypatch):
    from bot.settings import SettingsError, load_settings

    assert load_settings().queue_feed_url == ""
    monkeypatch.setenv("GUIDE_QUEUE_FEED_URL", "http://queue.local/api/waiting")
    assert load_settings().queue_feed_url == "http://queue.local/api/waiting"
    monkeypatch.setenv("GUIDE_QUEUE_FEED_URL", "file:///etc/passwd")
    with pytest.raises(SettingsError):
        load_settings()
