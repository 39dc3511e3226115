"""Which life event a visitor tells of: 「母が亡くなりました」「市外から引っ越してきました」.

Words are compared like garbage words (normalised, katakana folded to hiragana). The events
are tried in the order of data/guide/life_events.yml, so the specific ones listed first
(海外から, 市内で) win over the general ones (引っ越してき).
"""

from __future__ import annotations

from typing import Optional

from bot.guide_data import Guide, LifeEvent, word_key


def find_event(guide: Guide, text: str) -> Optional[LifeEvent]:
    """The first life event one of whose words appears in the text (and none of its
    ``unless`` words), or None."""
    key = word_key(text)
    for event in guide.life_events.values():
        if (any(word_key(word) in key for word in event.synonyms)
                and not any(word_key(word) in key for word in event.unless)):
            return event
    return None
