"""The guide's facts: sections, procedures, redirects, programs, facilities.

This is the one module that reads the guide's YAML. The facts come in two parts:

- ``data/guide/`` (:data:`SHARED_FILES`): the Yokohama-wide division of work — procedures,
  redirects, clarifications, categories, garbage sorting and life-event visit plans — shared
  by every ward office and referring to sections by shared ids (``koseki``, ``zeimu``, …);
- ``data/offices/<office>/`` (:data:`OFFICE_FILES`): one data pack per ward office — the
  building and its hours (office.yml), its sections with floors, counters and phones
  (sections.yml) and its ward programs (programs.yml).

Everything else (the action server, the kiosk, the staff console, the CLI) imports the
typed objects built here. A broken file raises :class:`GuideDataError` naming the file,
the line and the reason; :class:`GuideStore` keeps serving the last good data while a
file is broken.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

from bot import languages as lang_data
from bot.guide_yaml import ID_CHARS, GuideDataError, _Record, _records, read_yaml  # noqa: F401
from bot.normalize import LATIN_LETTERS, fold_latin, normalize, to_hiragana
from bot.settings import REPO

log = logging.getLogger(__name__)

# One ward office's facts: read from the office's data pack (data/offices/<office>/).
OFFICE_FILES = ("office.yml", "sections.yml", "programs.yml")
# The Yokohama-wide part every office shares (data/guide/).
SHARED_FILES = ("procedures.yml", "redirects.yml", "clarifications.yml", "categories.yml",
                "garbage.yml", "life_events.yml")
GUIDE_FILES = (
    "office.yml",
    "sections.yml",
    "procedures.yml",
    "redirects.yml",
    "programs.yml",
    "clarifications.yml",
    "categories.yml",
    "garbage.yml",
    "life_events.yml",
)
assert set(GUIDE_FILES) == set(OFFICE_FILES) | set(SHARED_FILES)


# --- the visitor's world ---------------------------------------------------------


# Every kind of guide entry, in the order an id is looked up.
KINDS = ("procedure", "redirect", "clarification", "section", "program", "facility")

@dataclass(frozen=True)
class Desk:
    """A 係 or 担当 inside a section, when it has its own counter or phone."""

    name: str
    floor: Optional[int]
    counter: Optional[str]
    phone: Optional[str]
    verified: bool
    source: Optional[str]
    mission: Optional[str]


@dataclass(frozen=True)
class Section:
    """A 課 (or an office outside the main building) from the ward's org chart."""

    id: str
    name: str
    reading: str
    mission: str
    floor: Optional[int]
    counter: Optional[str]
    phone: Optional[str]
    verified: bool
    source: Optional[str]
    building: Optional[str]
    desks: tuple[Desk, ...]

    def desk(self, name: Optional[str]) -> Optional[Desk]:
        return next((d for d in self.desks if d.name == name), None)


@dataclass(frozen=True)
class Procedure:
    """Something a visitor comes to do, and the counter that does it."""

    id: str
    title: str
    reading: str
    section: str
    desk: Optional[str]
    categories: tuple[str, ...]
    synonyms: tuple[str, ...]
    bring: tuple[str, ...]
    fee: Optional[str]
    online: Optional[str]
    service_corner: bool
    saturday: bool
    note: Optional[str]
    url: Optional[str]
    verified: bool
    source: Optional[str] = None  # where the section in charge is confirmed, when it is


@dataclass(frozen=True)
class Redirect:
    """A service handled outside the ward office, and where to go instead."""

    id: str
    title: str
    name: str
    phone: Optional[str]
    url: Optional[str]
    note: Optional[str]
    synonyms: tuple[str, ...]
    source: Optional[str] = None  # where the division of work is stated
    # Set from the office pack (office.yml ``in_building``) when this office's building houses
    # the organisation's counter: the visitor is sent upstairs, not out of the building.
    floor: Optional[int] = None


@dataclass(frozen=True)
class Program:
    """A ward program (◆ item) of the management policy, in the document's own words."""

    id: str
    title: str
    goal: str
    section: str
    text: str
    synonyms: tuple[str, ...]
    # The page that names the section in charge; without it the section is an inference,
    # shown to visitors as 担当（確認中）.
    section_source: Optional[str] = None


@dataclass(frozen=True)
class Clarification:
    """A vague request the guide answers with a question and 2–4 choices (procedures, or a
    redirect when part of the answer is elsewhere)."""

    id: str
    question: str
    synonyms: tuple[str, ...]
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """A start-screen button grouping common procedures."""

    id: str
    title: str
    procedures: tuple[str, ...]


@dataclass(frozen=True)
class Facility:
    """A building facility: toilets, elevators, nursing room, parking, …"""

    id: str
    name: str
    floor: Optional[int]
    where: str
    verified: bool
    synonyms: tuple[str, ...]
    source: Optional[str] = None


@dataclass(frozen=True)
class SaturdayService:
    weeks: tuple[int, ...]
    open: str
    close: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Closure:
    """The days the office is closed besides weekends: year-end days, national holidays."""

    name: str                  # what the visitor is told, e.g. 年末年始
    dates: tuple[str, ...]     # "MM-DD", every year
    holidays: bool             # closed on national holidays (jpholiday)
    verified: bool
    source: Optional[str]


@dataclass(frozen=True)
class OpeningHours:
    weekday_open: str
    weekday_close: str
    saturday: SaturdayService
    closure: Closure
    source: Optional[str] = None


@dataclass(frozen=True)
class Notice:
    """One thing the guide says about waiting (tickets, busy periods), with how sure it is."""

    text: str
    section: Optional[str]     # the section it is about, if one
    verified: bool
    source: Optional[str]


@dataclass(frozen=True)
class Waiting:
    """Where numbered tickets are taken and when the office is busy (office.yml ``waiting``)."""

    tickets: tuple[Notice, ...] = ()
    busy: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    phone: Optional[str]
    phone_verified: bool
    floors: tuple[int, ...]
    kiosk_floor: int
    information_desk: Facility
    hours: OpeningHours
    facilities: tuple[Facility, ...]
    waiting: Waiting = Waiting()
    # redirect id → floor: organisations the ward office does not run, with a counter in its
    # building (金沢国際交流ラウンジ on 2階). Per office, since redirects are shared by all.
    in_building: tuple[tuple[str, int], ...] = ()
    # The ward's towns (釜利谷東, 富岡西): a message naming one is about this ward.
    towns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """A public page a fact was read from: cited to the visitor with its date."""

    id: str
    title: str
    url: str
    updated: Optional[str]
    seen: str


@dataclass(frozen=True)
class GarbageCategory:
    """One of Yokohama's garbage and recyclables categories, and how to put it out."""

    id: str
    name: str
    how: str
    when: Optional[str]
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True)
class GarbageItem:
    """A household item and the category it goes out as."""

    name: str
    reading: Optional[str]
    category: str
    synonyms: tuple[str, ...]
    note: Optional[str]
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True)
class GarbageHelp:
    """Where to look when an item is unknown or not verified."""

    dictionary: str
    dictionary_name: str
    dictionary_source: str
    collection_office: str
    collection_office_source: str
    bulky_redirect: str
    question_words: tuple[str, ...]
    # Garbage talk that is not about putting out an item: ポイ捨て, ごみ袋, ごみ屋敷.
    not_item_words: tuple[str, ...] = ()
    # Words that say what state an item is in (空の, 古い, 壊れた): an item's name with only
    # these around it is still the bare name of an item.
    describing_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Garbage:
    """The sorting dictionary: sources, categories and items (keyed by item name)."""

    sources: dict[str, Source]
    categories: dict[str, GarbageCategory]
    items: dict[str, GarbageItem]
    help: GarbageHelp


@dataclass(frozen=True)
class PlanStep:
    """One step of a visit plan: a procedure here, or a redirect elsewhere, maybe conditional."""

    procedure: Optional[str]
    redirect: Optional[str]
    condition: Optional[str]
    note: Optional[str]


@dataclass(frozen=True)
class LifeEvent:
    """A life event (moving in, a death, a birth, …) and the ordered visits it needs."""

    id: str
    title: str
    synonyms: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    note: Optional[str]
    # Words that make a sentence with a synonym about something else: 「生まれてから亡くなる
    # までの戸籍」 asks for a certificate, not for the birth or the death plan.
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guide:
    """All guide facts, cross-checked, with lookups by id."""

    office: Office
    sections: dict[str, Section]
    procedures: dict[str, Procedure]
    redirects: dict[str, Redirect]
    programs: dict[str, Program]
    clarifications: dict[str, Clarification]
    categories: dict[str, Category]
    facilities: dict[str, Facility] = field(default_factory=dict)
    garbage: Optional[Garbage] = None
    life_events: dict[str, LifeEvent] = field(default_factory=dict)
    # The visitor's languages (languages.yml) and every language's translations and texts.
    languages: dict[str, lang_data.Language] = field(
        default_factory=lambda: {lang_data.SOURCE: lang_data.JA_LANGUAGE})
    packs: dict[str, lang_data.LanguagePack] = field(default_factory=dict)

    def speaker(self, lang: Optional[str] = None) -> lang_data.Speaker:
        """This guide in one language (Japanese when ``lang`` is None or unknown)."""
        return lang_data.Speaker(self.languages, self.packs, lang or lang_data.SOURCE)

    def section_of(self, procedure: Procedure) -> Section:
        return self.sections[procedure.section]

    def table(self, kind: str) -> dict:
        """The entries of one kind, by id (KINDS names them)."""
        return {"procedure": self.procedures, "redirect": self.redirects,
                "clarification": self.clarifications, "section": self.sections,
                "program": self.programs, "facility": self.facilities}[kind]

    def kind_of(self, item_id: str) -> Optional[str]:
        """The kind of the entry with this id (ids are unique across kinds), or None."""
        return next((kind for kind in KINDS if item_id in self.table(kind)), None)

    def named_entries(self) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
        """(kind, id, title, words a visitor may use for it) for every nameable entry."""
        for p in self.procedures.values():
            yield "procedure", p.id, p.title, (p.title, *p.synonyms)
        for r in self.redirects.values():
            yield "redirect", r.id, r.title, (r.title, *r.synonyms)
        for c in self.clarifications.values():
            yield "clarification", c.id, c.question, c.synonyms
        for s in self.sections.values():
            yield "section", s.id, s.name, tuple(dict.fromkeys(
                (s.name, s.name.split("（")[0], s.reading.split("（")[0])))
        for prog in self.programs.values():
            yield "program", prog.id, prog.title, (prog.title, *prog.synonyms)
        for f in self.facilities.values():
            yield "facility", f.id, f.name, (f.name, *f.synonyms)


# --- building the typed guide ----------------------------------------------------


NEEDS_SOURCE = ("verified: true needs a source (the page or document that confirms it); "
                "add source: or set verified: false")


def _verified_with_source(rec: _Record) -> tuple[bool, Optional[str]]:
    """(verified, source) of a section, desk or facility: a verified fact names its source."""
    verified, source = rec.bool("verified", False), rec.str("source", required=False)
    if verified and not source:
        raise rec.fail(NEEDS_SOURCE)
    return verified, source


def _facility(rec: _Record) -> Facility:
    rec.unknown_keys({"id", "name", "floor", "where", "verified", "source", "synonyms"})
    verified, source = _verified_with_source(rec)
    return Facility(
        id=rec.id(),
        name=rec.str("name"),
        floor=rec.int("floor", required=False),
        where=rec.str("where"),
        verified=verified,
        synonyms=rec.strs("synonyms"),
        source=source,
    )


def _office(file: str, data: Any) -> Office:
    if not isinstance(data, dict):
        raise GuideDataError(file, None, "expected a mapping with 'office:' and 'hours:'")
    rec = _Record(file, data.get("office"), "office")
    hours = _Record(file, data.get("hours"), "hours")
    sat = _Record(file, hours.raw.get("saturday"), "hours.saturday")
    closure = _closure(_Record(file, hours.raw.get("closure"), "hours.closure"))
    facilities = tuple(_facility(r) for r in _records(file, data, "facilities", "facility"))
    for time_rec, keys in ((hours, ("weekday_open", "weekday_close")), (sat, ("open", "close"))):
        for key in keys:
            _check_time(time_rec, key)
    floors = tuple(int(f) for f in rec.raw.get("floors") or [])
    if not floors:
        raise rec.fail("missing field 'floors' (the list of floor numbers)")
    return Office(
        name=rec.str("name"),
        address=rec.str("address"),
        phone=rec.str("phone", required=False),
        phone_verified=rec.bool("phone_verified", False),
        floors=floors,
        kiosk_floor=rec.int("kiosk_floor"),
        information_desk=_facility(_Record(file, rec.raw.get("information_desk"), "information_desk")),
        hours=OpeningHours(
            weekday_open=hours.str("weekday_open"),
            weekday_close=hours.str("weekday_close"),
            saturday=SaturdayService(
                weeks=tuple(sat.raw.get("weeks") or ()),
                open=sat.str("open"),
                close=sat.str("close"),
                sections=sat.strs("sections"),
            ),
            closure=closure,
            source=hours.str("source", required=False),
        ),
        facilities=facilities,
        waiting=_waiting(file, data.get("waiting")),
        in_building=tuple(_in_building(r, floors) for r in
                          (_records(file, data, "in_building", "in_building")
                           if data.get("in_building") is not None else ())),
        towns=_towns(file, data.get("towns")),
    )


def _towns(file: str, raw: Any) -> tuple[str, ...]:
    """The ward's town names: optional, but listed only with the page they were read from."""
    if raw is None:
        return ()
    rec = _Record(file, raw, "towns")
    rec.unknown_keys({"names", "source"})
    rec.str("source")
    return rec.strs("names", required=True)


def _in_building(rec: _Record, floors: tuple[int, ...]) -> tuple[str, int]:
    """A redirect whose counter is in this building: it needs a floor of it and a source."""
    rec.unknown_keys({"redirect", "floor", "source"})
    floor = rec.int("floor")
    if floor not in floors:
        raise rec.fail(f"floor {floor} is not one of the office's floors {list(floors)}")
    rec.str("source")  # required: a redirect's place is a fact only a public page can give
    return rec.str("redirect"), floor


def _waiting(file: str, raw: Any) -> Waiting:
    if raw is None:
        return Waiting()
    rec = _Record(file, raw, "waiting")
    rec.unknown_keys({"tickets", "busy"})

    def notices(key: str) -> tuple[Notice, ...]:
        out = []
        for i, item in enumerate(rec.raw.get(key) or []):
            n = _Record(file, item, f"waiting.{key}[{i}]")
            n.unknown_keys({"text", "section", "verified", "source"})
            verified, source = _verified_with_source(n)
            out.append(Notice(n.str("text"), n.str("section", required=False), verified, source))
        return tuple(out)

    return Waiting(tickets=notices("tickets"), busy=notices("busy"))


def _closure(rec: _Record) -> Closure:
    rec.unknown_keys({"name", "dates", "holidays", "verified", "source"})
    dates = rec.strs("dates")
    for date in dates:
        mm, _, dd = date.partition("-")
        if not (len(date) == 5 and mm.isdigit() and dd.isdigit()
                and 1 <= int(mm) <= 12 and 1 <= int(dd) <= 31):
            raise rec.fail(f"dates: {date!r} is not a date like 12-29")
    verified, source = _verified_with_source(rec)
    return Closure(name=rec.str("name"), dates=dates, holidays=rec.bool("holidays", True),
                   verified=verified, source=source)


def _check_time(rec: _Record, key: str) -> None:
    value = rec.str(key)
    hh, _, mm = value.partition(":")
    if not (hh.isdigit() and mm.isdigit() and 0 <= int(hh) < 24 and 0 <= int(mm) < 60):
        raise rec.fail(f"field '{key}' must be a time like 08:45")


def _desk(rec: _Record) -> Desk:
    rec.unknown_keys({"name", "floor", "counter", "phone", "verified", "source", "mission"})
    verified, source = _verified_with_source(rec)
    return Desk(
        name=rec.str("name"),
        floor=rec.int("floor", required=False),
        counter=rec.str("counter", required=False),
        phone=rec.str("phone", required=False),
        verified=verified,
        source=source,
        mission=rec.str("mission", required=False),
    )


def _section(rec: _Record) -> Section:
    rec.unknown_keys({"id", "name", "reading", "mission", "floor", "counter", "phone",
                      "verified", "source", "building", "desks"})
    desks_raw = rec.raw.get("desks") or []
    if not isinstance(desks_raw, list):
        raise rec.fail("field 'desks' must be a list")
    section_id = rec.id()
    verified, source = _verified_with_source(rec)
    section = Section(
        id=section_id,
        name=rec.str("name"),
        reading=rec.str("reading"),
        mission=rec.str("mission"),
        floor=rec.int("floor", required=False),
        counter=rec.str("counter", required=False),
        phone=rec.str("phone", required=False),
        verified=verified,
        source=source,
        building=rec.str("building", required=False),
        desks=tuple(_desk(_Record(rec.file, d, f"section {section_id!r} desk")) for d in desks_raw),
    )
    _check_not_copied_from_a_desk(rec, section)
    return section


def _check_not_copied_from_a_desk(rec: _Record, section: Section) -> None:
    """A fact confirmed for a desk is that desk's: a verified section whose place or phone
    is a verified desk's must be vouched for by a source of its own, not the desk's."""
    if not section.verified:
        return
    for desk in section.desks:
        if not desk.verified:
            continue
        same_place = section.floor is not None and \
            (section.floor, section.counter) == (desk.floor, desk.counter)
        same_phone = section.phone is not None and section.phone == desk.phone
        if (same_place or same_phone) and section.source in (None, desk.source):
            shown = " / ".join(filter(None, (
                f"{desk.floor}階 {desk.counter or ''}".strip() if same_place else None,
                desk.phone if same_phone else None)))
            raise rec.fail(f"{shown} is confirmed for its desk {desk.name!r} only; a section-level "
                           f"place or phone needs its own source (one that names the whole "
                           f"section), or verified: false")


def _procedure(rec: _Record) -> Procedure:
    rec.unknown_keys({"id", "title", "reading", "section", "desk", "categories", "synonyms",
                      "bring", "fee", "online", "service_corner", "saturday", "note", "url",
                      "verified", "source"})
    return Procedure(
        id=rec.id(),
        title=rec.str("title"),
        reading=rec.str("reading"),
        section=rec.str("section"),
        desk=rec.str("desk", required=False),
        categories=rec.strs("categories"),
        synonyms=rec.strs("synonyms", required=True),
        bring=rec.strs("bring"),
        fee=rec.str("fee", required=False),
        online=rec.str("online", required=False),
        service_corner=rec.bool("service_corner", False),
        saturday=rec.bool("saturday", False),
        note=rec.str("note", required=False),
        url=rec.str("url", required=False),
        verified=rec.bool("verified", False),
        source=rec.str("source", required=False),
    )


def _redirect(rec: _Record) -> Redirect:
    rec.unknown_keys({"id", "title", "name", "phone", "url", "note", "synonyms", "source"})
    return Redirect(
        id=rec.id(),
        title=rec.str("title"),
        name=rec.str("name"),
        phone=rec.str("phone", required=False),
        url=rec.str("url", required=False),
        note=rec.str("note", required=False),
        synonyms=rec.strs("synonyms", required=True),
        source=rec.str("source", required=False),
    )


def _program(rec: _Record) -> Program:
    rec.unknown_keys({"id", "title", "goal", "section", "section_source", "text", "synonyms"})
    return Program(
        id=rec.id(),
        title=rec.str("title"),
        goal=rec.str("goal"),
        section=rec.str("section"),
        text=rec.str("text"),
        synonyms=rec.strs("synonyms", required=True),
        section_source=rec.str("section_source", required=False),
    )


def _clarification(rec: _Record) -> Clarification:
    rec.unknown_keys({"id", "question", "synonyms", "choices"})
    choices = rec.strs("choices", required=True)
    if not 2 <= len(choices) <= 4:
        raise rec.fail("a clarification offers 2 to 4 choices")
    return Clarification(
        id=rec.id(),
        question=rec.str("question"),
        synonyms=rec.strs("synonyms", required=True),
        choices=choices,
    )


def _category(rec: _Record) -> Category:
    rec.unknown_keys({"id", "title", "procedures"})
    return Category(id=rec.id(), title=rec.str("title"), procedures=rec.strs("procedures", True))


def _sources_of(rec: _Record, sources: dict[str, "Source"]) -> tuple[str, ...]:
    """The `source:` ids of a record (one id or a list); each must be defined in `sources:`."""
    value = rec.raw.get("source")
    ids = [value] if isinstance(value, str) else value or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise rec.fail("field 'source' must be a source id or a list of them")
    for sid in ids:
        if sid not in sources:
            raise rec.fail(f"unknown source {sid!r} (define it under 'sources:')")
    return tuple(ids)


def _verified_by_source(rec: _Record, sources: tuple[str, ...]) -> bool:
    """A fact is verified when it cites a page; one without a source must say verified: false."""
    if "verified" in rec.raw:
        verified = rec.bool("verified", False)
        if verified and not sources:
            raise rec.fail("verified: true needs a 'source:'")
        if not verified and sources:
            raise rec.fail("has a 'source:' and verified: false; drop one of them")
        return verified
    if not sources:
        raise rec.fail("needs a 'source:' or 'verified: false'")
    return True


def _garbage(file: str, data: Any) -> Garbage:
    """The sorting dictionary; unknown categories and duplicate item names are refused."""
    if not isinstance(data, dict):
        raise GuideDataError(file, None, "expected 'sources:', 'help:', 'categories:' and 'items:'")
    sources: dict[str, Source] = {}
    for rec in _records(file, data, "sources", "source"):
        rec.unknown_keys({"id", "title", "url", "updated", "seen"})
        src = Source(rec.id(), rec.str("title"), rec.str("url"), rec.str("updated", False),
                     rec.str("seen"))
        if src.id in sources:
            raise rec.fail("duplicate source id")
        if not src.url.startswith(("http://", "https://")):
            raise rec.fail("url must be a web address")
        sources[src.id] = src
    categories: dict[str, GarbageCategory] = {}
    for rec in _records(file, data, "categories", "garbage category"):
        rec.unknown_keys({"id", "name", "how", "when", "source", "verified"})
        ids = _sources_of(rec, sources)
        cat = GarbageCategory(rec.id(), rec.str("name"), rec.str("how"), rec.str("when", False),
                              ids, _verified_by_source(rec, ids))
        if cat.id in categories:
            raise rec.fail("duplicate category id")
        categories[cat.id] = cat
    items: dict[str, GarbageItem] = {}
    owners: dict[str, str] = {}
    for rec in _records(file, data, "items", "garbage item"):
        rec.unknown_keys({"name", "reading", "category", "synonyms", "note", "source", "verified"})
        ids = _sources_of(rec, sources)
        item = GarbageItem(rec.str("name"), rec.str("reading", False), rec.str("category"),
                           rec.strs("synonyms"), rec.str("note", False), ids,
                           _verified_by_source(rec, ids))
        if item.category not in categories:
            raise rec.fail(f"unknown category {item.category!r}")
        # One word, one item: after normalisation and kana folding, names and synonyms are unique.
        for word in (item.name, *item.synonyms):
            key = word_key(word)
            if key in owners and owners[key] != item.name:
                raise rec.fail(f"the word {word!r} is already used by item {owners[key]!r}")
            if key in owners and word == item.name:
                raise rec.fail("duplicate item name")
            owners[key] = item.name
        items[item.name] = item
    rec = _Record(file, data.get("help"), "help")
    rec.unknown_keys({"dictionary", "dictionary_name", "dictionary_source", "collection_office",
                      "collection_office_source", "bulky_redirect", "question_words", "not_item_words",
                      "describing_words"})
    help_ = GarbageHelp(rec.str("dictionary"), rec.str("dictionary_name"), rec.str("dictionary_source"),
                        rec.str("collection_office"), rec.str("collection_office_source"),
                        rec.str("bulky_redirect"), rec.strs("question_words", required=True),
                        rec.strs("not_item_words"), rec.strs("describing_words"))
    for sid in (help_.dictionary_source, help_.collection_office_source):
        if sid not in sources:
            raise rec.fail(f"unknown source {sid!r}")
    return Garbage(sources, categories, items, help_)


def word_key(word: str) -> str:
    """How dictionary and life-event words are compared: normalised, katakana folded to hiragana,
    no spaces."""
    return to_hiragana(normalize(word)).replace(" ", "")


# Words in a Latin script (English, Vietnamese, Portuguese) must be whole words: "died" is
# inside "studied", "can" inside "cancel". Korean and Chinese, like Japanese, attach endings
# to a stem or run words together (돌아가셨어요, 旧被子怎么扔), so their words are found inside.
SPACED = re.compile(f"[{LATIN_LETTERS}]")
# A whole Latin-script word ends where Latin letters and digits do: Korean and Japanese attach
# their particles to it (「TV를」, 「LEDライト」).
NOT_LATIN_BEFORE = f"(?<![0-9{LATIN_LETTERS}])"
NOT_LATIN_AFTER = f"(?![0-9{LATIN_LETTERS}])"


def latin_key(text: str) -> str:
    """How a Latin-script dictionary word and a message are compared: normalised, case-folded
    and without diacritics, so "xe dap" finds the dictionary's "xe đạp" and "chaleira eletrica"
    its "chaleira elétrica" (:func:`bot.normalize.fold_latin`)."""
    return fold_latin(normalize(text).casefold())


class Said:
    """One message, in the forms dictionary and life-event words are looked for in."""

    def __init__(self, text: str):
        self.key = word_key(text)
        self.spaced = latin_key(text)

    def says(self, word: str) -> bool:
        """Whether the message says the word: a Latin-script word whole (or with a plural
        -s/-es: "bicycles", "garrafas"), any other inside the folded text."""
        pattern, key = dictionary_word(word)
        if pattern is not None:
            return pattern.search(self.spaced) is not None
        return bool(key) and key in self.key


@lru_cache(maxsize=16384)
def dictionary_word(word: str) -> tuple[Optional["re.Pattern[str]"], str]:
    """(whole-word pattern for a Latin-script word, else None; the word's folded key): the
    dictionaries' words are few and asked about on every message, so each is folded once."""
    if SPACED.search(word):
        return re.compile(rf"{NOT_LATIN_BEFORE}{plural_pattern(latin_key(word))}{NOT_LATIN_AFTER}"), word_key(word)
    return None, word_key(word)


def plural_pattern(word: str) -> str:
    """A regular expression for a folded Latin-script word and its plurals: "bicycle(s)",
    "box(es)", "batter(y|ies)", "garrafa(s)"."""
    if word.endswith("y"):
        return rf"{re.escape(word[:-1])}(?:y|ies)"
    return rf"{re.escape(word)}(?:e?s)?"


def _plan_step(rec: _Record) -> PlanStep:
    rec.unknown_keys({"procedure", "redirect", "condition", "note"})
    step = PlanStep(rec.str("procedure", False), rec.str("redirect", False),
                    rec.str("condition", False), rec.str("note", False))
    if (step.procedure is None) == (step.redirect is None):
        raise rec.fail("a step names exactly one of 'procedure' or 'redirect'")
    return step


def _life_event(rec: _Record) -> LifeEvent:
    rec.unknown_keys({"id", "title", "synonyms", "steps", "note", "unless"})
    steps_raw = rec.raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise rec.fail("field 'steps' must list at least one step")
    return LifeEvent(rec.id(), rec.str("title"), rec.strs("synonyms", required=True),
                     tuple(_plan_step(_Record(rec.file, s, "step")) for s in steps_raw),
                     rec.str("note", False), rec.strs("unless"))



def _index(file: str, recs: list[_Record], build, seen: dict[str, str]) -> dict:
    """Build objects keyed by id; ids are unique across every guide file."""
    out = {}
    for rec in recs:
        obj = build(rec)
        if obj.id in seen:
            raise rec.fail(f"duplicate id (already used in {seen[obj.id]})")
        seen[obj.id] = f"{file}:{rec.line}"
        out[obj.id] = obj
    return out


def guide_paths(directory: Path | str, office_dir: Path | str | None = None) -> dict[str, Path]:
    """Where each guide file is: OFFICE_FILES in ``office_dir``, the rest in ``directory``.

    Without ``office_dir`` every file is read from ``directory`` (a flat directory holding
    all seven files, such as a temporary copy made for validation).
    """
    directory = Path(directory)
    office = Path(office_dir) if office_dir is not None else directory
    return {name: (office if name in OFFICE_FILES else directory) / name for name in GUIDE_FILES}


def _shown_names(paths: dict[str, Path]) -> dict[str, str]:
    """How errors name each file: the bare name in a flat directory; else its path in the
    repository (data/guide/…, data/offices/isogo/…), or from the parent of the two
    directories' common folder, or in full."""
    folders = {p.parent.resolve() for p in paths.values()}
    if len(folders) == 1:
        return {name: name for name in paths}
    common = Path(os.path.commonpath([str(f) for f in folders]))
    base = REPO if all(f.is_relative_to(REPO) for f in folders) else \
        common.parent if common.parent != common else None
    return {name: str(p.resolve().relative_to(base)) if base else str(p.resolve())
            for name, p in paths.items()}


def load_guide(directory: Path | str, office_dir: Path | str | None = None,
               offices_dir: Path | str | None = None) -> Guide:
    """Read and cross-check every guide file; raise GuideDataError on the first fault.

    ``directory`` holds the Yokohama-wide files, ``office_dir`` one office's data pack
    (see :func:`guide_paths`). Every pack must define every section the shared files use.
    ``offices_dir``: where all the packs are (default: the office pack's folder when it is
    ``offices/``), for the shared translations of other packs' entries.
    """
    paths = guide_paths(directory, office_dir)
    shown = _shown_names(paths)
    if offices_dir is None and paths["sections.yml"].parent.parent.name == "offices":
        offices_dir = paths["sections.yml"].parent.parent
    try:
        return _load(paths, shown, Path(offices_dir) if offices_dir else None)
    except GuideDataError as err:
        if err.shown != err.file or shown.get(err.file, err.file) == err.file:
            raise
        raise GuideDataError(err.file, err.line, err.reason, shown[err.file]) from None


def _load(paths: dict[str, Path], shown: dict[str, str], offices_dir: Optional[Path]) -> Guide:
    raw = {name: read_yaml(path) for name, path in paths.items()}
    seen: dict[str, str] = {}
    office = _office("office.yml", raw["office.yml"])
    facilities = {}
    for fac in (office.information_desk, *office.facilities):
        if fac.id in seen:
            raise GuideDataError("office.yml", None, f"duplicate facility id {fac.id!r}")
        seen[fac.id] = "office.yml"
        facilities[fac.id] = fac

    def index(name: str, key: str, what: str, build) -> dict:
        return _index(name, _records(name, raw[name], key, what), build, seen)

    sections = index("sections.yml", "sections", "section", _section)
    procedures = index("procedures.yml", "procedures", "procedure", _procedure)
    redirects = index("redirects.yml", "redirects", "redirect", _redirect)
    for rid, floor in office.in_building:
        if rid not in redirects:
            raise GuideDataError("office.yml", None, f"in_building refers to unknown redirect {rid!r}")
        redirects[rid] = replace(redirects[rid], floor=floor)
    programs = index("programs.yml", "programs", "program", _program)
    clarifications = index("clarifications.yml", "clarifications", "clarification", _clarification)
    categories = index("categories.yml", "categories", "category", _category)
    garbage = _garbage("garbage.yml", raw["garbage.yml"])
    life_events = index("life_events.yml", "life_events", "life event", _life_event)

    _check_references(raw, sections, procedures, programs, clarifications, categories, office,
                      shown["sections.yml"], redirects)
    _check_plans(raw, life_events, procedures, redirects)
    if garbage.help.bulky_redirect not in redirects:
        raise GuideDataError("garbage.yml", None,
                             f"help.bulky_redirect refers to unknown redirect {garbage.help.bulky_redirect!r}")
    guide = Guide(office, sections, procedures, redirects, programs, clarifications, categories,
                  facilities, garbage, life_events)
    _check_synonyms(guide, raw)
    # Translations are checked against the Japanese records they translate.
    shared = paths["procedures.yml"].parent
    languages = lang_data.load_languages(shared)
    japanese: dict[str, tuple[str, Any]] = {}
    for key, record in lang_data.iter_japanese(guide):
        if key in japanese:
            # A translation is keyed by this: two records under one key could not be told apart.
            raise GuideDataError("garbage.yml", None, f"{key!r} names two translatable records "
                                                      f"({japanese[key][0]} and {record[0]})")
        japanese[key] = record
    return replace(guide, languages=languages,
                   packs=lang_data.load_packs(shared, languages, japanese,
                                              _pack_ids(offices_dir)))


def _pack_ids(offices_dir: Optional[Path]) -> frozenset[str]:
    """Ids defined by the office packs (data/offices/*/): the translations are shared by every
    office, so a translation of another office's facility is not an error when this office is
    served (an id no pack and no shared file defines still is)."""
    if offices_dir is None or not offices_dir.is_dir():
        return frozenset()
    ids: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), str):
                ids.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for pack in sorted(offices_dir.iterdir()):
        if pack.is_dir():
            for path in sorted(pack.glob("*.yml")):
                walk(read_yaml(path))
    return frozenset(ids)


def _line_of(raw_list: list, obj_id: str) -> Optional[int]:
    return next((r.get("__line__") for r in raw_list if isinstance(r, dict) and r.get("id") == obj_id), None)


def _check_references(raw, sections, procedures, programs, clarifications, categories, office,
                      sections_file: str = "sections.yml", redirects: Optional[dict] = None):
    """Every id a file points at must exist in the file it points into.

    Every office's data pack must define every section the shared files refer to.
    """
    def check(file: str, key: str, obj_id: str, ref: str, known: dict, what: str):
        if ref not in known:
            line = _line_of(raw[file][key], obj_id)
            where = f" (not defined in {sections_file})" if what == "section" else ""
            raise GuideDataError(file, line, f"{obj_id!r} refers to unknown {what} {ref!r}{where}")

    for p in procedures.values():
        check("procedures.yml", "procedures", p.id, p.section, sections, "section")
        if p.desk and sections[p.section].desks and not sections[p.section].desk(p.desk):
            known = [d.name for d in sections[p.section].desks]
            line = _line_of(raw["procedures.yml"]["procedures"], p.id)
            raise GuideDataError("procedures.yml", line,
                                 f"{p.id!r}: desk {p.desk!r} is not one of {known}")
        for cat in p.categories:
            check("procedures.yml", "procedures", p.id, cat, categories, "category")
    for prog in programs.values():
        check("programs.yml", "programs", prog.id, prog.section, sections, "section")
    for c in clarifications.values():
        for choice in c.choices:
            check("clarifications.yml", "clarifications", c.id, choice,
                  {**procedures, **(redirects or {})}, "procedure or redirect")
    for cat in categories.values():
        for pid in cat.procedures:
            check("categories.yml", "categories", cat.id, pid, procedures, "procedure")
    for sid in office.hours.saturday.sections:
        if sid not in sections:
            raise GuideDataError("office.yml", None, f"hours.saturday lists unknown section {sid!r}")
    for fac in office.facilities:
        if fac.floor is not None and fac.floor not in office.floors:
            raise GuideDataError("office.yml", None, f"facility {fac.id!r} on unknown floor {fac.floor}")
    for notice in (*office.waiting.tickets, *office.waiting.busy):
        if notice.section is not None and notice.section not in sections:
            raise GuideDataError("office.yml", None, f"waiting names unknown section {notice.section!r}")


def _check_plans(raw, life_events, procedures, redirects) -> None:
    """Every plan step points at an existing procedure or redirect, each at most once."""
    for event in life_events.values():
        seen: set[str] = set()
        for step in event.steps:
            ref = step.procedure or step.redirect
            known = procedures if step.procedure else redirects
            if ref not in known:
                what = "procedure" if step.procedure else "redirect"
                raise GuideDataError("life_events.yml", _line_of(raw["life_events.yml"]["life_events"], event.id),
                                     f"{event.id!r} refers to unknown {what} {ref!r}")
            if ref in seen:
                raise GuideDataError("life_events.yml", _line_of(raw["life_events.yml"]["life_events"], event.id),
                                     f"{event.id!r} lists {ref!r} twice")
            seen.add(ref)


_FILE_OF_KIND = {"procedure": ("procedures.yml", "procedures"),
                 "redirect": ("redirects.yml", "redirects"),
                 "clarification": ("clarifications.yml", "clarifications"),
                 "section": ("sections.yml", "sections"), "program": ("programs.yml", "programs"),
                 "facility": ("office.yml", "facilities")}


def _check_synonyms(guide: "Guide", raw: dict) -> None:
    """A visitor's word must lead to one place: names and synonyms are unique after normalisation."""
    owners: dict[str, str] = {}
    for kind, item_id, _title, words in guide.named_entries():
        for word in words:
            norm = normalize(word)
            if owners.get(norm, item_id) != item_id:
                file, key = _FILE_OF_KIND[kind]
                line = _line_of((raw[file] or {}).get(key) or [], item_id)
                raise GuideDataError(file, line, f"{kind} {item_id!r}: the word {word!r} "
                                                 f"is already used by {owners[norm]!r}")
            owners[norm] = item_id


# --- serving the last good data --------------------------------------------------


class GuideStore:
    """The current guide for a long-running process.

    Reloads when a file changes on disk; while a file is broken it keeps the last good
    guide and exposes the error, so a typo in a YAML file never takes a service down.
    """

    def __init__(self, directory: Path | str, office_dir: Path | str | None = None):
        self.directory = Path(directory)
        self.office_dir = Path(office_dir) if office_dir is not None else None
        self.paths = guide_paths(self.directory, self.office_dir)
        self._lock = threading.Lock()
        self._stamp: tuple = ()
        self._guide: Optional[Guide] = None
        self.error: Optional[GuideDataError] = None

    def _current_stamp(self) -> tuple:
        stamps = []
        for name, path in self.paths.items():
            try:
                st = os.stat(path)
                stamps.append((name, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamps.append((name, None, None))
        for path in lang_data.language_files(self.directory):
            try:
                st = os.stat(path)
                stamps.append((str(path), st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamps.append((str(path), None, None))
        return tuple(stamps)

    def get(self) -> Guide:
        """The newest valid guide; raises only if no valid guide was ever loaded."""
        stamp = self._current_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._reload(stamp)
        if self._guide is None:
            raise self.error  # type: ignore[misc]
        return self._guide

    def _reload(self, stamp: tuple) -> None:
        try:
            self._guide = load_guide(self.directory, self.office_dir)
            self.error = None
        except GuideDataError as err:
            self.error = err
            log.error("guide data rejected, still serving the last good data: %s", err)
        self._stamp = stamp


_STORES: dict[tuple[Path, Optional[Path]], GuideStore] = {}


def shared_store(directory: Path | str, office_dir: Path | str | None = None) -> GuideStore:
    """One GuideStore per (shared data directory, office data pack) per process."""
    key = (Path(directory).resolve(), Path(office_dir).resolve() if office_dir is not None else None)
    if key not in _STORES:
        _STORES[key] = GuideStore(*key)
    return _STORES[key]
