"""The sorting dictionary in the visitor's language: its items found by their translated names,
its categories and notes answered in that language, with the Japanese category beside."""

from __future__ import annotations

import shutil

import pytest

from bot import answers
from bot.guide_data import GuideDataError, load_guide
from bot.settings import REPO
from bot.sorting import garbage_question, named_item

GUIDE = REPO / "data" / "guide"
OFFICE = REPO / "data" / "offices" / "kanazawa"

# A translation of three items and two categories, written here so the matching rules are
# tested whatever the shipped translations say.
EN = """language: en
source: "test"
garbage:
  question_words: [throw away, dispose]
  not_item_words: [garbage bags]
entries:
  garbage_sodai: {name: Bulky garbage, how: "Book the collection first."}
  garbage_kandenchi: {name: Dry-cell batteries, how: Put them in a clear bag.}
  自転車: {name: bicycle, synonyms: [bike]}
  乾電池: {name: battery, synonyms: [dry-cell battery], note: Tape the ends.}
  電子レンジ: {name: microwave oven, synonyms: [microwave]}
  juminhyo: {title: Residence certificate, synonyms: [bike registration certificate]}
"""
ZH = """language: zh
source: "test"
garbage:
  question_words: [扔, 怎么处理]
entries:
  自転車: {name: 自行车}
  乾電池: {name: 电池, synonyms: [池]}
"""


@pytest.fixture
def translated(tmp_path):
    shutil.copytree(GUIDE, tmp_path / "guide")
    (tmp_path / "guide" / "translations" / "en.yml").write_text(EN, encoding="utf-8")
    (tmp_path / "guide" / "translations" / "zh.yml").write_text(ZH, encoding="utf-8")
    return load_guide(tmp_path / "guide", OFFICE)


def found(guide, text, lang):
    item = garbage_question(guide, text, lang)
    return item.name if item else None


@pytest.mark.parametrize("text, lang, item", [
    ("How do I throw away a bicycle?", "en", "自転車"),
    ("how to dispose of old bikes", "en", "自転車"),                   # a plural, a synonym
    ("I want to throw away a dry-cell battery", "en", "乾電池"),       # the longer name wins
    ("Batteries?", "en", "乾電池"),                                     # a bare name
    ("how do I throw away a microwave oven", "en", "電子レンジ"),
    ("旧自行车怎么扔", "zh", "自転車"),                                  # inside the text
    ("电池怎么处理", "zh", "乾電池"),
    ("池怎么处理", "zh", None),                                         # one character is too short
    ("Where can I buy garbage bags to throw away a bike?", "en", None),  # about something else
    ("I want to throw away my bikeshed", "en", None),                   # not a whole word
    ("How do I throw away a bicycle?", None, None),                     # English words for English
    ("自転車の捨て方", "en", "自転車"),                                  # Japanese stays understood
    ("bikeを捨てたい", "en", "自転車"),                                  # a particle ends a Latin word
    ("how do I throw away a microwve", "en", "電子レンジ"),              # a typo, near one name
    ("how do I throw away a bkie", "en", None),                         # too short to guess at
])
def test_an_item_is_found_by_its_name_in_the_visitors_language(translated, text, lang, item):
    assert found(translated, text, lang) == item


@pytest.mark.parametrize("text, lang, item", [
    ("How do I throw away a bicycle?", "en", "自転車"),
    ("Which garbage do cardboard boxes go in?", "en", "段ボール"),
    ("Which bin do metal coat hangers go in?", "en", "ワイヤーハンガー"),  # not a coat hanger (plastic)
    ("TV를 버리려면 어떻게 해요?", "ko", "テレビ"),
    ("잃어버린 휴대폰", "ko", None),                                      # lost, not thrown away
    ("旧被子怎么扔？", "zh", "布団"),
    ("有人把摩托车扔在路边", "zh", None),                                  # dumped: a report, not sorting
    ("Máy giặt cũ vứt thế nào?", "vi", "洗濯機"),
    ("Como jogo fora um ar-condicionado velho?", "pt", "エアコン"),
    ("Can I get a copy of my residence certificate?", "en", None),
    ("how to throw away old AA baterries, do they go in normal trash?", "en", "乾電池"),
    ("como separar o lixo plástico", "pt", None),                       # not elástico: another word
    ("a sofa I don’t need anymore", "en", "ソファ"),                    # a phone keyboard's apostrophe
    ("my old reizoko, how do I get rid of it?", "en", "冷蔵庫"),        # the Japanese word in romaji
    ("sentakuki velho, como descarto?", "pt", "洗濯機"),
    ("how do I throw away banana peels?", "en", "生ごみ"),
    ("香蕉皮是什么垃圾", "zh", "生ごみ"),
    ("귤 껍질은 어떻게 버려요?", "ko", "生ごみ"),
    ("vỏ chuối bỏ rác gì?", "vi", "生ごみ"),
    ("como jogo fora casca de banana?", "pt", "生ごみ"),
    # Typed on a keyboard without a Vietnamese or Portuguese layout: no diacritics.
    ("may giat cu vut the nao?", "vi", "洗濯機"),
    ("vo chuoi bo rac gi?", "vi", "生ごみ"),
    ("como jogo fora uma chaleira eletrica velha?", "pt", "電気ポット"),
    ("碎瓷碗 垃圾分类", "zh", "茶わん"),                                # 瓷碗, inside a longer word
    ("碗摔碎了，碎瓷片扔在哪一类？", "zh", "陶磁器"),
    ("what bin do empty hairspray cans go in", "en", "ヘアスプレー"),     # "what bin" asks
    ("What kind of garbage is an empty can of hairspray?", "en", "ヘアスプレー"),  # names overlap
    ("how do I throw away an empty can", "en", "空き缶"),
    ("onde jogo pneu velho do carro", "pt", "タイヤ"),                  # the tyre, not the car
    ("foam trays from the supermarket, which category?", "en", "食品トレイ"),  # "which category" asks
    ("小煤气罐怎么扔", "zh", "カセットボンベ"),
    ("ポテチの袋って何ごみ？", "en", "お菓子の袋"),                     # a clipped name (ポテトチップス)
    # A bare name with words on the item's state around it: "dead" is the battery's, not an
    # animal's; "old" does not make batteries a family register.
    ("empty spray can", "en", "スプレー缶"),
    ("dead batteries", "en", "乾電池"),
    ("my old sofa?", "en", "ソファ"),
    ("pilhas usadas", "pt", "乾電池"),                                  # after the name
    ("pin cũ", "vi", "乾電池"),
    ("다 쓴 건전지", "ko", "乾電池"),
    ("坏掉的雨伞", "zh", "傘"),
    ("dead cat", "en", None),                                           # no item left
    # A name inside an entry's word (fralda in "trocar fralda", the nursing room's) is that
    # entry's alone, but with words on its state it is the item's.
    ("fralda usada", "pt", "紙おむつ"),
    ("fralda", "pt", None),
    # Clothes by their kinds, as the Japanese synonyms list them (シャツ, スカート, 着物).
    ("a bag of my late husband's shirts, all washed. Which garbage?", "en", "衣類"),
    ("旧衬衫怎么扔", "zh", "衣類"),
    # A Vietnamese word is not read as an English loanword: "rac" (garbage) is no rack (本棚).
    ("vut rac o dau", "vi", None),
    ("rac cong kenh vut the nao", "vi", None),
    ("old man", "en", None),
    # Of two names joined by a linking word, the first: the item is in or from the other.
    ("pilhas usadas do controle remoto, qual lixo?", "pt", "乾電池"),
    ("How do I throw away the empty gas cans from my portable cassette stove?", "en", "カセットボンベ"),
    ("batteries in the TV remote, which garbage", "en", "乾電池"),
    ("vứt pin khô trong điều khiển thế nào", "vi", "乾電池"),
    ("bag of old t-shirts and jeans my kids grew out of, which garbage type", "en", "衣類"),  # "of" no link
])
def test_the_shipped_translations_find_items(guide, text, lang, item):
    assert found(guide, text, lang) == item


def test_a_bare_name_that_names_a_guide_entry_is_not_a_garbage_question(translated):
    # "bike registration certificate" names a procedure in English: the bare word is not an item.
    assert found(translated, "bike", "en") is None
    assert named_item(translated, "bike", "en").name == "自転車"


def test_the_answer_is_in_the_visitors_language_with_the_japanese_category_beside(translated):
    sp = translated.speaker("en")
    info = answers.sorting_info(translated, translated.garbage.items["乾電池"], sp)
    assert info["item"] == "乾電池" and info["category"] == "乾電池"   # the keys stay Japanese
    assert info["item_label"] == "battery"
    assert info["category_label"] == "Dry-cell batteries (乾電池)"
    assert info["how"].startswith("Put them in a clear bag.")
    assert info["notes"] == ["Tape the ends."]
    sp = translated.speaker("en")
    answers.sorting_info(translated, translated.garbage.items["自転車"], sp)
    assert sp.fell_back        # 自転車's note and the category's collection day are Japanese only


def test_an_item_without_a_translation_falls_back_and_says_so(translated):
    sp = translated.speaker("en")
    info = answers.sorting_info(translated, translated.garbage.items["ライター"]
                                if "ライター" in translated.garbage.items
                                else translated.garbage.items["使い捨てライター"], sp)
    assert info["item_label"] == info["item"] and sp.fell_back


def test_a_garbage_translation_is_checked_against_the_dictionary(tmp_path):
    shutil.copytree(GUIDE, tmp_path / "guide")
    path = tmp_path / "guide" / "translations" / "en.yml"
    path.write_text(EN + "  存在しない品物: {name: nothing}\n", encoding="utf-8")
    with pytest.raises(GuideDataError, match="unknown guide id '存在しない品物'"):
        load_guide(tmp_path / "guide", OFFICE)
    path.write_text(EN.replace("  not_item_words: [garbage bags]\n", "  words: [x]\n"),
                    encoding="utf-8")
    with pytest.raises(GuideDataError, match="garbage: must be a mapping"):
        load_guide(tmp_path / "guide", OFFICE)
    path.write_text(EN.replace("自転車: {name: bicycle", "自転車: {name: bicycle, how: x"),
                    encoding="utf-8")
    with pytest.raises(GuideDataError, match="unknown field 'how'"):
        load_guide(tmp_path / "guide", OFFICE)


def test_a_category_key_is_told_from_an_entry_whose_id_starts_alike(guide):
    from bot.sorting import is_category_key
    assert is_category_key(guide, "garbage_moyasu") and is_category_key(guide, "garbage_kaden_recycle")
    assert not is_category_key(guide, "garbage_collection")     # a redirect
    assert not is_category_key(guide, "kaden_recycle")          # a procedure


def test_an_item_named_as_in_japanese_is_found_by_the_japanese_rules(tmp_path):
    """やさしい日本語 names items as the city's lists do; a short name is still a whole word."""
    shutil.copytree(GUIDE, tmp_path / "guide")
    path = tmp_path / "guide" / "translations" / "ja-easy.yml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n")
                    + '\n  "椅子": {name: "椅子"}\n', encoding="utf-8")
    guide = load_guide(tmp_path / "guide", OFFICE)
    assert named_item(guide, "椅子取りゲーム", "ja-easy") is None
    assert named_item(guide, "椅子取りゲーム") is None
    assert named_item(guide, "いらない 椅子を 捨てたいです", "ja-easy").name == "椅子"
