"""Which life event a visitor tells of: 「母が亡くなりました」「市外から引っ越してきました」.

Words are compared like garbage words (:class:`bot.guide_data.Said`). The events
are tried in the order of data/guide/life_events.yml, so the specific ones listed first
(海外から, 市内で) win over the general ones (引っ越してき).
"""

from __future__ import annotations

import re
from typing import Optional

from bot.guide_data import Guide, LifeEvent, Said

# A visitor who tells of an event and asks what to do first, or for all of it, asks for the
# whole plan: 「母が亡くなって、何から手をつけたらいいのか全然わからない」 was sent, sure of it, to
# 生活困窮の相談 (わからない, 困って), 「知り合いのご主人が亡くなって…何から手をつけていいか」 to
# one step. Not 「どうしたら」: 「夫が亡くなった。遺族年金はどうしたら」 asks about one step, as
# does "What do I need to do about the tax?".
WHOLE_ERRAND = re.compile(
    r"何から|なにから|何を(?:すれば|したら|しなければ|しないと|やれば|やったら)"
    r"|なにを(?:すれば|したら)|どんな手続き|どういう手続き|手続き(?:を|が)?(?:全部|一通り|ぜんぶ)"
    r"|全部(?:教え|知り)|一通り|どの順番|順番に回|"
    r"(?i:where (?:do|should) i (?:start|begin)|what (?:do|should) i do first"
    r"|all the (?:procedures|paperwork))")


def asks_for_the_whole(text: str) -> bool:
    """Whether a message asks for everything an event needs, or where to start."""
    return bool(WHOLE_ERRAND.search(text))


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
