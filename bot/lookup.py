"""The counter tablet's search: every guide entry, ranked, from the first keystroke.

Staff type a few characters (「戸籍」, 「こく」, 「koku」) and expect every procedure that
starts so on screen, best first. Each entry is indexed under its title and synonyms
(kana-folded), their readings (the data's ``reading``, else SudachiPy's), and matched
against the typed text as kanji, kana or romaji. The guide's matcher (whole mentions
and near spellings) adds what a longer question names.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Optional

from bot.furigana import reading
from bot.guide_data import Guide
from bot.matcher import KINDS, Match, matcher_for
from bot.normalize import normalize, to_hiragana

# The tablet shows this many results without scrolling (800×1280, one line per result).
SHOWN = 8

# Hepburn and kunrei spellings to hiragana, longest first, as an IME reads them.
_ROMAJI = {
    "kya": "きゃ", "kyu": "きゅ", "kyo": "きょ", "sha": "しゃ", "shu": "しゅ", "sho": "しょ",
    "sya": "しゃ", "syu": "しゅ", "syo": "しょ", "cha": "ちゃ", "chu": "ちゅ", "cho": "ちょ",
    "tya": "ちゃ", "tyu": "ちゅ", "tyo": "ちょ", "nya": "にゃ", "nyu": "にゅ", "nyo": "にょ",
    "hya": "ひゃ", "hyu": "ひゅ", "hyo": "ひょ", "mya": "みゃ", "myu": "みゅ", "myo": "みょ",
    "rya": "りゃ", "ryu": "りゅ", "ryo": "りょ", "gya": "ぎゃ", "gyu": "ぎゅ", "gyo": "ぎょ",
    "bya": "びゃ", "byu": "びゅ", "byo": "びょ", "pya": "ぴゃ", "pyu": "ぴゅ", "pyo": "ぴょ",
    "jya": "じゃ", "jyu": "じゅ", "jyo": "じょ", "zya": "じゃ", "zyu": "じゅ", "zyo": "じょ",
    "shi": "し", "chi": "ち", "tsu": "つ", "ja": "じゃ", "ju": "じゅ", "jo": "じょ", "ji": "じ",
    "ka": "か", "ki": "き", "ku": "く", "ke": "け", "ko": "こ", "sa": "さ", "si": "し",
    "su": "す", "se": "せ", "so": "そ", "ta": "た", "ti": "ち", "tu": "つ", "te": "て",
    "to": "と", "na": "な", "ni": "に", "nu": "ぬ", "ne": "ね", "no": "の", "ha": "は",
    "hi": "ひ", "fu": "ふ", "hu": "ふ", "he": "へ", "ho": "ほ", "ma": "ま", "mi": "み",
    "mu": "む", "me": "め", "mo": "も", "ya": "や", "yu": "ゆ", "yo": "よ", "ra": "ら",
    "ri": "り", "ru": "る", "re": "れ", "ro": "ろ", "wa": "わ", "wo": "を", "ga": "が",
    "gi": "ぎ", "gu": "ぐ", "ge": "げ", "go": "ご", "za": "ざ", "zi": "じ", "zu": "ず",
    "ze": "ぜ", "zo": "ぞ", "da": "だ", "di": "ぢ", "du": "づ", "de": "で", "do": "ど",
    "ba": "ば", "bi": "び", "bu": "ぶ", "be": "べ", "bo": "ぼ", "pa": "ぱ", "pi": "ぴ",
    "pu": "ぷ", "pe": "ぺ", "po": "ぽ", "nn": "ん", "a": "あ", "i": "い", "u": "う",
    "e": "え", "o": "お", "-": "ー",
}
_ROMAJI_RE = re.compile("|".join(sorted(map(re.escape, _ROMAJI), key=len, reverse=True)))


def romaji_to_kana(text: str) -> Optional[str]:
    """「juumin」 → 「じゅうみん」; None when the text is not romaji.

    A trailing consonant still being typed (「kok」) is dropped, a doubled one is っ, and
    an n before a consonant or at the end is ん, as a Japanese input method reads them.
    """
    if not re.fullmatch(r"[a-z\- ]+", text):
        return None
    text = text.replace(" ", "")
    out, i = [], 0
    while i < len(text):
        if text[i] == "n" and (i + 1 == len(text) or text[i + 1] not in "aiueoy"):
            out.append("ん")
            i += 2 if text[i + 1:] == "n" else 1  # 「nn」 at the end is one ん
            continue
        if i + 1 < len(text) and text[i] == text[i + 1] and text[i] not in "aiueon-":
            out.append("っ")
            i += 1
            continue
        m = _ROMAJI_RE.match(text, i)
        if not m:
            if i == len(text) - 1 or text[i + 1:i + 2] in "ysh":
                break  # the syllable being typed: match on what is complete
            return None
        out.append(_ROMAJI[m.group()])
        i = m.end()
    return "".join(out) or None


def _key(text: str) -> str:
    return to_hiragana(normalize(text)).replace(" ", "")


_LONG = re.compile(r"(?<=[うくすつぬふむゆるぐずづぶぷゅおこそとのほもよろごぞどぼぽょ])う|ー")


def _short(kana: str) -> str:
    """じゅうみんひょう → じゅみんひょ: the reading without its long vowels."""
    return _LONG.sub("", kana)


@dataclass(frozen=True)
class _Entry:
    kind: str
    id: str
    title: str
    order: int
    names: tuple[str, ...]      # kana-folded titles and synonyms
    readings: tuple[str, ...]   # their readings in hiragana, also with long vowels folded


class CounterSearch:
    """The ranked index over one loaded guide."""

    def __init__(self, guide: Guide):
        self.guide = guide
        self.entries: list[_Entry] = []
        given = {("procedure", p.id): p.reading for p in guide.procedures.values()}
        given.update({("section", s.id): s.reading for s in guide.sections.values()})
        for order, (kind, item_id, title, words) in enumerate(guide.named_entries()):
            if kind == "clarification":
                continue  # a question back, not a destination staff can show
            names = tuple(dict.fromkeys(k for k in map(_key, (title, *words)) if k))
            readings = {_key(given[(kind, item_id)])} if (kind, item_id) in given else set()
            readings.update(_key(reading(n)) for n in (title, *words))
            # Romaji typists often skip long vowels (jumin for じゅうみん).
            readings.update({_short(r) for r in readings})
            self.entries.append(_Entry(kind, item_id, title, order, names,
                                       tuple(r for r in readings if r)))

    @staticmethod
    def _score(entry: _Entry, q: str, kana: Optional[str]) -> tuple[float, int]:
        """(score, length of the name that scored): higher is better, shorter breaks ties."""
        best = (0.0, 99)
        for name in entry.names:
            if name == q:
                s = 100.0
            elif name.startswith(q):
                s = 90.0
            elif q in name:
                s = 70.0
            elif len(name) >= 2 and name in q:
                s = 80.0 + min(len(name), 9)  # the question names it: longer names are surer
            else:
                continue
            best = max(best, (s, -len(name)))
        for reading in entry.readings:
            for typed, bonus in ((q, 0.0), (kana, -2.0)):
                if not typed:
                    continue
                if reading == typed or reading.startswith(typed):
                    s = 86.0 + bonus
                elif len(typed) >= 2 and typed in reading:
                    s = 60.0 + bonus
                else:
                    continue
                best = max(best, (s, -len(reading)))
        return best[0], -best[1]

    def search(self, text: str, limit: int = SHOWN) -> list[Match]:
        """The entries that fit the typed text, best first."""
        q = _key(text)
        if not q:
            return []
        kana = romaji_to_kana(q)
        kana = _short(kana) if kana else None
        scored: dict[tuple[str, str], tuple] = {}
        by_id = {(e.kind, e.id): e for e in self.entries}
        for e in self.entries:
            score, length = self._score(e, q, kana)
            if score:
                scored[(e.kind, e.id)] = (score, length, e)
        # Near spellings from the guide's matcher rank below every direct hit.
        for m in matcher_for(self.guide).similar(text, limit=limit, threshold=0.6):
            e = by_id.get((m.kind, m.id))
            if e and (m.kind, m.id) not in scored:
                scored[(m.kind, m.id)] = (40.0 * m.score, 99, e)
        ranked = sorted(scored.values(),
                        key=lambda t: (-t[0], KINDS.index(t[2].kind), t[1], t[2].order))
        return [Match(e.kind, e.id, e.title, round(score / 100, 3))
                for score, _, e in ranked[:limit]]


_lock = threading.Lock()
_CACHE: dict[int, tuple[Guide, CounterSearch]] = {}


def counter_search(guide: Guide) -> CounterSearch:
    """One index per loaded guide (built on first use: readings take a second)."""
    with _lock:
        cached = _CACHE.get(id(guide))
        if cached is None or cached[0] is not guide:
            _CACHE.clear()
            cached = _CACHE[id(guide)] = (guide, CounterSearch(guide))
        return cached[1]
