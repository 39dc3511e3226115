"""Rendering the bot's wording: plain {name} placeholders only, never a crash."""

from __future__ import annotations

import pytest

from bot.answers import Utterance, reply_for
from bot.wording import fill, render


def test_plain_placeholders_are_filled_and_missing_ones_blank():
    assert fill("{desk}でお待ちください{missing}", {"desk": "総合案内"}) == "総合案内でお待ちください"
    assert fill("{{desk}} は {desk}", {"desk": "案内"}) == "{desk} は 案内"


@pytest.mark.parametrize("template", ["{desk!r}で", "{desk:>300000000}で", "{desk.__class__}で",
                                      "{desk[0]}で", "{0}で", "{}で", "{desk で"])
def test_a_template_with_anything_but_plain_names_is_shown_as_written(template):
    assert fill(template, {"desk": "総合案内"}) == template


def test_render_refuses_a_format_spec_in_domain_yml(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text('responses:\n  utter_call_staff:\n    - text: "{desk:>300000000}でお待ちください"\n',
                      encoding="utf-8")
    text = render(Utterance("utter_call_staff", {"desk": "総合案内"}), domain)
    assert text == "{desk:>300000000}でお待ちください"


# A place said inside a sentence (「{department}は{place}です」) must not bring its own copula:
# 金沢土木事務所, whose place is unknown, was answered 「…は場所は確認中ですです」.
DOUBLED = ("ですです", "いますです", "場所は場所")


def test_every_counter_and_errand_reads_as_one_sentence_in_every_language(guide):
    for lang in [None, *guide.packs]:
        sp = guide.speaker(lang)
        for kind, ids in (("section", guide.sections), ("procedure", guide.procedures)):
            for item_id in ids:
                for utterance in reply_for(guide, kind, item_id, sp=sp):
                    text = render(utterance, sp=sp)
                    assert not any(d in text for d in DOUBLED), (lang, item_id, text)
