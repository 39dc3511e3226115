"""The visitor's languages: which there are, the translated guide entries and fixed texts.

Japanese (``ja``) is the source: the guide files themselves and domain.yml. Every other
language is data under the shared guide directory (``data/guide/``):

- ``languages.yml``: one record per language (code, native name, BCP 47 tag, fallback chain,
  furigana);
- ``translations/<code>.yml``: the guide entries (procedures, sections, redirects, programs,
  facilities, clarifications, categories) keyed by their Japanese ids;
- ``texts/<code>.yml``: the fixed texts: the bot's responses (``utter_*``), phrases the answers
  are built from (``place_counter``, …) and the kiosk's screen texts (keyed by the Japanese
  text written in the templates).

Every entry and text is ``reviewed: false`` until staff review it in the console. A language
file may be missing or partial: what is missing falls back along the language's chain
(ja-easy → ja; the others → en → ja) and the answer says so. Adding a language is data only.

The loader checks a translation against the Japanese record it translates: an unknown id, a
field the Japanese record lacks, or a ``bring`` list of another length is refused with file,
line and reason (:class:`~bot.guide_yaml.GuideDataError`), like any other guide fault.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from bot.detect import WORD_LANGUAGES, own_words
from bot.guide_yaml import GuideDataError, read_yaml

SOURCE = "ja"
LANGUAGES_FILE = "languages.yml"
TRANSLATIONS_DIR = "translations"
TEXTS_DIR = "texts"
# The fields a translation may carry per kind of entry, and the Japanese attribute each one
# translates: a translation may carry a field only when the Japanese record has it. None:
# allowed whatever the Japanese record holds (words and one-sentence summaries of its own).
TRANSLATABLE: dict[str, dict[str, Optional[str]]] = {
    "procedure": {"title": "title", "synonyms": None, "bring": "bring", "fee": "fee",
                  "note": "note", "online": "online"},
    "section": {"name": "name", "mission": "mission", "building": "building", "synonyms": None},
    "redirect": {"title": "title", "name": "name", "note": "note", "synonyms": None},
    "program": {"title": "title", "summary": None, "synonyms": None},
    "facility": {"name": "name", "where": "where", "synonyms": None},
    "clarification": {"question": "question", "synonyms": None},
    "category": {"title": "title"},
    # A life event's plan: its title and note (the steps are procedures and redirects, each
    # translated as itself; a step's condition stays Japanese and the answer says so), and the
    # words a visitor tells of it with (bot.life_events matches them like the Japanese ones).
    "life_event": {"title": "title", "note": "note", "synonyms": None},
    # The sorting dictionary (data/guide/garbage.yml): a category's name and how to put it out,
    # an item's name, the words a resident names it with (bot.sorting finds them like the
    # Japanese ones) and its note.
    "garbage_category": {"name": "name", "how": "how", "when": "when"},
    "garbage_item": {"name": "name", "synonyms": None, "note": "note"},
}
# The field that makes an entry count as translated.
MAIN_FIELD = {"procedure": "title", "section": "name", "redirect": "title", "program": "title",
              "facility": "name", "clarification": "question", "category": "title", "life_event": "title",
              "garbage_category": "name", "garbage_item": "name"}
LIST_FIELDS = ("synonyms", "bring")
TEXT_GROUPS = ("responses", "phrases", "screen")
# A garbage category's key among the entries: its id with this prefix (kaden_recycle is both a
# category and a procedure). An item's key is its Japanese name, as in garbage.yml.
GARBAGE_CATEGORY = "garbage_"
# The words in a language that make a message a garbage question, or garbage talk about
# something else, or that describe an item without changing what it is (as garbage.yml's
# help.question_words, help.not_item_words and help.describing_words), or that join two item
# names so that the first is the one put out ("batteries from the remote"; translations only:
# a Japanese phrase ends in its item, 「リモコンの電池」, which bot/sorting.py finds by its own rule).
GARBAGE_WORDS = ("question_words", "not_item_words", "describing_words", "linking_words")


@dataclass(frozen=True)
class Language:
    """A language the guide speaks: its code, name in itself, BCP 47 tag, fallbacks."""

    code: str
    name: str
    bcp47: str
    fallback: tuple[str, ...]
    furigana: bool


@dataclass(frozen=True)
class EntryTranslation:
    fields: dict[str, Any]
    reviewed: bool
    line: Optional[int] = None
    # Fields left out because they no longer match the Japanese record (a fee the Japanese
    # lost, a bring list of another length): staff changed the facts after the translation.
    # Those fields fall back, and the answer says so; the console refuses to write new ones.
    stale: tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguagePack:
    """One language's translated entries and fixed texts (either file may be absent)."""

    code: str
    entries: dict[str, EntryTranslation] = field(default_factory=dict)
    source: Optional[str] = None
    # group (responses, phrases, screen) → key → (text, reviewed)
    texts: dict[str, dict[str, tuple[str, bool]]] = field(default_factory=dict)
    texts_source: Optional[str] = None
    # question_words / not_item_words / describing_words / linking_words → words
    # (translations/<code>.yml's ``garbage:``)
    garbage_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A city's Japanese name (川崎市) → how this language writes it ("Kawasaki")
    # (translations/<code>.yml's ``cities:``, read by bot.places). Not among strings(): a city's
    # name is no evidence of the language (Kawasaki is English, Vietnamese and Portuguese).
    cities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The words only this language's pack uses among the languages told apart by their words
    # (bot.detect.own_words): evidence that a visitor writes in it.
    own_words: frozenset[str] = frozenset()

    def strings(self) -> Iterator[str]:
        """Every text of the pack: the entries' fields, the fixed texts, the garbage words."""
        for entry in self.entries.values():
            yield from _strings(entry.fields)
        for group in self.texts.values():
            yield from (text for text, _reviewed in group.values())
        for words in self.garbage_words.values():
            yield from words

    def text(self, group: str, key: str) -> Optional[str]:
        found = self.texts.get(group, {}).get(key)
        return found[0] if found else None


JA_LANGUAGE = Language(SOURCE, "日本語", "ja-JP", (), True)


# --- loading ----------------------------------------------------------------------


def _strip(raw: Any) -> Any:
    """A YAML value without the loader's line marks."""
    if isinstance(raw, dict):
        return {k: _strip(v) for k, v in raw.items() if k != "__line__"}
    if isinstance(raw, list):
        return [_strip(v) for v in raw]
    return raw


def load_languages(directory: Path) -> dict[str, Language]:
    """The languages of ``languages.yml`` (only Japanese when the file is absent), in order."""
    path = Path(directory) / LANGUAGES_FILE
    if not path.exists():
        return {SOURCE: JA_LANGUAGE}
    file = f"{LANGUAGES_FILE}"
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("languages"), list):
        raise GuideDataError(file, None, "expected a top-level 'languages:' list")
    out: dict[str, Language] = {}
    for raw in data["languages"]:
        line = raw.get("__line__") if isinstance(raw, dict) else None
        if not isinstance(raw, dict):
            raise GuideDataError(file, line, "each language must be a mapping")
        extra = set(raw) - {"code", "name", "bcp47", "fallback", "furigana", "__line__"}
        if extra:
            raise GuideDataError(file, line, f"unknown field(s) {sorted(extra)}")
        code, name, bcp47 = raw.get("code"), raw.get("name"), raw.get("bcp47")
        for key, value in (("code", code), ("name", name), ("bcp47", bcp47)):
            if not isinstance(value, str) or not value.strip():
                raise GuideDataError(file, line, f"language: missing field '{key}'")
        if code in out:
            raise GuideDataError(file, line, f"language {code!r} is listed twice")
        fallback = raw.get("fallback") or []
        if isinstance(fallback, str):
            fallback = [fallback]
        if not isinstance(fallback, list) or not all(isinstance(f, str) for f in fallback):
            raise GuideDataError(file, line, f"language {code!r}: fallback must be a list of codes")
        furigana = raw.get("furigana", False)
        if not isinstance(furigana, bool):
            raise GuideDataError(file, line, f"language {code!r}: furigana must be true or false")
        out[code] = Language(code, name.strip(), bcp47.strip(), tuple(fallback), furigana)
    if SOURCE not in out:
        raise GuideDataError(file, None, "the source language 'ja' must be listed")
    for lang in out.values():
        for code in lang.fallback:
            if code not in out or code == lang.code:
                raise GuideDataError(file, None, f"language {lang.code!r}: unknown fallback {code!r}")
        if lang.code != SOURCE and (not lang.fallback or lang.fallback[-1] != SOURCE):
            raise GuideDataError(file, None, f"language {lang.code!r}: the fallback chain must end "
                                             f"with 'ja' (the source)")
    return out


def _check_text(file: str, line: Optional[int], what: str, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise GuideDataError(file, line, f"{what} must be a non-empty text")
    return value.strip()


def _entry(file: str, item_id: str, raw: Any, kind: str, japanese: Any,
           default_reviewed: bool) -> EntryTranslation:
    line = raw.get("__line__") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        raise GuideDataError(file, line, f"entry {item_id!r} must be a mapping of fields")
    allowed = TRANSLATABLE[kind]
    fields: dict[str, Any] = {}
    stale: list[str] = []
    for key, value in raw.items():
        if key in ("__line__",):
            continue
        if key == "reviewed":
            if not isinstance(value, bool):
                raise GuideDataError(file, line, f"entry {item_id!r}: reviewed must be true or false")
            continue
        if key not in allowed:
            raise GuideDataError(file, line, f"{kind} {item_id!r}: unknown field {key!r} "
                                             f"(a {kind} translates {sorted(allowed)})")
        attr = allowed[key]
        if attr is not None and not getattr(japanese, attr, None):
            stale.append(f"{kind} {item_id!r}: field {key!r} is not in the Japanese record "
                         f"(translate only what it says)")
            continue
        if key in LIST_FIELDS:
            if not isinstance(value, list):
                raise GuideDataError(file, line, f"{kind} {item_id!r}: {key} must be a list")
            fields[key] = tuple(_check_text(file, line, f"{item_id}.{key} item", v) for v in value)
        else:
            fields[key] = _check_text(file, line, f"{item_id}.{key}", value)
    if "bring" in fields and len(fields["bring"]) != len(japanese.bring):
        stale.append(f"procedure {item_id!r}: bring has {len(fields.pop('bring'))} item(s), the "
                     f"Japanese record {len(japanese.bring)} (one translation per item, same order)")
    return EntryTranslation(fields, raw.get("reviewed", default_reviewed), line, tuple(stale))


def _header(file: str, data: Any, code: str, key: str, *more: str) -> tuple[Optional[str], bool]:
    if not isinstance(data, dict):
        raise GuideDataError(file, None, f"expected a mapping with 'language:' and '{key}:'")
    extra = set(data) - {"language", "source", "reviewed", key, "__line__", *more}
    if extra:
        raise GuideDataError(file, None, f"unknown top-level field(s) {sorted(extra)}")
    if data.get("language") != code:
        raise GuideDataError(file, None, f"language: must be {code!r} (the file's name), "
                                         f"got {data.get('language')!r}")
    reviewed = data.get("reviewed", False)
    if not isinstance(reviewed, bool):
        raise GuideDataError(file, None, "reviewed must be true or false")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise GuideDataError(file, None, "source: say who translated it from what, and when")
    return source.strip(), reviewed


def _garbage_words(file: str, raw: Any) -> dict[str, tuple[str, ...]]:
    """The ``garbage:`` block of a translation: question_words, not_item_words, describing_words,
    linking_words."""
    if raw is None:
        return {}
    line = raw.get("__line__") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or set(raw) - {*GARBAGE_WORDS, "__line__"}:
        raise GuideDataError(file, line, f"garbage: must be a mapping of {list(GARBAGE_WORDS)}")
    out = {}
    for key in GARBAGE_WORDS:
        words = raw.get(key) or []
        if not isinstance(words, list):
            raise GuideDataError(file, line, f"garbage.{key} must be a list")
        out[key] = tuple(_check_text(file, line, f"garbage.{key} item", w) for w in words)
    return out


def _cities(file: str, raw: Any) -> dict[str, tuple[str, ...]]:
    """The ``cities:`` block of a translation: a city's or the ward's Japanese name → its names."""
    if raw is None:
        return {}
    line = raw.get("__line__") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        raise GuideDataError(file, line, "cities: must be a mapping of a city's Japanese name "
                                         "→ names")
    out = {}
    for city, names in raw.items():
        if city == "__line__":
            continue
        if not isinstance(city, str) or not city.endswith(("市", "都", "区")):
            raise GuideDataError(file, line, f"cities: {city!r} is not a city's or ward's "
                                             f"Japanese name (…市, …都, …区)")
        if not isinstance(names, list) or not names:
            raise GuideDataError(file, line, f"cities.{city} must be a list of names")
        out[city] = tuple(_check_text(file, line, f"cities.{city} item", n) for n in names)
    return out


def load_entries(path: Path, code: str, japanese: dict[str, tuple[str, Any]],
                 elsewhere: frozenset[str] = frozenset()
                 ) -> tuple[Optional[str], dict[str, EntryTranslation], dict[str, tuple[str, ...]],
                            dict[str, tuple[str, ...]]]:
    """(source, entries, garbage words, cities) of one ``translations/<code>.yml``; ``japanese``:
    id → (kind, record); ``elsewhere``: ids of other office packs, whose translations this office
    skips."""
    file = f"{TRANSLATIONS_DIR}/{path.name}"
    data = read_yaml(path)
    source, reviewed = _header(file, data, code, "entries", "garbage", "cities")
    raw_entries = data.get("entries") or {}
    if not isinstance(raw_entries, dict):
        raise GuideDataError(file, None, "entries: must be a mapping of guide id → fields")
    entries = {}
    for item_id, raw in raw_entries.items():
        if item_id == "__line__" or (item_id in elsewhere and item_id not in japanese):
            continue
        if item_id not in japanese:
            line = raw.get("__line__") if isinstance(raw, dict) else None
            raise GuideDataError(file, line, f"unknown guide id {item_id!r} (keys are the ids of "
                                             f"data/guide and the office data pack)")
        kind, record = japanese[item_id]
        entries[item_id] = _entry(file, item_id, raw, kind, record, reviewed)
    return (source, entries, _garbage_words(file, data.get("garbage")),
            _cities(file, data.get("cities")))


def load_texts(path: Path, code: str, known_responses: Optional[set[str]] = None
               ) -> tuple[Optional[str], dict[str, dict[str, tuple[str, bool]]]]:
    """(source, group → key → (text, reviewed)) of one ``texts/<code>.yml``."""
    file = f"{TEXTS_DIR}/{path.name}"
    data = read_yaml(path)
    if isinstance(data, dict):
        extra = set(data) - {"language", "source", "reviewed", "__line__", *TEXT_GROUPS}
        if extra:
            raise GuideDataError(file, None, f"unknown top-level field(s) {sorted(extra)}")
        data = {k: v for k, v in data.items() if k not in TEXT_GROUPS} | {
            "texts": {g: data.get(g) for g in TEXT_GROUPS}}
    source, reviewed = _header(file, data, code, "texts")
    out: dict[str, dict[str, tuple[str, bool]]] = {}
    for group in TEXT_GROUPS:
        raw = data["texts"].get(group) or {}
        if not isinstance(raw, dict):
            raise GuideDataError(file, None, f"{group}: must be a mapping of key → text")
        out[group] = {}
        for key, value in raw.items():
            if key == "__line__":
                continue
            line = raw.get("__line__")
            entry_reviewed = reviewed
            if isinstance(value, dict):   # {text: …, reviewed: true} once staff reviewed it
                line = value.get("__line__", line)
                entry_reviewed = value.get("reviewed", reviewed)
                value = value.get("text")
            text = _check_text(file, line, f"{group}.{key}", value)
            if group == "phrases":
                text = value    # a phrase's spaces are part of it (", ")
            if group == "responses" and known_responses is not None and key not in known_responses:
                raise GuideDataError(file, line, f"responses: {key!r} is not a response in domain.yml")
            if group in ("responses", "phrases"):
                try:
                    plain_fields(text)
                except ValueError as err:
                    raise GuideDataError(file, line, f"{group}.{key}: {err}") from None
            out[group][str(key)] = (text, bool(entry_reviewed))
    return source, out


def plain_fields(template: str) -> list[str]:
    """The ``{name}`` placeholders of a template; ValueError for anything else.

    Only plain names pass: a conversion (``{desk!r}``), a format spec (``{desk:>300000000}``,
    which would allocate that many characters), an attribute or an index is refused.
    """
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"only plain {{name}} placeholders are allowed: {{{name}}}")
        names.append(name)
    return names


def load_packs(directory: Path, languages: dict[str, Language],
               japanese: dict[str, tuple[str, Any]],
               elsewhere: frozenset[str] = frozenset(),
               known_responses: Optional[set[str]] = None) -> dict[str, LanguagePack]:
    """Every language's pack; a missing file means every entry (or text) is missing.
    ``elsewhere``: ids only other office packs define (see load_entries)."""
    directory = Path(directory)
    for sub in (TRANSLATIONS_DIR, TEXTS_DIR):
        for path in sorted((directory / sub).glob("*.yml")):
            if path.stem not in languages or path.stem == SOURCE and sub == TRANSLATIONS_DIR:
                raise GuideDataError(f"{sub}/{path.name}", None,
                                     f"{path.stem!r} is not a language of {LANGUAGES_FILE}")
    packs = {}
    for code in languages:
        if code == SOURCE:
            continue
        entries_path = directory / TRANSLATIONS_DIR / f"{code}.yml"
        texts_path = directory / TEXTS_DIR / f"{code}.yml"
        source, entries, texts, texts_source, garbage_words, cities = None, {}, {}, None, {}, {}
        if entries_path.exists():
            source, entries, garbage_words, cities = load_entries(entries_path, code, japanese,
                                                                  elsewhere)
        if texts_path.exists():
            texts_source, texts = load_texts(texts_path, code, known_responses)
        pack = LanguagePack(code, entries, source, texts, texts_source, garbage_words,
                            cities=cities)
        packs[code] = pack
    own = own_words({code: list(pack.strings()) for code, pack in packs.items() if code in WORD_LANGUAGES})
    return {code: replace(pack, own_words=own.get(code, frozenset())) for code, pack in packs.items()}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _strings(inner)


def language_files(directory: Path) -> list[Path]:
    """Every file this module reads, for noticing changes on disk."""
    directory = Path(directory)
    return [directory / LANGUAGES_FILE, *sorted((directory / TRANSLATIONS_DIR).glob("*.yml")),
            *sorted((directory / TEXTS_DIR).glob("*.yml"))]


# --- reporting ----------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    translated: int
    missing: int
    unreviewed: int
    texts_missing: int
    texts_unreviewed: int
    missing_ids: tuple[str, ...] = ()
    # Fields of translated entries still shown in Japanese (a note, what to bring…).
    fields_missing: int = 0


def status(languages: dict[str, Language], packs: dict[str, LanguagePack],
           japanese: dict[str, tuple[str, Any]], reference_texts: dict[str, set[str]]
           ) -> list[LanguageStatus]:
    """Per language: entries translated / missing / unreviewed, and the fixed texts' state.

    ``reference_texts``: group → the keys every language should have (the responses of
    domain.yml, the phrases the answers use, the kiosk's screen texts).
    """
    out = []
    for code in languages:
        if code == SOURCE:
            continue
        pack = packs.get(code) or LanguagePack(code)
        done = [i for i, (kind, _rec) in japanese.items()
                if MAIN_FIELD[kind] in (pack.entries.get(i).fields if i in pack.entries else {})]
        unreviewed = sum(1 for i in done if not pack.entries[i].reviewed)
        missing_ids = tuple(i for i in japanese if i not in set(done))
        texts_missing = sum(1 for g, keys in reference_texts.items() for k in keys
                            if k not in pack.texts.get(g, {}))
        texts_unreviewed = sum(1 for g in pack.texts.values() for _t, r in g.values() if not r)
        fields_missing = sum(1 for i in done for key, attr in TRANSLATABLE[japanese[i][0]].items()
                             if attr and getattr(japanese[i][1], attr, None)
                             and key not in pack.entries[i].fields)
        out.append(LanguageStatus(code, len(done), len(missing_ids), unreviewed, texts_missing,
                                  texts_unreviewed, missing_ids, fields_missing))
    return out


# --- speaking a language --------------------------------------------------------------


class Speaker:
    """The guide in one language: each text from the language's pack, or from the next
    language of its fallback chain (Japanese last), remembering that it fell back."""

    def __init__(self, languages: dict[str, Language], packs: dict[str, LanguagePack], lang: str):
        self.language = languages.get(lang) or JA_LANGUAGE
        self.lang = self.language.code
        self.chain = (self.lang, *self.language.fallback) if self.lang != SOURCE else (SOURCE,)
        self.packs = packs
        self.fell_back = False

    @property
    def japanese(self) -> bool:
        return self.lang == SOURCE

    @property
    def writes_japanese(self) -> bool:
        """Japanese or やさしい日本語 (both ``ja`` in BCP 47): the visitor's words are Japanese."""
        return self.language.bcp47.split("-")[0] == "ja"

    def _first(self, get: Callable[[LanguagePack], Any], japanese: Any) -> Any:
        for code in self.chain:
            if code == SOURCE:
                if self.lang != SOURCE and japanese:
                    self.fell_back = True
                return japanese
            pack = self.packs.get(code)
            value = get(pack) if pack else None
            if value:
                if code != self.lang:
                    self.fell_back = True
                return value
        return japanese

    def entry(self, item_id: str, key: str, japanese: Any) -> Any:
        """A field of a guide entry (title, name, bring, …) in this language."""
        if japanese is None or japanese == () or self.japanese:
            return japanese
        return self._first(lambda p: (p.entries[item_id].fields.get(key)
                                      if item_id in p.entries else None), japanese)

    def text(self, group: str, key: str, japanese: Optional[str]) -> Optional[str]:
        """A fixed text (a response, a phrase, a screen text) in this language."""
        if self.japanese:
            return japanese
        return self._first(lambda p: p.text(group, key), japanese)

    def phrase(self, key: str, japanese: str, **fields: Any) -> str:
        return fill(self.text("phrases", key, japanese) or japanese, fields)


def department_name(section: Any, sp: "Speaker") -> str:
    """The section's name in the visitor's language with its Japanese name beside it, as on
    the building's signs: 「Family Register Division (戸籍課)」; Japanese as it is."""
    return beside_japanese(sp.entry(section.id, "name", section.name), section.name.split("（")[0], sp)


def beside_japanese(name: str, ja: str, sp: "Speaker") -> str:
    """A translated name with the Japanese one beside it (「Bulky garbage (粗大ごみ)」); the name
    as it is when it is Japanese or already holds the Japanese."""
    if sp.japanese or ja in name:
        return name
    return sp.phrase("department", "{name}（{ja}）", name=name, ja=ja)


def fill(template: str, fields: dict) -> str:
    """The template with its ``{name}`` placeholders filled (a missing field is blank); a
    template with any other kind of placeholder is returned as written, unfilled."""
    try:
        plain_fields(template)
        parts = string.Formatter().parse(template)
        return "".join(literal + ("" if name is None else str(fields.get(name, "")))
                       for literal, name, _spec, _conv in parts)
    except ValueError:
        return template


def iter_japanese(guide: Any) -> Iterator[tuple[str, tuple[str, Any]]]:
    """(id, (kind, Japanese record)) of every translatable guide entry."""
    for kind in ("procedure", "redirect", "clarification", "section", "program", "facility"):
        for item_id, record in guide.table(kind).items():
            yield item_id, (kind, record)
    for item_id, record in guide.categories.items():
        yield item_id, ("category", record)
    for item_id, record in (getattr(guide, "life_events", None) or {}).items():
        yield item_id, ("life_event", record)
    garbage = getattr(guide, "garbage", None)
    if garbage is not None:
        for cat_id, record in garbage.categories.items():
            yield GARBAGE_CATEGORY + cat_id, ("garbage_category", record)
        for name, record in garbage.items.items():
            yield name, ("garbage_item", record)
