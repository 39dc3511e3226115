"""Items of a data file — an entry, a section, a desk's section, a response, an intent's block —
so that undo can restore one item and leave the file's other items as later changes left them."""

from __future__ import annotations

from typing import Any, Optional

import yaml

from back_office.editing.files import dump_rt, load_rt

# What names an entry of a list, in the order tried: guide entries have an id, garbage items a
# name, Rasa's NLU blocks an intent (or synonym/regex/lookup).
ITEM_KEYS = ("id", "intent", "synonym", "regex", "lookup", "name")
# Mappings whose keys are items of their own (domain.yml: one response per name).
SPLIT_MAPPINGS = {"responses", "slots", "forms"}
MISSING = object()


def _ident(entry: Any) -> Optional[str]:
    if isinstance(entry, dict):
        for key in ITEM_KEYS:
            if entry.get(key) is not None:
                return f"{key}={entry[key]}"
    return None


def _list_idents(value: Any) -> Optional[list[str]]:
    """The names of a list's entries, if every entry has a distinct one."""
    if not isinstance(value, list) or not value:
        return None
    idents = [_ident(e) for e in value]
    if None in idents or len(set(idents)) != len(idents):
        return None
    return idents  # type: ignore[return-value]


def items_of(text: Optional[str]) -> dict[tuple, Any]:
    """The file's items as plain values, keyed by (top-level key[, entry name])."""
    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {(): text}
    if not isinstance(data, dict):
        return {(): data}
    out: dict[tuple, Any] = {}
    for key, value in data.items():
        idents = _list_idents(value)
        if idents is not None:
            for ident, entry in zip(idents, value):
                out[(key, ident)] = entry
        elif key in SPLIT_MAPPINGS and isinstance(value, dict):
            for name, entry in value.items():
                out[(key, f"{name}")] = entry
        else:
            out[(key,)] = value
    return out


def changed_items(before: Optional[str], after: Optional[str]) -> list[tuple]:
    """The items that differ between two texts of a file (added and removed ones too)."""
    old, new = items_of(before), items_of(after)
    return [k for k in dict.fromkeys([*old, *new]) if old.get(k, MISSING) != new.get(k, MISSING)]


def item_label(key: tuple) -> str:
    """An item as staff know it: 「eisei」, 「生ごみ」, 「utter_route」."""
    if not key:
        return "ファイル全体"
    if len(key) == 1:
        return str(key[0])
    return key[1].split("=", 1)[1]


def restore_items(current: str, before: str, keys: list[tuple]) -> Optional[str]:
    """``current`` with the items ``keys`` as they are in ``before`` (an item ``before`` lacks
    is removed; one ``current`` lacks is put back next to its old neighbour); comments and the
    other items stay as they are. None when the file's shape does not allow it."""
    rt, cur = load_rt(current)
    _rt, old = load_rt(before)
    if not isinstance(cur, dict) or not isinstance(old, dict):
        return None
    for key in keys:
        if not key:
            return None
        top = key[0]
        if len(key) == 1:
            if top in old:
                cur[top] = old[top]
            elif top in cur:
                del cur[top]
            continue
        was, now = old.get(top), cur.get(top)
        if isinstance(was, dict) or isinstance(now, dict):
            if not isinstance(now, dict):
                return None
            name = key[1]
            if isinstance(was, dict) and name in was:
                if name in now:
                    now[name] = was[name]
                else:
                    now.insert(_position(list(was), list(now), name), name, was[name])
            elif name in now:
                del now[name]
            continue
        if not isinstance(now, list):
            return None
        old_list = was if isinstance(was, list) else []
        old_idents = [_ident(e) for e in old_list]
        now_idents = [_ident(e) for e in now]
        entry = old_list[old_idents.index(key[1])] if key[1] in old_idents else None
        if key[1] in now_idents:
            index = now_idents.index(key[1])
            if entry is None:
                del now[index]
            else:
                now[index] = entry
        elif entry is not None:
            now.insert(_position(old_idents, now_idents, key[1]), entry)
    return dump_rt(rt, cur)


def _position(old_order: list, now_order: list, name: Any) -> int:
    """Where to put back an entry: after the nearest entry that preceded it and is still there."""
    for previous in reversed(old_order[:old_order.index(name)]):
        if previous in now_order:
            return now_order.index(previous) + 1
    return 0


def _spans(text: str, key: str) -> Optional[dict[str, tuple[int, int]]]:
    """Each entry of the list ``key``: its lines [start, end) in ``text`` (its own comments
    above the next entry belong to that entry)."""
    _rt, data = load_rt(text)
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list) or not seq:
        return {} if isinstance(seq, list) else None
    lines = text.splitlines()
    keys = list(data)
    after = keys[keys.index(key) + 1] if keys.index(key) + 1 < len(keys) else None
    limit = data.lc.key(after)[0] if after is not None else len(lines)
    starts = [entry.lc.line for entry in seq]
    spans = {}
    for i, entry in enumerate(seq):
        end = starts[i + 1] if i + 1 < len(seq) else limit
        while end - 1 > starts[i] and (not lines[end - 1].strip()
                                       or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        ident = _ident(entry)
        if ident is None:
            return None
        spans[ident] = (starts[i], end)
    return spans


def splice(before: str, after: str) -> str:
    """``after``, but with every line outside the changed list entries exactly as in ``before``.

    ruamel.yaml writes a whole file back with its own line breaks (a long inline list on one
    line); staff changing one entry must not rewrap the others.
    """
    keys = changed_items(before, after)
    if not keys or any(len(k) != 2 for k in keys) or len({k[0] for k in keys}) != 1:
        return after
    top = keys[0][0]
    old, new = _spans(before, top), _spans(after, top)
    if old is None or new is None:
        return after
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if not all(line.endswith("\n") for line in new_lines):
        return after
    edits = []  # (start, end in before, replacement lines)
    new_order = list(new)
    for _top, ident in keys:
        text = new_lines[new[ident][0]:new[ident][1]] if ident in new else []
        if ident in old:
            edits.append((*old[ident], text))
            continue
        # A new entry: after the entry before it (in the new order) that was there already.
        previous = [p for p in new_order[:new_order.index(ident)] if p in old]
        at = old[previous[-1]][1] if previous else (min(s for s, _e in old.values()) if old else None)
        if at is None:
            return after
        edits.append((at, at, text))
    lines = list(old_lines)
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = text
    result = "".join(lines)
    return result if items_of(result) == items_of(after) else after
