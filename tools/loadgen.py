"""Concurrent kiosk sessions against ``POST /api/chat`` (asyncio + aiohttp), for ``guide bench``.

Each simulated kiosk runs its own loop: a typed question from the held-out set, then a button
payload, then a question… A kiosk serves one visitor after another, so every
``turns_per_visitor`` turns it starts a new conversation (a new ``session_id``), as the kiosk
does after its idle reset; the tracker of one conversation therefore never grows without bound.
An answer counts as an error when it is not HTTP 200, is not JSON, or says ``degraded: true``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional


CLIENT_KEEPALIVE_S = 1.0


@dataclass
class LoadResult:
    concurrency: int
    duration_s: float                      # the planned duration (new turns start until then)
    elapsed_s: float = 0.0                 # until the last in-flight answer came back
    latencies_s: list[float] = field(default_factory=list)   # successful answers only
    errors: int = 0
    resent: int = 0                        # requests reset on a kept-alive connection, sent again
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def answers(self) -> int:
        return len(self.latencies_s)

    @property
    def throughput(self) -> float:
        return self.answers / self.elapsed_s if self.elapsed_s else 0.0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def session_id(kiosk: int, visitor: int) -> str:
    return f"bench-k{kiosk:03d}-v{visitor:05d}-{uuid.uuid4().hex[:8]}"


def turn_body(sid: str, turn: int, kiosk: int, texts: list[str], payloads: list[str]) -> dict:
    """Even turns type a question, odd turns tap a button; kiosks start at different places."""
    if turn % 2 == 0 or not payloads:
        return {"session_id": sid, "text": texts[(kiosk * 7 + turn // 2) % len(texts)]}
    return {"session_id": sid, "payload": payloads[(kiosk * 5 + turn // 2) % len(payloads)]}


async def _kiosk(http, url: str, kiosk: int, deadline: float, texts: list[str], payloads: list[str],
                 turns_per_visitor: int, result: LoadResult, timeout: float, think: float = 0.0) -> None:
    import aiohttp

    turn, visitor = 0, 0
    sid = session_id(kiosk, visitor)
    if think:
        await asyncio.sleep(think * kiosk / max(1, result.concurrency))  # kiosks out of step
    while time.monotonic() < deadline:
        if think and turn:
            await asyncio.sleep(think)
            if time.monotonic() >= deadline:
                break
        if turn and turn % turns_per_visitor == 0:
            visitor += 1
            sid = session_id(kiosk, visitor)
        body = turn_body(sid, turn, kiosk, texts, payloads)
        turn += 1
        started = time.perf_counter()
        try:
            answer = await _post(http, url, body, timeout, result)
        except asyncio.TimeoutError:
            result.error("timeout")
            continue
        except (aiohttp.ClientError, ValueError) as err:
            result.error(type(err).__name__)
            continue
        if isinstance(answer, int):
            result.error(f"http_{answer}")
            continue
        elapsed = time.perf_counter() - started
        if not isinstance(answer, dict) or answer.get("degraded") or not answer.get("replies"):
            result.error("degraded" if isinstance(answer, dict) and answer.get("degraded") else "empty")
            continue
        result.latencies_s.append(elapsed)


async def _post(http, url: str, body: dict, timeout: float, result: LoadResult):
    """The answer's JSON, or its HTTP status when not 200.

    A request reset before any answer came back is sent once more, as the kiosk's browser does
    on a kept-alive connection (gunicorn's threaded worker can close one as a request arrives:
    benoitc/gunicorn#1698, #2676); ``resent`` counts them, and a second reset is an error.
    """
    import aiohttp

    for attempt in (1, 2):
        try:
            async with http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                if resp.status != 200:
                    await resp.read()
                    return resp.status
                return await resp.json(content_type=None)
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
            if attempt == 2 or isinstance(err, aiohttp.ClientConnectorError):
                raise
            result.resent += 1


async def run_load_async(base_url: str, concurrency: int, duration: float, texts: list[str],
                         payloads: list[str], turns_per_visitor: int = 6,
                         timeout: float = 30.0, think: float = 0.0) -> LoadResult:
    """``concurrency`` kiosks for ``duration`` s; ``think`` s between a kiosk's answer and its
    next turn (0: closed loop, every kiosk sends its next turn as soon as it has an answer)."""
    import aiohttp

    url = f"{base_url.rstrip('/')}/api/chat"
    result = LoadResult(concurrency=concurrency, duration_s=duration)
    # Idle pooled connections are dropped before gunicorn's keep-alive (2 s by default) closes
    # them: aiohttp reuses the newest connection first, so at a peak an old one idle for ~2 s is
    # taken just as the server closes it, and the request is reset (ClientOSError). A browser
    # resends such a request by itself; aiohttp does not, and the kiosk would be blamed for it.
    connector = aiohttp.TCPConnector(limit=0, force_close=False, keepalive_timeout=CLIENT_KEEPALIVE_S)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(*(_kiosk(http, url, k, deadline, texts, payloads, turns_per_visitor,
                                      result, timeout, think) for k in range(concurrency)))
        result.elapsed_s = time.monotonic() - started
    return result


def run_load(base_url: str, concurrency: int, duration: float, texts: list[str],
             payloads: list[str], turns_per_visitor: int = 6,
             timeout: Optional[float] = 30.0, think: float = 0.0) -> LoadResult:
    return asyncio.run(run_load_async(base_url, concurrency, duration, texts, payloads,
                                      turns_per_visitor, timeout or 30.0, think))
