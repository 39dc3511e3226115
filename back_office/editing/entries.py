"""Guide entries (sections and their desks, procedures, redirects, programs) as staff edit them."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Optional

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from back_office.editing.files import (GENERATED_NLU, EditConflict, EditError, SaveResult, atomic_write,
                                       dump_rt, load_rt, locked, scalar, values_version)
from bot.guide_data import OFFICE_FILES, Guide, GuideDataError, guide_paths, load_guide
from bot.languages import LANGUAGES_FILE, TEXTS_DIR, TRANSLATIONS_DIR
from bot.nlu_export import render
from bot.settings import DEFAULT_OFFICE

# Which file and list holds each kind of guide entry the console edits.
KINDS = {
    "section": ("sections.yml", "sections"),
    "procedure": ("procedures.yml", "procedures"),
    "redirect": ("redirects.yml", "redirects"),
    "program": ("programs.yml", "programs"),
    "facility": ("office.yml", "facilities"),
}
# The fields staff edit, in the order they appear in the files. A place marked verified
# names its source (the loader refuses it without one).
FIELDS = {
    "section": ("floor", "counter", "phone", "verified", "source"),
    "procedure": ("section", "desk", "synonyms", "bring", "fee", "note", "verified"),
    "redirect": ("name", "phone", "url", "note", "synonyms"),
    "program": ("section", "text", "synonyms"),
    "facility": ("floor", "where", "verified", "source"),
}
DESK_FIELDS = ("floor", "counter", "phone", "verified", "source")
FILE_ORDER = {
    "section": ("id", "name", "reading", "mission", "floor", "counter", "phone", "verified",
                "source", "building", "desks"),
    "procedure": ("id", "title", "reading", "section", "desk", "categories", "synonyms", "bring",
                  "fee", "online", "service_corner", "saturday", "note", "url", "verified"),
    "redirect": ("id", "title", "name", "phone", "url", "note", "synonyms"),
    "program": ("id", "title", "goal", "section", "text", "synonyms"),
    "desk": ("name", "floor", "counter", "phone", "verified", "source", "mission"),
    "facility": ("id", "name", "floor", "where", "verified", "source", "synonyms"),
}
# Fields these files spell out as `null` when unknown (the others leave them out).
KEEP_NULL = {"section": {"floor", "counter", "phone"}, "redirect": {"phone", "url"},
             "desk": set()}
# Words and names that feed generated_from_guide.yml.
NAME_FIELDS = {"synonyms", "name", "title", "reading"}


def _set_field(item: CommentedMap, key: str, value: Any, kind: str) -> None:
    empty = value is None or value == "" or value == []
    if empty:
        if key in item:
            if key in KEEP_NULL.get(kind, ()):
                item[key] = None
            else:
                del item[key]
        elif key in KEEP_NULL.get(kind, ()):
            _insert(item, key, None, kind)
        return
    if isinstance(value, list):
        old = item.get(key)
        if isinstance(old, CommentedSeq):
            old[:] = [scalar(v) for v in value]
            return
        seq = CommentedSeq([scalar(v) for v in value])
        seq.fa.set_flow_style()  # the guide files write short lists inline: [a, b]
        value = seq
    else:
        value = scalar(value, item.get(key))
    if key in item:
        item[key] = value
    else:
        _insert(item, key, value, kind)


def _insert(item: CommentedMap, key: str, value: Any, kind: str) -> None:
    """Add a field after the fields that come before it in the file's usual order."""
    order = FILE_ORDER[kind]
    before = set(order[:order.index(key)])
    position = 0
    for i, existing in enumerate(item):
        if existing in before:
            position = i + 1
    item.insert(position, key, value)


# --- the editor --------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def entry_values(kind: str, raw: dict) -> dict:
    """The editable values of one entry, as plain Python values."""
    values: dict[str, Any] = {}
    for key in FIELDS[kind]:
        value = _plain(raw.get(key))
        if key in ("synonyms", "bring"):
            value = [str(v) for v in value or []]
        elif key == "verified":
            value = bool(value)
        elif key == "floor" or value is None:
            pass
        else:
            value = str(value)
        values[key] = value
    if kind == "section":
        values["desks"] = [_desk_values(d) for d in raw.get("desks") or [] if isinstance(d, dict)]
    return values


def _desk_values(raw: dict) -> dict:
    floor, counter, phone = raw.get("floor"), raw.get("counter"), raw.get("phone")
    source = raw.get("source")
    return {"name": str(raw.get("name")), "floor": floor,
            "counter": None if counter is None else str(counter),
            "phone": None if phone is None else str(phone), "verified": bool(raw.get("verified")),
            "source": None if source is None else str(source)}


def merge_values(base: Optional[dict], mine: dict, theirs: dict) -> tuple[dict, list[str]]:
    """A three-way merge of one entry's values, field by field (desks: per desk and field).

    A field this editor left as it was at ``base`` takes the other change; a field only this
    editor changed keeps the editor's value; a field both changed to different values keeps
    the editor's value and is listed as a conflict. Without a base (history gone), every
    field that differs from ``theirs`` is a conflict and the form starts from ``theirs``.
    Returns (values for the form, conflicting fields such as "phone" or "保険係.counter").
    """
    merged: dict[str, Any] = dict(theirs)
    conflicts: list[str] = []

    def one(name: str, b: Any, m: Any, t: Any) -> Any:
        if m == t:
            return m
        if base is None:
            conflicts.append(name)
            return t
        if m == b:
            return t
        if t != b:
            conflicts.append(name)
        return m

    for key, value in mine.items():
        if key == "desks":
            base_desks = {d["name"]: d for d in (base or {}).get("desks") or []}
            mine_desks = {d["name"]: d for d in value}
            desks = []
            for desk in theirs.get("desks") or []:
                m, b = mine_desks.get(desk["name"]), base_desks.get(desk["name"], {})
                desks.append(desk if m is None else {
                    "name": desk["name"],
                    **{k: one(f"{desk['name']}.{k}", b.get(k), m.get(k), desk.get(k))
                       for k in DESK_FIELDS}})
            merged["desks"] = desks
        elif key in theirs:
            merged[key] = one(key, (base or {}).get(key), value, theirs[key])
    return merged, conflicts


def extra_checks(guide: Guide) -> None:
    """Checks the console adds to ``load_guide``: a floor must be one of the building's floors."""
    floors = set(guide.office.floors)
    for section in guide.sections.values():
        for who, floor in ((section.name, section.floor),
                           *((f"{section.name} {d.name}", d.floor) for d in section.desks)):
            if floor is not None and floor not in floors:
                raise GuideDataError("sections.yml", None,
                                     f"{who}: floor {floor} is not one of the building's floors "
                                     f"{sorted(floors)}")


def validate_guide_text(guide_dir: Path, office_dir: Optional[Path], file_name: str,
                        text: str) -> Guide:
    """``guide check``'s validation of data/guide and an office's pack with one file replaced
    by ``text`` (the files are copied, from where they are, into one temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="guide-check-") as tmp:
        for name, path in guide_paths(guide_dir, office_dir).items():
            if path.exists():
                shutil.copy2(path, Path(tmp) / name)
        # The languages come along: translations are checked against the edited entries, and
        # the lookup table rendered from this guide keeps their words.
        if (Path(guide_dir) / LANGUAGES_FILE).exists():
            shutil.copy2(Path(guide_dir) / LANGUAGES_FILE, Path(tmp) / LANGUAGES_FILE)
        for sub in (TRANSLATIONS_DIR, TEXTS_DIR):
            if (Path(guide_dir) / sub).is_dir():
                shutil.copytree(Path(guide_dir) / sub, Path(tmp) / sub)
        (Path(tmp) / file_name).write_text(text, encoding="utf-8")
        # The other packs' ids, for the shared translations of their facilities.
        guide = load_guide(tmp, offices_dir=Path(office_dir).parent if office_dir else None)
    extra_checks(guide)
    return guide



class GuideEntries:
    """The guide-entry part of :class:`back_office.editing.Editor`."""

    # reading ------------------------------------------------------------------

    def guide(self) -> Guide:
        return load_guide(self.project.guide_dir, self.project.office_dir)

    def _entries_raw(self, kind: str) -> list[dict]:
        file_name, key = KINDS[kind]
        data = yaml.safe_load(self.project.guide_file(file_name).read_text(encoding="utf-8"))
        return [e for e in (data or {}).get(key) or [] if isinstance(e, dict)]

    def entries(self, kind: str) -> list[dict]:
        """Every entry of a kind: id, title/name, and its editable values."""
        return [{"id": str(e.get("id")), "label": str(e.get("name") or e.get("title") or e.get("id")),
                 "values": entry_values(kind, e)} for e in self._entries_raw(kind)]

    def entry(self, kind: str, item_id: str) -> dict:
        """One entry with its editable values and their version."""
        if kind not in KINDS:
            raise EditError(f"unknown kind {kind!r}")
        for e in self._entries_raw(kind):
            if str(e.get("id")) == item_id:
                values = entry_values(kind, e)
                return {"id": item_id, "label": str(e.get("name") or e.get("title") or item_id),
                        "raw": e, "values": values, "version": values_version(values)}
        raise EditError(f"{kind} {item_id!r} は見つかりません")

    # saving guide entries -------------------------------------------------------

    def save_entry(self, kind: str, item_id: str, values: dict, version: str, user: str) -> SaveResult:
        """Change the editable fields of one guide entry (see the module docstring)."""
        file_name, key = KINDS[kind]
        path = self.project.guide_file(file_name)
        with locked(self.lock_file):
            current = self.entry(kind, item_id)
            if current["version"] != version:
                conflict = EditConflict("この項目は、あなたが開いた後に別の人が変更しました。"
                                        "最新の内容を確認してから、もう一度保存してください。",
                                        current=current["values"], latest=self.latest_change(
                                            self.project.rel(path)))
                # What to put back in the form: the other change, plus the fields this editor
                # changed (a re-save must not undo the other change with stale values).
                base = self._values_at_version(kind, item_id, version)
                conflict.merged, conflict.fields = merge_values(base, values, current["values"])
                conflict.version = current["version"]
                raise conflict
            before = path.read_text(encoding="utf-8")
            rt, data = load_rt(before)
            item = next(e for e in data[key] if str(e.get("id")) == item_id)
            changed = [k for k in FIELDS[kind] if k in values and values[k] != current["values"][k]]
            for k in changed:
                _set_field(item, k, values[k], kind)
            if kind == "section" and "desks" in values:
                changed += self._apply_desks(item, values["desks"], current["values"]["desks"])
            after = dump_rt(rt, data)
            if after == before:
                return SaveResult(None, needs_retraining=False)
            guide = self._validate(file_name, after)
            label = current["label"]
            summary = f"{label}（{item_id}）: {', '.join(dict.fromkeys(changed))} を変更"
            change = self._commit(path, before, after, user, summary)
            regenerated = self._regenerate_nlu(guide)
        return SaveResult(change, needs_retraining=regenerated, regenerated_nlu=regenerated)

    def _values_at_version(self, kind: str, item_id: str, version: str) -> Optional[dict]:
        """The entry's values as they were at ``version``, found in the file's history."""
        file_name, key = KINDS[kind]
        for change in self.changes(limit=200, file=self.project.rel(self.project.guide_file(file_name))):
            for text in (change.after_text, change.before_text):
                try:
                    data = yaml.safe_load(text or "") or {}
                except yaml.YAMLError:
                    continue
                for raw in data.get(key) or []:
                    if isinstance(raw, dict) and str(raw.get("id")) == item_id:
                        values = entry_values(kind, raw)
                        if values_version(values) == version:
                            return values
        return None

    def _apply_desks(self, item: CommentedMap, desks: list[dict], old: list[dict]) -> list[str]:
        changed = []
        by_name = {str(d.get("name")): d for d in item.get("desks") or []}
        old_by_name = {d["name"]: d for d in old}
        for desk in desks:
            raw = by_name.get(desk["name"])
            if raw is None:
                raise EditError(f"係 {desk['name']!r} は見つかりません")
            for k in DESK_FIELDS:
                if k in desk and desk[k] != old_by_name[desk["name"]].get(k):
                    _set_field(raw, k, desk[k], "desk")
                    changed.append(f"{desk['name']}.{k}")
        return changed

    def _validate(self, file_name: str, text: str) -> Guide:
        """Validate a new text of one guide file; return the guide the NLU is rendered from.

        That is the default office's guide (data/offices/kanazawa): an edit of a shared file
        while another office is served must keep the default pack valid too.
        """
        guide = validate_guide_text(self.project.guide_dir, self.project.office_dir, file_name, text)
        if self.project.office == DEFAULT_OFFICE:
            return guide
        default_dir = self.project.office_dir_of(DEFAULT_OFFICE)
        if file_name in OFFICE_FILES:
            return load_guide(self.project.guide_dir, default_dir)
        return validate_guide_text(self.project.guide_dir, default_dir, file_name, text)

    def _regenerate_nlu(self, guide: Guide) -> bool:
        """Re-render generated_from_guide.yml when the guide's words changed; True if it did.

        ``guide`` is the default office's guide (see :meth:`_validate`).
        """
        path = self.project.root / GENERATED_NLU
        text = render(guide)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return False
        atomic_write(path, text)
        return True

