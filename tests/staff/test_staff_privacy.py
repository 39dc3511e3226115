"""Personal data typed by visitors is masked before it is stored or shown."""

from __future__ import annotations

import pytest

from bot.privacy import mask_personal_data


@pytest.mark.parametrize("text, masked", [
    # phone numbers: fixed lines, mobiles, toll-free, full-width, +81
    ("電話番号は045-788-7729です", "電話番号は［電話番号］です"),
    ("090-1234-5678に折り返して", "［電話番号］に折り返して"),
    ("０８０１２３４５６７８", "［電話番号］"),
    ("0120-123-456", "［電話番号］"),
    ("+81 90 1234 5678", "［電話番号］"),
    ("(045)788-7729", "［電話番号］"),
    ("（０４５）７８８－７７２９です。", "［電話番号］です。"),
    # My Number: 12 digits, run together or 4-4-4
    ("マイナンバーは123456789012です", "マイナンバーは［個人番号］です"),
    ("1234 5678 9012", "［個人番号］"),
    ("１２３４－５６７８－９０１２", "［個人番号］"),
    # dates of birth: western and Japanese eras, with or without 年月日
    ("生年月日は1985年4月1日", "生年月日は［日付］"),
    ("昭和60年4月1日生まれ", "［日付］生まれ"),
    ("平成元年1月8日", "［日付］"),
    ("H2.5.3", "［日付］"),
    ("1985/04/01", "［日付］"),
    ("19850401", "［日付］"),
    # e-mail addresses
    ("taro.yamada@example.co.jp に送ってください", "［メール］ に送ってください"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "［メール］"),
    # other long numbers (accounts, references)
    ("口座番号1234567", "口座番号［番号］"),
    # ordinary questions stay as they are
    ("住民票を2通ください", "住民票を2通ください"),
    ("4月1日から保育園に入れたい", "4月1日から保育園に入れたい"),
    ("2階の窓口はどこ", "2階の窓口はどこ"),
    ("令和6年度の住民税", "令和6年度の住民税"),
    ("", ""),
])
def test_mask_personal_data(text, masked):
    assert mask_personal_data(text) == masked


def test_none_is_empty():
    assert mask_personal_data(None) == ""
