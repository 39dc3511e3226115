"""The visitor's own contract with a company, told apart from the office's business."""

from __future__ import annotations

import pytest

from bot.contracts import company_matter


@pytest.mark.parametrize("text", [
    "引っ越すので電気とガスの契約を止めたい",
    "NHKの受信料の住所変更をしたい",
    "夫の名義の銀行口座を私の名前に変えたい",
    "会社の健康保険証を再発行してもらいたい",
    "生命保険の受取人を変えたい",
    "クレジットカードの住所を変えたい",
    "新聞の配達を止めてほしい",
    "家の火災保険に入りたいんだけど、消防署の窓口？",
    "医療保険の見直しを相談したい",
    "保険年金課って生命保険の見直しの相談もできますか",  # 年金 here names a section
    "会社の保険証をなくしてしまった",                  # the employer's insurer reissues it
    "電気とガスの引っ越しの手続きはどこ？",              # a service's procedure
    "電気とガスの使用開始の手続きをしたい",            # a service started after a move
    # Only an employer's insurer keeps a leaver insured or pays these, also after the job.
    "保険年金課に行けばいいのかな。退職しても前の会社の健康保険を任意継続したい",
    "切迫早産で会社を休んでいます。傷病手当金の申請はどこで？",
    "産休中の出産手当金はいつ振り込まれる？",
])
def test_a_contract_with_a_company(text):
    assert company_matter(text)


@pytest.mark.parametrize("text", [
    "NHKの受信料の免除の証明がほしい",              # the office's certificate
    "児童手当の振込口座を変えたい",                  # the office's allowance
    "会社を辞めて会社の保険が使えなくなった",        # a move to 国保
    "国保の保険料を口座振替にしたい",
    "銀行に出す戸籍を取りたい",
    "カセットコンロのガス缶を捨てたい",              # garbage
    "スマホをなくした",                              # the police's lost property
    "携帯電話の解約金が高すぎる、説明を受けていない",  # the consumer centre
    "電話で屋根の修理を勧められて契約してしもうた。断れるもんかね",  # the consumer centre too
    "地震のときに電気を止める器具の補助はある？",
    "外国人でも医療保険に加入しないといけない？",      # for many, 国保
    "銀行に出す住民税の課税証明書がほしい",            # 課税 is no section's name
    "国民健康保険の保険証をなくしました",              # 国保's card is the office's
    "任意継続と国保、どっちが安いか知りたい",            # 国保's part is the office's
    "国保の出産育児一時金を申請したい",                  # 国保 pays this one
    "引っ越しの手続きはどこですか",                    # a procedure, of no company
    "",
])
def test_the_offices_business_is_not_a_companys(text):
    assert not company_matter(text)


def test_a_long_story_is_left_to_the_rest_of_the_guide():
    assert not company_matter("電気の契約を変えたい。" + "あ" * 300)
