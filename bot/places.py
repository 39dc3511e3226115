"""Whether a message is about another city's matter (in Japanese; in another language, see
_other_city_in).

「藤沢市の保育園の空き状況」 or 「藤沢市に住んでいる母の介護保険」 sound like the office's own
work, and the guide would send the visitor to a counter here with full confidence; but a nursery
or a care-insurance application in 藤沢市 is 藤沢市's. Such a message names a city (SudachiPy
tags 藤沢市 as a place name) and names neither the office's city nor its ward (but as the office
to ask at: 「…、金沢区役所でできますか」).

A move is the exception: 「川崎市から引っ越してきた」 is this office's work. So is a 本籍
elsewhere, asked about at 戸籍課 (what it can issue for another city's register is the
counter's to say), and a town of the ward (「大阪に住んでいて、釜利谷の実家が空き家に」).

A city counts when named as one (…市), or by its bare name (横須賀, 鎌倉, 東京) where the message
makes it where someone lives or lived, or whose services are asked for:
「横須賀に住んでいる母の介護保険」, 「鎌倉のごみ」, 「東京の区の住民税」,
「前に住んでた東京の保育料」. Elsewhere a bare name is often not a place of residence
(鎌倉殿の13人, 広島で被爆, 鹿児島の実家で過ごす). A bare name is read only for an office that
lists its towns: 富岡, 瀬戸, 長浜 and 大川 are cities elsewhere and towns of 金沢区. A
prefecture says little about whose matter it is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from bot.guide_data import Guide
from bot.morphology import morphemes

# A move or a family register elsewhere ties another city's name to this office's work.
TIES = re.compile(r"引っ?越|ひっこ|越[しす]|転入|転出|転居|移[りっすしる]|本籍|里帰り")
_HOME = re.compile(r"(?P<city>.+?市)(?P<ward>.+?区)?")
# A family home there whose upkeep is asked about (「静岡の実家が空き家に」, 「東京の実家の固定資産税」):
# the house and its tax are that city's. Spending time there is not (「鹿児島の実家で過ごす」).
# 「鎌倉にある実家の固定資産税」 says the same.
FAMILY_HOME = r"(?:の|にある)実家(?:の|が|は|って)?[\s\u3000]*(?:空き?家|あきや|固定資産税|家屋|土地|解体|片付け)"
# Parents, and the relatives whose home or residence there makes a matter that city's (also
# the relatives a message can name as whose matter it is: bot.routing.ONLY_A_TOPIC).
PARENT = r"義?(?:母|父|両?親)|祖[母父]"
RELATIVE = PARENT + r"|[兄姉弟妹]|息子|娘"
# What follows a bare city name when it is where someone lives, or whose services are asked for.
# (A parent at the family home there lives there: 「静岡の実家の母の介護保険」; a house bought
# there, or a friend's house there, is there: 「川崎で家を買った」, 「横須賀の友だちの家の粗大ごみ」.)
LIVED_IN = re.compile(r"(?:に住|に在住|在住|で暮ら|で(?:一人|ひとり|独り)暮らし"
                      r"|(?:の|にある)実家の(?:" + PARENT + ")"
                      r"|で(?:家|土地|マンション)を(?:買|建)"
                      r"|の(?:友だち|友達|友人|知り合い|親戚|兄貴|" + RELATIVE + ")の家"
                      r"|の?市役所|の役所|(?:の実家)?[\s\u3000]*の?[\s\u3000]*ごみ|" + FAMILY_HOME + ")")
# The capital is no 市, and a visitor living there says little: it is where the children of
# the ward's residents live and work (「私は東京に住んでいて、母の家が空き家に」 is about a house
# here). A parent living there is the capital's (「東京に住んでいる母の介護保険の申請」), and so
# are its wards' services (「東京の区の住民税」) and a family home there (「東京の実家の固定資産税」).
CAPITAL = re.compile(r"東京都?")
# A move to the place just named (「福岡市に引っ越す」), not from it (「川崎市から引っ越してきた」).
MOVING_TO = re.compile(r"(?:に|へ)(?:引っ?越|ひっこ|越[しす]|移[りるっ]|転居)")
CAPITAL_MATTER = re.compile(
    r"(?:の|の特別)?区(?:役所|の)|都庁|[\s\u3000]*の?[\s\u3000]*ごみ|" + FAMILY_HOME +
    r"|に(?:住んで(?:い)?る|住む|暮らして(?:い)?る|いる)(?:" + RELATIVE + "|家族)")
# Where the visitor lived before, just ahead of the place's name: 「前に住んでた東京都の保育料」.
PAST_HOME = re.compile(r"(?:住んで(?:い)?た|住んどった|住んでおった|暮らして(?:い)?た)[\s\u3000]*$")
PERSON = re.compile(r"(?:友達|友人|知り合い|知人|人|方|家族|親戚)")
# A grave there whose remains are to be moved: the permit (改葬許可) is the city's where the
# grave is now, as the guide's own 改葬 entry says, also when they come to the ward: 「鎌倉の寺に
# ある母の墓を、金沢区の霊園に移したい」. Not a grave to be made there (「鎌倉の霊園に墓を移す」).
GRAVE_THERE = re.compile(r"(?:の|にある)(?:(?:寺|お寺|霊園|墓地|墓苑)(?:にある|の))?"
                         r"(?:[^、。にへ]{0,6}の)?(?:墓|お墓|はか|遺骨|納骨堂)(?:を|から|の改葬|じまい)")
GRAVE_MOVED = re.compile(r"改葬|墓じまい|はかじまい|移|引っ?越|うつ")
# The office named as where the visitor asks (「横須賀市に住んでいる母の要介護認定、金沢区役所で
# できますか」) does not make the matter the ward's; the ward named otherwise does (「金沢区の会社に
# 通勤しています」).
ASKED_AT = r"(?!市?役所)"
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


# Another language: a city named where someone lives, or as the owner of a service ({city}: its
# names in that language), unless the message is about a move (a move is this office's work).
# Read in the message lower-cased, so Latin-script names match whatever their capitals.
LIVED_IN_ELSEWHERE = {
    "en": (r"(?:live|lives|lived|living|reside|resides|residing)\s+in\s+{city}",
           r"{city}(?:\s+|-)(?:city|shi)\b",
           r"{city}\s+(?:garbage|trash|rubbish|nursery|daycare|city hall)"),
    "pt": (r"(?:moro|mora|moram|morando|vivo|vive|vivem|resido|reside)\s+em\s+{city}",
           r"(?:cidade|prefeitura)\s+de\s+{city}", r"{city}-shi"),
    "vi": (r"(?:sống|song|ở|o|tại|tai)\s+{city}", r"(?:thành phố|thanh pho)\s+{city}"),
    "zh": (r"住在{city}", r"{city}市", r"{city}的(?:垃圾|保育|幼儿园|区役所|市役所|政府)"),
    "ko": (r"{city}(?:에|에서)\s*(?:사는|살고|살아|삽니다|거주)", r"{city}\s*시(?:는|의|에서|청|에)?"),
}
MOVES_ELSEWHERE = {
    "en": r"\bmov(?:e|ed|es|ing)\b|relocat|transferr?(?:ed|ing)?\b",
    "pt": r"\bmud(?:ei|ar|ança|anca|ou|amos|aram|o)\b|cheguei|vim de|viemos de",
    "vi": r"chuyển|chuyen|dọn nhà|don nha",
    "zh": r"搬|迁|转入|转出",
    "ko": r"이사|전입|전출",
}


def other_city(guide: Guide, text: str, lang: Optional[str] = None) -> Optional[str]:
    """The other city a message is about (藤沢市), or None. ``lang``: the language of a message
    not in Japanese ("Kawasaki"), read with its pack's names of cities."""
    if not text or len(text) > MAX_TEXT:
        return None
    if lang is not None:
        pack = guide.packs.get(lang)
        if pack is None or not pack.cities or lang not in LIVED_IN_ELSEWHERE:
            return None
        return _other_city_in(guide, text.lower(), pack.cities, lang)
    home = home_names(guide)
    towns = guide.office.towns
    named = None
    if GRAVE_MOVED.search(text):
        named = _places(text)
        grave = _grave_city(named[0], home, towns)
        if grave is not None:
            return grave or None
    if any(re.search(re.escape(name) + ASKED_AT, text) for name in home):
        return None
    places, lived = named or _places(text)
    if any(_town_of(towns, name) for name, _ in places):
        return None
    if TIES.search(text):
        return _destination_service(text, places, home)
    for name, rest in places:
        if name in home or _town_of(towns, name) or name == _bare_ward(home):
            continue
        if name.endswith("市"):
            return name
        if not towns:
            continue
        if CAPITAL.fullmatch(name):
            if CAPITAL_MATTER.match(rest) or name in lived:
                return "東京都"
        elif (name in lived or LIVED_IN.match(rest)) and _is_city(name + "市") \
                and name + "市" not in home:
            return name + "市"
    return None


def _other_city_in(guide: Guide, said: str, cities: dict[str, tuple[str, ...]],
                   lang: str) -> Optional[str]:
    """other_city for a message in another language, from its pack's names of cities."""
    home = set(home_names(guide))
    found = {}
    for city, names in cities.items():
        spelled = "|".join(re.escape(name.lower()) for name in names)
        named = re.compile(rf"(?<![a-z])(?:{spelled})(?![a-z])")
        if named.search(said):
            if city in home:
                return None
            found[city] = (names[0], f"(?:{spelled})")
    if not found or re.search(MOVES_ELSEWHERE[lang], said):
        return None
    for name, spelled in found.values():
        if any(re.search(cue.format(city=spelled), said) for cue in LIVED_IN_ELSEWHERE[lang]):
            return name
    return None


def past_home(before: str, after: str) -> bool:
    """Whether a place is named as where the visitor lived, as the owner of what is asked
    about: 「前に住んでた東京都の保育料の減免」 is 東京都's, as 「藤沢に住んでいた時の税」 is
    藤沢市's (LIVED_IN). Not a person from there (「住んでた大阪の友達」)."""
    return bool(PAST_HOME.search(before)) and after.startswith("の") and not PERSON.match(after[1:])


def _destination_service(
        text: str, places: list[tuple[str, str]], home: tuple[str, ...]) -> Optional[str]:
    """The city a visitor is moving to, when a service of that city is asked about: 「福岡市に
    引っ越す予定。福岡の保育園の空き状況を知りたい」 is 福岡市's nursery. A move to another city is
    otherwise this office's work (「横須賀市に引っ越すので、児童手当はどうすれば」)."""
    def city_of(name: str) -> Optional[str]:
        city = name if name.endswith("市") else name + "市"
        return city if city not in home and (name.endswith("市") or _is_city(city)) else None

    going = {city_of(name) for name, rest in places if MOVING_TO.match(rest)} - {None}
    for city in going:
        # Named as the owner of a service: 「福岡の保育園」, 「福岡市の保育園」; in the text, since
        # SudachiPy reads a bare 藤沢 as a family name.
        if re.search(re.escape(city[:-1]) + "市?の", text):
            return city
    return None


def _places(text: str) -> tuple[list[tuple[str, str]], set[str]]:
    """The place names in a message, each with the text after it, and those named as where the
    visitor lived (past_home). One SudachiPy pass, shared by the grave and the city checks."""
    places, end, lived = [], 0, set()
    for m in morphemes(text):
        end += len(m.surface)
        if m.pos[2:3] == ("地名",):
            places.append((m.surface, text[end:]))
            if past_home(text[:end - len(m.surface)], text[end:]):
                lived.add(m.surface)
    return places, lived


def _grave_city(places: list[tuple[str, str]], home: tuple[str, ...],
                towns: tuple[str, ...]) -> Optional[str]:
    """The city where a grave to be moved is (GRAVE_THERE); "" when it is the ward's or its
    city's, None when no place is named as the grave's."""
    for name, rest in places:
        if not GRAVE_THERE.match(rest):
            continue
        if name in home or _town_of(towns, name) or name == _bare_ward(home):
            return ""
        if name.endswith("市"):
            return name
        if towns and _is_city(name + "市") and name + "市" not in home:
            return name + "市"
    return None


def _town_of(towns: tuple[str, ...], name: str) -> bool:
    """Whether a place name is a town of the ward, or the stem of some (釜利谷 of 釜利谷東)."""
    return any(town.startswith(name) for town in towns)


def _bare_ward(home: tuple[str, ...]) -> Optional[str]:
    """The ward's name without 区 (金沢), which is also a city elsewhere (金沢市)."""
    ward = next((name for name in home if name.endswith("区")), None)
    return ward[:-1] if ward else None


@lru_cache(maxsize=512)
def _is_city(name: str) -> bool:
    """Whether SudachiPy knows the name as one place (鎌倉市, not 名寄市)."""
    found = morphemes(name)
    return len(found) == 1 and found[0].pos[2:3] == ("地名",)
