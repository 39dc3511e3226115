"""Masking personal data that visitors type, before it is stored or shown to staff.

Visitors sometimes type their phone number, My Number, date of birth or e-mail address
into the kiosk. The staff console, its logs and its database keep only the masked text:
what the question was about stays readable, the personal data does not.
"""

from __future__ import annotations

import re
import unicodedata

MASKS = {
    "email": "［メール］",
    "my_number": "［個人番号］",
    "phone": "［電話番号］",
    "birth_date": "［日付］",
    "number": "［番号］",
}

_SEP = r"[\s\-‐－ー―−.．]?"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# 12 digits, as printed on the card (4-4-4) or run together.
_MY_NUMBER = re.compile(rf"(?<!\d)\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")
# Japanese numbers start with 0 (or +81): fixed lines, mobiles (070/080/090), 0120 toll-free.
_PHONE = re.compile(
    r"(?<!\d)(?:\+81[\s\-]?|[(（]?0)\d{1,4}[\s\-‐－―−()（）]{0,2}\d{1,4}[\s\-‐－―−()（）]{0,2}\d{3,4}(?!\d)")
_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHR])"
_BIRTH_DATE = re.compile(
    r"(?:(?:19|20)\d{2}|" + _ERA + r"\s?(?:元|\d{1,2}))\s?[年./\-]\s?\d{1,2}\s?[月./\-]\s?\d{1,2}日?"
    r"|(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"
    # 「85年4月12日生まれ」: a two-digit year needs all of 年, 月 and 日.
    r"|(?<!\d)\d{2}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日")
# Digits said one by one (「0 9 0 1 2 3 4 …」, 「〇九〇の一二三四の…」) are a phone number too.
_SPELLED_PHONE = re.compile(r"(?<!\d)0(?:[\s\-‐－―−の]{0,2}\d){9,10}(?!\d)")
# Any other long run of digits (card, account or reference numbers), also in groups
# (「1234-567890」), is masked as well.
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[\s\-‐－−]?\d){6,}(?!\d)")
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")


def _fold(text: str) -> str:
    """Full-width digits, letters and @ as ASCII and kanji digits (〇…九) as digits, one
    character for one, so spans still fit. (A lone 一 of 一人 matches no pattern: they all
    need runs of digits.)"""
    return "".join(folded if len(folded := unicodedata.normalize("NFKC", ch)) == 1
                   and folded.isascii() else ch for ch in text).translate(_KANJI_DIGITS)


# Most specific first: a date or a My Number is not reported as a phone number.
_PATTERNS = ((_EMAIL, "email"), (_BIRTH_DATE, "birth_date"), (_MY_NUMBER, "my_number"),
             (_PHONE, "phone"), (_SPELLED_PHONE, "phone"), (_LONG_NUMBER, "number"))


def mask_personal_data(text: str | None) -> str:
    """The text with e-mail addresses, My Numbers, phone numbers and dates of birth masked.

    Patterns are matched on a folded copy (full-width → ASCII) and replaced in the original,
    so the rest of what the visitor typed is kept exactly.
    """
    if not text:
        return ""
    folded = _fold(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(folded):
            start, end = match.span()
            if not any(start < e and s < end for s, e, _ in spans):
                spans.append((start, end, MASKS[kind]))
    out, last = [], 0
    for start, end, mask in sorted(spans):
        out += [text[last:start], mask]
        last = end
    out.append(text[last:])
    return "".join(out)
