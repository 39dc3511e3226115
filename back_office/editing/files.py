"""What every edit shares: the project's files, versions, atomic writes, the lock, round-trip YAML."""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import io
import json
import os
import re
import stat
import tempfile
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.guide_data import OFFICE_FILES
from bot.settings import DEFAULT_OFFICE

GENERATED_NLU = "data/nlu/generated_from_guide.yml"
STAFF_NLU = "data/nlu/staff_examples.yml"
HELDOUT = "data/heldout/visitor_questions.yml"
# Every held-out set (visitor_questions*.yml, sealed/, dev/): none of them may become training data.
HELDOUT_SETS = "data/heldout"
MAX_EXAMPLE_LENGTH = 200
class EditConflict(Exception):
    """The file or entry changed since the editor read it; nothing was written."""

    def __init__(self, message: str, current: Any = None, latest: Optional["Change"] = None):
        super().__init__(message)
        self.message, self.current, self.latest = message, current, latest
        # For an entry: the values to show in the form again (the other change merged with
        # this editor's), the fields both changed, and the version those values are based on.
        self.merged: Optional[dict] = None
        self.fields: list[str] = []
        self.version: Optional[str] = None


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
def locked(lock_file: Path) -> Iterator[None]:
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


def load_rt(text: str) -> tuple[YAML, Any]:
    rt = _yaml_for(text)
    return rt, rt.load(text)


def dump_rt(rt: YAML, data: Any) -> str:
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def scalar(value: Any, old: Any = None) -> Any:
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


def unified_diff(before: Optional[str], after: str, name: str) -> str:
    return "".join(difflib.unified_diff((before or "").splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


