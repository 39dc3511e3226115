"""Normalisation of visitor text, and the offsets that map it back."""

import pytest

from bot.normalize import fold_latin, normalize, normalize_with_offsets, normalized_span, to_hiragana


@pytest.mark.parametrize("typed, normalized", [
    ("住民票", "住民票"),
    ("ＡＢＣ１２３", "abc123"),                 # full-width letters and digits
    ("ｼﾞｭｳﾐﾝﾋｮｳ", "ジュウミンヒョウ"),          # half-width katakana with voiced marks
    ("パスポ－ト", "パスポート"),                # full-width hyphen as long vowel
    ("マイナンバーカ〜ド", "マイナンバーカード"),  # wave dash as long vowel
    ("ケーーキ", "ケーキ"),                      # repeated long vowel
    ("か\u3099", "が"),                          # combining voiced mark
    ("　住民票　が　ほしい　", "住民票 が ほしい"),  # ideographic spaces collapse
    ("10-20", "10-20"),                          # a hyphen between digits stays
    ("㈱", "(株)"),
    ("abc\x00def\x07", "abcdef"),                # control characters dropped
    ("住民票\ud800", "住民票"),                   # a lone surrogate dropped
    ("Đăng ký tạm trú", "đăng ký tạm trú"),      # a capital beyond ASCII (Vietnamese)
    ("É grátis?", "é grátis?"),                  # and Portuguese
    ("İzin", "İzin"),                            # lower case would be two characters: kept
    ("I don’t want it anymore", "i don't want it anymore"),  # a phone keyboard's apostrophe
    ("“kosekitohon”", '"kosekitohon"'),
])
def test_normalize(typed, normalized):
    assert normalize(typed) == normalized


@pytest.mark.parametrize("text", ["ｼﾞｭｳﾐﾝﾋｮｳがほしい", "　ﾊﾟｽﾎﾟｰﾄ　を作りたい", "ＡＢＣ㈱です", "住民票"])
def test_offsets_map_every_character_back_to_the_original(text):
    normalized, offsets = normalize_with_offsets(text)
    assert len(offsets) == len(normalized)
    assert offsets == sorted(offsets)
    for i, ch in enumerate(normalized):
        assert ch in normalize(text[offsets[i]:offsets[i] + 2]) or ch == " "


def test_entity_spans_survive_normalisation():
    original = "ｼﾞｭｳﾐﾝﾋｮｳを取りたい"
    normalized, offsets = normalize_with_offsets(original)
    start, end = normalized_span(offsets, 0, 9)  # the half-width word, 9 code points
    assert normalized[start:end] == "ジュウミンヒョウ"


def test_fold_latin_drops_diacritics_of_latin_letters_only():
    assert fold_latin("Đăng ký tạm trú ở đâu? não, ação") == "Dang ky tam tru o dau? nao, acao"
    # Kana keep their voicing marks: が is not か.
    assert fold_latin("がガぱ") == "がガぱ"


def test_to_hiragana():
    assert to_hiragana("パスポート") == "ぱすぽーと"
