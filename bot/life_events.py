"""Which life event a visitor tells of: 「母が亡くなりました」「市外から引っ越してきました」.

Words are compared like garbage words (:class:`bot.guide_data.Said`). The events
are tried in the order of data/guide/life_events.yml, so the specific ones listed first
(海外から, 市内で) win over the general ones (引っ越してき).
"""

from __future__ import annotations

from typing import Optional

from bot.guide_data import Guide, LifeEvent, Said


def event_words(guide: Guide, event: LifeEvent, lang: Optional[str] = None) -> tuple[str, ...]:
    """An event's words in Japanese and in the visitor's language ("my mother passed away",
    "엄마가 돌아가셨어요"): a foreign visitor tells of the same events. Only that language's:
    a Chinese word such as 出生 is also Japanese, where 「出生届」 names one procedure."""
    pack = guide.packs.get(lang) if lang else None
    entry = pack.entries.get(event.id) if pack else None
    return (*event.synonyms, *(entry.fields.get("synonyms", ()) if entry else ()))


def find_event(guide: Guide, text: str, lang: Optional[str] = None) -> Optional[LifeEvent]:
    """The first life event one of whose words (Japanese, or in ``lang``) appears in the text
    (and none of its ``unless`` words), or None."""
    said = Said(text)
    for event in guide.life_events.values():
        if (any(said.says(w) for w in event_words(guide, event, lang))
                and not any(said.says(w) for w in event.unless)):
            return event
    return None
