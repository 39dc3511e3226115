"""The structured parts of an answer, built from the guide data.

The action server sends these as a custom payload; the kiosk shows them; in degraded
mode the kiosk builds them itself from the same functions. One definition of what a
``destination``, ``redirect``, ``program`` or choice looks like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Optional, Sequence

from bot.guide_data import (Facility, GarbageItem, Guide, LifeEvent, Procedure, Program, Redirect,
                            Section, Source)
from bot.hours import open_state, weekday_hours
from bot.languages import GARBAGE_CATEGORY, Speaker, beside_japanese, department_name

# Japanese, when no speaker is given: the guide's own words.
_JA = Speaker({}, {}, "ja")


def destination(section: Section, desk_name: Optional[str] = None, sp: Speaker = _JA) -> dict:
    """Where the visitor should go: section, desk, floor, counter, and how sure we are."""
    desk = section.desk(desk_name)
    place = desk or section
    # A building of its own (the library, the fire station), named in the visitor's language.
    building = section.building and sp.entry(section.id, "building", section.building)
    return {
        "section_id": section.id,
        "department": department_name(section, sp),
        "department_ja": section.name,
        "reading": section.reading,
        "desk": desk_name,
        "floor": place.floor,
        "counter": place.counter,
        "phone": place.phone or section.phone,
        "building": building,
        "building_ja": section.building,
        "verified": place.verified,
        "place": place_text(place.floor, place.counter, building, sp),
        "place_ja": place_text(place.floor, place.counter, section.building),
    }


def procedure_destination(guide: Guide, procedure: Procedure, sp: Speaker = _JA) -> dict:
    return destination(guide.sections[procedure.section], procedure.desk, sp)


def shared_destination(guide: Guide, ids: tuple[str, ...], sp: Speaker = _JA) -> Optional[dict]:
    """Where to go when every one of these procedures is done at the same desk, else None.

    Only one desk is one counter: a section's procedures under different desks (or none named)
    are broad topics (保険, 子ども) where naming the section would send some visitors wrong.
    """
    procs = [guide.procedures.get(i) for i in ids]
    if not procs or None in procs or len({(p.section, p.desk) for p in procs}) != 1 or not procs[0].desk:
        return None
    return destination(guide.sections[procs[0].section], procs[0].desk, sp)


def program_destination(guide: Guide, program: Program, sp: Speaker = _JA) -> dict:
    """The section in charge of a program; unverified while that attribution is an inference."""
    dest = destination(guide.sections[program.section], None, sp)
    dest["in_charge_verified"] = bool(program.section_source)
    dest["verified"] = dest["verified"] and dest["in_charge_verified"]
    return dest


def in_charge_label(program: Program, sp: Speaker = _JA) -> str:
    """「担当」, or 「担当（確認中）」 when no source names the section in charge."""
    if program.section_source:
        return sp.text("screen", "担当", "担当") or "担当"
    return sp.text("screen", "担当（確認中）", "担当（確認中）") or "担当（確認中）"


def place_text(floor: Optional[int], counter: Optional[str], building: Optional[str],
               sp: Speaker = _JA) -> str:
    """「2階 204番窓口」, 「4階（窓口番号は確認中）」 or the other building's name."""
    if building and floor is None:
        return building
    if floor is None:
        return sp.phrase("place_ask", "場所は職員にお尋ねください")
    if counter:
        return sp.phrase("place_counter", "{floor}階 {counter}番窓口", floor=floor, counter=counter)
    return sp.phrase("place_floor", "{floor}階（窓口番号は確認中）", floor=floor)


def said_place(dest: dict, sp: Speaker = _JA) -> str:
    """Where to go, as the chat says it: the card beside it (and the separate 確認中 note for
    text-only clients) says whether the counter is confirmed, so the sentence does not."""
    if dest["counter"] or dest["floor"] is None:
        return dest["place"]
    return sp.phrase("place_floor_only", "{floor}階", floor=dest["floor"])


def list_text(items, sp: Speaker = _JA) -> str:
    """Items in one line: 「A、B」 in Japanese, "A, B" in English."""
    return (sp.phrase("list_separator", "、") if not sp.japanese else "、").join(items)


def procedure_details(procedure: Procedure, sp: Speaker = _JA) -> dict:
    pid = procedure.id
    return {
        "id": pid,
        "title": sp.entry(pid, "title", procedure.title),
        "title_ja": procedure.title,
        "bring": list(sp.entry(pid, "bring", procedure.bring)),
        "fee": sp.entry(pid, "fee", procedure.fee),
        "online": sp.entry(pid, "online", procedure.online),
        "service_corner": procedure.service_corner,
        "saturday": procedure.saturday,
        "note": sp.entry(pid, "note", procedure.note),
        "url": procedure.url,
        "verified": procedure.verified,
    }


def redirect_info(redirect: Redirect, sp: Speaker = _JA) -> dict:
    rid = redirect.id
    return {"id": rid, "title": sp.entry(rid, "title", redirect.title),
            "name": sp.entry(rid, "name", redirect.name), "name_ja": redirect.name,
            "phone": redirect.phone, "url": redirect.url, "note": sp.entry(rid, "note", redirect.note),
            "floor": redirect.floor}


def program_info(guide: Guide, program: Program, sp: Speaker = _JA) -> dict:
    section = guide.sections[program.section]
    # The management policy's own text stays Japanese; other languages get the summary.
    text = program.text if sp.japanese else sp.entry(program.id, "summary", program.text)
    return {"id": program.id, "title": sp.entry(program.id, "title", program.title),
            "goal": program.goal, "department": department_name(section, sp),
            "department_ja": section.name, "text": text,
            "in_charge": in_charge_label(program, sp),
            "in_charge_verified": bool(program.section_source)}


def facility_info(facility: Facility, sp: Speaker = _JA) -> dict:
    return {"id": facility.id, "name": sp.entry(facility.id, "name", facility.name),
            "name_ja": facility.name, "floor": facility.floor,
            "where": sp.entry(facility.id, "where", facility.where), "verified": facility.verified}


def source_info(source: Source) -> dict:
    return {"title": source.title, "url": source.url, "updated": source.updated, "seen": source.seen}


def sorting_info(guide: Guide, item: Optional[GarbageItem], sp: Speaker = _JA) -> dict:
    """The ``sorting`` field: an item's category and how to put it out, or where to look it up.

    ``item`` and ``category`` are the dictionary's Japanese names (the item's key, and the
    category as written at the collection point); ``item_label`` and ``category_label`` are
    the visitor's language, with the Japanese category beside a translation; ``how`` and
    ``notes`` are in the visitor's language. ``verified`` is true only when both the item's
    category and the category's way of putting it out come from a city page; ``source`` is
    the page that names the item's category.
    """
    garbage = guide.garbage
    if item is None:
        return {"item": None, "category": None, "item_label": None, "category_label": None,
                "how": None, "notes": [], "verified": False,
                "source": source_info(garbage.sources[garbage.help.dictionary_source])}
    cat = garbage.categories[item.category]
    key = GARBAGE_CATEGORY + cat.id
    how, when = sp.entry(key, "how", cat.how), sp.entry(key, "when", cat.when)
    category = beside_japanese(sp.entry(key, "name", cat.name), cat.name, sp)
    note = sp.entry(item.name, "note", item.note)
    source = source_info(garbage.sources[item.sources[0]]) if item.sources else None
    return {"item": item.name, "category": cat.name,
            "item_label": sp.entry(item.name, "name", item.name), "category_label": category,
            "how": (f"{how}{when or ''}" if sp.japanese else " ".join(filter(None, (how, when)))),
            "notes": [note] if note else [], "verified": item.verified and cat.verified,
            "source": source}


def garbage_help(guide: Guide, sp: Speaker = _JA) -> dict[str, str]:
    """Where to look an item up and whom to ask about collection, in the visitor's language
    with the Japanese names beside (the dictionary is searched by its Japanese name)."""
    help_ = guide.garbage.help
    return {"dictionary": sp.phrase("garbage_dictionary", "{ja}", ja=help_.dictionary),
            "office": sp.phrase("garbage_collection_office", "{ja}", ja=help_.collection_office)}


def sorting_reply(guide: Guide, item: Optional[GarbageItem], sp: Speaker = _JA) -> list["Utterance"]:
    """The answer to 「これは何ごみ？」: the category and how, or where to look it up, in the
    visitor's language where the dictionary is translated (the speaker remembers where not)."""
    garbage = guide.garbage
    info = sorting_info(guide, item, sp)
    bulky = guide.redirects[garbage.help.bulky_redirect]
    bulky_info = redirect_info(bulky, sp)
    where = dict(**garbage_help(guide, sp), bulky=bulky_info["name"], phone=bulky.phone or "")
    if item is None:
        return [Utterance("utter_sorting_unknown", where,
                          dict(sorting=info, redirect=bulky_info))]
    payload: dict = dict(sorting=info)
    if item.category == "sodai":
        payload["redirect"] = bulky_info
    out = [Utterance("utter_sorting", dict(item=info["item_label"], category=info["category_label"],
                                           how=info["how"], note=" ".join(info["notes"])), payload)]
    if item.category == "sodai":
        out.append(Utterance("utter_sorting_bulky", where))
    if not info["verified"]:
        out.append(Utterance("utter_sorting_unverified", where))
    return out


def plan_steps(guide: Guide, event: LifeEvent, sp: Speaker = _JA) -> list[dict]:
    """The ``plan`` field: each step's place and what to bring, read from the procedure data.
    Conditions and notes are Japanese only (the speaker remembers the fallback)."""
    steps = []
    for n, step in enumerate(event.steps, start=1):
        if (step.condition or step.note) and not sp.japanese:
            sp.fell_back = True
        if step.procedure:
            proc = guide.procedures[step.procedure]
            dest = procedure_destination(guide, proc, sp)
            details = procedure_details(proc, sp)
            steps.append({"step": n, "procedure": proc.id, "title": details["title"],
                          "title_ja": proc.title, "department": dest["department"],
                          "department_ja": dest["department_ja"], "section_id": dest["section_id"],
                          "desk": dest["desk"], "floor": dest["floor"], "counter": dest["counter"],
                          "place": dest["place"], "building": dest["building"],
                          "verified": dest["verified"], "details_verified": proc.verified,
                          "condition": step.condition, "bring": details["bring"],
                          "online": details["online"], "redirect": None, "note": step.note})
        else:
            red = guide.redirects[step.redirect]
            info = redirect_info(red, sp)
            steps.append({"step": n, "procedure": None, "title": info["title"], "title_ja": red.title,
                          "department": info["name"], "department_ja": red.name,
                          "section_id": None, "desk": None, "floor": None, "counter": None,
                          "place": info["name"], "building": None, "verified": True,
                          "details_verified": True, "condition": step.condition, "bring": [],
                          "online": None, "redirect": info, "note": step.note})
    return steps


def plan_reply(guide: Guide, event: LifeEvent, sp: Speaker = _JA) -> list["Utterance"]:
    """A life event's visit plan; ``destination`` is the first step's, so the map starts there."""
    steps = plan_steps(guide, event, sp)
    first = next((s for s in steps if s["procedure"]), None)
    title = sp.entry(event.id, "title", event.title)
    payload: dict = dict(plan=steps, life_event={"id": event.id, "title": title})
    if first:
        payload["destination"] = procedure_destination(guide, guide.procedures[first["procedure"]], sp)
    lines = "／".join(f"{s['step']}. {s['title']}（{s['department']}）" for s in steps)
    out = [Utterance("utter_plan", dict(title=title, count=len(steps), steps=lines), payload)]
    if any(s["condition"] for s in steps):
        out.append(Utterance("utter_plan_conditions"))
    if event.note:
        out.append(Utterance("utter_plan_note", dict(note=sp.entry(event.id, "note", event.note))))
    if not all(s["verified"] for s in steps):
        out.append(Utterance("utter_unverified"))
    return out


def button(title: str, intent: str, item_id: str) -> dict:
    """A choice the visitor can tap: its payload bypasses NLU and names the item."""
    return {"title": title, "payload": f"/{intent}" + json.dumps({"item": item_id}, ensure_ascii=False)}


def title_of_entry(guide: Guide, item_id: str, sp: Speaker = _JA) -> str:
    """The title of a procedure or redirect (the entries an ask-back offers)."""
    japanese = (guide.procedures[item_id].title if item_id in guide.procedures
                else guide.redirects[item_id].title)
    return sp.entry(item_id, "title", japanese)


def procedure_button(procedure: Procedure, sp: Speaker = _JA) -> dict:
    return button(sp.entry(procedure.id, "title", procedure.title), "request", procedure.id)


def menu_buttons(guide: Guide, sp: Speaker = _JA) -> list[dict]:
    """The vague topics as a menu, for when the guide cannot tell what the visitor needs."""
    return [button(sp.entry(c.id, "synonyms", c.synonyms)[0], "request", c.id)
            for c in list(guide.clarifications.values())[:4]]


def with_desk_button(guide: Guide, buttons: list[dict], sp: Speaker = _JA) -> list[dict]:
    """The guesses, then 「どれでもない（総合案内へ）」 when there are any.

    Every reply that guesses says 「違うときは総合案内に…」: the visitor whose question is none of
    the guesses (a question about nothing the office does, most often) gets the desk's place and
    map with one tap too, rather than reading the hedge and looking for the desk. So does a vague
    word's question (「どの手帳・サービスについてですか？」), which may have guessed the word wrong.
    Not one that names the one counter of all its choices: that is an answer. No guesses, no
    button: the reply then names the desk as its answer.
    """
    if not buttons:
        return buttons
    desk = guide.office.information_desk
    name = desk.name if sp.japanese else sp.entry(desk.id, "name", desk.name)
    title = sp.phrase("none_of_these", "どれでもない（{name}へ）", name=name)
    return [*buttons, button(title, "facility", desk.id)]


def information_desk_text(guide: Guide, sp: Speaker = _JA) -> str:
    """「総合案内（1階 正面入口の近く）」, hedged while its place is unverified."""
    desk = guide.office.information_desk
    if not sp.japanese:
        name, where = sp.entry(desk.id, "name", desk.name), sp.entry(desk.id, "where", desk.where)
        hedge = "" if desk.verified else sp.phrase("place_unverified_short", "・場所は確認中")
        return sp.phrase("desk_where", "{name}（{where}{hedge}）", name=name, where=where,
                         hedge=hedge)
    # A place that already says it is unconfirmed (…（要確認）) needs no second mark.
    hedge = "" if desk.verified or "確認" in desk.where else "・場所は確認中"
    return f"{desk.name}（{desk.where}{hedge}）"


# --- what to say -------------------------------------------------------------------


@dataclass
class Utterance:
    """One bot message: a domain response name, the values it needs, and structured fields."""

    response: str
    fields: dict = dc_field(default_factory=dict)
    payload: dict = dc_field(default_factory=dict)
    buttons: list = dc_field(default_factory=list)


def reply_for(guide: Guide, kind: Optional[str], item_id: Optional[str],
              candidates: Sequence = (), sp: Speaker = _JA) -> list[Utterance]:
    """The answer to a resolved guide entry, or the question back when there is none.

    ``sp`` speaks the visitor's language: every field is its translation (or its fallback's).
    """
    if kind == "procedure":
        proc = guide.procedures[item_id]
        dest = procedure_destination(guide, proc, sp)
        details = procedure_details(proc, sp)
        out = [Utterance("utter_route", dict(title=details["title"], department=dest["department"],
                                             place=said_place(dest, sp)),
                         dict(destination=dest, procedure=details))]
        return out + ([] if dest["verified"] else [Utterance("utter_unverified")])
    if kind == "section":
        section = guide.sections[item_id]
        dest = destination(section, None, sp)
        mission = sp.entry(section.id, "mission", section.mission) if sp.japanese else \
            sp.entry(section.id, "mission", None) or ""
        out = [Utterance("utter_route_section", dict(department=dest["department"],
                                                     place=said_place(dest, sp), mission=mission),
                         dict(destination=dest))]
        return out + ([] if dest["verified"] else [Utterance("utter_unverified")])
    if kind == "redirect":
        red = guide.redirects[item_id]
        info = redirect_info(red, sp)
        if red.floor is not None:
            # Not a ward-office counter, but upstairs: "not handled at the ward office, contact
            # …" would send the visitor out of a building the counter is in.
            return [Utterance("utter_redirect_in_building",
                              dict(title=info["title"], name=info["name"], note=info["note"] or "",
                                   place=sp.phrase("place_floor_only", "{floor}階", floor=red.floor)),
                              dict(redirect=info))]
        return [Utterance("utter_redirect", dict(title=info["title"], name=info["name"],
                                                 note=info["note"] or ""),
                          dict(redirect=info))]
    if kind == "clarification":
        clar = guide.clarifications[item_id]
        buttons = [procedure_button(guide.procedures[c], sp) if c in guide.procedures
                   else button(sp.entry(c, "title", guide.redirects[c].title), "request", c)
                   for c in clar.choices]
        question = sp.entry(clar.id, "question", clar.question)
        dest = shared_destination(guide, clar.choices, sp)
        if dest:
            # 「引っ越しの手続きは？」: 転入・転出・転居 are all done at 戸籍課, so say where to go
            # first; which one is asked at the counter or with a tap.
            out = [Utterance("utter_clarify_one_place",
                             dict(department=dest["department"], place=said_place(dest, sp),
                                  question=question),
                             dict(destination=dest), buttons=buttons)]
            return out + ([] if dest["verified"] else [Utterance("utter_unverified")])
        return [Utterance("utter_clarify", dict(question=question),
                          buttons=with_desk_button(guide, buttons, sp))]
    if kind == "program":
        prog = guide.programs[item_id]
        info = program_info(guide, prog, sp)
        dest = program_destination(guide, prog, sp)
        out = [Utterance("utter_program", dict(title=info["title"], body=info["text"],
                                               in_charge=info["in_charge"],
                                               department=info["department"]),
                         dict(program=info))]
        return out + ([] if dest["verified"] else [Utterance("utter_unverified")])
    if kind == "facility":
        fac = guide.facilities[item_id]
        info = facility_info(fac, sp)
        out = [Utterance("utter_facility", dict(name=info["name"], where=info["where"]),
                         dict(facility=info))]
        return out + ([] if fac.verified else [Utterance("utter_unverified")])
    if candidates:
        # The desk too: none of the guesses may be what the visitor needs.
        buttons = with_desk_button(guide, choice_buttons(guide, candidates, sp), sp)
        return [Utterance("utter_suggest", dict(desk=information_desk_text(guide, sp)), buttons=buttons)]
    return [Utterance("utter_not_understood", dict(desk=information_desk_text(guide, sp)),
                      buttons=with_desk_button(guide, menu_buttons(guide, sp), sp))]


def choice_buttons(guide: Guide, candidates: Sequence, sp: Speaker = _JA) -> list[dict]:
    """One button per candidate entry (a Match), titled in the visitor's language."""
    intents = {"section": "section", "program": "program", "facility": "facility"}
    return [button(entry_title(guide, m.kind, m.id, m.title, sp), intents.get(m.kind, "request"), m.id)
            for m in candidates]


def not_sure_reply(guide: Guide, guesses: Sequence, sp: Speaker = _JA) -> Utterance:
    """The guide is not sure it covers the question: the information desk, and its best
    guesses (Matches) as buttons when it has any."""
    desk = dict(desk=information_desk_text(guide, sp))
    if guesses:
        return Utterance("utter_out_of_scope_guess", desk,
                         buttons=with_desk_button(guide, choice_buttons(guide, guesses, sp), sp))
    return Utterance("utter_out_of_scope", desk)


def company_matter_reply(guide: Guide, sp: Speaker = _JA) -> Utterance:
    """The visitor's own contract with a company (電気, 銀行, 会社の健康保険): the company or the
    insurer does it; the information desk for anything of the office's."""
    return Utterance("utter_company_matter", dict(desk=information_desk_text(guide, sp)))


def foreign_passport_reply(guide: Guide, sp: Speaker = _JA) -> Utterance:
    """A passport of another country (bot.passports): its embassy or consulate; the passport
    centre issues Japanese passports only."""
    return Utterance("utter_foreign_passport", dict(desk=information_desk_text(guide, sp)))


def other_city_reply(guide: Guide, city: str, guesses: Sequence, sp: Speaker = _JA) -> Utterance:
    """A matter of another city (「藤沢市の保育園」): that city's office; if it is this office's
    after all, its best guesses (Matches) as buttons; else the information desk."""
    return Utterance("utter_other_city_guess", dict(city=city, desk=information_desk_text(guide, sp)),
                     buttons=with_desk_button(guide, choice_buttons(guide, guesses, sp), sp))


def staff_call_reply(guide: Guide, moment=None, sp: Speaker = _JA) -> Utterance:
    """「職員をお呼びしました」 while the office is open; after hours, that it is closed and
    when to come back (no one would answer the call)."""
    state = open_state(guide, moment, sp)
    if not state.open:
        return Utterance("utter_call_staff_closed", dict(today=state.today, hours=weekday_hours(guide, sp)),
                         dict(staff_call=False, hours={"open": False, "today": state.today,
                                                       "reason": state.reason}))
    return Utterance("utter_call_staff", dict(desk=information_desk_text(guide, sp)),
                     dict(staff_call=True, facility=facility_info(guide.office.information_desk, sp)))


def waiting_utterances(guide: Guide, status=None, sp: Speaker = _JA) -> list[Utterance]:
    """What the guide knows about waiting: tickets, busy periods (sourced, or said to be
    unconfirmed), and the current count per counter when the office's feed gives one.
    The office's notices are Japanese only: another language says it fell back."""
    w = guide.office.waiting
    if not sp.japanese and (w.tickets or w.busy):
        sp.fell_back = True
    out = [Utterance("utter_waiting_tickets" if n.verified else "utter_waiting_tickets_unverified",
                     dict(text=n.text)) for n in w.tickets]
    out += [Utterance("utter_waiting_busy", dict(text=n.text)) for n in w.busy if n.verified]
    counts = [f"{department_name(guide.sections[c.section], sp)}{' ' + c.desk if c.desk else ''} "
              + sp.phrase("people", "{n}人", n=c.waiting)
              for c in (status.counters if status else ())]
    if counts:
        out.append(Utterance("utter_waiting_now", dict(counts=list_text(counts, sp),
                                                       updated=status.updated or "")))
    else:
        out.append(Utterance("utter_waiting_unknown"))
    return out


def entry_title(guide: Guide, kind: str, item_id: str, japanese: str, sp: Speaker = _JA) -> str:
    """An entry's title (or name, or question) in the visitor's language."""
    key = {"section": "name", "facility": "name", "clarification": "question"}.get(kind, "title")
    if kind == "section" and item_id in guide.sections:
        return department_name(guide.sections[item_id], sp)
    return sp.entry(item_id, key, japanese)
