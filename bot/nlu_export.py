"""Rasa training data generated from the guide data (`guide export-nlu`).

The guide's names and synonyms become the ``item`` lookup table and entity synonyms,
and every guide entry gets the response its retrieval intent needs. The output is
committed; a test checks it is fresh, so a synonym added to data/guide reaches the NLU.
It is rendered from the default office's data pack (data/offices/kanazawa): other offices'
packs keep the same section ids, so they are served by the same trained model.
"""

from __future__ import annotations

from pathlib import Path

from bot.guide_data import Guide
from bot.normalize import normalize

GENERATED = Path("data/nlu/generated_from_guide.yml")
RETRIEVAL_INTENT = {"procedure": "request", "redirect": "request", "clarification": "request",
                    "section": "section", "program": "program", "facility": "facility"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(guide: Guide) -> str:
    """The generated YAML, deterministic for the same guide."""
    entries = list(guide.named_entries())
    lines = ['# Generated from data/guide by `guide export-nlu`. Do not edit: edit data/guide.',
             'version: "3.1"', "nlu:", "- lookup: item", "  examples: |"]
    words = sorted({normalize(w) for _, _, _, ws in entries for w in ws}, key=lambda w: (-len(w), w))
    lines += [f"    - {w}" for w in words]
    for _kind, item_id, _title, ws in entries:
        lines += [f"- synonym: {item_id}", "  examples: |"]
        lines += [f"    - {w}" for w in dict.fromkeys(normalize(w) for w in ws)]
    lines.append("responses:")
    for kind, item_id, title, _ws in entries:
        lines += [f"  utter_{RETRIEVAL_INTENT[kind]}/{item_id}:", f"  - text: {_quote(title)}"]
    return "\n".join(lines) + "\n"


def write(guide: Guide, repo: Path) -> Path:
    path = repo / GENERATED
    path.write_text(render(guide), encoding="utf-8")
    return path
