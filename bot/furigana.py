"""Furigana (ruby readings) on kanji, from SudachiPy's readings.

``segments`` splits a text into (base, reading) pieces, the reading only over kanji and
with okurigana left out (持ち帰り → 持(も)ち帰(かえ)り). ``ruby_html`` builds <ruby> markup
from escaped pieces only, so no text can inject markup; the kiosk's script builds the
same elements from ``segments`` with textContent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from typing import Optional

from markupsafe import Markup

from bot.morphology import morphemes
from bot.normalize import to_hiragana

Segment = tuple[str, Optional[str]]

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+")
MAX_TEXT = 2000  # longer texts are shown without readings


def _tokenize(text: str) -> list[tuple[str, str]]:
    """(surface, reading in hiragana) per morpheme."""
    return [(m.surface, to_hiragana(m.reading)) for m in morphemes(text)]


def _align(surface: str, reading: str) -> list[Segment]:
    """Spread a word's reading over its kanji runs, matching its kana runs literally."""
    runs = _RUNS.findall(surface)
    pattern = "".join("(.+?)" if _KANJI.match(run) else re.escape(to_hiragana(run)) for run in runs)
    found = re.fullmatch(pattern, reading)
    if not found:
        return [(surface, reading)]
    groups = iter(found.groups())
    return [(run, next(groups)) if _KANJI.match(run) else (run, None) for run in runs]


@lru_cache(maxsize=2048)
def _segments(text: str) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for surface, reading in _tokenize(text):
        if _KANJI.search(surface) and reading and reading != surface:
            out.extend(_align(surface, reading))
        else:
            out.append((surface, None))
    merged: list[Segment] = []
    for base, rt in out:  # join neighbouring plain pieces, for shorter markup
        if rt is None and merged and merged[-1][1] is None:
            merged[-1] = (merged[-1][0] + base, None)
        else:
            merged.append((base, rt))
    return tuple(merged)


def segments(text: str) -> list[Segment]:
    """[(base, reading or None)] covering ``text`` exactly, readings over kanji only."""
    if not text or len(text) > MAX_TEXT or not _KANJI.search(text):
        return [(text, None)] if text else []
    return list(_segments(text))


def ruby_html(text: str, reading: Optional[str] = None) -> Markup:
    """<ruby> markup for ``text``; with ``reading`` the whole text gets that reading."""
    if reading:
        return Markup(f"<ruby>{escape(text)}<rt>{escape(reading)}</rt></ruby>")
    return Markup("".join(f"<ruby>{escape(base)}<rt>{escape(rt)}</rt></ruby>" if rt else escape(base)
                          for base, rt in segments(text)))


def nouns(text: str) -> list[str]:
    """The nouns of the text as SudachiPy cuts them (long units: 粗大ごみ, 郵便; not the verb
    済み of すみません)."""
    if not text or len(text) > MAX_TEXT:
        return []
    return [m.surface for m in morphemes(text) if m.pos[0] == "名詞"]


def reading(text: str) -> str:
    """The whole text's reading in hiragana (冷蔵庫 → れいぞうこ), for matching kana to kanji."""
    if not text or len(text) > MAX_TEXT:
        return to_hiragana(text or "")
    return "".join(r if r and r != "キゴウ" else s for s, r in _tokenize(text))
