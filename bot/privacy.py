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
    r"(?<!\d)(?:\+81[\s\-]?|0)\d{1,4}[\s\-‐－―−()（）]{0,2}\d{1,4}[\s\-‐－―−()（）]{0,2}\d{3,4}(?!\d)")
_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHR])"
_BIRTH_DATE = re.compile(
    r"(?:(?:19|20)\d{2}|" + _ERA + r"\s?(?:元|\d{1,2}))\s?[年./\-]\s?\d{1,2}\s?[月./\-]\s?\d{1,2}日?"
    r"|(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)")
# Any other long run of digits (card, account or reference numbers) is masked as well.
_LONG_NUMBER = re.compile(r"(?<!\d)\d{7,}(?!\d)")


def _fold(text: str) -> str:
    """Full-width digits, letters and @ become ASCII so one set of patterns fits all input."""
    return "".join(folded if (folded := unicodedata.normalize("NFKC", ch)).isascii() else ch
                   for ch in text)


def mask_personal_data(text: str | None) -> str:
    """The text with e-mail addresses, My Numbers, phone numbers and dates of birth masked."""
    if not text:
        return ""
    text = _fold(text)
    text = _EMAIL.sub(MASKS["email"], text)
    text = _BIRTH_DATE.sub(MASKS["birth_date"], text)
    text = _MY_NUMBER.sub(MASKS["my_number"], text)
    text = _PHONE.sub(MASKS["phone"], text)
    return _LONG_NUMBER.sub(MASKS["number"], text)
