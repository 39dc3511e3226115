"""Whole errands on the real servers: garbage items get their sorting, life events a plan."""

from __future__ import annotations

import pytest

from tests.support.servers import ask

pytestmark = pytest.mark.servers

# 64 dictionary items, verified and not; each is asked in one of three shapes.
ITEMS = [
    "生ごみ", "紙おむつ", "ドライヤー", "アイロン", "電話機", "スマートフォン", "使い捨てライター", "ピザの箱",
    "銀紙", "LED電球", "アルバム", "まな板", "植木の土", "陶磁器", "茶わん", "ガラス", "ガラスのコップ", "蛍光灯",
    "電球", "土鍋", "スプレー缶", "ヘアスプレー", "殺虫剤", "カセットボンベ", "乾電池", "リチウム一次電池",
    "コイン電池", "空き缶", "缶詰の缶", "ペットボトル", "空きびん", "ビールびん", "なべ", "フライパン", "はさみ",
    "傘", "包丁", "くぎ", "ペンキの缶", "金属製のライター", "ペットボトルのキャップ", "シャンプーのボトル",
    "歯みがき粉のチューブ", "食品トレイ", "発泡スチロール", "卵のパック", "レジ袋", "新聞", "段ボール", "紙パック",
    "雑誌", "衣類", "毛布", "布団", "自転車", "ベビーカー", "ソファ", "高圧ガスボンベ", "冷蔵庫", "テレビ", "ピアノ",
    "タイヤ", "消火器", "パソコン",
]
SHAPES = ["{}は何ごみですか", "{}の捨て方を教えてください", "{}を捨てたいんですけど"]


def test_enough_items_are_asked():
    assert len(ITEMS) >= 50


@pytest.mark.parametrize("n, name", list(enumerate(ITEMS)))
def test_a_garbage_question_gets_the_items_category_from_its_data_entry(live_client, guide, n, name):
    entry = guide.garbage.items[name]
    category = guide.garbage.categories[entry.category]
    data = ask(live_client, SHAPES[n % len(SHAPES)].format(name))
    sorting = data["sorting"]
    assert sorting is not None, data["replies"]
    assert (sorting["item"], sorting["category"]) == (name, category.name)
    # Checked against the entry's own source: the page that names its category, or none.
    expected = guide.garbage.sources[entry.sources[0]].url if entry.sources else None
    assert (sorting["source"] or {}).get("url") == expected
    assert sorting["verified"] == (entry.verified and category.verified)
    assert data["destination"] is None            # never a counter for a garbage item
    if not sorting["verified"]:
        assert any("分別辞典でご確認ください" in r["text"] for r in data["replies"])


def test_the_brief_s_own_garbage_questions(live_client):
    assert ask(live_client, "乾電池はどうやって捨てますか")["sorting"]["category"] == "乾電池"
    assert ask(live_client, "ヘアスプレーの缶")["sorting"]["category"] == "スプレー缶"
    assert ask(live_client, "使わへんようになったベビーカー何ごみ？")["sorting"]["category"] == "粗大ごみ"
    assert ask(live_client, "れいぞうこ すてたい")["sorting"]["category"] == "家電リサイクル品"


def sections(plan):
    return [s["department"] for s in plan]


def test_moving_in_from_another_city(live_client):
    data = ask(live_client, "横浜市外から金沢区に引っ越してきました")
    plan = data["plan"]
    assert plan[0]["procedure"] == "tennyu" and plan[0]["department"] == "戸籍課"
    assert "保険年金課" in sections(plan) and "こども家庭支援課" in sections(plan)
    assert sections(plan).index("保険年金課") < sections(plan).index("こども家庭支援課")
    assert data["destination"]["department"] == "戸籍課"
    assert [s["step"] for s in plan] == list(range(1, len(plan) + 1))


def test_a_death_in_the_family(live_client):
    plan = ask(live_client, "母が亡くなりました")["plan"]
    procedures = [s["procedure"] for s in plan]
    assert procedures[0] == "shibou"
    assert procedures.index("kokuho_leave") < procedures.index("nenkin_shibou") < procedures.index("sosaihi")
    # What is done outside the office comes last: the pension office, then the family court
    # for giving up an inheritance.
    outside = [s for s in plan if s.get("redirect")]
    assert [s["redirect"]["name"] for s in outside] == ["年金事務所", "横浜家庭裁判所"]
    assert plan[-len(outside):] == outside and all(s["floor"] is None for s in outside)
    assert all(s["condition"] for s in plan[1:])


def test_a_birth(live_client):
    plan = ask(live_client, "子どもが生まれました")["plan"]
    assert plan[0]["procedure"] == "shussei"
    assert {"jido_teate", "shoni_iryo"} <= {s["procedure"] for s in plan}


def test_leaving_a_job_switches_insurance_and_pension(live_client):
    data = ask(live_client, "会社を辞めました。保険と年金は？")
    plan = data["plan"]
    assert [s["procedure"] for s in plan[:2]] == ["kokuho_join", "nenkin_join"]
    assert data["destination"]["department"] == "保険年金課"
    assert plan[-1]["redirect"]["name"] == "ハローワーク"
