"""Reading guide YAML with line numbers, and typed access that names the line of a fault.

Shared by the guide loader (bot.guide_data) and the translations loader (bot.languages), so
that every guide file fails the same way: file, line, reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


class GuideDataError(ValueError):
    """A guide data file is unreadable or inconsistent."""

    def __init__(self, file: str, line: Optional[int], reason: str, shown: Optional[str] = None):
        # file: the file's name (sections.yml); shown: where it is, for people
        # (data/offices/isogo/sections.yml), when that says more than the name.
        self.file, self.line, self.reason = file, line, reason
        self.shown = shown or file
        where = f"{self.shown}:{line}" if line else self.shown
        super().__init__(f"{where}: {reason}")


# --- reading YAML with line numbers ----------------------------------------------


# libyaml's parser when PyYAML was built with it (the wheels are): 7× faster on the translation
# files, which hold ~700 entries per language; the same documents, marks and errors.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that remembers the line of every mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


class _SlowLineLoader(yaml.SafeLoader):
    """The same in pure Python, for its error messages."""


for _loader in (_LineLoader, _SlowLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse one guide file; syntax errors become GuideDataError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GuideDataError(path.name, None, "file is missing") from None
    except UnicodeDecodeError as err:
        raise GuideDataError(path.name, None, f"not UTF-8 ({err.reason})") from None
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as fast_err:
        err = fast_err
        try:
            # The pure-Python parser names the line where the fault is seen, as staff read it
            # (libyaml names the next token's): errors are rare, so they are parsed twice.
            yaml.load(text, Loader=_SlowLineLoader)
        except yaml.YAMLError as slow_err:
            err = slow_err
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(err, "problem", None) or str(err)
        raise GuideDataError(path.name, line, f"invalid YAML: {problem}") from None


class _Record:
    """Typed access to one YAML mapping, raising errors that point at its line."""

    def __init__(self, file: str, raw: Any, what: str):
        if not isinstance(raw, dict):
            raise GuideDataError(file, None, f"each {what} must be a mapping, got {raw!r}")
        self.file, self.raw, self.what = file, raw, what
        self.line = raw.get("__line__")

    def fail(self, reason: str) -> GuideDataError:
        label = self.raw.get("id") or self.raw.get("name") or self.what
        return GuideDataError(self.file, self.line, f"{self.what} {label!r}: {reason}")

    def str(self, key: str, required: bool = True) -> Optional[str]:
        value = self.raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"missing field '{key}'")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(f"field '{key}' must be text")
        return value.strip()

    def int(self, key: str, required: bool = True) -> Optional[int]:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing field '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"field '{key}' must be a whole number")
        return value

    def bool(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"field '{key}' must be true or false")
        return value

    def strs(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise self.fail(f"field '{key}' must be a list of texts")
        items = tuple(str(v).strip() for v in value if str(v).strip())
        if required and not items:
            raise self.fail(f"field '{key}' must list at least one entry")
        return items

    def id(self) -> str:
        value = self.str("id")
        if not set(value) <= ID_CHARS or not value[0].isalpha():
            raise self.fail("id must be lower-case letters, digits and '_' (e.g. juminhyo)")
        return value

    def unknown_keys(self, allowed: Iterable[str]) -> None:
        extra = set(self.raw) - set(allowed) - {"__line__"}
        if extra:
            raise self.fail(f"unknown field(s) {sorted(extra)}")


def _records(file: str, data: Any, key: str, what: str) -> list[_Record]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise GuideDataError(file, None, f"expected a top-level '{key}:' list")
    return [_Record(file, raw, what) for raw in data[key]]
