"""The bot's wording, read from domain.yml, for answers made without the Rasa server.

Rasa renders these responses in normal operation; in degraded mode the kiosk renders the
same templates itself, so there is one place where staff change how the guide speaks.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.answers import Utterance
from bot.languages import Speaker
from bot.settings import REPO


@lru_cache(maxsize=4)
def _responses(domain_path: Path, mtime: float) -> dict[str, str]:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    return {name: variants[0]["text"] for name, variants in (domain.get("responses") or {}).items()
            if variants and "text" in variants[0]}


def responses(domain_path: Path = REPO / "domain.yml") -> dict[str, str]:
    return _responses(domain_path, domain_path.stat().st_mtime)


def plain_fields(template: str) -> list[str]:
    """The ``{name}`` placeholders of a template; ValueError for anything else.

    Only plain names pass: a conversion (``{desk!r}``), a format spec (``{desk:>300000000}``,
    which would allocate that many characters), an attribute or an index is refused.
    """
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"only plain {{name}} placeholders are allowed: {{{name}}}")
        names.append(name)
    return names


def fill(template: str, fields: dict) -> str:
    """The template with its ``{name}`` placeholders filled (a missing field is blank); a
    template with any other kind of placeholder is returned as written, unfilled."""
    try:
        plain_fields(template)
        parts = string.Formatter().parse(template)
        return "".join(literal + ("" if name is None else str(fields.get(name, "")))
                       for literal, name, _spec, _conv in parts)
    except ValueError:
        return template


def render(utterance: Utterance, domain_path: Path = REPO / "domain.yml",
           sp: Optional[Speaker] = None) -> str:
    """The text of an utterance, as Rasa would render it; in the speaker's language when
    one is given (its texts file's response, else its fallback's, else domain.yml's)."""
    template = responses(domain_path).get(utterance.response, "")
    if sp is not None and not sp.japanese:
        template = sp.text("responses", utterance.response, template) or template
    return fill(template, utterance.fields)
