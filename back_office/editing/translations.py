"""Staff review of translations: list each language's entries, edit a text, mark it reviewed.

A translation file (data/guide/translations/<code>.yml) is edited like any guide file: under
the lock, against the version the reviewer saw, in round-trip YAML (the rest of the file keeps
its comments and layout), validated by the guide loader on a copy of data/guide with the new
file, written atomically and recorded in the history; the lookup table is re-rendered when a
name or synonym changed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from back_office.editing.files import (EditConflict, EditError, SaveResult, dump_rt, load_rt,
                                       locked, values_version)
from bot import languages
from bot.guide_data import Guide, GuideDataError, load_guide


def _label(kind: str, record: Any) -> str:
    return getattr(record, "title", None) or getattr(record, "name", None) or \
        getattr(record, "question", "")


class Translations:
    """The translation part of :class:`back_office.editing.Editor`."""

    def translation_languages(self) -> list[languages.Language]:
        guide = self.guide()
        return [lang for code, lang in guide.languages.items() if code != languages.SOURCE]

    def translations(self, lang: str) -> list[dict]:
        """Every guide entry with its Japanese label and this language's translation (or None)."""
        guide = self.guide()
        if lang not in guide.packs:
            raise EditError(f"unknown language {lang!r}")
        pack = guide.packs[lang]
        out = []
        for item_id, (kind, record) in languages.iter_japanese(guide):
            entry = pack.entries.get(item_id)
            out.append({"id": item_id, "kind": kind, "label_ja": _label(kind, record),
                        "fields": dict(entry.fields) if entry else None,
                        "reviewed": bool(entry and entry.reviewed)})
        return out

    def translation(self, lang: str, item_id: str) -> dict:
        """One entry: the Japanese record's fields, the translation's, and their version."""
        guide = self.guide()
        japanese = dict(languages.iter_japanese(guide))
        if lang not in guide.packs or item_id not in japanese:
            raise EditError(f"{lang}/{item_id} は見つかりません")
        kind, record = japanese[item_id]
        entry = guide.packs[lang].entries.get(item_id)
        fields = {k: (list(v) if isinstance(v, tuple) else v)
                  for k, v in (entry.fields if entry else {}).items()}
        allowed = [k for k, attr in languages.TRANSLATABLE[kind].items()
                   if attr is None or getattr(record, attr, None)]
        source = {k: (list(getattr(record, attr)) if isinstance(getattr(record, attr), tuple)
                      else getattr(record, attr)) for k, attr in languages.TRANSLATABLE[kind].items()
                  if attr is not None and getattr(record, attr, None)}
        values = {"fields": fields, "reviewed": bool(entry and entry.reviewed)}
        return {"id": item_id, "kind": kind, "label_ja": _label(kind, record), "japanese": source,
                "allowed": allowed, "values": values, "version": values_version(values)}

    def save_translation(self, lang: str, item_id: str, fields: dict[str, Any], reviewed: bool,
                         version: str, user: str) -> SaveResult:
        """Write one entry's translated fields and its reviewed mark (empty fields are dropped)."""
        path = self.project.guide_dir / languages.TRANSLATIONS_DIR / f"{lang}.yml"
        with locked(self.lock_file):
            current = self.translation(lang, item_id)
            if current["version"] != version:
                raise EditConflict("この翻訳は、あなたが開いた後に別の人が変更しました。"
                                   "最新の内容を確認してから、もう一度保存してください。",
                                   current=current["values"],
                                   latest=self.latest_change(self.project.rel(path)))
            unknown = set(fields) - set(current["allowed"])
            if unknown:
                raise EditError(f"この項目に翻訳できない欄です: {sorted(unknown)}")
            before = path.read_text(encoding="utf-8") if path.exists() else None
            rt, data = load_rt(before or f"language: {lang}\nsource: \"ward staff\"\nentries: {{}}\n")
            if data.get("entries") is None:
                data["entries"] = CommentedMap()
            item = data["entries"].get(item_id)
            if item is None:
                item = CommentedMap()
                data["entries"][item_id] = item
            for key in current["allowed"]:
                value = fields.get(key)
                if value in (None, "", []):
                    item.pop(key, None)
                else:
                    item[key] = value
            if reviewed:
                item["reviewed"] = True
            else:
                item.pop("reviewed", None)
            after = dump_rt(rt, data)
            if after == before:
                return SaveResult(None, needs_retraining=False)
            guide = self._validate_translation(lang, after)
            written = guide.packs[lang].entries.get(item_id)
            if written is not None and written.stale:
                # The loader tolerates a stale field (the facts changed after it was written);
                # a field written now must match the Japanese record.
                raise GuideDataError(f"{languages.TRANSLATIONS_DIR}/{lang}.yml", written.line,
                                     written.stale[0])
            state = "確認済み" if reviewed else "未確認"
            change = self._commit(path, before, after, user,
                                  f"翻訳 {lang}/{item_id} を保存（{state}）")
            regenerated = self._regenerate_nlu(guide)
        return SaveResult(change, needs_retraining=regenerated, regenerated_nlu=regenerated)

    def _validate_translation(self, lang: str, text: str) -> Guide:
        """The guide loader on a copy of data/guide with the new translation file."""
        with tempfile.TemporaryDirectory(prefix="guide-check-") as tmp:
            copy = Path(tmp) / "guide"
            shutil.copytree(self.project.guide_dir, copy)
            (copy / languages.TRANSLATIONS_DIR).mkdir(exist_ok=True)
            (copy / languages.TRANSLATIONS_DIR / f"{lang}.yml").write_text(text, encoding="utf-8")
            return load_guide(copy, self.project.office_dir)
