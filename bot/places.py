"""Whether a Japanese message is about another city's matter.

「藤沢市の保育園の空き状況」 or 「藤沢市に住んでいる母の介護保険」 sound like the office's own
work, and the guide would send the visitor to a counter here with full confidence; but a nursery
or a care-insurance application in 藤沢市 is 藤沢市's. Such a message names a city (SudachiPy
tags 藤沢市 as a place name) and names neither the office's city nor its ward. A move is the
exception: 「川崎市から引っ越してきた」 is this office's work, and a 本籍 elsewhere is asked about at
戸籍課 (what it can issue for another city's register is the counter's to say). Only cities
(…市) count: a town or district name may be one of the ward's own (釜利谷町), a bare 東京 or
鎌倉 is often not a place of residence (鎌倉殿の13人), and a prefecture says little about whose
matter it is.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.guide_data import Guide
from bot.morphology import morphemes

# A move or a family register elsewhere ties another city's name to this office's work.
TIES = re.compile(r"引っ?越|ひっこ|越[しす]|転入|転出|転居|移[りっすしる]|本籍|里帰り")
_HOME = re.compile(r"(?P<city>.+?市)(?P<ward>.+?区)?")
# SudachiPy refuses input past about 49 KB, and GUIDE_MAX_TEXT can be raised: a story longer
# than the kiosk's default limit is left as it is.
MAX_TEXT = 500


def home_names(guide: Guide) -> tuple[str, ...]:
    """The office's city and ward as a visitor writes them (横浜市, 横浜, 金沢区), from its name."""
    found = _HOME.match(guide.office.name)
    if not found:
        return ()
    city, ward = found["city"], found["ward"]
    return tuple(n for n in (city, city[:-1], ward) if n)


def other_city(guide: Guide, text: str) -> Optional[str]:
    """The other city a message is about (藤沢市), or None."""
    if not text or len(text) > MAX_TEXT or TIES.search(text):
        return None
    home = home_names(guide)
    if any(name in text for name in home):
        return None
    for m in morphemes(text):
        if m.pos[2:3] == ("地名",) and m.surface.endswith("市") and m.surface not in home:
            return m.surface
    return None
