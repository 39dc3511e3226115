"""The office's queue display system, when it has one: waiting counts per counter.

Configured by URL (GUIDE_QUEUE_FEED_URL); with none, nothing is shown. The feed is JSON:

    {"updated": "2024-06-10T10:05:00+09:00",
     "counters": [{"section": "koseki", "desk": "登録担当", "waiting": 12}, ...]}

``section`` is a section id of the guide data, ``desk`` optional. A feed that is down, slow
or malformed shows nothing (logged): a waiting count is a convenience, never a reason for
the kiosk to fail. Answers are kept for ``CACHE_SECONDS`` so each screen does not ask again.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Optional

import requests

from bot.guide_data import Guide

log = logging.getLogger(__name__)
TIMEOUT = 2.0
CACHE_SECONDS = 20.0
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Waiting:
    section: str
    desk: Optional[str]
    waiting: int


@dataclass(frozen=True)
class QueueStatus:
    updated: Optional[str]
    counters: tuple[Waiting, ...]

    def for_section(self, section: str, desk: Optional[str] = None) -> Optional[Waiting]:
        """The count for this desk, else for the section as a whole."""
        rows = [c for c in self.counters if c.section == section]
        return (next((c for c in rows if desk and c.desk == desk), None)
                or next((c for c in rows if c.desk is None), None)
                or (rows[0] if len(rows) == 1 else None))


def parse(data, guide: Guide) -> QueueStatus:
    """The feed's JSON, checked against the guide; ValueError says what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("counters"), list):
        raise ValueError("expected {\"counters\": [...]}")
    out = []
    for row in data["counters"]:
        if not isinstance(row, dict) or row.get("section") not in guide.sections:
            raise ValueError(f"unknown section in {row!r}")
        count = row.get("waiting")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 10000:
            raise ValueError(f"waiting must be a count in {row!r}")
        desk = row.get("desk")
        if desk is not None and not guide.sections[row["section"]].desk(desk):
            raise ValueError(f"unknown desk in {row!r}")
        out.append(Waiting(row["section"], desk, count))
    updated = data.get("updated")
    return QueueStatus(updated if isinstance(updated, str) else None, tuple(out))


class QueueFeed:
    """Reads one feed URL, with a short cache; ``status`` is None when there is nothing to show."""

    def __init__(self, url: str, timeout: float = TIMEOUT, cache_seconds: float = CACHE_SECONDS):
        self.url, self.timeout, self.cache_seconds = url, timeout, cache_seconds
        self._lock = threading.Lock()
        self._cached: tuple[float, Optional[QueueStatus]] = (0.0, None)

    def status(self, guide: Guide) -> Optional[QueueStatus]:
        if not self.url:
            return None
        with self._lock:
            at, cached = self._cached
            if time.monotonic() - at < self.cache_seconds:
                return cached
            try:
                resp = requests.get(self.url, timeout=self.timeout)
                resp.raise_for_status()
                if len(resp.content) > MAX_BYTES:
                    raise ValueError("feed larger than 64 KiB")
                cached = parse(resp.json(), guide)
            except (requests.RequestException, ValueError) as err:
                log.warning("queue feed %s unusable: %s", self.url, err)
                cached = None
            self._cached = (time.monotonic(), cached)
            return cached


_feeds: dict[str, QueueFeed] = {}


def feed_for(url: str) -> QueueFeed:
    """One feed (and cache) per URL in this process."""
    if url not in _feeds:
        _feeds[url] = QueueFeed(url)
    return _feeds[url]
