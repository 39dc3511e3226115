"""Personal data typed by visitors is masked before it is stored or shown."""

from __future__ import annotations

import time

import pytest

from bot.privacy import mask_personal_data


@pytest.mark.parametrize("text, masked", [
    # phone numbers: fixed lines, mobiles, toll-free, full-width, +81
    ("電話番号は045-788-7729です", "電話番号は［電話番号］です"),
    ("090-1234-5678に折り返して", "［電話番号］に折り返して"),
    ("０８０１２３４５６７８", "［電話番号］"),
    ("0120-123-456", "［電話番号］"),
    ("+81 90 1234 5678", "［電話番号］"),
    ("(045)788-7729", "［電話番号］"),
    ("（０４５）７８８－７７２９です。", "［電話番号］です。"),
    # My Number: 12 digits, run together or 4-4-4
    ("マイナンバーは123456789012です", "マイナンバーは［個人番号］です"),
    ("1234 5678 9012", "［個人番号］"),
    ("１２３４－５６７８－９０１２", "［個人番号］"),
    # dates of birth: western and Japanese eras, with or without 年月日
    ("生年月日は1985年4月1日", "生年月日は［日付］"),
    ("昭和60年4月1日生まれ", "［日付］生まれ"),
    ("平成元年1月8日", "［日付］"),
    ("H2.5.3", "［日付］"),
    ("1985/04/01", "［日付］"),
    ("19850401", "［日付］"),
    # e-mail addresses
    ("taro.yamada@example.co.jp に送ってください", "［メール］ に送ってください"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "［メール］"),
    # other long numbers (accounts, references)
    ("口座番号1234567", "口座番号［番号］"),
    # said one digit at a time, in kanji, with a two-digit year, in groups
    ("0 9 0 1 2 3 4 5 6 7 8 です", "［電話番号］ です"),
    ("〇九〇の一二三四の五六七八", "［電話番号］"),
    ("S60.4.12生まれ", "［日付］生まれ"),
    ("85年4月12日生まれです", "［日付］生まれです"),
    ("会員番号は1234-567890です", "会員番号は［番号］です"),
    # ordinary questions stay as they are
    ("一人暮らしの母のこと", "一人暮らしの母のこと"),
    ("3階の301番窓口", "3階の301番窓口"),
    ("12月2日に来ました", "12月2日に来ました"),
    ("住民票を2通ください", "住民票を2通ください"),
    ("4月1日から保育園に入れたい", "4月1日から保育園に入れたい"),
    ("2階の窓口はどこ", "2階の窓口はどこ"),
    ("令和6年度の住民税", "令和6年度の住民税"),
    ("", ""),
])
def test_mask_personal_data(text, masked):
    assert mask_personal_data(text) == masked


def test_none_is_empty():
    assert mask_personal_data(None) == ""


def test_a_staff_call_is_stored_masked(app):
    """The kiosk's call transcript never reaches var/kiosk.db with personal data in it."""
    import sqlite3

    client = app.test_client()
    typed = ("電話は045-788-7729、メールは taro@example.jp、マイナンバー123456789012、"
             "生年月日1985年4月1日です")
    resp = client.post("/api/staff-call", json={"session_id": "visitor-0001", "transcript": [
        {"who": "visitor", "text": typed}, {"who": "bot", "text": "職員をお呼びしました。"}]})
    assert resp.status_code == 201
    with sqlite3.connect(app.config["KIOSK_DB"]) as conn:
        stored = conn.execute("SELECT transcript FROM staff_calls").fetchone()[0]
    for secret in ("045-788-7729", "taro@example.jp", "123456789012", "1985年4月1日"):
        assert secret not in stored
    assert "［電話番号］" in stored and "職員をお呼びしました。" in stored


def test_retention_covers_staff_calls_feedback_and_inbox_decisions(app, tmp_path, monkeypatch):
    import sqlite3

    from back_office import inbox
    from tools.cli import main as guide
    from tests.support.staff import create_tracker_db

    client = app.test_client()
    kiosk_db, staff_db = app.config["KIOSK_DB"], app.config["STAFF_DB"]
    for _ in range(2):
        client.post("/api/staff-call", json={"session_id": "visitor-0001", "transcript": []})
        inbox.add_feedback(staff_db, "visitor-0001", True, "わかりやすい")
    inbox.record_decision(staff_db, ["k1"], "住民票", "dismissed", "editor")
    old = time.time() - 40 * 86400
    with sqlite3.connect(kiosk_db) as conn:
        conn.execute("UPDATE staff_calls SET created_at = '2000-01-01T00:00:00+00:00' WHERE id = 1")
    with sqlite3.connect(staff_db) as conn:
        conn.execute("UPDATE feedback SET time = ? WHERE id = 1", (old,))
        conn.execute("UPDATE inbox_decisions SET time = ?", (old,))
    trackers = create_tracker_db(tmp_path / "retention-trackers.db")
    monkeypatch.setenv("GUIDE_RETENTION_DAYS", "30")
    assert guide(["retention", "--url", f"sqlite:///{trackers}", "--kiosk-db", kiosk_db,
                  "--staff-db", staff_db]) == 0
    with sqlite3.connect(kiosk_db) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM staff_calls")] == [2]
    with sqlite3.connect(staff_db) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM feedback")] == [2]
        assert conn.execute("SELECT COUNT(*) FROM inbox_decisions").fetchone()[0] == 0
