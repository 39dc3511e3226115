"""Languages on the real servers: routed in the same Rasa assistant, answered in the language.

The questions below were written for these tests (not taken from any held-out set). The
development sets data/heldout/dev/public_questions_<lang>.yml are evaluated per language and
their figures printed (`make eval-languages`); the sealed sets are never read here.
"""

from __future__ import annotations

import json
import uuid

import pytest

from bot.evaluation import asking_kiosk, evaluate, print_report
from bot.settings import HELDOUT_DIR, REPO

pytestmark = pytest.mark.servers
ARTIFACTS = REPO / "tests" / "artifacts"
DEV = HELDOUT_DIR / "dev"
LANGS = ("ja", "en", "ja-easy", "zh", "ko", "vi", "pt")


def ask(client, text, lang=None):
    body = {"session_id": f"lang-{uuid.uuid4().hex[:12]}", "text": text}
    if lang:
        body["lang"] = lang
    resp = client.post("/api/chat", json=body)
    assert resp.status_code == 200
    data = resp.get_json()
    assert not data["degraded"]
    return data


@pytest.mark.parametrize("text, section", [
    ("Where can I get a copy of my residence record?", "戸籍課"),
    ("I just moved here from Osaka, where do I register my address", "戸籍課"),
    ("I want to join national health insurance", "保険年金課"),
    ("I want to apply for a My Number card", "戸籍課"),
    ("my baby was born last week", "戸籍課"),
    ("I need the child allowance", "こども家庭支援課"),
])
def test_english_questions_route_and_are_answered_in_english(live_client, text, section):
    data = ask(live_client, text)
    assert data["lang"] == "en"
    assert data["destination"]["department_ja"] == section
    assert f"({section})" in data["destination"]["department"]
    assert data["destination"]["department"] in data["replies"][0]["text"]
    assert not any("です" in r["text"] for r in data["replies"])


@pytest.mark.parametrize("text, kind, item", [
    ("Where is the toilet?", "facility", "toilet"),
    ("I want to renew my visa", "redirect", "residence_card"),
])
def test_english_facilities_and_redirects(live_client, text, kind, item):
    data = ask(live_client, text)
    assert data["lang"] == "en" and data[kind]["id"] == item


@pytest.mark.parametrize("text, section, wording", [
    ("じゅうみんひょうが ほしいです。どこに いきますか", "戸籍課", "です。場所は"),
    # A birth is a life event: its plan, whose first step is the 出生届 at 戸籍課.
    ("こどもが うまれました。とどけを だしたいです", "戸籍課", "行く順番で教えます"),
    ("こくみんけんこうほけんに はいりたいです", "保険年金課", "です。場所は"),
])
def test_easy_japanese_by_the_button_routes_and_answers_in_easy_japanese(live_client, text, section,
                                                                          wording):
    data = ask(live_client, text, lang="ja-easy")
    assert data["lang"] == "ja-easy"
    assert data["destination"]["department_ja"] == section
    assert wording in data["replies"][0]["text"]   # the ja-easy wording, not 「は、…（…）です」


def test_a_thank_you_is_answered_in_the_visitors_language(live_client):
    data = ask(live_client, "thank you very much!")
    assert data["lang"] == "en" and "welcome" in data["replies"][0]["text"]


@pytest.mark.parametrize("text, lang", [
    ("주민표를 떼고 싶어요", "ko"), ("我想办理住民票", "zh"), ("Tôi muốn gia hạn thẻ cư trú", "vi"),
    ("Onde posso pedir o atestado de residência?", "pt")])
def test_a_typed_question_is_answered_in_its_language_without_japanese_small_talk(live_client, text, lang):
    data = ask(live_client, text)
    assert data["lang"] == lang
    texts = " ".join(r["text"] for r in data["replies"])
    assert "どういたしまして" not in texts and "こんにちは" not in texts


@pytest.mark.parametrize("lang", LANGS)
def test_dev_set_per_language(live_client, guide, lang):
    """Figures per language on the development set (printed; `make eval-languages`)."""
    path = DEV / f"public_questions_{lang}.yml"
    if not path.exists():
        pytest.skip(f"no development set for {lang}")
    button = lang if lang == "ja-easy" else None   # やさしい日本語 is chosen by the button
    report = evaluate(path, asking_kiosk(client=live_client, lang=button), guide, lang=lang)
    print(f"\n=== {lang} ===")
    print_report(report, show_misses=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"dev_report_{lang}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    assert report["degraded_answers"] == 0
    # The reply comes in the visitor's language (detected, or by the button for ja-easy).
    assert report["in_language"] >= 0.9
