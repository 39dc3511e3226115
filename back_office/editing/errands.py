"""Issue 16's data as staff edit it: life-event plans (life_events.yml: ordered steps) and the
garbage item dictionary (garbage.yml: items → category, notes, source, verified).

Every save takes the path of the other guide edits (see the package docstring): a version
check under the lock (409 on a mismatch), a round-trip change of the one item, validation by
bot.guide_data exactly as ``guide check`` does, an atomic write recorded in the history
(undoable per item). The kiosk reads these files through GuideStore, so a save is live at once.
"""

from __future__ import annotations

from typing import Any, Optional

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from back_office.editing.files import (EditConflict, EditError, SaveResult, dump_rt, load_rt, locked,
                                       scalar, values_version)
from back_office.editing.items import splice
from bot.guide_data import Guide

PLANS_FILE = "life_events.yml"
GARBAGE_FILE = "garbage.yml"
STEP_KINDS = {"procedure": "手続き", "redirect": "区役所以外の案内先"}
GARBAGE_ORDER = ("name", "reading", "category", "synonyms", "note", "source", "verified")


def _text(value: Any) -> Optional[str]:
    value = None if value is None else str(value).strip()
    return value or None


def _flow(values: list[str]) -> CommentedSeq:
    seq = CommentedSeq([scalar(v) for v in values])
    seq.fa.set_flow_style()  # the guide files write short lists inline: [a, b]
    return seq


# --- plans ------------------------------------------------------------------------------


def plan_values(raw: dict) -> dict:
    """A plan's editable values: its steps in order (kind, target id, condition)."""
    steps = []
    for step in raw.get("steps") or []:
        if not isinstance(step, dict):
            continue
        kind = "procedure" if step.get("procedure") else "redirect"
        steps.append({"kind": kind, "ref": str(step.get(kind) or ""),
                      "condition": _text(step.get("condition"))})
    return {"steps": steps}


def step_line(step: dict) -> str:
    """A step in words: 「手続き kokuho_join（国民健康保険に入る方）」."""
    return f"{STEP_KINDS[step['kind']]} {step['ref']}" + (
        f"（{step['condition']}）" if step.get("condition") else "")


def garbage_values(raw: dict) -> dict:
    """A garbage item's editable values, as plain Python values."""
    source = raw.get("source")
    sources = [source] if isinstance(source, str) else [str(s) for s in source or []]
    return {"name": str(raw.get("name") or ""), "reading": _text(raw.get("reading")),
            "category": str(raw.get("category") or ""),
            "synonyms": [str(s) for s in raw.get("synonyms") or []],
            "note": _text(raw.get("note")), "source": sources,
            "verified": bool(raw.get("verified", bool(sources)))}


class Errands:
    """The plans and garbage-dictionary part of :class:`back_office.editing.Editor`."""

    def _raw_list(self, file_name: str, key: str) -> list[dict]:
        data = yaml.safe_load(self.project.guide_file(file_name).read_text(encoding="utf-8"))
        return [e for e in (data or {}).get(key) or [] if isinstance(e, dict)]

    # reading ------------------------------------------------------------------------

    def plans(self) -> list[dict]:
        """Every life event: id, title and its steps."""
        return [{"id": str(e.get("id")), "label": str(e.get("title") or e.get("id")),
                 "values": plan_values(e)} for e in self._raw_list(PLANS_FILE, "life_events")]

    def plan(self, plan_id: str) -> dict:
        for e in self._raw_list(PLANS_FILE, "life_events"):
            if str(e.get("id")) == plan_id:
                values = plan_values(e)
                return {"id": plan_id, "label": str(e.get("title") or plan_id), "values": values,
                        "version": values_version(values)}
        raise EditError(f"ライフイベント {plan_id!r} は見つかりません")

    def garbage_items(self) -> list[dict]:
        return [garbage_values(e) for e in self._raw_list(GARBAGE_FILE, "items")]

    def garbage_item(self, name: str) -> dict:
        for e in self._raw_list(GARBAGE_FILE, "items"):
            if str(e.get("name")) == name:
                values = garbage_values(e)
                return {"name": name, "values": values, "version": values_version(values)}
        raise EditError(f"品目「{name}」は見つかりません")

    def garbage_choices(self) -> dict[str, dict[str, str]]:
        """Categories and sources the dictionary defines: id → name/title."""
        data = yaml.safe_load(self.project.guide_file(GARBAGE_FILE).read_text(encoding="utf-8")) or {}
        return {"categories": {str(c["id"]): str(c.get("name") or c["id"])
                               for c in data.get("categories") or [] if isinstance(c, dict)},
                "sources": {str(s["id"]): str(s.get("title") or s["id"])
                            for s in data.get("sources") or [] if isinstance(s, dict)}}

    # saving -------------------------------------------------------------------------

    def save_plan(self, plan_id: str, steps: list[dict], version: str, user: str) -> SaveResult:
        """Replace a plan's steps (order, target, condition); each must name a known target."""
        with locked(self.lock_file):
            current = self.plan(plan_id)
            if current["version"] != version:
                raise EditConflict("このプランは、あなたが開いた後に別の人が変更しました。"
                                   "最新の内容を確認してから、もう一度保存してください。",
                                   current=[step_line(s) for s in current["values"]["steps"]],
                                   latest=self._latest(PLANS_FILE))
            steps = self._checked_steps(steps)

            def change(data: Any) -> None:
                event = next(e for e in data["life_events"] if str(e.get("id")) == plan_id)
                old = {(k, str(s.get(k))): s for s in event.get("steps") or [] for k in STEP_KINDS
                       if isinstance(s, dict) and s.get(k)}
                seq = event["steps"]
                new = []
                for step in steps:
                    kept = old.get((step["kind"], step["ref"]))
                    item = kept if kept is not None else CommentedMap([(step["kind"], step["ref"])])
                    if step["condition"]:
                        item["condition"] = scalar(step["condition"], item.get("condition"))
                    elif "condition" in item:
                        del item["condition"]
                    new.append(item)
                seq[:] = new

            return self._save_errand(PLANS_FILE, change, user,
                                     f"{current['label']}（{plan_id}）: 手順を変更（{len(steps)} 件）")

    def _checked_steps(self, steps: list[dict]) -> list[dict]:
        guide = self.guide()
        out, seen = [], set()
        for step in steps:
            kind, ref = step.get("kind"), (step.get("ref") or "").strip()
            if kind not in STEP_KINDS:
                raise EditError(f"手順の種類 {kind!r} はありません（手続き・区役所以外の案内先）")
            known = guide.procedures if kind == "procedure" else guide.redirects
            if ref not in known:
                raise EditError(f"{STEP_KINDS[kind]}「{ref}」はありません。"
                                f"{'procedures.yml' if kind == 'procedure' else 'redirects.yml'} "
                                "にある id を選んでください。")
            if ref in seen:
                raise EditError(f"「{ref}」が二度あります。一つの手順は一度だけにしてください。")
            seen.add(ref)
            out.append({"kind": kind, "ref": ref, "condition": _text(step.get("condition"))})
        if not out:
            raise EditError("プランには手順が一つ以上必要です")
        return out

    def save_garbage_item(self, name: Optional[str], values: dict, version: Optional[str],
                          user: str) -> SaveResult:
        """Change an item (``name``), or add one (``name`` None)."""
        with locked(self.lock_file):
            values = self._checked_item(values)
            if name is not None:
                try:
                    current = self.garbage_item(name)
                except EditError:
                    raise EditConflict("この品目は、あなたが開いた後に別の人が削除または改名しました。",
                                       latest=self._latest(GARBAGE_FILE)) from None
                if current["version"] != version:
                    raise EditConflict("この品目は、あなたが開いた後に別の人が変更しました。"
                                       "最新の内容を確認してから、もう一度保存してください。",
                                       current=current["values"], latest=self._latest(GARBAGE_FILE))
            if values["name"] != name and any(i["name"] == values["name"] for i in self.garbage_items()):
                raise EditError(f"品目「{values['name']}」はすでにあります")

            def change(data: Any) -> None:
                items = data["items"]
                if name is None:
                    item = CommentedMap()
                    item.fa.set_flow_style()  # one item per line, as the file writes them
                    same = [i for i, e in enumerate(items) if str(e.get("category")) == values["category"]]
                    items.insert(same[-1] + 1 if same else len(items), item)
                else:
                    item = next(e for e in items if str(e.get("name")) == name)
                _write_item(item, values)

            summary = (f"ごみ品目「{values['name']}」を追加" if name is None else
                       f"ごみ品目「{name}」を変更" + (f"（名前 → {values['name']}）"
                                                     if values["name"] != name else ""))
            return self._save_errand(GARBAGE_FILE, change, user, summary)

    def remove_garbage_item(self, name: str, version: str, user: str) -> SaveResult:
        with locked(self.lock_file):
            try:
                current = self.garbage_item(name)
            except EditError:
                raise EditConflict("この品目は、すでに削除または改名されています。",
                                   latest=self._latest(GARBAGE_FILE)) from None
            if current["version"] != version:
                raise EditConflict("この品目は、あなたが開いた後に別の人が変更しました。",
                                   current=current["values"], latest=self._latest(GARBAGE_FILE))

            def change(data: Any) -> None:
                items = data["items"]
                index = next(i for i, e in enumerate(items) if str(e.get("name")) == name)
                del items[index]

            return self._save_errand(GARBAGE_FILE, change, user, f"ごみ品目「{name}」を削除")

    def _checked_item(self, values: dict) -> dict:
        choices = self.garbage_choices()
        out = {"name": _text(values.get("name")), "reading": _text(values.get("reading")),
               "category": _text(values.get("category")),
               "synonyms": [s.strip() for s in values.get("synonyms") or [] if s and s.strip()],
               "note": _text(values.get("note")),
               "source": [s.strip() for s in values.get("source") or [] if s and s.strip()],
               "verified": bool(values.get("verified"))}
        if not out["name"]:
            raise EditError("品目名を入力してください")
        if out["category"] not in choices["categories"]:
            raise EditError(f"分別区分「{out['category']}」はありません。"
                            f"次のいずれかです: {', '.join(choices['categories'].values())}")
        unknown = [s for s in out["source"] if s not in choices["sources"]]
        if unknown:
            raise EditError(f"出典 {', '.join(unknown)} は garbage.yml の sources にありません")
        if out["verified"] and not out["source"]:
            raise EditError("確認済みにするには、出典（市のページ）を選んでください")
        if not out["verified"] and out["source"]:
            raise EditError("出典を選んだ品目は確認済みです。未確認にするなら出典を外してください")
        return out

    def _save_errand(self, file_name: str, change, user: str, summary: str) -> SaveResult:
        """Apply ``change`` to the file's round-trip data; validate; write and record (locked)."""
        path = self.project.guide_file(file_name)
        before = path.read_text(encoding="utf-8")
        rt, data = load_rt(before)
        change(data)
        after = splice(before, dump_rt(rt, data))
        if after == before:
            return SaveResult(None, needs_retraining=False)
        guide: Guide = self._validate(file_name, after)  # GuideDataError: nothing written
        record = self._commit(path, before, after, user, summary)
        regenerated = self._regenerate_nlu(guide)
        return SaveResult(record, needs_retraining=regenerated, regenerated_nlu=regenerated)

    def _latest(self, file_name: str):
        return self.latest_change(self.project.rel(self.project.guide_file(file_name)))


def _write_item(item: CommentedMap, values: dict) -> None:
    """Set a garbage item's keys in the file's order; empty ones are left out."""
    wanted: dict[str, Any] = {
        "name": scalar(values["name"], item.get("name")),
        "reading": values["reading"] and scalar(values["reading"], item.get("reading")),
        "category": values["category"],
        "synonyms": _flow(values["synonyms"]) if values["synonyms"] else None,
        "note": values["note"] and scalar(values["note"], item.get("note")),
        "source": (values["source"][0] if len(values["source"]) == 1
                   else _flow(values["source"]) if values["source"] else None),
        # A cited item is verified by its source; only an uncited one says verified: false.
        "verified": None if values["source"] else False,
    }
    for key in GARBAGE_ORDER:
        value = wanted[key]
        if value is None:
            if key in item:
                del item[key]
            continue
        if key == "synonyms" and isinstance(item.get(key), CommentedSeq):
            item[key][:] = [scalar(v) for v in values["synonyms"]]
        elif key in item:
            item[key] = value
        else:
            position = sum(1 for k in item if k in GARBAGE_ORDER[:GARBAGE_ORDER.index(key)])
            item.insert(position, key, value)
