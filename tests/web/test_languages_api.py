"""/api/chat in the visitor's language: lang validated, answered, fallback said out loud.

Without a Rasa server the API answers from the guide data (degraded mode) through the same
bot.answers functions the actions use, so a tapped button shows the language handling whole.
"""

from __future__ import annotations

SESSION = "kiosk-lang-0001"
JUMINHYO = '/request{"item": "juminhyo"}'


def post(client, **body):
    return client.post("/api/chat", json={"session_id": SESSION, **body})


def test_unknown_lang_is_refused_with_the_known_codes(offline_client):
    resp = post(offline_client, payload=JUMINHYO, lang="xx")
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_lang" and "ko" in error["message"] and "ja-easy" in error["message"]
    assert post(offline_client, payload=JUMINHYO, lang=7).status_code == 400


def test_english_answer_names_the_japanese_section_beside_it(offline_client):
    data = post(offline_client, payload=JUMINHYO, lang="en").get_json()
    assert data["lang"] == "en" and data["fallback"] is False
    assert data["destination"]["department"] == "Family Register Division (戸籍課)"
    assert data["destination"]["department_ja"] == "戸籍課"
    assert data["procedure"]["title"] == "Copy of the residence record (juminhyo)"
    assert data["procedure"]["fee"] == "300 yen per copy"
    assert data["replies"][0]["text"].startswith("Copy of the residence record (juminhyo): "
                                                 "Family Register Division (戸籍課), 1F")
    # No furigana outside Japanese: the reply is one plain piece.
    assert data["replies"][0]["ruby"] == [[data["replies"][0]["text"], None]]


def test_missing_translation_falls_back_to_english_and_says_so(guide_copy):
    # A Korean file without the entry: the entry comes in English, the fixed texts in Korean,
    # and a note in Korean says that part is not translated.
    from kiosk_ui import create_app
    from tests.support.servers import free_port

    ko = guide_copy / "translations" / "ko.yml"
    lines = ko.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("  juminhyo:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    ko.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    app = create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                      "RASA_TIMEOUT": 2, "GUIDE_DIR": str(guide_copy),
                      "GUIDE_OFFICE_DIR": str(guide_copy)})
    data = post(app.test_client(), payload=JUMINHYO, lang="ko").get_json()
    assert data["lang"] == "ko" and data["fallback"] is True
    assert data["procedure"]["title"] == "Copy of the residence record (juminhyo)"
    assert "1층" in data["destination"]["place"]
    assert data["replies"][-1]["note"] == "fallback"
    assert "번역되지 않은" in data["replies"][-1]["text"]


def test_japanese_answers_are_unchanged(offline_client):
    data = post(offline_client, payload=JUMINHYO).get_json()
    assert data["lang"] == "ja" and data["fallback"] is False
    assert "住民票の写しの交付は、戸籍課" in data["replies"][0]["text"]
    assert data["destination"]["department"] == "戸籍課"


def test_the_language_is_detected_from_typed_text(offline_client):
    assert post(offline_client, text="Where can I get a residence certificate?").get_json()["lang"] == "en"
    assert post(offline_client, text="주민표를 떼고 싶어요").get_json()["lang"] == "ko"
    assert post(offline_client, text="住民票").get_json()["lang"] == "ja"
    # The language button wins over the text.
    assert post(offline_client, text="住民票", lang="en").get_json()["lang"] == "en"
