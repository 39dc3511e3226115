"""Garbage sorting and life-event plans: the data loads, bad files are refused, lookups work."""

from __future__ import annotations

import pytest

from bot.guide_data import GuideDataError, load_guide
from bot.life_events import find_event
from bot.sorting import SortingIndex

# Yokohama's categories as the city names them (Kanazawa: プラスチック資源 since 2024-10).
CATEGORIES = {"燃やすごみ", "燃えないごみ", "缶・びん・ペットボトル", "小さな金属類", "スプレー缶", "乾電池",
              "プラスチック資源", "古紙", "古布", "粗大ごみ", "家電リサイクル品", "市では収集しないもの"}


def test_the_dictionary_holds_the_citys_categories_and_over_300_items(guide):
    garbage = guide.garbage
    assert {c.name for c in garbage.categories.values()} == CATEGORIES
    assert len(garbage.items) >= 300
    for item in garbage.items.values():
        assert item.verified == bool(item.sources)
        for sid in item.sources:
            assert garbage.sources[sid].url.startswith("https://www.city.yokohama.lg.jp/") \
                or garbage.sources[sid].url.startswith("http://m.city.yokohama.lg.jp/")


def test_plastic_is_the_2024_kanazawa_group_and_bulky_waste_is_the_reception_centre(guide):
    garbage = guide.garbage
    assert "プラスチック製容器包装" not in {c.name for c in garbage.categories.values()}
    assert garbage.items["ペットボトルのキャップ"].category == "plastic_shigen"
    assert guide.redirects[garbage.help.bulky_redirect].phone == "0570-200-530"


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, reason", [
    ("category: kandenchi, synonyms: [電池", "category: batteries, synonyms: [電池", "unknown category 'batteries'"),
    ("{name: 茶わん,", "{name: 陶磁器,", "duplicate item name"),
    ("{name: 湯のみ, reading: ゆのみ, category: moenai, synonyms: [湯呑み,",
     "{name: 湯のみ, reading: ゆのみ, category: moenai, synonyms: [お茶碗,", "already used by item '茶わん'"),
    ("category: moyasu, synonyms: [割り箸], verified: false}",
     "category: moyasu, synonyms: [割り箸], verified: true}", "verified: true needs a 'source:'"),
    ("category: moyasu, synonyms: [割り箸], verified: false}", "category: moyasu, synonyms: [割り箸]}",
     "needs a 'source:' or 'verified: false'"),
    ("source: bunbetsu}", "source: nowhere}", "unknown source 'nowhere'"),
])
def test_a_bad_garbage_file_is_refused(guide_copy, old, new, reason):
    _edit(guide_copy / "garbage.yml", old, new)
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy)
    assert err.value.file == "garbage.yml" and reason in err.value.reason
    assert err.value.line is not None


def test_a_plan_step_must_name_an_existing_procedure(guide_copy):
    _edit(guide_copy / "life_events.yml", "      - procedure: shibou\n", "      - procedure: shibou_todoke\n")
    with pytest.raises(GuideDataError, match="unknown procedure 'shibou_todoke'"):
        load_guide(guide_copy)


def test_every_plan_step_is_a_procedure_or_redirect_of_the_guide(guide):
    for event in guide.life_events.values():
        for step in event.steps:
            assert (step.procedure in guide.procedures) or (step.redirect in guide.redirects)


@pytest.fixture(scope="module")
def index(guide):
    return SortingIndex(guide.garbage)


@pytest.mark.parametrize("text, item, category", [
    ("乾電池はどうやって捨てますか", "乾電池", "kandenchi"),
    ("乾電池 捨て方", "乾電池", "kandenchi"),
    ("かんでんちのすてかた", "乾電池", "kandenchi"),
    ("ライターは何ごみ？", "使い捨てライター", "moyasu"),
    ("れいぞうこ すてたい", "冷蔵庫", "kaden_recycle"),
    ("使わへんようになったベビーカー何ごみ？", "ベビーカー", "sodai"),
    ("ヘアスプレーの缶", "ヘアスプレー", "spray"),
    ("割れたガラスのコップ", "ガラスのコップ", "moenai"),
    ("ペットボトルのキャプは何ごみ", "ペットボトルのキャップ", "plastic_shigen"),
    ("使用済みのエアコンの区分を教えて", "エアコン", "kaden_recycle"),  # no 使用済みの油 nearby
    ("物置から古い鍵が山ほど出てきてん。これ何ごみや？", "鍵", "chiisana_kinzoku"),  # 物置 is where
    ("60センチくらいあるでっかいクーラーボックス、何ごみ？", "クーラーボックス", "sodai"),
    ("船に積んでた発煙筒が期限切れ。どうやって捨てる？", "発炎筒", "not_collected"),
    ("サザエの殻がたんとあるんじゃが、何ごみかの", "貝殻", "moyasu"),
    ("ダンボールの出し方", "段ボール", "koshi"),
    ("ふらいぱんなにごみ", "フライパン", "chiisana_kinzoku"),
    ("みかんの 皮、なにごみ ですか", "生ごみ", "moyasu"),              # peel is kitchen waste
    ("プリンが入ってたカップって何ごみ", "プリンのカップ", "plastic_shigen"),  # named by its contents
    ("卵がはいっていたパック", "卵のパック", "plastic_shigen"),
    ("衣類乾操機を捨てたい", "衣類乾燥機", "kaden_recycle"),          # a wrong kanji of one sound
    ("電子連字 すてたい", "電子レンジ", "sodai"),
    ("使い終わった電球って、乾電池の日に出すの？", "電球", "moenai"),  # the battery day is a day
    ("乾電池の日はいつ？", "乾電池", "kandenchi"),                     # unless it is all there is
    ("石油ストーブの残りの灯油、どうやって捨てんの？", "灯油", "not_collected"),  # what is left in it
    ("ペットボトル ラベル 分別", "ペットボトルのラベル", "plastic_shigen"),  # keywords A B as AのB
    ("ヘアスプレー 空き缶 捨て方", "ヘアスプレー", "spray"),            # unless AのB is no name
])
def test_items_are_found_in_many_spellings(index, text, item, category):
    found = index.find(text)
    assert found is not None and (found.name, found.category) == (item, category)


def test_words_that_name_no_item_find_nothing(index):
    assert index.find("ごみの分別表をもらえますか") is None
    assert index.find("住民票を取りたい") is None


@pytest.mark.parametrize("text, event", [
    ("横浜市外から金沢区に引っ越してきました", "moving_in_city"),
    ("海外から引っ越してきました", "moving_in_abroad"),
    ("市内で引っ越しました", "moving_within"),
    ("母が亡くなりました", "death"),
    ("子どもが生まれました", "birth"),
    ("会社を辞めました。保険と年金は？", "leaving_job"),
    ("結婚しました", "marriage"),
])
def test_life_events_are_found_in_the_visitors_words(guide, text, event):
    assert find_event(guide, text).id == event


@pytest.mark.parametrize("text", [
    "生まれてから亡くなるまでの戸籍をそろえたい",   # a certificate request, not a birth or a death
    "仕事がなくなりました。家賃が払えません",         # なくなった of a job, not of a person
    "生年月日を変更したい",
    "飼っていた犬が亡くなりました",                   # 犬の死亡届, not a family's death
])
def test_words_that_only_look_like_a_life_event_find_none(guide, text):
    assert find_event(guide, text) is None


def test_unless_words_are_read_and_checked(guide_copy):
    _edit(guide_copy / "life_events.yml", "    unless: [生まれてから, 生まれた時から, 生まれたときから, 出生から, 生まれつき, 生まれた年, 生年月日, 子犬, 子猫, 犬, 猫]",
          "    unless: 生まれてから")
    with pytest.raises(GuideDataError, match="'unless' must be a list"):
        load_guide(guide_copy)


@pytest.mark.parametrize("text, item", [
    ("すみません、ごみの出し方を教えて", None),   # 炭 (すみ) is not in すみません
    ("ゆうびんのごみ", None),                     # びん is not in ゆうびん
    ("本人がごみを出しに行けません", None),       # 本 is not in 本人
    ("かさを捨てたい", "傘"),
    ("炭は何ごみ", "木炭"),
])
def test_short_names_are_found_only_as_whole_nouns(index, text, item):
    found = index.find(text)
    assert (found.name if found else None) == item


def test_garbage_talk_about_something_else_names_no_item(guide):
    from bot.sorting import named_item
    assert named_item(guide, "ごみの分別ルールの英語版のチラシがほしい") is None
    assert named_item(guide, "ごみの ぶんべつの ちらしが ほしい") is None
    assert named_item(guide, "チラシは何ごみ？").name == "チラシ"
    # A scrapped moped's number plate goes back to 税務課; the moped itself is still an item.
    assert named_item(guide, "げんつき を すてました。ナンバー を かえしたい です。", "ja-easy") is None
    assert named_item(guide, "原付を捨てたのでナンバープレートを返したい") is None
    assert named_item(guide, "原付の捨て方").name == "バイク"
    # Making less of an item is ごみの減量 (地域振興課), in Japanese and in English.
    assert named_item(guide, "生ごみを減らしたい。堆肥の作り方は？") is None
    assert named_item(guide, "how can we reduce food waste? so many banana peels every day", "en") is None
    # Food given away is not thrown away, in any language.
    assert named_item(guide, "집에 안 먹는 통조림이 많아요. 버리기 아까워서 기부하고 싶어요.", "ko") is None
    assert named_item(guide, "we have too many cans of food, is there a food bank to donate them", "en") is None
    # Litter picking is 地域振興課's まちの美化, not an item's sorting.
    assert named_item(guide, "some mothers and I pick up trash on the beach every month, we need bags", "en") is None


@pytest.mark.parametrize("text, item", [
    ("ヘアスプレーの缶", "ヘアスプレー"),      # only an item's name: how to put it out
    ("ヘアスプレーの缶は？", "ヘアスプレー"),
    ("パソコンは何ごみですか", "パソコン"),
    ("コンビニ弁当のプラの容器って何で出すの？", "弁当の容器"),   # what it goes out as
    ("自転車", None),                          # also inside 放置自転車: the NLU decides
    ("住民票", None),
    ("ヘアスプレーの缶を買いました", None),    # more than a name, and no question word
    ("やさい の かわ は なにごみ でうか", "生ごみ"),  # hiragana, spaced, a typo: not a river (河川)
    ("子どもが大きくなって ベビーカーが いらなく なりました", "ベビーカー"),  # "no longer needed"
    ("保育園がいらなくなりました", None),     # not an item: 退園 is the NLU's
    ("テレビの リモコンの でんち を すてたいです", "乾電池"),     # AのB: the item is B
    ("リモコンから外した単四電池の捨て方", "乾電池"),   # of two names as long, the head: the last
    # The visitor's spaces: no ナイフ in 「き|ない ふ|く」; a spaced name is still found.
    ("まだ きれいだけど もう きない ふく を すてたい", "衣類"),
    ("ぺっと ぼとる の すてかた", "ペットボトル"),
    ("ペットボトルのキャップの捨て方", "ペットボトルのキャップ"),
    ("ぎゅうにゅう の かみパック は どう すてますか", "紙パック"),  # not パック of a bento box
    ("シャンプーの詰め替えの袋ってプラ？燃やすごみ？", "シャンプーのボトル"),  # a category asked
    ("使ったペットシーツって燃えるごみでいいの？", "ペットシーツ"),   # by the name people use
    ("びん と かん、おなじ ふくろ で いいですか？", "空きびん"),      # two items in one bag
    ("このくたびれたスーツ、何ごみで出したらええん？", "衣類"),
    ("ペットボトル キャップ", "ペットボトルのキャップ"),             # keywords, spaced
    # A typo must read like the item somewhere: the pairs of クッション are all in this
    # sentence, scattered, and of 懐中電灯 in the next.
    ("うちのごみステーション、今週ずっと持ってってもらえてないんだわ。どこに言えばいいっしょ", None),
    ("そだいごみ を だしたい。もうしこみ の でんわ は どこ", None),   # the phone number to apply
    ("缶詰がたくさん余っています。捨てるのはもったいないのでフードドライブに出したい", None),
    ("空のスプレー缶", "スプレー缶"),            # a bare name with a word on its state
    ("古い傘", "傘"),
    ("空き缶", "空き缶"),                      # a name that starts like one is found whole
    ("古い住民票", None),                      # no item left: a certificate
])
def test_a_garbage_question_by_its_words_or_by_an_items_bare_name(guide, text, item):
    from bot.sorting import garbage_question

    found = garbage_question(guide, text)
    assert (found.name if found else None) == item
