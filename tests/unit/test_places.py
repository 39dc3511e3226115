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
    # A bare name where someone lives or whose services are asked for.
    ("横須賀に住んでいる母の介護保険の申請を代わりにしたい", "横須賀市"),
    ("鎌倉の実家のごみの出し方が知りたい", "鎌倉市"),
    ("逗子 ごみ 収集日", "逗子市"),
    ("前に住んでいた東京の区の住民税の納税証明がほしい", "東京都"),
    ("東京に住んでいる母の介護保険の申請を、ここで代わりにできますか", "東京都"),
    ("静岡で一人暮らしをしている母の介護保険のことを相談したいんですが。", "静岡市"),
    ("静岡の実家の母の介護保険の申請、こっちの区役所でできますか？", "静岡市"),
    # A family home there, its upkeep or its tax.
    ("静岡の実家が空き家になっていて、管理や売却の相談をしたい", "静岡市"),
    ("東京の実家の固定資産税、ここで払えますか", "東京都"),
    ("札幌にある実家が空き家になっていて、どうしたらいいか相談したい", "札幌市"),
    # Where the visitor lived before, as the owner of what is asked about.
    ("前に住んでた東京都の保育料の減免って、ここで申請できますか", "東京都"),
    ("前に住んでいた藤沢の課税証明書がほしい", "藤沢市"),
    # A house there: bought, or a friend's.
    ("息子夫婦が川崎で家を買った。そっちの固定資産税はどこに聞く？", "川崎市"),
    ("横須賀の友だちの家の粗大ごみの出し方を教えてほしい", "横須賀市"),
    # The office named as where to ask does not make it the ward's matter.
    ("横須賀市に住んでいる母の要介護認定を申請したい。金沢区役所でできますか", "横須賀市"),
    # The city one is moving to, when its own service is asked about.
    ("来年、福岡市に引っ越す予定。福岡の保育園の空き状況を知りたい。", "福岡市"),
    ("藤沢市に引っ越す予定です。藤沢の保育園の空き状況を教えてください", "藤沢市"),
    # A grave there to be moved: the permit is the city's where the grave is now, also when
    # the remains come to the ward.
    ("鎌倉の寺にある先祖の墓をこっちに移したい。改葬の許可は鎌倉のを取ればいいのか", "鎌倉市"),
    ("鎌倉の寺にある母の墓を、金沢区の霊園に移したい。改葬の許可はどこでもらう？", "鎌倉市"),
    ("静岡市にある祖父の墓を墓じまいしたい", "静岡市"),
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
    "父は広島で被爆しております。被爆者健康手帳の相談は",      # nor where someone lives
    "名寄帳を出していただけますか",                        # nor a word that looks like one
    "富岡に住む母の介護保険の申請を代わりにしたい",           # 富岡市 elsewhere, 富岡東 here
    "金沢に住んでいる母の介護保険",                        # 金沢市 elsewhere, the ward here
    "私は東京に住んでいて、母の家が空き家になっています",      # living in the capital says little
    "大阪に住んでいて、釜利谷の実家が空き家になっている",      # a town of the ward
    "お盆は鹿児島の実家で過ごすので、その間の犬の預け先を",     # a stay at a family home
    "前に住んでた大阪の友達が遊びに来るので、駐車場を知りたい",  # a person from where one lived
    "来月横須賀市に引っ越します。今もらっている児童手当はどうすればいいですか",  # ending it here
    "福岡市から引っ越してきました。福岡の保育園に通っていた子の転園は",      # a move from there
    "富岡の寺にある墓を鎌倉に移したい",                    # a grave here, moved away
    "鎌倉の霊園に墓を移したい",                            # a grave to be made there
    "",
])
def test_a_message_about_the_offices_own_work_names_no_other_city(kanazawa, text):
    assert other_city(kanazawa, text) is None


def test_a_bare_city_name_is_read_only_where_the_offices_towns_are_known(kanazawa):
    """Without the ward's towns, 富岡 could be a town here: only …市 counts."""
    isogo = load_guide(REPO / "data/guide", REPO / "data/offices/isogo")
    assert not isogo.office.towns
    assert other_city(isogo, "鎌倉のごみの収集日") is None
    assert other_city(isogo, "鎌倉市のごみの収集日") == "鎌倉市"
    assert other_city(kanazawa, "鎌倉のごみの収集日") == "鎌倉市"


@pytest.mark.parametrize("text, lang, city", [
    ("Kamakura garbage day", "en", "Kamakura"),
    ("I live in Yokosuka. How do I register my new dog there?", "en", "Yokosuka"),
    ("moro em Fujisawa, onde pago o kokuho de lá?", "pt", "Fujisawa"),
    ("Em đang sống ở Yokosuka. Rác cồng kềnh ở Yokosuka thì gọi số nào ạ?", "vi", "Yokosuka"),
    ("我朋友住在川崎市，孩子刚出生，她的儿童补贴应该在哪里申请？", "zh", "川崎"),
    ("가와사키에 사는 친구가 물어봐서요. 가와사키시는 타는 쓰레기 버리는 요일이 언제예요?", "ko", "가와사키"),
])
def test_another_citys_matter_in_another_language_names_it(kanazawa, text, lang, city):
    assert other_city(kanazawa, text, lang) == city


@pytest.mark.parametrize("text, lang", [
    ("I moved from Kawasaki last week, where do I register?", "en"),      # a move
    ("Cheguei de Hamamatsu com minha família semana passada", "pt"),
    ("On election day I will be staying at my daughter's home in Osaka", "en"),  # a stay
    ("I live in Kanazawa ward, my mother lives in Kawasaki", "en"),       # the ward is named
    ("我从川崎搬过来了，要办转入", "zh"),
    ("藤沢市の保育園の空き状況", "ja-easy"),                                # no names of cities: none
])
def test_another_language_about_the_offices_own_work_names_no_other_city(kanazawa, text, lang):
    assert other_city(kanazawa, text, lang) is None
