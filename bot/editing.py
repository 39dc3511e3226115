"""Safe edits of the guide's YAML files by staff: validated, atomic, versioned, recorded.

Every save follows the same path:

1. under a lock, read the file and compare the version the editor saw (a sha256 of the
   entry's values, or of the whole file) with what is on disk now — a mismatch is an
   :class:`EditConflict` and nothing is written (no lost update);
2. change the entry in ruamel.yaml's round-trip mode, so comments, order and quoting of
   the rest of the file stay as the developers wrote them;
3. validate the new text exactly as ``guide check`` does (``load_guide`` on a temporary
   copy of data/guide and the office's data pack, data/offices/<office>, that contains the
   new file) — a :class:`GuideDataError` means nothing is written;
4. write atomically (temporary file in the same directory, fsync, ``os.replace``), record
   who/when/what (a unified diff) in the history, and re-render
   data/nlu/generated_from_guide.yml when names or synonyms changed.

The running kiosk and action server pick guide changes up through GuideStore's mtime check.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import stat
import string
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.guide_data import OFFICE_FILES, Guide, GuideDataError, guide_paths, load_guide
from bot.normalize import normalize
from bot.settings import DEFAULT_OFFICE

SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT NOT NULL,
    file TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_text TEXT,
    after_text TEXT NOT NULL,
    before_sha TEXT,
    after_sha TEXT NOT NULL,
    diff TEXT NOT NULL,
    revert_of INTEGER,
    reverted_by INTEGER
);
CREATE INDEX IF NOT EXISTS changes_file ON changes (file, id);
"""

GENERATED_NLU = "data/nlu/generated_from_guide.yml"
STAFF_NLU = "data/nlu/staff_examples.yml"
HELDOUT = "tests/heldout/visitor_questions.yml"
MAX_EXAMPLE_LENGTH = 200

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


class EditConflict(Exception):
    """The file or entry changed since the editor read it; nothing was written."""

    def __init__(self, message: str, current: Any = None, latest: Optional["Change"] = None):
        super().__init__(message)
        self.message, self.current, self.latest = message, current, latest


class EditError(ValueError):
    """An edit that cannot be made (unknown entry, invalid example, …); nothing was written."""


@dataclass(frozen=True)
class Project:
    """Where the data files live: the repository, or a copy of it in tests.

    ``office`` names the data pack edited and served (data/offices/<office>); the
    Yokohama-wide files are in data/guide.
    """

    root: Path
    office: str = DEFAULT_OFFICE

    @property
    def guide_dir(self) -> Path:
        return self.root / "data" / "guide"

    @property
    def office_dir(self) -> Path:
        return self.office_dir_of(self.office)

    def office_dir_of(self, office: str) -> Path:
        return self.root / "data" / "offices" / office

    def guide_file(self, file_name: str) -> Path:
        """Where one guide file is: the office's pack (OFFICE_FILES) or data/guide."""
        return (self.office_dir if file_name in OFFICE_FILES else self.guide_dir) / file_name

    @property
    def nlu_dir(self) -> Path:
        return self.root / "data" / "nlu"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


@dataclass(frozen=True)
class Change:
    id: int
    time: float
    user: str
    file: str
    summary: str
    before_text: Optional[str]
    after_text: str
    before_sha: Optional[str]
    after_sha: str
    diff: str
    revert_of: Optional[int]
    reverted_by: Optional[int]


@dataclass
class SaveResult:
    change: Optional[Change]
    needs_retraining: bool
    regenerated_nlu: bool = False
    notes: list[str] = field(default_factory=list)


# --- versions, atomic writes, locking --------------------------------------------


def sha256_text(text: Optional[str]) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def values_version(values: Any) -> str:
    """The version of an entry as the editor saw it: a hash of its editable values."""
    return sha256_text(json.dumps(values, ensure_ascii=False, sort_keys=True))


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # The rename itself is durable only once the directory entry is flushed.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


_thread_lock = threading.RLock()


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """One edit at a time, across threads and across the kiosk's worker processes."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- round-trip YAML -------------------------------------------------------------


def _represent_null(representer, _data):
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _yaml_for(text: str) -> YAML:
    """A round-trip YAML that writes this file back exactly as it was read."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    if re.search(r"^- ", text, re.M):
        rt.indent(mapping=2, sequence=2, offset=0)  # Rasa's data/nlu layout
    else:
        rt.indent(mapping=2, sequence=4, offset=2)  # data/guide and domain.yml
    rt.representer.add_representer(type(None), _represent_null)
    return rt


def _load_rt(text: str) -> tuple[YAML, Any]:
    rt = _yaml_for(text)
    return rt, rt.load(text)


def _dump_rt(rt: YAML, data: Any) -> str:
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _scalar(value: Any, old: Any = None) -> Any:
    """A string written with the quoting its neighbours use ("407", not '407')."""
    if not isinstance(value, str):
        return value
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(value)
    try:
        plain = yaml.safe_load(value)
    except yaml.YAMLError:
        plain = None
    return value if plain == value else DoubleQuotedScalarString(value)


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
            old[:] = [_scalar(v) for v in value]
            return
        seq = CommentedSeq([_scalar(v) for v in value])
        seq.fa.set_flow_style()  # the guide files write short lists inline: [a, b]
        value = seq
    else:
        value = _scalar(value, item.get(key))
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


def unified_diff(before: Optional[str], after: str, name: str) -> str:
    return "".join(difflib.unified_diff((before or "").splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


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
        (Path(tmp) / file_name).write_text(text, encoding="utf-8")
        guide = load_guide(tmp)
    extra_checks(guide)
    return guide


class Editor:
    """Edits of one project's data files, recorded in the staff database."""

    def __init__(self, project: Project | Path | str, db: Path | str):
        self.project = project if isinstance(project, Project) else Project(Path(project))
        self.db = Path(db)
        self.lock_file = self.db.parent / (self.db.name + ".edit-lock")

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
        with _locked(self.lock_file):
            current = self.entry(kind, item_id)
            if current["version"] != version:
                raise EditConflict("この項目は、あなたが開いた後に別の人が変更しました。"
                                   "最新の内容を確認してから、もう一度保存してください。",
                                   current=current["values"], latest=self.latest_change(
                                       self.project.rel(path)))
            before = path.read_text(encoding="utf-8")
            rt, data = _load_rt(before)
            item = next(e for e in data[key] if str(e.get("id")) == item_id)
            changed = [k for k in FIELDS[kind] if k in values and values[k] != current["values"][k]]
            for k in changed:
                _set_field(item, k, values[k], kind)
            if kind == "section" and "desks" in values:
                changed += self._apply_desks(item, values["desks"], current["values"]["desks"])
            after = _dump_rt(rt, data)
            if after == before:
                return SaveResult(None, needs_retraining=False)
            guide = self._validate(file_name, after)
            label = current["label"]
            summary = f"{label}（{item_id}）: {', '.join(dict.fromkeys(changed))} を変更"
            change = self._commit(path, before, after, user, summary)
            regenerated = self._regenerate_nlu(guide)
        return SaveResult(change, needs_retraining=regenerated, regenerated_nlu=regenerated)

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
        from bot.nlu_export import render

        path = self.project.root / GENERATED_NLU
        text = render(guide)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return False
        atomic_write(path, text)
        return True

    # training examples ------------------------------------------------------------

    def intents(self) -> dict[str, dict]:
        """Every intent with examples in data/nlu (not the generated file): file and examples."""
        out: dict[str, dict] = {}
        for path in sorted(self.project.nlu_dir.glob("*.yml")):
            if self.project.rel(path) == GENERATED_NLU:
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu") or []:
                if isinstance(block, dict) and "intent" in block:
                    examples = _examples_of(block.get("examples"))
                    entry = out.setdefault(str(block["intent"]), {
                        "file": self.project.rel(path), "examples": []})
                    entry["examples"] += examples
        for info in out.values():
            info["version"] = values_version(info["examples"])
        return out

    def assignable_intents(self) -> list[tuple[str, str]]:
        """(intent, label) for every intent a question can be assigned to."""
        labels: dict[str, str] = {name: name for name in self.intents()}
        try:
            guide = self.guide()
        except GuideDataError:
            guide = None
        if guide is not None:
            from bot.nlu_export import RETRIEVAL_INTENT

            for kind, item_id, title, _words in guide.named_entries():
                intent = f"{RETRIEVAL_INTENT[kind]}/{item_id}"
                labels[intent] = f"{intent}（{title}）"
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
        path = self.project.root / HELDOUT
        if not path.exists():
            return set()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {normalize(str(q.get("text", ""))) for q in data.get("questions") or []}

    def save_examples(self, intent: str, examples: list[str], version: str, user: str) -> SaveResult:
        """Replace the examples of one intent (one per line in the form)."""
        with _locked(self.lock_file):
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
        with _locked(self.lock_file):
            info = self.intents().get(intent)
            current = info["examples"] if info else []
            text = text.strip()
            self._check_examples(intent, [*current, text])
            return self._write_examples(intent, info, [*current, text], user,
                                        f"{intent}: 例文「{text}」を追加")

    def _write_examples(self, intent: str, info: Optional[dict], examples: list[str], user: str,
                        summary: str) -> SaveResult:
        path = self.project.root / (info["file"] if info else STAFF_NLU)
        before = path.read_text(encoding="utf-8") if path.exists() else None
        rt, data = _load_rt(before or 'version: "3.1"\nnlu:\n- intent: x\n')
        if before is None:
            data["nlu"].clear()
        block_text = LiteralScalarString("".join(f"- {e}\n" for e in examples))
        blocks = [b for b in data["nlu"] if isinstance(b, dict) and str(b.get("intent")) == intent]
        if blocks:
            # An intent split over several blocks keeps its first block; the rest are folded in.
            blocks[0]["examples"] = block_text
            for extra in blocks[1:]:
                data["nlu"].remove(extra)
        else:
            data["nlu"].append(CommentedMap([("intent", intent), ("examples", block_text)]))
        after = _dump_rt(rt, data)
        _check_nlu_text(after, path.name)
        change = self._commit(path, before, after, user, summary)
        return SaveResult(change, needs_retraining=True)

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
        with _locked(self.lock_file):
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
            unknown = used - current["placeholders"]
            if unknown:
                raise EditError(f"使えない差し込み項目があります: {', '.join(sorted(unknown))}"
                                f"（使えるもの: {', '.join(sorted(current['placeholders'])) or 'なし'}）")
            before = path.read_text(encoding="utf-8")
            rt, data = _load_rt(before)
            data["responses"][name][0]["text"] = _scalar(text, data["responses"][name][0]["text"])
            after = _dump_rt(rt, data)
            if after == before:
                return SaveResult(None, needs_retraining=False)
            parsed = yaml.safe_load(after)
            if parsed["responses"][name][0]["text"] != text:
                raise EditError("応答文を YAML に正しく書けませんでした")
            change = self._commit(path, before, after, user, f"{name}: 応答文を変更")
        return SaveResult(change, needs_retraining=True)

    # history ---------------------------------------------------------------------------

    def _commit(self, path: Path, before: Optional[str], after: str, user: str, summary: str,
                revert_of: Optional[int] = None) -> Change:
        from bot.accounts import transaction

        rel = self.project.rel(path)
        # The history row commits only if the file was written, and the file is written only
        # if its history row could be recorded.
        with transaction(self.db) as conn:
            cur = conn.execute(
                "INSERT INTO changes (time, user, file, summary, before_text, after_text, "
                "before_sha, after_sha, diff, revert_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), user, rel, summary, before, after,
                 sha256_text(before) if before is not None else None, sha256_text(after),
                 unified_diff(before, after, rel), revert_of))
            change_id = cur.lastrowid
            if revert_of:
                conn.execute("UPDATE changes SET reverted_by = ? WHERE id = ?", (change_id, revert_of))
            atomic_write(path, after)
        return self.change(change_id)  # type: ignore[return-value]

    def changes(self, limit: int = 200, file: Optional[str] = None) -> list[Change]:
        from bot.accounts import transaction

        with transaction(self.db) as conn:
            rows = conn.execute("SELECT * FROM changes WHERE (? IS NULL OR file = ?) "
                                "ORDER BY id DESC LIMIT ?", (file, file, limit)).fetchall()
        return [Change(**dict(r)) for r in rows]

    def change(self, change_id: int) -> Optional[Change]:
        from bot.accounts import transaction

        with transaction(self.db) as conn:
            row = conn.execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        return Change(**dict(row)) if row else None

    def latest_change(self, file: str) -> Optional[Change]:
        found = self.changes(limit=1, file=file)
        return found[0] if found else None

    def revert(self, change_id: int, user: str) -> SaveResult:
        """Undo a change by writing the file as it was before it; itself a recorded change."""
        with _locked(self.lock_file):
            change = self.change(change_id)
            if change is None:
                raise EditError("その変更は見つかりません")
            if change.reverted_by:
                raise EditError(f"この変更はすでに取り消されています（変更 #{change.reverted_by}）")
            path = self.project.root / change.file
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if sha256_text(current) != change.after_sha:
                raise EditConflict("このファイルは、この変更の後にも変更されています。"
                                   "後の変更から順に取り消すか、内容を直接編集してください。",
                                   current=current, latest=self.latest_change(change.file))
            if change.before_text is None:
                raise EditError("新しく作られたファイルの取り消しには対応していません")
            after = change.before_text
            guide = None
            if path.parent in (self.project.guide_dir, self.project.office_dir):
                guide = self._validate(path.name, after)
            elif path.parent == self.project.nlu_dir:
                _check_nlu_text(after, path.name)
            else:
                yaml.safe_load(after)
            new = self._commit(path, current, after, user,
                               f"変更 #{change.id} を取り消し（{change.summary}）", revert_of=change.id)
            regenerated = self._regenerate_nlu(guide) if guide is not None else False
        return SaveResult(new, needs_retraining=guide is None or regenerated,
                          regenerated_nlu=regenerated)


def _examples_of(block: Any) -> list[str]:
    if not isinstance(block, str):
        return []
    return [line.strip()[2:].strip() for line in block.splitlines()
            if line.strip().startswith("- ")]


def _check_nlu_text(text: str, name: str) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise EditError(f"{name}: YAML として読めません: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nlu"), list):
        raise EditError(f"{name}: 'nlu:' の一覧がありません")


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
