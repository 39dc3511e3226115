"""SudachiPy's long-unit morphemes of a Japanese text, shared by the readings (furigana) and
the places a message names (places)."""

from __future__ import annotations

import threading
from typing import NamedTuple

_lock = threading.Lock()
_tokenizer = None


class Morpheme(NamedTuple):
    surface: str
    reading: str  # katakana, as SudachiPy gives it
    pos: tuple[str, ...]  # 名詞, 固有名詞, 地名, 一般, ...


def morphemes(text: str) -> list[Morpheme]:
    """The text cut in long units (SplitMode.C: 藤沢市, 粗大ごみ); the tokenizer is not
    thread-safe, so one text at a time."""
    global _tokenizer
    from sudachipy import Dictionary, SplitMode

    with _lock:
        if _tokenizer is None:
            _tokenizer = Dictionary().create()
        return [Morpheme(m.surface(), m.reading_form(), tuple(m.part_of_speech()))
                for m in _tokenizer.tokenize(text, SplitMode.C)]
