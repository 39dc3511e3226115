"""The bot's wording, read from domain.yml, for answers made without the Rasa server.

Rasa renders these responses in normal operation; in degraded mode the kiosk renders the
same templates itself, so there is one place where staff change how the guide speaks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.answers import Utterance
# One placeholder rule for domain.yml and every language's texts (bot.languages).
from bot.languages import Speaker, fill
from bot.settings import REPO


@lru_cache(maxsize=4)
def _responses(domain_path: Path, mtime: float) -> dict[str, str]:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    return {name: variants[0]["text"] for name, variants in (domain.get("responses") or {}).items()
            if variants and "text" in variants[0]}


def responses(domain_path: Path = REPO / "domain.yml") -> dict[str, str]:
    return _responses(domain_path, domain_path.stat().st_mtime)


def render(utterance: Utterance, domain_path: Path = REPO / "domain.yml",
           sp: Optional[Speaker] = None) -> str:
    """The text of an utterance, as Rasa would render it; in the speaker's language when
    one is given (its texts file's response, else its fallback's, else domain.yml's)."""
    template = responses(domain_path).get(utterance.response, "")
    if sp is not None and not sp.japanese:
        template = sp.text("responses", utterance.response, template) or template
    return fill(template, utterance.fields)
