"""Which garbage item a visitor means: 「乾電池 捨て方」「れいぞうこ すてたい」「ヘアスプレーの缶」,
"how do I throw away a bicycle", 「旧被子怎么扔」.

Items are found by their names and synonyms in the visitor's words, compared after
normalisation with katakana folded to hiragana; then by SudachiPy readings, so kana
spellings find kanji names (れいぞうこ → 冷蔵庫) and a wrong kanji of the same sound finds
the right one (衣類乾操機 → 衣類乾燥機); then by near matches for typos. The longest mention
wins, so 「割れたガラスのコップ」 is the glass, not 「コップ」 alone.

In another language, the item's names in that language (translations/<code>.yml) are looked
for first, as life-event words are (:class:`bot.guide_data.Said`): Latin-script words whole,
others inside the text. Near matches by character pairs stay Japanese: the pairs of
"television" are nearly all in any long English sentence. A Latin-script word is instead
compared whole with the language's one-word names, so "baterries" is batteries.
"""

from __future__ import annotations

import copy
import difflib
import re
from functools import lru_cache
from typing import Optional

from bot.detect import WORD_LANGUAGES
from bot.furigana import nouns, reading
from bot.guide_data import (NOT_LATIN_AFTER, NOT_LATIN_BEFORE, SPACED, Garbage, GarbageItem, Guide,
                            Said, latin_key, plural_pattern, word_key)
from bot.languages import GARBAGE_CATEGORY, GARBAGE_WORDS
from bot.normalize import LATIN_LETTERS, to_hiragana

# Readings shorter than this match inside too many other words (かさ, かん).
MIN_READING = 3
# Names this short are found only as whole nouns: 炭 is not in すみません, びん not in ゆうびん,
# 本 not in 本人.
WHOLE_WORD = 2
# A typo'd word must share this share of its character pairs with the text.
NEAR = 0.75
# A typo'd Latin-script word ("baterries") is taken for a one-word name this close to it
# (difflib's ratio), and only when this long: a shorter everyday word is often one letter
# from an item ("change", "charger"). A typo keeps the first letter and about the length;
# Portuguese words that differ there are other words (plástico, elástico; recolher, colher).
NEAR_WORD = 0.85
MIN_TYPO_WORD = 7
# Languages written in a Latin script that is not English's (bot.detect tells them apart).
LATIN_NOT_ENGLISH = tuple(code for code in WORD_LANGUAGES if code != "en")
# A name found by its reading wins over a spelled one when its reading is this many kana longer.
HEARD_LONGER = 3
# Two item names with more words than this between them are not one phrase, linked or not.
LINKED_GAP = 3
# One Latin-script word (Japanese text around it is not part).
LATIN_WORD = re.compile(f"[{LATIN_LETTERS}]+")
# 「プリンが入ってたカップ」 is the dictionary's 「プリンのカップ」: a container is named by what
# was in it, and the dictionary writes that as AのB (卵のパック, 弁当の容器). What is left in a
# thing is named so too: 「石油ストーブの残りの灯油」 is the kerosene, not the stove.
HELD_IN = re.compile(r"[がの]\s*(?:入|はい)っ?て(?:い)?た\s*|の\s*残りの\s*|に\s*残っ(?:た|て(?:い)?る)\s*")


def _singulars(said: str) -> tuple[str, ...]:
    """What a matched Latin-script word may be the plural of (``plural_pattern``'s endings),
    the word itself first: "glasses" is a word of its own, "buses" is "bus"."""
    return (said, *([said[:-3] + "y"] if said.endswith("ies") else []),
            *([said[:-2]] if said.endswith("es") else []), *([said[:-1]] if said.endswith("s") else []))


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
        self.names_of = spelled
        self.read = sorted(read.items(), key=lambda kv: -len(kv[0]))
        # The visitor's language's words (for_language): whole words in one pattern, the
        # others as folded keys, longest first.
        self.foreign_keys: list[tuple[str, str]] = []
        self.foreign_pattern: Optional[re.Pattern[str]] = None
        self.foreign_overlapping: Optional[re.Pattern[str]] = None
        self.foreign_names: dict[str, str] = {}
        self.foreign_words: list[str] = []
        # SudachiPy reads a Latin-script word as an English loanword ("rack" → ラック, a
        # bookshelf's synonym): right in Japanese, English, Chinese or Korean text, but in
        # Vietnamese or Portuguese the word is another ("rac" is garbage: "vut rac o dau").
        self.reads_latin = True
        # The language's linking words (for_language).
        self.linking: tuple[str, ...] = ()

    def for_language(self, words: list[tuple[str, str]], entry_words: frozenset[str],
                     reads_latin: bool = True, linking: tuple[str, ...] = ()) -> "SortingIndex":
        """This index with (word, item name) pairs of one language and that language's names
        of guide entries added to ``entry_words``; the Japanese part is shared. ``linking``:
        the language's linking words (``garbage.linking_words``)."""
        index = copy.copy(self)
        index.entry_words = self.entry_words | entry_words
        index.reads_latin = reads_latin
        index.linking = linking
        spaced = {latin_key(w): name for w, name in words if SPACED.search(w)}
        if spaced:
            # One named group per word would be too many: the match is looked up instead.
            index.foreign_names = spaced
            alternation = "|".join(plural_pattern(w) for w in sorted(spaced, key=len, reverse=True))
            index.foreign_pattern = re.compile(rf"{NOT_LATIN_BEFORE}(?:{alternation}){NOT_LATIN_AFTER}")
            # The same inside a lookahead, so names may overlap: in "an empty can of hairspray"
            # both "empty can" and "can of hairspray" are found, and the longer one wins.
            index.foreign_overlapping = re.compile(rf"(?=({index.foreign_pattern.pattern}))")
            index.foreign_words = [w for w in spaced if LATIN_WORD.fullmatch(w)]
        # A single Chinese character (碗, 瓶) is too short to find inside a sentence.
        index.foreign_keys = sorted({(word_key(w), name) for w, name in words
                                     if not SPACED.search(w) and len(word_key(w)) > 1},
                                    key=lambda kv: -len(kv[0]))
        return index

    def find_foreign(self, text: str) -> Optional[GarbageItem]:
        """The longest of the language's item words in the text, or None; but of two names
        joined by a linking word, the first ("pilhas usadas do controle remoto" are batteries,
        not the remote)."""
        said = Said(text)
        spans: list[tuple[int, int, str]] = []
        if self.foreign_overlapping is not None:
            for m in self.foreign_overlapping.finditer(said.spaced):
                word = next((w for w in _singulars(m.group(1)) if w in self.foreign_names), None)
                if word is not None:
                    spans.append((m.start(1), m.end(1), self.foreign_names[word]))
        linked = self._linked(said.spaced, spans)
        if linked is not None:
            return self.garbage.items[linked]
        found = [(end - start, name) for start, end, name in spans]
        found += [(len(k), name) for k, name in self.foreign_keys if k in said.key]
        if not found:
            for word in LATIN_WORD.findall(said.spaced):
                if len(word) >= MIN_TYPO_WORD:
                    alike = [w for w in self.foreign_words if w[0] == word[0] and abs(len(w) - len(word)) <= 1]
                    found += [(len(near), self.foreign_names[near]) for near
                              in difflib.get_close_matches(word, alike, n=1, cutoff=NEAR_WORD)]
        return self.garbage.items[max(found)[1]] if found else None

    def _linked(self, spaced: str, spans: list[tuple[int, int, str]]) -> Optional[str]:
        """The first of the two first names in ``spaced`` (overlapping ones count as one, by
        the longest) when no more than LINKED_GAP words with a linking word among them lie
        between: "gas cans from my cassette stove" is the gas can, "the remote control
        batteries" stays the longest name's."""
        if not self.linking or len(spans) < 2:
            return None
        names: list[tuple[int, int, str]] = []
        for start, end, name in sorted(spans):
            if names and start < names[-1][1]:
                if end - start > names[-1][1] - names[-1][0]:
                    names[-1] = (start, end, name)
                continue
            names.append((start, end, name))
        if len(names) < 2:
            return None
        gap = spaced[names[0][1]:names[1][0]]
        if len(gap.split()) > LINKED_GAP:
            return None
        between = Said(gap)
        return names[0][2] if any(between.says(w) for w in self.linking) else None

    def find(self, text: str) -> Optional[GarbageItem]:
        """The item the text is about, or None when it names none."""
        text = HELD_IN.sub("の", text)
        key = word_key(text)
        if not key:
            return None
        foreign = self.find_foreign(text)
        if foreign is not None:
            return foreign
        whole = {word_key(w) for w in nouns(text)}
        breaks = _word_breaks(text)
        mentions = self._mentions(key, whole, breaks)
        # 「電球って、乾電池の日に出すの？」: a name before の日 is a category's collection day,
        # not the item asked about, when another item is named. The text is read again without
        # it, so that no nearly or heard name brings it back.
        # 「物置から古い鍵が山ほど出てきた」: a name before から is where the item came from, when
        # another is named; read the same way.
        aside = [m for m in mentions
                 if key.startswith(DAY_OF, m[1]) or key.startswith(CAME_FROM, m[1])]
        if aside and len(aside) < len(mentions):
            for start, end, _ in aside:
                key = key[:start] + "、" * (end - start) + key[end:]
            return self.find(key)
        if mentions:
            # The longest name; of two as long, the later: a Japanese noun phrase ends in its
            # head (「リモコンから出した単三電池」 is a battery), as in AのB below.
            start, end, name = max(mentions, key=lambda m: (m[1] - m[0], m[0]))
            # 「ペットボトルのキャプ」: a longer name nearly there beats the shorter exact one it
            # shares some of (「コンビニ弁当のプラの容器」 is 弁当の容器); one that shares none
            # is about other words (「使用済みのエアコン」 is no 「使用済みの油」).
            near = self._near(key, longer_than=end - start, threshold=0.8, breaks=breaks,
                              sharing=key[start:end])
            if near is not None:
                return near
            # 「テレビのリモコンのでんち」: in AのB the item is B, as in 「ペットボトルのキャップ」.
            after = {s: (e, n) for s, e, n in mentions}
            while key[end:end + 1] == "の" and end + 1 in after:
                end, name = after[end + 1]
            # In keywords, A B is AのB when the dictionary has that name: 「ペットボトル ラベル
            # 分別」 is the label; 「ヘアスプレー 空き缶」 stays the spray can.
            if end in breaks and end in after:
                then = after[end][0]
                name = self.names_of.get(key[start:end] + "の" + key[end:then], name)
            # A wrong kanji of the same sound (「衣類乾操機」) leaves a short name spelled
            # (衣類, a 古布 word) inside a longer one that reads the same: the longer wins.
            heard = self._heard(text)
            if heard is not None and heard[1] != name and \
                    len(heard[0]) >= len(word_key(reading(key[start:end]))) + HEARD_LONGER:
                return self.garbage.items[heard[1]]
            return self.garbage.items[name]
        heard = self._heard(text)
        if heard is not None:
            return self.garbage.items[heard[1]]
        return self._near(key, breaks=breaks)

    def _heard(self, text: str) -> Optional[tuple[str, str]]:
        """The longest item name in the text's reading: (reading, item name), or None."""
        # Read chunk by chunk: SudachiPy reads a space as きごう (記号).
        chunks = [word_key(reading(chunk)) for chunk in text.split()
                  if self.reads_latin or not SPACED.search(chunk)]
        said = "".join(chunks)
        read_breaks = _word_breaks(" ".join(chunks))
        for word, name in self.read:
            if any(_at_words(start, start + len(word), read_breaks) for start in _starts(said, word)):
                return word, name
        return None

    def _mentions(self, key: str, whole: set[str], breaks: frozenset[int] = frozenset()
                  ) -> list[tuple[int, int, str]]:
        """Each item name in the folded text, not inside a longer one: (start, end, item).

        ``breaks`` are where the visitor put a space (やさしい日本語 is written so): a name
        across one must start at one. 「もう きない ふく」 has no ナイフ in 「き|ない ふ|く」,
        but 「ぺっと ぼとる」 is a PET bottle.
        """
        found: list[tuple[int, int, str]] = []
        for word, name in self.spelled:  # longest first
            if len(word) <= WHOLE_WORD and word not in whole and word != key:
                continue
            for start in _starts(key, word):
                end = start + len(word)
                if not any(s <= start and end <= e for s, e, _ in found) and \
                        _at_words(start, end, breaks):
                    found.append((start, end, name))
        return found

    def _near(self, key: str, longer_than: int = 2, threshold: float = NEAR,
              breaks: frozenset[int] = frozenset(), sharing: str = "") -> Optional[GarbageItem]:
        grams = _bigrams(key)
        shared = _bigrams(sharing) if sharing else set()
        scored = []
        for word, name in self.spelled:
            if len(word) <= longer_than or shared and not shared & _bigrams(word):
                continue
            word_grams = _bigrams(word)
            score = len(word_grams & grams) / len(word_grams)
            if score >= threshold:
                scored.append((score, word, name))
        # The pairs must also be together: in a long sentence the pairs of クッション are all
        # somewhere (「ごみステーション…ずっと…」), but no stretch of it reads like クッション.
        for score, word, name in sorted(scored, key=lambda t: -t[0]):
            if _typo_of(word, key, threshold, breaks):
                return self.garbage.items[name]
        return None


def _starts(text: str, word: str):
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


def _at_words(start: int, end: int, breaks: frozenset[int]) -> bool:
    """Whether a match is within one of the visitor's words, or starts where one does: a
    spaced word carries its particles (「リモコンの」), so only the start must fit."""
    return start in breaks or start == 0 or not any(start < b < end for b in breaks)


def _word_breaks(text: str) -> frozenset[int]:
    """Where in ``word_key(text)`` the visitor's spaces were."""
    breaks, at = set(), 0
    for chunk in text.split():
        at += len(word_key(chunk))
        breaks.add(at)
    return frozenset(breaks - {at})


def _typo_of(word: str, key: str, threshold: float, breaks: frozenset[int] = frozenset()) -> bool:
    """Whether some stretch of ``key`` about as long as ``word`` is that word with a typo,
    within one of the visitor's spaced words."""
    n = len(word)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    # A stretch one shorter is a dropped character; for a word of three or less it is only
    # a part of it (ない of ナイフ in 「きない」).
    for size in ((n - 1, n, n + 1) if n > 3 else (n, n + 1)):
        for i in range(max(0, len(key) - size) + 1):
            if any(i < b < i + size for b in breaks):
                continue
            matcher.set_seq1(key[i:i + size])
            if matcher.ratio() >= threshold:
                return True
    return False


def language_words(guide: Guide, lang: Optional[str], key: str) -> tuple[str, ...]:
    """garbage.yml's question_words or not_item_words, and the visitor's language's."""
    japanese = getattr(guide.garbage.help, key)
    pack = guide.packs.get(lang) if lang else None
    return (*japanese, *(pack.garbage_words.get(key, ()) if pack else ()))


def named_item(guide: Guide, text: str, lang: Optional[str] = None) -> Optional[GarbageItem]:
    """The item the text names, unless the text is garbage talk about something else
    (「分別ルールの英語版のチラシ」 is not a チラシ to put out)."""
    said = Said(text)
    if any(said.says(w) for w in language_words(guide, lang, GARBAGE_WORDS[1])):
        return None
    return sorting_index(guide, lang).find(text)


# What follows a category named as a collection day (「缶の日」), folded as word_key folds.
DAY_OF = "の日"
# What follows a name that is where the item came from (「物置から」).
CAME_FROM = "から"
# A bare name may end in a topic particle and a question mark: 「ヘアスプレーの缶は？」, "Batteries?".
BARE_END = re.compile(r"(は|って|とか)?[?？。.!！…]*$")


def garbage_question(guide: Guide, text: str, lang: Optional[str] = None) -> Optional[GarbageItem]:
    """The item of a garbage question (「傘の捨て方」, "how to throw away a bicycle"), whatever
    the NLU made of the sentence: an item is named and one of the dictionary's question words
    (Japanese, or in ``lang``) is there; or the message is nothing but an item's name
    (「ヘアスプレーの缶」), maybe with words on its state ("empty spray can", "pilhas usadas"),
    that names nothing else in the guide; a name inside an entry's word ("fralda", in the
    nursing room's "trocar fralda") is the item's only with words on its state ("fralda usada")."""
    said = Said(text)
    if any(said.says(w) for w in language_words(guide, lang, GARBAGE_WORDS[0])):
        return named_item(guide, text, lang)
    index = sorting_index(guide, lang)
    # _undescribed gives the message first, then with its words on the state taken off.
    for taken_off, bare_text in enumerate(_undescribed(text, language_words(guide, lang, GARBAGE_WORDS[2]))):
        bare_said = Said(bare_text)
        bare = BARE_END.sub("", bare_said.key)
        named = bare and (any(bare == word for word, _ in (*index.spelled, *index.foreign_keys))
                          or index.foreign_pattern is not None
                          and index.foreign_pattern.fullmatch(BARE_END.sub("", bare_said.spaced).strip()))
        if named:
            return None if not taken_off and any(bare in word for word in index.entry_words) \
                else named_item(guide, text, lang)
    return None


def _undescribed(text: str, describing: tuple[str, ...]) -> list[str]:
    """The message, then the message without the words on an item's state at its start or end,
    one at a time: "old batteries" → "batteries", 「空のスプレー缶」 → 「スプレー缶」, "pin cũ" →
    "pin". The message comes first, so a name that starts so (空き缶) is found whole. Latin-script
    words must be whole, with plurals ("usadas" is usada's)."""
    patterns = _describing_patterns(describing)
    start = BARE_END.sub("", to_hiragana(latin_key(text)).strip()).strip()
    found, todo = [text], [start]
    while todo:
        said = todo.pop()
        for pattern in patterns:
            shorter = pattern.sub("", said, count=1).strip()
            if shorter and shorter != said and shorter not in found:
                found.append(shorter)
                todo.append(shorter)
    return found


@lru_cache(maxsize=64)
def _describing_patterns(describing: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Each describing word at a message's start and at its end (folded as ``_undescribed``
    folds the message)."""
    patterns = []
    for word in describing:
        folded = to_hiragana(latin_key(word))
        if SPACED.search(word):
            whole = plural_pattern(folded)
            patterns += [re.compile(rf"^{whole}\s+"), re.compile(rf"\s+{whole}$")]
        else:
            patterns += [re.compile(rf"^{re.escape(folded)}\s*"), re.compile(rf"\s*{re.escape(folded)}$")]
    return tuple(patterns)


def is_category_key(guide: Guide, key: str) -> bool:
    """Whether a translation key names a garbage category (garbage_moyasu), not an entry
    whose id merely starts so (the redirect garbage_collection)."""
    return key.startswith(GARBAGE_CATEGORY) and key[len(GARBAGE_CATEGORY):] in guide.garbage.categories


_CACHE: dict[int, tuple[Guide, SortingIndex, dict[str, SortingIndex]]] = {}


def sorting_index(guide: Guide, lang: Optional[str] = None) -> SortingIndex:
    """One index per loaded guide and language (a reload makes a new Guide object, so new
    indexes)."""
    cached = _CACHE.get(id(guide))
    if cached is None or cached[0] is not guide:
        _CACHE.clear()
        words = frozenset(word_key(w) for _k, _i, _t, ws in guide.named_entries() for w in ws)
        cached = _CACHE[id(guide)] = (guide, SortingIndex(guide.garbage, words), {})
    _guide, japanese, by_language = cached
    pack = guide.packs.get(lang) if lang else None
    if pack is None:
        return japanese
    if lang not in by_language:
        items: list[tuple[str, str]] = []
        entry_words: set[str] = set()
        for entry_id, entry in pack.entries.items():
            names = [w for w in (entry.fields.get("name"), *entry.fields.get("synonyms", ())) if w]
            if entry_id in guide.garbage.items:
                # An item named as in Japanese (やさしい日本語 keeps 「椅子」) is found by the
                # Japanese rules, a short name only as a whole word: not in 「椅子取りゲーム」.
                items += [(w, entry_id) for w in names if w != entry_id]
            elif not is_category_key(guide, entry_id):
                entry_words.update(word_key(w) for w in (entry.fields.get("title"), *names) if w)
        by_language[lang] = japanese.for_language(items, frozenset(entry_words),
                                                  reads_latin=lang not in LATIN_NOT_ENGLISH,
                                                  linking=pack.garbage_words.get(GARBAGE_WORDS[3], ()))
    return by_language[lang]
