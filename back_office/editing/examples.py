"""Training examples in data/nlu, as staff add and edit them (never a held-out question)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import yaml
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

from back_office.editing.files import (GENERATED_NLU, HELDOUT_SETS, MAX_EXAMPLE_LENGTH, STAFF_NLU, Change,
                                       EditConflict, EditError, SaveResult, dump_rt, load_rt, locked,
                                       values_version)
from bot.guide_data import GuideDataError
from bot.nlu_export import RETRIEVAL_INTENT
from bot.normalize import normalize


class TrainingExamples:
    """The training-example part of :class:`back_office.editing.Editor`."""

    # training examples ------------------------------------------------------------

    def intents(self) -> dict[str, dict]:
        """Every intent with examples in data/nlu (not the generated file): file and examples."""
        out: dict[str, dict] = {}
        for path, intent, examples in self._training_blocks():
            entry = out.setdefault(intent, {"file": self.project.rel(path), "examples": []})
            entry["examples"] += examples
        for info in out.values():
            info["version"] = values_version(info["examples"])
        return out

    def assignable_intents(self) -> list[tuple[str, str]]:
        """(intent, label) for every intent a question can be assigned to, by intent id.

        The label leads with what staff know: a guide entry's Japanese title, or for a
        conversational intent its first example; the id follows in ［ ］, which also keeps
        every label unique (a search list maps a label back to its intent).
        """
        labels: dict[str, str] = {}
        for name, info in self.intents().items():
            first = info["examples"][0] if info["examples"] else ""
            labels[name] = f"「{first}」など ［{name}］" if first else f"［{name}］"
        try:
            guide = self.guide()
        except GuideDataError:
            guide = None
        if guide is not None:
            for kind, item_id, title, _words in guide.named_entries():
                intent = f"{RETRIEVAL_INTENT[kind]}/{item_id}"
                labels[intent] = f"{title} ［{intent}］"
        return sorted(labels.items())

    def _check_examples(self, intent: str, examples: list[str]) -> None:
        if intent not in dict(self.assignable_intents()):
            raise EditError(f"意図 {intent!r} はありません")
        heldout = self._heldout_texts()
        others = {normalize(e): name for name, info in self.intents().items() if name != intent
                  for e in info["examples"]}
        seen = set()
        for text in examples:
            norm = normalize(text)
            if not norm:
                raise EditError("空の例文は登録できません")
            if "\n" in text or len(norm) > MAX_EXAMPLE_LENGTH:
                raise EditError(f"例文は1行・{MAX_EXAMPLE_LENGTH}文字以内にしてください: {text!r}")
            if norm in others:
                raise EditError(f"「{text}」はすでに {others[norm]} の例文です")
            if norm in seen:
                raise EditError(f"「{text}」が重複しています")
            if norm in heldout:
                raise EditError(f"「{text}」は精度評価用の質問なので、学習例には使えません")
            seen.add(norm)

    def _heldout_texts(self) -> set[str]:
        """The questions of every held-out set under data/heldout/, normalised."""
        texts: set[str] = set()
        for path in sorted((self.project.root / HELDOUT_SETS).rglob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if isinstance(data, dict):
                texts |= {normalize(str(q.get("text", ""))) for q in data.get("questions") or []
                          if isinstance(q, dict)}
        return texts

    def save_examples(self, intent: str, examples: list[str], version: str, user: str) -> SaveResult:
        """Replace the examples of one intent (one per line in the form)."""
        with locked(self.lock_file):
            info = self.intents().get(intent)
            current = info["examples"] if info else []
            if values_version(current) != version:
                path = self.project.root / (info["file"] if info else STAFF_NLU)
                raise EditConflict("この意図の例文は、あなたが開いた後に別の人が変更しました。",
                                   current=current, latest=self.latest_change(self.project.rel(path)))
            examples = [e.strip() for e in examples if e.strip()]
            self._check_examples(intent, examples)
            return self._write_examples(intent, info, examples, user,
                                        f"{intent}: 例文を編集（{len(current)} → {len(examples)} 件）")

    def add_example(self, intent: str, text: str, user: str) -> SaveResult:
        """Append one training example to the intent's block in data/nlu."""
        with locked(self.lock_file):
            info = self.intents().get(intent)
            current = info["examples"] if info else []
            text = text.strip()
            self._check_examples(intent, [*current, text])
            return self._write_examples(intent, info, [*current, text], user,
                                        f"{intent}: 例文「{text}」を追加")

    def _write_examples(self, intent: str, info: Optional[dict], examples: list[str], user: str,
                        summary: str) -> SaveResult:
        """Write the intent's examples back where they live.

        An intent's examples can be spread over several training files (a concern's file, its
        registers and situations files). The console edits them as one list: an example kept
        stays in its file, one removed is removed from its file, and a new one joins the first
        file's block. Writing the whole list into the first file would copy every other file's
        examples into it and leave removed ones in place. One history row per file written.
        """
        spread = self._spread(intent) or {self.project.root / (info["file"] if info else STAFF_NLU): []}
        first = next(iter(spread))
        wanted = {normalize(e) for e in examples}
        placed: set[str] = set()
        plan: dict[Path, list[str]] = {}
        for path, there in spread.items():
            plan[path] = []
            for example in there:
                norm = normalize(example)
                if norm in wanted and norm not in placed:
                    plan[path].append(example)
                    placed.add(norm)
        plan[first] += [e for e in examples if normalize(e) not in placed]
        # The first file is always written, as before: the console shows its change.
        changes = [self._write_block(path, intent, kept, keep_empty=path == first, user=user,
                                     summary=summary)
                   for path, kept in plan.items() if path == first or kept != spread[path]]
        return SaveResult(changes[0], needs_retraining=True)

    def _spread(self, intent: str) -> dict[Path, list[str]]:
        """The intent's examples in each training file with a block of it, in intents()' order."""
        out: dict[Path, list[str]] = {}
        for path, name, examples in self._training_blocks():
            if name == intent:
                out.setdefault(path, []).extend(examples)
        return out

    def _training_blocks(self) -> Iterator[tuple[Path, str, list[str]]]:
        """(file, intent, examples) for each intent block of the staff-editable training files,
        file by file in name order (the generated file is rebuilt from the guide, never edited)."""
        for path in sorted(self.project.nlu_dir.glob("*.yml")):
            if self.project.rel(path) == GENERATED_NLU:
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu") or []:
                if isinstance(block, dict) and "intent" in block:
                    yield path, str(block["intent"]), _examples_of(block.get("examples"))

    def _write_block(self, path: Path, intent: str, examples: list[str], keep_empty: bool,
                     user: str, summary: str) -> Change:
        before = path.read_text(encoding="utf-8") if path.exists() else None
        rt, data = load_rt(before or 'version: "3.1"\nnlu:\n- intent: x\n')
        if before is None:
            data["nlu"].clear()
        block_text = LiteralScalarString("".join(f"- {e}\n" for e in examples))
        blocks = [b for b in data["nlu"] if isinstance(b, dict) and str(b.get("intent")) == intent]
        if blocks:
            # An intent split over several blocks of one file keeps its first; the rest are folded in.
            for extra in blocks[1:]:
                data["nlu"].remove(extra)
            if examples or keep_empty:
                blocks[0]["examples"] = block_text
            else:
                data["nlu"].remove(blocks[0])
        else:
            data["nlu"].append(CommentedMap([("intent", intent), ("examples", block_text)]))
        after = dump_rt(rt, data)
        check_nlu_text(after, path.name)
        return self._commit(path, before, after, user, summary)


def _examples_of(block: Any) -> list[str]:
    if not isinstance(block, str):
        return []
    return [line.strip()[2:].strip() for line in block.splitlines()
            if line.strip().startswith("- ")]


def check_nlu_text(text: str, name: str) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise EditError(f"{name}: YAML として読めません: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nlu"), list):
        raise EditError(f"{name}: 'nlu:' の一覧がありません")


