"""Whether a message, in any of the guide's languages, is about another country's passport.

The guide sends a passport question to the prefecture's passport centre, which issues Japanese
passports only (it issues them to Japanese nationals, a child of a Japanese parent included).
A foreign resident asking about their own passport — 「ブラジル の パスポート、きれました」,
"mongolian embassy passport renew", 「我的中国护照快到期了」 — would be sent there for nothing:
another country's passport is its embassy's or consulate's. Such a message names a passport and
says whose it is (a country other than Japan, the visitor's home country) or names an embassy
or a consulate; a Japanese passport (「日本のパスポート」, "japonês", 일본 여권) is the centre's,
whatever else the message says.

Matched in the normalised text (NFKC, lower case for Latin scripts), so full-width letters and
capitals are alike.
"""

from __future__ import annotations

import re

from bot.normalize import normalize

PASSPORT = re.compile(r"パスポート|ぱすぽーと|旅券|passport|passaporte|hộ chiếu|ho chieu|护照|護照|여권")

# Whose passport: a country named before it, or the visitor's own country; an embassy or a
# consulate. Katakana before のパスポート is a country's name (ブラジルのパスポート), but for a
# family word (ママのパスポート).
_COUNTRIES_EN = (
    "afghan|american|argentine|argentinian|australian|bangladeshi|bolivian|brazilian|british"
    "|burmese|cambodian|canadian|chinese|colombian|egyptian|filipino|french|german|ghanaian"
    "|indian|indonesian|iranian|italian|korean|laotian|malaysian|mexican|mongolian|myanmar"
    "|nepalese|nepali|nigerian|pakistani|paraguayan|peruvian|philippine|russian|singaporean"
    "|spanish|sri lankan|taiwanese|thai|turkish|ukrainian|uzbek|vietnamese|us|u\\.s\\.|uk")
_COUNTRIES_PT = (
    "brasileir[oa]|peruan[oa]|bolivian[oa]|paraguai[oa]|argentin[oa]|portugu[eê]s|portuguesa"
    "|filipin[oa]|vietnamita|chin[eê]s|chinesa|coreana?|nepal[eê]s|indian[oa]")
_COUNTRIES_ZH = "中国|越南|菲律宾|菲律賓|韩国|韓国|尼泊尔|巴西|台湾|印度|美国|泰国|印尼|缅甸|蒙古|秘鲁|斯里兰卡|孟加拉"
_COUNTRIES_KO = "한국|중국|베트남|필리핀|네팔|브라질|미국|태국|인도네시아|몽골|대만|페루"
ABROAD = re.compile(
    r"大使館|領事館|大使馆|领事馆|母国|自分の国|本国|外国の|ほかの国|他の国"
    # The own country in easy Japanese: 「わたし の くに の パスポート」.
    r"|(?:わたし|私|ぼく|僕|じぶん|自分)\s*の\s*(?:くに|国)\s*の"
    r"|(?<![ァ-ヴー])(?!ニホン|ニッポン|ジャパン|ママ|パパ|ベビー|ベイビー|ファミリー)[ァ-ヴー]{2,}(?:人)?\s*の\s*(?:パスポート|旅券)"
    r"|(?:中国|韓国|台湾|米国|英国)(?:人)?の\s*(?:パスポート|旅券)"
    r"|embassy|consulate|my country|home country|own country|foreign passport"
    rf"|(?<![a-z])(?:{_COUNTRIES_EN})\s+passport"
    r"|embaixada|consulado|meu pa[ií]s"
    rf"|passaporte\s+(?:do\s+|da\s+)?(?:{_COUNTRIES_PT}|brasil|peru)"
    r"|đại sứ quán|lãnh sự quán|dai su quan|lanh su quan|hộ chiếu việt nam|ho chieu viet nam"
    rf"|(?:{_COUNTRIES_ZH})(?:的)?护照|(?:{_COUNTRIES_ZH})(?:的)?護照"
    rf"|대사관|영사관|(?:{_COUNTRIES_KO})\s*여권")
# A Japanese passport is the passport centre's (「子どもの日本のパスポート」, "japanese passport").
JAPANESE = re.compile(r"日本|にほん|にっぽん|japan|japon|nhật|일본")


def another_countrys_passport(text: str) -> bool:
    """Whether the message asks about a passport of a country other than Japan."""
    said = normalize(text or "").lower()
    return bool(PASSPORT.search(said)) and bool(ABROAD.search(said)) and not JAPANESE.search(said)
