"""The translation files' loader and validator, the fallback chain, and language detection."""

from __future__ import annotations

import shutil

import pytest

from bot.detect import detect
from bot.guide_data import GuideDataError, load_guide
from bot.settings import REPO

GUIDE = REPO / "data" / "guide"
OFFICE = REPO / "data" / "offices" / "kanazawa"


@pytest.fixture
def guide_copy(tmp_path):
    shutil.copytree(GUIDE, tmp_path / "guide")
    return tmp_path / "guide"


def write_en(directory, entries: str):
    (directory / "translations" / "en.yml").write_text(
        'language: en\nsource: "test"\nentries:\n' + entries, encoding="utf-8")


def test_languages_are_data():
    guide = load_guide(GUIDE, OFFICE)
    assert list(guide.languages) == ["ja", "ja-easy", "en", "zh", "ko", "vi", "pt"]
    assert guide.languages["ko"].name == "한국어" and guide.languages["ko"].bcp47 == "ko-KR"
    assert guide.languages["zh"].fallback == ("en", "ja")
    assert guide.languages["ja-easy"].fallback == ("ja",)
    assert [c for c, lang in guide.languages.items() if lang.furigana] == ["ja", "ja-easy"]


@pytest.mark.parametrize("entries, reason", [
    ("  no_such_id: {title: X}\n", "unknown guide id 'no_such_id'"),
    ("  juminhyo: {title: X, colour: red}\n", "unknown field 'colour'"),
    ("  juminhyo: {title: X, reviewed: maybe}\n", "reviewed must be true or false"),
    ("  koseki: {title: X}\n", "unknown field 'title'"),
])
def test_a_bad_translation_is_refused_with_file_line_and_reason(guide_copy, entries, reason):
    write_en(guide_copy, entries)
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy, OFFICE)
    assert reason in str(err.value) and "translations/en.yml" in str(err.value)


@pytest.mark.parametrize("cities, reason", [
    ("cities:\n  Kawasaki: [Kawasaki]\n", "is not a city's or ward's Japanese name"),
    ("cities:\n  川崎市: Kawasaki\n", "cities.川崎市 must be a list of names"),
])
def test_a_bad_list_of_cities_is_refused(guide_copy, cities, reason):
    (guide_copy / "translations" / "en.yml").write_text(
        'language: en\nsource: "test"\n' + cities + "entries: {}\n", encoding="utf-8")
    with pytest.raises(GuideDataError) as err:
        load_guide(guide_copy, OFFICE)
    assert reason in str(err.value) and "translations/en.yml" in str(err.value)


def test_a_file_for_an_unknown_language_is_refused(guide_copy):
    (guide_copy / "translations" / "xx.yml").write_text("language: xx\n", encoding="utf-8")
    with pytest.raises(GuideDataError, match="not a language of languages.yml"):
        load_guide(guide_copy, OFFICE)


def test_a_missing_file_means_missing_translations_and_the_chain_falls_back(guide_copy):
    for code in ("en", "vi"):
        (guide_copy / "translations" / f"{code}.yml").unlink()
    guide = load_guide(guide_copy, OFFICE)
    sp = guide.speaker("vi")
    assert sp.entry("juminhyo", "title", "住民票の写しの交付") == "住民票の写しの交付"
    assert sp.fell_back
    # A text the language has is its own, without a fallback.
    sp = guide.speaker("vi")
    assert sp.text("screen", "スタッフを呼ぶ", "スタッフを呼ぶ") == "Gọi nhân viên" and not sp.fell_back


def test_reviewed_entries_count_per_language(guide_copy):
    write_en(guide_copy, "  juminhyo: {title: Residence record, reviewed: true}\n"
                         "  koseki: {name: Family Register Division}\n")
    from bot import languages
    guide = load_guide(guide_copy, OFFICE)
    status = {s.code: s for s in languages.status(guide.languages, guide.packs,
                                                  dict(languages.iter_japanese(guide)), {})}
    assert (status["en"].translated, status["en"].unreviewed) == (2, 1)
    assert status["en"].missing == len(dict(languages.iter_japanese(guide))) - 2
    # A translated entry whose other fields are still Japanese is counted too: 住民票's what to
    # bring, fee and online, 戸籍課's mission.
    juminhyo, koseki = guide.procedures["juminhyo"], guide.sections["koseki"]
    assert status["en"].fields_missing == sum(map(bool, (juminhyo.bring, juminhyo.fee, juminhyo.online,
                                                         juminhyo.note, koseki.mission, koseki.building)))
    assert status["en"].fields_missing >= 4


@pytest.mark.parametrize("text, lang", [
    ("住民票", "ja"), ("戸籍謄本", "ja"), ("住民票を取りたい", "ja"), ("転入届", "ja"),
    ("国民健康保険", "ja"), ("在留資格", "ja"),
    ("我想办住民票", "zh"), ("居留卡更新", "zh"), ("转入手续在哪里", "zh"), ("戶籍謄本在哪裡辦", "zh"),
    ("碎瓷碗 垃圾分类", "zh"), ("旧电视怎么扔", "zh"), ("粗大ごみ", "ja"), ("分別収集", "ja"),
    # Characters a Japanese keyboard does not type (奶, 灭) are Chinese; 髙 (Windows-31J's) is not.
    ("牛奶盒", "zh"), ("灭火器", "zh"), ("髙橋さんの窓口", "ja"), ("髙齢者", "ja"),
    ("주민표", "ko"), ("재류카드 갱신", "ko"),
    ("Tôi muốn đổi thẻ cư trú", "vi"), ("giay khai sinh o dau", "vi"), ("vut chai PET dung nuoc", "vi"), ("dang ky ket hon", "vi"),
    ("Where is the toilet?", "en"), ("residence certificate", "en"), ("My Number card", "en"),
    ("garrafa pet", "pt"), ("Onde fica o banheiro?", "pt"), ("certidão de residência", "pt"), ("quero registrar meu endereço", "pt"),
    ("12345", None), ("？", None),
    # やさしい日本語 is spaced by phrases (分かち書き), its particles on their words or apart,
    # or spaced without kanji; Japanese keywords with kanji, kanji phrases spaced, or one
    # unspaced word stay Japanese.
    ("わたし は ブラジル から きました。 てつづき は どこ ですか。", "ja-easy"),
    ("こども の てあて を もらいたい です", "ja-easy"),
    ("あたらしい アパートに すみます。じゅうしょの てつづきを したいです", "ja-easy"),
    ("ははが びょうきです。かいごの ことを ききたいです", "ja-easy"),
    ("いぬ の とうろく", "ja-easy"), ("じゅうみんひょう ほしい", "ja-easy"),
    ("わたしは ひっこし しました", "ja-easy"), ("マイナンバーカード うけとり", "ja-easy"),
    ("国保 脱退", "ja"), ("犬 とうろく", "ja"), ("いんかんしょうめい", "ja"), ("じゅうみんひょう ？", "ja"),
    ("子どもの 予防接種の 予診票", "ja"), ("住民票を 取りたい", "ja"),
])
def test_detects_the_language_of_short_kiosk_questions(text, lang):
    assert detect(text, ["住民票", "戸籍謄本", "転入届", "国民健康保険", "在留資格"]) == lang


@pytest.mark.parametrize("text, lang", [
    # Keywords with no common word: the guide's own Portuguese and Vietnamese words tell them.
    ("pilhas usadas", "pt"), ("cancelar kokuho", "pt"), ("biblioteca livros em portugues carteirinha", "pt"),
    ("mapa risco enchente tsunami", "pt"), ("huong dan phan loai rac tieng Viet", "vi"),
    ("SIM card shop", "en"), ("old batteries", "en"),
    # Romaji is nobody's word: it stays with the common words (here none, so English).
    ("inkan touroku shitai desu", "en"),
    # An accent in an English sentence is a loanword.
    ("I'm finally opening my own café near the station", "en"),
])
def test_the_guides_own_words_tell_latin_languages_apart(guide, text, lang):
    assert detect(text, (), {code: pack.own_words for code, pack in guide.packs.items()}) == lang


def test_a_word_is_a_languages_own_only_when_no_other_language_uses_it():
    from bot.detect import own_words

    own = own_words({"pt": ["Pilhas usadas", "inkan touroku", "o cartão", "マイナンバーカード"],
                     "en": ["used batteries", "cartao"]})
    # touroku is romaji, cartão is also English's, マイナンバーカード is no Latin-script word
    assert own["pt"] == {"pilhas", "usadas"}
    assert own["en"] == {"used", "batteries"}


def test_every_language_nlu_file_covers_the_japanese_intents():
    """data/nlu/languages/<code>.yml: the Japanese intents only, ≥ 4 examples per guide entry
    and ≥ 8 per conversation intent, for every guide entry."""
    import yaml
    japanese: set[str] = set()
    for path in (REPO / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block:
                japanese.add(block["intent"])
    files = sorted((REPO / "data" / "nlu" / "languages").glob("*.yml"))
    assert files, "no language NLU files"
    guide = load_guide(GUIDE, OFFICE)
    for path in files:
        assert path.stem in guide.languages, f"{path.name}: not a language of languages.yml"
        counts: dict[str, int] = {}
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            lines = [ln for ln in block["examples"].splitlines() if ln.strip().startswith("- ")]
            counts[block["intent"]] = counts.get(block["intent"], 0) + len(lines)
        assert set(counts) <= japanese, f"{path.name}: intents the Japanese data lacks"
        missing = japanese - set(counts)
        assert not missing, f"{path.name}: no examples for {sorted(missing)[:5]}"
        few = {i: n for i, n in counts.items() if n < (4 if "/" in i else 8)}
        assert not few, f"{path.name}: too few examples {few}"


@pytest.mark.parametrize("text, lang", [
    ("Where do I get 住民票?", "en"), ("Tôi cần làm マイナンバー", "vi"), ("Onde fica o 戸籍課?", "pt"),
    ("マイナンバー卡在哪里办", "zh"), ("my numberカードを作りたい", "ja"), ("マイナンバーカード", "ja"),
])
def test_a_japanese_word_inside_another_language_does_not_make_it_japanese(text, lang):
    assert detect(text, ["住民票"]) == lang


def test_a_life_event_is_told_in_the_visitors_language(guide):
    """A translation's life-event words find the event in that language only: whole words in
    Latin scripts ("died" is not in "I studied"), stems inside the text in Korean and Chinese."""
    from bot.life_events import find_event

    assert find_event(guide, "My mother passed away last week", "en").id == "death"
    assert find_event(guide, "I studied here and need a certificate", "en") is None
    assert find_event(guide, "My mother passed away last week") is None      # not Japanese words
    assert find_event(guide, "어머니가 돌아가셨어요", "ko").id == "death"
    assert find_event(guide, "孩子出生了，要办什么手续", "zh").id == "birth"
    assert find_event(guide, "孩子出生了，要办什么手续") is None            # Chinese words only for zh
    assert find_event(guide, "母が亡くなりました").id == "death"
    # Typed without diacritics, as on a keyboard without a Vietnamese layout: the dictionary
    # has 「chuyển trong thành phố」 only with its marks.
    assert find_event(guide, "toi chuyen trong thanh pho, can lam gi", "vi").id == "moving_within"


@pytest.mark.parametrize("entries, field, reason", [
    ("  inkan_card_lost: {title: X, fee: 1 yen}\n", "fee", "field 'fee' is not in the Japanese record"),
    ("  juminhyo: {title: X, bring: [only one]}\n", "bring", "bring has 1 item(s), the Japanese record 2"),
])
def test_a_translation_the_facts_moved_away_from_is_left_out_not_refused(guide_copy, entries, field,
                                                                          reason):
    """Staff change a Japanese fee or list of things to bring: the guide keeps loading (the
    kiosk must not stop), the stale field falls back and is named; the console refuses to write
    such a field (tests/staff/test_staff_translations.py)."""
    write_en(guide_copy, entries)
    guide = load_guide(guide_copy, OFFICE)
    item_id = entries.split(":")[0].strip()
    entry = guide.packs["en"].entries[item_id]
    assert field not in entry.fields and entry.fields["title"] == "X"
    assert any(reason in s for s in entry.stale)


@pytest.mark.parametrize("lang", ["en", "zh", "ko", "vi", "pt", "ja-easy"])
def test_a_building_of_its_own_is_named_in_the_visitors_language(guide, lang):
    """The library and the fire station are not in the office: where they are is said in the
    visitor's language, with nothing left in Japanese, and the Japanese is kept beside."""
    from bot.answers import destination

    for section_id in ("library", "shobo", "nurseries", "doboku"):
        sp = guide.speaker(lang)
        section = guide.sections[section_id]
        dest = destination(section, None, sp)
        assert dest["building_ja"] == section.building
        assert dest["building"] != section.building and dest["place"] == dest["building"]
        assert not sp.fell_back, (lang, section_id)


@pytest.mark.parametrize("lang, title", [
    ("ja", "どれでもない（総合案内へ）"), ("en", "None of these: Information desk"),
    ("ja-easy", "どれでもない（総合案内へ）")])
def test_the_guesses_end_with_the_information_desk_in_the_visitors_language(guide, lang, title):
    from bot.answers import choice_buttons, with_desk_button
    from bot.matcher import Match
    sp = guide.speaker(lang)
    guesses = choice_buttons(guide, [Match("procedure", "juminhyo", "住民票", 0.4)], sp)
    buttons = with_desk_button(guide, guesses, sp)
    assert buttons[:-1] == guesses
    assert buttons[-1] == {"title": title, "payload": '/facility{"item": "information_desk"}'}
    # No guesses, no desk button: the reply names the desk as its answer.
    assert with_desk_button(guide, [], sp) == []
