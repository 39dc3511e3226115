"""Text normalisation for visitor input, before NLU and before matching.

NFKC folds full-width letters/digits and half-width katakana; a few kiosk-specific
rules unify long-vowel marks and spaces. ``normalize_with_offsets`` also returns, for
every character of the result, the offset of the original character it came from,
so entity spans found in normalised text can be mapped back to what the visitor typed.
"""

from __future__ import annotations

import unicodedata

# Characters people type for the katakana long-vowel mark (ー) after kana.
_LONG_VOWEL_LOOKALIKES = set("-‐‑‒–—―−－ｰ〜～~")
# Voiced/semi-voiced marks that combine with the preceding kana under NFKC.
_COMBINING = {"\u3099", "\u309a", "\uff9e", "\uff9f", "\u309b", "\u309c"}
_SPACES = {" ", "\u3000", "\t", "\n", "\r", "\u00a0"}
# The letters of Latin-script text (English, Vietnamese, Portuguese…), for character classes:
# words of these languages are found whole, others inside the text. Here, beside the
# normaliser, because the NLU's words view reads it too: a change retrains the model.
LATIN_LETTERS = "a-zA-Z\u00c0-\u024f\u1e00-\u1eff"
# Typographic quotes, as phone and tablet keyboards type them: "don’t" must read as "don't".
# NFKC keeps them; the training data and the guide's words are written with plain ones.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201f": '"', "\u2033": '"'})


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff" and ch not in "・"


def _clusters(text: str):
    """Yield (start offset, cluster): a character with the marks that combine into it."""
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and (text[j] in _COMBINING or unicodedata.combining(text[j])):
            j += 1
        yield i, text[i:j]
        i = j


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return (normalised text, original offset of each normalised character)."""
    out: list[str] = []
    offsets: list[int] = []
    for start, cluster in _clusters(text):
        # The dakuten forms U+309B/309C become spacing marks under NFKC; join them instead.
        cluster = cluster.replace("\u309b", "\u3099").replace("\u309c", "\u309a")
        piece = unicodedata.normalize("NFKC", cluster).translate(_QUOTES)
        for ch in piece:
            prev = out[-1] if out else ""
            if ch in _SPACES or ch.isspace():
                if not out or prev == " ":
                    continue  # collapse runs of spaces, drop leading ones
                ch = " "
            elif ch in _LONG_VOWEL_LOOKALIKES and _is_kana(prev):
                ch = "ー"
            if ch == "ー" and prev == "ー":
                continue  # 「ケーーキ」 → 「ケーキ」
            if unicodedata.category(ch) in ("Cc", "Cs"):
                continue  # control characters and lone surrogates carry no meaning here
            # Every cased letter, not only ASCII: 「Đăng ký」 at the start of a Vietnamese sentence
            # is the 「đăng ký」 of the examples, 「É」 the Portuguese 「é」. A letter whose lower
            # case is longer (「İ」 → 「i̇」) stays, so each character keeps one offset.
            lower = ch.lower()
            out.append(lower if len(lower) == 1 else ch)
            offsets.append(start)
    while out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def normalize(text: str) -> str:
    """Normalised form of visitor text (NFKC, long vowels, spaces, plain quotes, lower case)."""
    return normalize_with_offsets(text)[0]


def to_hiragana(text: str) -> str:
    """Fold katakana to hiragana, so パスポート and ぱすぽーと match alike."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def _latin_without_marks() -> dict[int, str]:
    """Each accented Latin letter (Latin-1 to Latin Extended Additional) → its base letter."""
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        if "LATIN" not in unicodedata.name(ch, ""):
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base and base != ch:
            table[cp] = base
    return table


_UNMARKED = _latin_without_marks()


def fold_latin(text: str) -> str:
    """Latin letters without diacritics: "đăng ký tạm trú" → "dang ky tam tru", "não" → "nao".

    A kiosk's keyboard has no Vietnamese or Portuguese layout, so visitors type without marks;
    the guide's words and examples are written with them. Only Latin letters change: kana keep
    their voicing marks (が is not か).
    """
    return text.translate(_UNMARKED)


def normalized_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a [start, end) span of the original text into the normalised text."""
    new_start = next((i for i, o in enumerate(offsets) if o >= start), len(offsets))
    new_end = next((i for i, o in enumerate(offsets) if o >= end), len(offsets))
    return new_start, max(new_start, new_end)
