"""Another country's passport, in each of the guide's languages (bot.passports)."""

import pytest

from bot.passports import another_countrys_passport


@pytest.mark.parametrize("text", [
    "ブラジル の パスポート、きれました。",
    "東京のブラジル総領事館でブラジルのパスポートを更新したい",
    "母国のパスポートの更新はどこでできますか",
    "わたし の くに の パスポート、きげん が おわります",
    "mongolian embassy passport renew",
    "My Vietnamese passport expires next month",
    "Onde renovo meu passaporte brasileiro?",
    "Hộ chiếu Việt Nam của tôi sắp hết hạn, gia hạn ở đâu?",
    "我的中国护照快到期了，在这里能换新的吗？",
    "베트남 여권 갱신은 어디서 해요?",
])
def test_a_passport_of_another_country_is_found(text):
    assert another_countrys_passport(text)


@pytest.mark.parametrize("text", [
    "パスポートを作りたい。",
    "子どもの日本のパスポートを作りたい",                 # a Japanese passport
    "ママのパスポートの更新",                            # a family word, not a country
    "My Japanese passport expired. Where do I apply for a new one?",
    "passport renewal",                                   # whose is not said: the centre's
    "quero tirar passaporte japonês pro menino",
    "我儿子是日本国籍，要给他办日本护照，在区役所能办吗",
    "您好，护照和在留卡都带来了，办转入还需要什么材料吗？",  # a passport as an identity document
    "ブラジル大使館の場所を知りたい",                      # no passport named
    "",
])
def test_a_japanese_passport_or_none_is_not(text):
    assert not another_countrys_passport(text)
