"""Which garbage item a visitor means: 「乾電池 捨て方」「れいぞうこ すてたい」「ヘアスプレーの缶」.

Items are found by their names and synonyms in the visitor's words, compared after
normalisation with katakana folded to hiragana; then by SudachiPy readings, so kana
spellings find kanji names (れいぞうこ → 冷蔵庫); then by near matches for typos. The
longest mention wins, so 「割れたガラスのコップ」 is the glass, not 「コップ」 alone.
"""

from __future__ import annotations

import re

from typing import Optional

from bot.furigana import nouns, reading
from bot.guide_data import Garbage, GarbageItem, Guide, word_key

# Readings shorter than this match inside too many other words (かさ, かん).
MIN_READING = 3
# Names this short are found only as whole nouns: 炭 is not in すみません, びん not in ゆうびん,
# 本 not in 本人.
WHOLE_WORD = 2
# A typo'd word must share this share of its character pairs with the text.
NEAR = 0.75


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


class SortingIndex:
    """Every item name and synonym, by folded spelling and by reading, longest first."""

    def __init__(self, garbage: Garbage, entry_words: frozenset[str] = frozenset()):
        self.garbage = garbage
        # The guide's own names and synonyms (folded): a bare item name inside one of them
        # (自転車 in 放置自転車) is not taken as a garbage question on its own.
        self.entry_words = entry_words
        spelled: dict[str, str] = {}
        read: dict[str, str] = {}
        for item in garbage.items.values():
            for word in (item.name, *item.synonyms):
                spelled.setdefault(word_key(word), item.name)
            for word in (item.name, *item.synonyms, *([item.reading] if item.reading else [])):
                key = word_key(reading(word))
                if len(key) >= MIN_READING:
                    read.setdefault(key, item.name)
        self.spelled = sorted(spelled.items(), key=lambda kv: -len(kv[0]))
        self.read = sorted(read.items(), key=lambda kv: -len(kv[0]))

    def find(self, text: str) -> Optional[GarbageItem]:
        """The item the text is about, or None when it names none."""
        key = word_key(text)
        if not key:
            return None
        whole = {word_key(w) for w in nouns(text)}
        for word, name in self.spelled:
            if word in key and (len(word) > WHOLE_WORD or word in whole or word == key):
                # 「ペットボトルのキャプ」: a longer name nearly there beats the shorter exact one.
                return self._near(key, longer_than=len(word), threshold=0.8) or self.garbage.items[name]
        said = word_key(reading(text))
        for word, name in self.read:
            if word in said:
                return self.garbage.items[name]
        return self._near(key)

    def _near(self, key: str, longer_than: int = 2, threshold: float = NEAR) -> Optional[GarbageItem]:
        grams = _bigrams(key)
        best, best_score = None, threshold
        for word, name in self.spelled:
            if len(word) <= longer_than:
                continue
            word_grams = _bigrams(word)
            score = len(word_grams & grams) / len(word_grams)
            if score > best_score or (best is None and score >= threshold):
                best, best_score = name, score
        return self.garbage.items[best] if best else None


def named_item(guide: Guide, text: str) -> Optional[GarbageItem]:
    """The item the text names, unless the text is garbage talk about something else
    (「分別ルールの英語版のチラシ」 is not a チラシ to put out)."""
    key = word_key(text)
    if any(word_key(w) in key for w in guide.garbage.help.not_item_words):
        return None
    return sorting_index(guide).find(text)


# A bare name may end in a topic particle and a question mark: 「ヘアスプレーの缶は？」.
BARE_END = re.compile(r"(は|って|とか)?[?？。!！…]*$")


def garbage_question(guide: Guide, text: str) -> Optional[GarbageItem]:
    """The item of a garbage question (「傘の捨て方」), whatever the NLU made of the sentence:
    an item is named and one of the dictionary's question words is there; or the message is
    nothing but an item's name (「ヘアスプレーの缶」) that names nothing else in the guide."""
    key = word_key(text)
    if any(word_key(w) in key for w in guide.garbage.help.question_words):
        return named_item(guide, text)
    index = sorting_index(guide)
    bare = BARE_END.sub("", key)
    if (bare and any(bare == word for word, _ in index.spelled)
            and not any(bare in word for word in index.entry_words)):
        return named_item(guide, text)
    return None


_CACHE: dict[int, tuple[Guide, SortingIndex]] = {}


def sorting_index(guide: Guide) -> SortingIndex:
    """One index per loaded guide (a reload makes a new Guide object, so a new index)."""
    cached = _CACHE.get(id(guide))
    if cached is None or cached[0] is not guide:
        _CACHE.clear()
        words = frozenset(word_key(w) for _k, _i, _t, ws in guide.named_entries() for w in ws)
        cached = _CACHE[id(guide)] = (guide, SortingIndex(guide.garbage, words))
    return cached[1]
