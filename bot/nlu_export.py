"""Rasa training data generated from the guide data (`guide export-nlu`).

The guide's names and synonyms — and their translations (data/guide/translations/) — become
the ``item`` lookup table and entity synonyms,
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


# A translated word shorter than this (in Latin letters) is left out of the lookup table: the
# extractor matches inside words (use_word_boundaries: false, for Japanese), and "tax" or
# "card" would be found inside "taxi" or "discard".
MIN_LATIN_WORD = 5


def translated_words(guide: Guide, owners: dict[str, str]) -> dict[str, list[str]]:
    """id → the words visitors use for it in the other languages (translations' titles,
    names and synonyms), normalised; a word another entry already owns is left out."""
    out: dict[str, list[str]] = {}
    for code in sorted(guide.packs):
        for item_id, entry in sorted(guide.packs[code].entries.items()):
            if guide.kind_of(item_id) is None:
                continue   # a category: a button, not a word visitors type
            fields = entry.fields
            # As in Japanese: a clarification is named by its synonyms, not its question.
            names = () if guide.kind_of(item_id) == "clarification" else ("title", "name")
            words = [fields.get(k) for k in names] + list(fields.get("synonyms", ()))
            for word in filter(None, words):
                norm = normalize(word)
                if norm.isascii() and len(norm) < MIN_LATIN_WORD or "\n" in norm:
                    continue
                if owners.setdefault(norm, item_id) == item_id:
                    out.setdefault(item_id, []).append(norm)
    return out


def render(guide: Guide) -> str:
    """The generated YAML, deterministic for the same guide."""
    entries = list(guide.named_entries())
    lines = ['# Generated from data/guide by `guide export-nlu`. Do not edit: edit data/guide.',
             'version: "3.1"', "nlu:", "- lookup: item", "  examples: |"]
    owners = {normalize(w): item_id for _, item_id, _, ws in entries for w in ws}
    translated = translated_words(guide, owners)
    words = sorted({normalize(w) for _, _, _, ws in entries for w in ws} |
                   {w for ws in translated.values() for w in ws}, key=lambda w: (-len(w), w))
    lines += [f"    - {w}" for w in words]
    for _kind, item_id, _title, ws in entries:
        lines += [f"- synonym: {item_id}", "  examples: |"]
        lines += [f"    - {w}" for w in dict.fromkeys([*(normalize(w) for w in ws),
                                                       *translated.get(item_id, ())])]
    lines.append("responses:")
    for kind, item_id, title, _ws in entries:
        lines += [f"  utter_{RETRIEVAL_INTENT[kind]}/{item_id}:", f"  - text: {_quote(title)}"]
    return "\n".join(lines) + "\n"


def write(guide: Guide, repo: Path) -> Path:
    path = repo / GENERATED
    path.write_text(render(guide), encoding="utf-8")
    return path
