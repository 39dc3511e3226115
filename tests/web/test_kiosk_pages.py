"""The kiosk's pages and their endpoints, through Flask's test client (no Rasa needed)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from bot import hours
from bot.furigana import ruby_html, segments
from bot.settings import REPO
from kiosk_ui import create_app
from tests.support.servers import free_port

SESSION = "kiosk-page-test-01"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                       "RASA_TIMEOUT": 2, "KIOSK_DB": str(tmp_path / "kiosk.db")})


@pytest.fixture
def client(app):
    return app.test_client()


def page(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


# --- start screen ------------------------------------------------------------------


def test_start_screen_has_a_button_for_each_category(client, guide):
    html = page(client, "/")
    found = re.findall(r'data-category="([a-z_]+)"', html)
    assert found == list(guide.categories)
    assert len(found) >= 10
    for title in ("証明書・住民票", "引っ越し", "保険・年金", "子育て", "福祉・介護", "税金",
                  "ペット・衛生", "道路・公園", "防災", "ごみ"):
        assert title in re.sub(r"<rt>.*?</rt>|</?ruby>", "", html)


def test_each_category_lists_its_procedures_as_request_payloads(client, guide):
    html = page(client, "/")
    for category in guide.categories.values():
        block = html.split(f'data-screen-category="{category.id}"')[1].split("</section>")[0]
        payloads = re.findall(r'data-payload="([^"]+)"', block)
        assert payloads == [f'/request{{&#34;item&#34;: &#34;{p}&#34;}}' for p in category.procedures]


@pytest.mark.parametrize("url", ["/", "/counter", "/counter/show/procedure/juminhyo",
                                 "/summary/procedure/juminhyo", "/fragment/answer/section/koseki"])
def test_pages_have_no_inline_script_handler_or_style(client, url):
    """A later Content-Security-Policy forbids inline code."""
    html = page(client, url)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert "<style" not in html


def test_every_page_names_its_language_and_the_kiosk_offers_the_staff_call(client):
    for url in ("/", "/counter", "/counter/show/section/koseki"):
        html = page(client, url)
        assert '<html lang="ja-JP">' in html
        # Staff hold the counter tablet: only the visitors' kiosk calls them.
        assert ('id="call-staff"' in html and "スタッフを呼ぶ" in html) == (url == "/")


def test_opening_hours_banner_says_when_the_office_is_closed(client, monkeypatch):
    sunday_noon = datetime(2024, 6, 9, 12, 0, tzinfo=hours.JST)
    monkeypatch.setattr(hours, "now_jst", lambda: sunday_noon)
    html = page(client, "/")
    assert "ただいま閉庁しています" in html and "本日は閉庁日です" in html
    data = client.get("/api/hours").get_json()
    assert data["open"] is False and data["reason"] == "閉庁日"


def test_opening_hours_banner_on_a_weekday_morning(client, monkeypatch):
    monday = datetime(2024, 6, 10, 10, 0, tzinfo=hours.JST)
    monkeypatch.setattr(hours, "now_jst", lambda: monday)
    assert "ただいま受付中です" in page(client, "/")
    assert client.get("/api/hours").get_json()["open"] is True


# --- answers, summary page, QR ---------------------------------------------------------


def test_answer_card_shows_destination_bring_map_and_qr(client, guide):
    html = page(client, "/fragment/answer/procedure/juminhyo")
    assert "<ruby>戸籍課<rt>こせきか</rt></ruby>" in html
    assert "登録担当" in html
    for item in guide.procedures["juminhyo"].bring:
        assert item in re.sub(r"<rt>.*?</rt>|</?ruby>", "", html)
    assert "※ 窓口の場所は確認中です" in html          # 戸籍課's counter is unverified
    assert 'class="qr"' in html
    assert 'data-highlight="true" data-desk="登録担当"' in html
    assert "案内図（模式図）" in html


def test_verified_counter_is_not_marked_unverified(client):
    # 6階 602 is confirmed for 区政推進課's 企画調整係, not for the whole section.
    html = page(client, "/fragment/answer/section/kusei?desk=企画調整係")
    assert "602" in html and "※ 窓口の場所は確認中です" not in html
    assert "※ 窓口の場所は確認中です" in page(client, "/fragment/answer/section/kusei")


def test_qr_code_opens_the_summary_page_by_the_public_url(app):
    from kiosk_ui.answer_view import answer_view

    with app.test_request_context("/", base_url="http://kiosk.example:5000/"):
        view = answer_view(app.extensions["guide_store"].get(), "procedure", "juminhyo",
                           public_url="https://guide.example.jp/")
    assert view.link == "https://guide.example.jp/summary/procedure/juminhyo"
    assert view.qr_svg.startswith("<svg") and "<path" in view.qr_svg


def test_summary_page_renders_the_answer(client):
    html = page(client, "/summary/procedure/tennyu")
    assert "転入届" in html and "戸籍課" in html and 'data-action="print"' in html


@pytest.mark.parametrize("url", ["/summary/procedure/nothing_here", "/summary/clarification/certificate",
                                 "/summary/../etc/passwd", "/fragment/answer/bogus/juminhyo",
                                 "/counter/show/procedure/nothing"])
def test_unknown_entries_are_404(client, url):
    assert client.get(url).status_code == 404


def test_summary_escapes_guide_text_and_query_parameters(guide_copy, tmp_path):
    procedures = guide_copy / "procedures.yml"
    text = procedures.read_text(encoding="utf-8")
    assert "title: 住民票の写しの交付" in text
    procedures.write_text(text.replace("title: 住民票の写しの交付",
                                       'title: "住民票<img src=x onerror=alert(1)>"'), encoding="utf-8")
    app = create_app({"TESTING": True, "GUIDE_DIR": str(guide_copy),
                      "GUIDE_OFFICE_DIR": str(guide_copy), "KIOSK_DB": str(tmp_path / "k.db"), "RASA_URL": "http://127.0.0.1:9"})
    client = app.test_client()
    html = page(client, "/summary/procedure/juminhyo")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    html = page(client, "/summary/section/koseki?desk=<script>alert(1)</script>")
    assert "<script>alert" not in html and "alert(1)" not in html


# --- counter tablet ------------------------------------------------------------------------


def test_search_finds_the_resident_certificate_at_the_family_registry(client):
    data = client.get("/api/search", query_string={"q": "住民票"}).get_json()
    first = data["results"][0]
    assert (first["kind"], first["id"]) == ("procedure", "juminhyo")
    assert first["destination"]["department"] == "戸籍課"
    assert all(set(r) == {"kind", "id", "title", "destination"} for r in data["results"])


def test_search_normalises_and_caps_its_input(client):
    data = client.get("/api/search", query_string={"q": "ｼﾞｭｳﾐﾝﾋｮｳ"}).get_json()
    assert data["query"] == "ジュウミンヒョウ"
    long = client.get("/api/search", query_string={"q": "住民票" + "あ" * 500}).get_json()
    assert len(long["query"]) == 50
    assert client.get("/api/search?q=").get_json()["results"] == []
    assert client.get("/api/search").get_json()["results"] == []


def test_search_finds_sections_too(client):
    results = client.get("/api/search", query_string={"q": "保険年金課"}).get_json()["results"]
    assert ("section", "hoken_nenkin") in [(r["kind"], r["id"]) for r in results]


def test_counter_page_has_a_labelled_search_and_every_floor_map(client, guide):
    html = page(client, "/counter")
    assert '<label for="q">' in html
    assert re.findall(r'data-floor-panel="(\d+)"', html) == [str(f) for f in guide.office.floors]


def test_counter_show_view_has_destination_and_qr(client):
    html = page(client, "/counter/show/procedure/juminhyo")
    assert "この画面をお客様にお見せください" in html
    assert "戸籍課" in html and 'class="qr"' in html and "<h1" in html


# --- floor maps ----------------------------------------------------------------------------


def svg_of(client, url: str) -> ET.Element:
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    return ET.fromstring(resp.get_data(as_text=True))


def highlighted(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("data-highlight") == "true"]


def text_of(el: ET.Element) -> str:
    return "".join(el.itertext())


def test_each_floor_map_highlights_a_section_on_it(client, guide):
    for floor in guide.office.floors:
        on_floor = [s for s in guide.sections.values() if s.floor == floor]
        assert on_floor, f"no section on floor {floor}"
        for section in on_floor:
            root = svg_of(client, f"/map/{floor}.svg?section={section.id}")
            marks = highlighted(root)
            assert len(marks) == 1
            assert marks[0].get("data-id") == section.id
            assert section.name in text_of(marks[0])
            if section.counter:
                assert f"{section.counter}番窓口" in text_of(marks[0])
            assert "案内図（模式図）" in text_of(root)


def test_floor_map_highlights_a_desk_with_its_counter(client):
    root = svg_of(client, "/map/2.svg?section=hoken_nenkin&desk=国民年金係")
    marks = highlighted(root)
    assert [m.get("data-desk") for m in marks] == ["国民年金係"]
    assert "204番窓口" in text_of(marks[0])


def test_floor_map_marks_the_kiosk_or_the_elevator(client, guide):
    for floor in guide.office.floors:
        root = svg_of(client, f"/map/{floor}.svg")
        here = [el.get("data-here") for el in root.iter() if el.get("data-here")]
        assert here == (["kiosk"] if floor == guide.office.kiosk_floor else ["elevator"])
        assert not highlighted(root)


def test_floor_map_highlights_a_facility_and_rejects_unknown_floors(client):
    root = svg_of(client, "/map/1.svg?facility=information_desk")
    assert [m.get("data-id") for m in highlighted(root)] == ["information_desk"]
    assert client.get("/map/9.svg").status_code == 404


def test_floor_map_escapes_its_text(guide_copy):
    from kiosk_ui.floor_map import floor_svg
    from bot.guide_data import load_guide

    sections = guide_copy / "sections.yml"
    sections.write_text(sections.read_text(encoding="utf-8").replace(
        "name: 総務課", 'name: "総務課</text><script>alert(1)</script>"'), encoding="utf-8")
    svg = floor_svg(load_guide(guide_copy), 5, section="somu")
    assert "<script>" not in svg
    ET.fromstring(svg)  # still well-formed


# --- furigana --------------------------------------------------------------------------------


def test_furigana_escapes_markup_around_readings():
    html = ruby_html("<script>alert('住所')</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<ruby>住所<rt>じゅうしょ</rt></ruby>" in html


def test_furigana_with_a_given_reading_escapes_both():
    assert ruby_html("<b>戸籍課", "こせき<i>") == "<ruby>&lt;b&gt;戸籍課<rt>こせき&lt;i&gt;</rt></ruby>"


@pytest.mark.parametrize("text, expected", [
    ("住民票", [("住民票", "じゅうみんひょう")]),
    ("お持ち帰り", [("お", None), ("持", "も"), ("ち", None), ("帰", "かえ"), ("り", None)]),
    ("ごみ", [("ごみ", None)]),
])
def test_furigana_readings_cover_kanji_only(text, expected):
    assert segments(text) == expected


@pytest.mark.parametrize("text", ["住民票の写しの交付は、戸籍課（1階 登録担当）です。",
                                  "ＡＢＣ　全角と<b>タグ</b>", ""])
def test_furigana_segments_cover_the_text_exactly(text):
    assert "".join(base for base, _ in segments(text)) == text


def test_chat_replies_carry_their_furigana(client):
    data = client.post("/api/chat", json={"session_id": SESSION,
                                          "payload": '/request{"item": "juminhyo"}'}).get_json()
    first = data["replies"][0]
    assert "".join(base for base, _ in first["ruby"]) == first["text"]
    assert ["戸籍課", "こせきか"] in first["ruby"]


# --- staff call -------------------------------------------------------------------------------


@pytest.mark.parametrize("body, status, code", [
    ({"transcript": []}, 400, "invalid_session_id"),
    ({"session_id": "bad id!", "transcript": []}, 400, "invalid_session_id"),
    ({"session_id": SESSION, "transcript": "hello"}, 400, "invalid_transcript"),
    ({"session_id": SESSION, "transcript": [{"who": "admin", "text": "x"}]}, 400, "invalid_transcript"),
    ({"session_id": SESSION, "transcript": [{"who": "visitor", "text": 5}]}, 400, "invalid_transcript"),
    ({"session_id": SESSION, "transcript": ["text"]}, 400, "invalid_transcript"),
    ({"session_id": SESSION, "transcript": [{"who": "bot", "text": "あ"}] * 51}, 413, "transcript_too_long"),
    ({"session_id": SESSION, "transcript": [{"who": "bot", "text": "a" * 1001}]}, 413, "transcript_too_long"),
    ([1], 400, "invalid_json"),
])
def test_staff_call_rejects_bad_input(client, app, body, status, code):
    resp = client.post("/api/staff-call", json=body)
    assert resp.status_code == status and resp.get_json()["error"]["code"] == code
    assert app.extensions["staff_calls"].list_calls() == []


def test_staff_call_needs_json(client):
    resp = client.post("/api/staff-call", data="x", content_type="text/plain")
    assert resp.status_code == 415


def test_staff_call_is_stored_and_says_where_the_desk_is(client, app, guide, office_open):
    transcript = [{"who": "visitor", "text": "住民票を取りたい"},
                  {"who": "bot", "text": "住民票の写しの交付は、戸籍課です。"},
                  {"who": "visitor", "text": "<b>よくわからない</b>"}]
    resp = client.post("/api/staff-call", json={"session_id": SESSION, "transcript": transcript})
    assert resp.status_code == 201
    data = resp.get_json()
    assert data["desk"]["name"] == guide.office.information_desk.name
    assert guide.office.information_desk.name in data["message"]
    store = app.extensions["staff_calls"]
    [call] = store.list_calls()
    assert (call.id, call.session_id, call.transcript, call.handled) == (
        data["id"], SESSION, transcript, False)
    assert store.mark_handled(call.id) is True
    assert store.list_calls(handled=False) == []
    assert store.list_calls(handled=True)[0].handled is True
    assert store.mark_handled(call.id + 100) is False


def test_staff_call_after_hours_says_the_office_is_closed(client, app, monkeypatch):
    sunday_noon = datetime(2024, 6, 9, 12, 0, tzinfo=hours.JST)
    monkeypatch.setattr(hours, "now_jst", lambda: sunday_noon)
    resp = client.post("/api/staff-call", json={"session_id": SESSION, "transcript": []})
    data = resp.get_json()
    assert resp.status_code == 201 and data["closed"] is True
    assert "閉庁" in data["message"] and "平日 8:45〜17:00" in data["message"]
    assert "お呼びしました" not in data["message"]
    # Kept for staff to see when they are back.
    assert [c.id for c in app.extensions["staff_calls"].list_calls()] == [data["id"]]


def test_staff_call_store_lives_where_the_config_says(app, tmp_path, client, office_open):
    assert not (tmp_path / "kiosk.db").exists()  # made on first call, not at start-up
    client.post("/api/staff-call", json={"session_id": SESSION, "transcript": []})
    assert (tmp_path / "kiosk.db").exists()


# --- English interface -------------------------------------------------------------------------


def test_english_shows_the_screen_and_the_guide_data_in_english(client):
    html = page(client, "/")
    assert "スタッフを呼ぶ" in html and "Call staff" not in html
    html = page(client, "/?lang=en")
    assert '<html lang="en">' in html
    assert "Call staff" in html and "What do you need today?" in html
    assert "スタッフを呼ぶ" not in html
    assert "Certificates and residence records" in html   # the guide data too (translations/en.yml)
    assert "証明書・住民票" not in re.sub(r"<rt>.*?</rt>|</?ruby>", "", html)
    assert "Search by procedure" in page(client, "/counter")             # the cookie remembers
    assert "スタッフを呼ぶ" in page(client, "/?lang=ja")
    assert "スタッフを呼ぶ" in page(client, "/")
    assert "スタッフを呼ぶ" in page(client, "/?lang=xx")                  # unknown: default


def test_english_map_and_card_labels(client):
    html = page(client, "/fragment/answer/procedure/juminhyo?lang=en")
    assert "What to bring" in html and "Floor 1 — guide map (schematic)" in html
    # The section in English with its Japanese name beside it (the signs are Japanese), and
    # no furigana outside Japanese.
    assert "Family Register Division (戸籍課)" in html and "<ruby>" not in html


@pytest.mark.parametrize("lang,tag,call_staff", [
    ("ja-easy", "ja-JP", "職員を呼ぶ"), ("en", "en", "Call staff"), ("zh", "zh-CN", "呼叫工作人员"),
    ("ko", "ko-KR", "직원 호출"), ("vi", "vi-VN", "Gọi nhân viên"), ("pt", "pt-BR", "Chamar funcionário")])
def test_every_language_has_its_screen_texts_and_html_lang(client, lang, tag, call_staff):
    html = page(client, f"/?lang={lang}")
    assert f'<html lang="{tag}">' in html and call_staff in html
    assert "スタッフを呼ぶ" not in html
    # The picker lists every language by its own name.
    for name in ("日本語", "やさしい にほんご", "English", "简体中文", "한국어", "Tiếng Việt", "Português"):
        assert name in html


def test_template_texts_are_in_every_language():
    """A text added to a template or a kiosk module must be in every language's screen texts,
    or it shows in Japanese (a fallback) on a foreign visitor's screen."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    from bot.guide_data import load_guide
    root = REPO / "kiosk_ui"
    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {msg[2] for msg in extract_from_dir(root, method_map, options_map)
             if isinstance(msg[2], str)}
    assert "ご用件をお選びください" in found
    guide = load_guide(REPO / "data" / "guide", REPO / "data" / "offices" / "kanazawa")
    for code, pack in guide.packs.items():
        missing = found - set(pack.texts.get("screen", {}))
        assert not missing, f"{code}: screen texts missing: {sorted(missing)[:5]}"


# --- assistant status ----------------------------------------------------------------------------


def test_health_reports_the_assistant_unavailable(client):
    data = client.get("/api/health").get_json()
    assert data["status"] == "ok" and data["degraded"] is True and data["assistant"] == "unavailable"


def test_counter_tablet_shows_the_visitors_language_beside_japanese(client):
    html = page(client, "/counter/show/procedure/juminhyo?visitor=ko")
    assert html.count('class="answer-card"') == 2
    assert 'lang="ko-KR"' in html and "준비물" in html                # the Korean card's labels
    assert "<ruby>戸籍課<rt>こせきか</rt></ruby>" in html               # the Japanese card
    assert "お持ちいただくもの" in html
    assert page(client, "/counter/show/procedure/juminhyo").count('class="answer-card"') == 1


def test_the_page_tells_its_script_the_language_code_and_tag(client):
    html = page(client, "/?lang=ja-easy")
    assert 'data-lang="ja-easy" data-lang-tag="ja-JP"' in html
    assert 'data-lang="ja" data-lang-tag="ja-JP"' in page(client, "/?lang=ja")
