"""The guide's wording: domain.yml responses, as staff edit them."""

from __future__ import annotations

import string

import yaml

from back_office.editing.files import (EditConflict, EditError, SaveResult, dump_rt, load_rt, locked,
                                       scalar, values_version)
from bot.languages import plain_fields


class Responses:
    """The wording part of :class:`back_office.editing.Editor`."""

    # answers (domain.yml responses) ------------------------------------------------

    def responses(self) -> dict[str, dict]:
        """Every response in domain.yml: its text (first variant), placeholders and version."""
        data = yaml.safe_load(self.project.domain.read_text(encoding="utf-8")) or {}
        out = {}
        for name, variants in (data.get("responses") or {}).items():
            if variants and isinstance(variants[0], dict) and "text" in variants[0]:
                text = str(variants[0]["text"])
                out[name] = {"text": text, "placeholders": _placeholders(text),
                             "version": values_version(text)}
        return out

    def save_response(self, name: str, text: str, version: str, user: str) -> SaveResult:
        """Change the wording of one response; its {placeholders} must stay ones it had."""
        path = self.project.domain
        with locked(self.lock_file):
            current = self.responses().get(name)
            if current is None:
                raise EditError(f"応答 {name!r} はありません")
            if current["version"] != version:
                raise EditConflict("この応答文は、あなたが開いた後に別の人が変更しました。",
                                   current=current["text"],
                                   latest=self.latest_change(self.project.rel(path)))
            text = text.strip()
            if not text or "\n" in text:
                raise EditError("応答文は1行で入力してください")
            try:
                used = _placeholders(text)
            except ValueError:
                raise EditError("{ } の対応が正しくありません") from None
            try:
                plain_fields(text)
            except ValueError:
                raise EditError("差し込み項目は {desk} のように名前だけを { } で囲んでください"
                                "（! や : の指定は使えません）") from None
            unknown = used - current["placeholders"]
            if unknown:
                raise EditError(f"使えない差し込み項目があります: {', '.join(sorted(unknown))}"
                                f"（使えるもの: {', '.join(sorted(current['placeholders'])) or 'なし'}）")
            before = path.read_text(encoding="utf-8")
            rt, data = load_rt(before)
            data["responses"][name][0]["text"] = scalar(text, data["responses"][name][0]["text"])
            after = dump_rt(rt, data)
            if after == before:
                return SaveResult(None, needs_retraining=False)
            parsed = yaml.safe_load(after)
            if parsed["responses"][name][0]["text"] != text:
                raise EditError("応答文を YAML に正しく書けませんでした")
            change = self._commit(path, before, after, user, f"{name}: 応答文を変更")
        return SaveResult(change, needs_retraining=True)


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}

