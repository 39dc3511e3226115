"""Find guide entries named in a visitor's words, exactly or nearly.

Used when the NLU is unsure, for follow-up questions (「住民票の持ち物は？」), for the
counter tablet's instant search and for degraded mode. It indexes the guide's own
titles and synonyms, so a synonym added by staff is matched at once, without retraining.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.guide_data import Guide
from bot.normalize import normalize, to_hiragana

# What kind of guide entry an id names; the order breaks ties between equal matches.
KINDS = ("procedure", "redirect", "clarification", "section", "program", "facility")


@dataclass(frozen=True)
class Match:
    kind: str
    id: str
    title: str
    score: float  # 1.0 = a whole synonym appears in the text


def _key(text: str) -> str:
    return to_hiragana(normalize(text)).replace(" ", "")


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


class GuideMatcher:
    """Index of every name and synonym in the guide, by normalised kana-folded key."""

    def __init__(self, guide: Guide):
        self.entries: list[tuple[str, str, str, str]] = []  # (key, kind, id, title)
        for kind, item_id, title, words in guide.named_entries():
            self._add(kind, item_id, title, words)
        # Longest keys first, so 「住民票の写し」 wins over 「住民票」 at the same place.
        self.entries.sort(key=lambda e: (-len(e[0]), KINDS.index(e[1])))

    def _add(self, kind: str, item_id: str, title: str, words) -> None:
        for word in words:
            key = _key(word)
            if len(key) >= 2 or kind == "facility":
                self.entries.append((key, kind, item_id, title))

    def mentioned(self, text: str) -> list[Match]:
        """Entries whose name or synonym appears in the text, longest mention first."""
        rest = _key(text)
        found: dict[tuple[str, str], Match] = {}
        for key, kind, item_id, title in self.entries:
            if key and key in rest:
                found.setdefault((kind, item_id), Match(kind, item_id, title, 1.0))
                rest = rest.replace(key, "\0")  # a span counts for one entry only
        return list(found.values())

    def similar(self, text: str, limit: int = 4, threshold: float = 0.6) -> list[Match]:
        """Entries whose synonyms' character pairs mostly appear in the text (typos, variants)."""
        grams = _bigrams(_key(text))
        best: dict[tuple[str, str], Match] = {}
        for key, kind, item_id, title in self.entries:
            if len(key) < 2:
                continue
            key_grams = _bigrams(key)
            score = len(key_grams & grams) / len(key_grams)
            if score >= threshold and score > best.get((kind, item_id), Match("", "", "", 0)).score:
                best[(kind, item_id)] = Match(kind, item_id, title, round(score, 3))
        ranked = sorted(best.values(), key=lambda m: (-m.score, KINDS.index(m.kind)))
        return ranked[:limit]

    def search(self, text: str, limit: int = 8) -> list[Match]:
        """Exact mentions first, then near matches: the counter tablet's search box."""
        results = {(m.kind, m.id): m for m in self.mentioned(text)}
        for m in self.similar(text, limit=limit, threshold=0.5):
            results.setdefault((m.kind, m.id), m)
        return list(results.values())[:limit]


_CACHE: dict[int, tuple[Guide, GuideMatcher]] = {}


def matcher_for(guide: Guide) -> GuideMatcher:
    """One matcher per loaded guide: a reload makes a new Guide object, so a new index."""
    cached = _CACHE.get(id(guide))
    if cached is None or cached[0] is not guide:
        _CACHE.clear()  # only the current guide's index is worth keeping
        cached = _CACHE[id(guide)] = (guide, GuideMatcher(guide))
    return cached[1]
