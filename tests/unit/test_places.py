"""Another city's matter, told by the city a message names (SudachiPy's place names)."""

from __future__ import annotations

import pytest

from bot.guide_data import load_guide
from bot.places import home_names, other_city
from bot.settings import REPO


@pytest.fixture(scope="module")
def kanazawa():
    return load_guide(REPO / "data/guide", REPO / "data/offices/kanazawa")


def test_the_home_city_and_ward_come_from_the_offices_name(kanazawa):
    assert home_names(kanazawa) == ("横浜市", "横浜", "金沢区")
    isogo = load_guide(REPO / "data/guide", REPO / "data/offices/isogo")
    assert home_names(isogo) == ("横浜市", "横浜", "磯子区")


@pytest.mark.parametrize("text, city", [
    ("藤沢市の保育園の空き状況を知りたいです", "藤沢市"),
    ("川崎市に住んでるんですけど、粗大ごみの出し方を教えて", "川崎市"),
    ("藤沢市に住んでいる母の介護保険の認定の手続きを代わりにできますか", "藤沢市"),
])
def test_a_message_about_another_city_names_it(kanazawa, text, city):
    assert other_city(kanazawa, text) == city


@pytest.mark.parametrize("text", [
    "川崎市から引っ越してきました。転入届はどこですか",   # a move is this office's work
    "大阪市に本籍があるのですが、戸籍謄本はここで取れますか",  # so is a family register elsewhere
    "横須賀市に住んでいて、金沢区の会社に通勤しています",   # the ward is named too
    "横浜市の保育園に入りたい",                          # the office's own city
    "市県民税の通知書が届きました",                       # no place name
    "鎌倉殿の13人の観光プロモーション",                   # a bare name is not a city
    "",
])
def test_a_message_about_the_offices_own_work_names_no_other_city(kanazawa, text):
    assert other_city(kanazawa, text) is None
