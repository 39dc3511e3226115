"""The sorting and plan cards, the plan's summary page and its numbered route maps."""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.chat import FIELDS
from bot.guide_data import load_guide
from kiosk_ui.floor_map import floor_svg
from tests.support.qr import decode_svg, modules


def test_the_chat_contract_has_sorting_and_plan_null_when_unused(offline_client):
    data = offline_client.post("/api/chat", json={"session_id": "errands-1", "text": "住民票"}).get_json()
    assert {"sorting", "plan"} <= set(FIELDS)
    assert data["sorting"] is None and data["plan"] is None


def test_the_sorting_card_shows_the_category_how_and_source(offline_client):
    html = offline_client.get("/fragment/sorting/" + quote("乾電池")).get_data(as_text=True)
    assert 'data-category="kandenchi"' in html and "sorting-mark" in html
    assert "半透明の袋" in html and "garbage-bunbetsu.html" in html
    assert "確認中" not in html


def test_the_sorting_card_in_english_names_the_item_and_the_category_with_its_japanese(offline_client):
    html = offline_client.get("/fragment/sorting/" + quote("乾電池") + "?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html.split(">")[0]
    name = re.search(r'class="sorting-category-name">([^<]+)<', html).group(1)
    assert "(乾電池)" in name and name != "乾電池"            # the sign's Japanese beside
    assert "半透明の袋" not in html and "semi-transparent" in html.lower()


def test_a_garbage_question_in_english_is_answered_in_english(offline_client):
    """Degraded mode (no Rasa here) answers garbage from the guide data: in the visitor's language."""
    data = offline_client.post("/api/chat", json={"session_id": "errands-en", "lang": "en",
                                                  "text": "How do I throw away a bicycle?"}).get_json()
    assert data["sorting"]["category"] == "粗大ごみ" and data["sorting"]["item"] == "自転車"
    assert "(粗大ごみ)" in data["sorting"]["category_label"]
    assert data["lang"] == "en" and "goes in" in " ".join(r["text"] for r in data["replies"])


def test_an_unverified_item_says_to_check_the_citys_dictionary(offline_client):
    html = offline_client.get("/fragment/sorting/" + quote("冷蔵庫")).get_data(as_text=True)
    assert "分別辞典でご確認ください" in html


def test_an_item_not_in_the_dictionary_gets_where_to_look(offline_client):
    html = offline_client.get("/fragment/sorting/").get_data(as_text=True)
    assert "ミクショナリー" in html and "0570-200-530" in html
    assert offline_client.get("/fragment/sorting/" + quote("謎の品物")).status_code == 404


def test_the_plan_card_lists_steps_conditions_bring_and_route_maps(offline_client):
    html = offline_client.get("/fragment/plan/death").get_data(as_text=True)
    steps = re.findall(r'<li class="plan-step[^"]*" data-step="(\d+)"', html)
    assert steps == [str(n) for n in range(1, len(steps) + 1)] and len(steps) >= 5
    assert "該当する方" in html and "お持ちいただくもの（まとめ）" in html
    assert html.count('class="map-box plan-map"') >= 2          # 1階 and 2階 at least
    assert 'class="map-stop" data-step="1"' in html
    # The QR code is in the card's head on the kiosk, before the steps: no scrolling to find it.
    assert html.index('class="qr"') < html.index('class="plan-steps"')


def test_the_plan_summary_page_shows_the_whole_plan(offline_client):
    resp = offline_client.get("/summary/plan/moving_in_city")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "転入届" in html and "該当する方" in html
    assert offline_client.get("/summary/plan/no_such_event").status_code == 404


def test_a_floor_map_numbers_the_stops_of_a_plan():
    from bot.settings import REPO

    guide = load_guide(REPO / "data/guide", REPO / "data/offices/kanazawa")
    svg = floor_svg(guide, 2, stops=[(2, "hoken_nenkin"), (3, "hoken_nenkin")])
    assert svg.count('class="map-stop"') == 2
    assert "回る順: 2 保険年金課、3 保険年金課" in svg


def test_degraded_mode_answers_garbage_and_tapped_plans_from_the_guide_data(offline_client):
    data = offline_client.post("/api/chat", json={"session_id": "errands-2",
                                                   "text": "乾電池の捨て方"}).get_json()
    assert data["degraded"] is True and data["sorting"]["category"] == "乾電池"
    data = offline_client.post("/api/chat", json={"session_id": "errands-3",
                                                   "payload": '/request{"item": "birth"}'}).get_json()
    assert data["plan"][0]["procedure"] == "shussei" and data["destination"]["department"] == "戸籍課"


PUBLIC = "https://guide.example.jp/kanazawa"


def plan_of(app, event_id, public_url=None):
    from kiosk_ui.answer_view import plan_view

    with app.test_request_context("/"):
        return plan_view(app.extensions["guide_store"].get(), event_id, public_url=public_url)


def test_every_plans_qr_code_holds_its_sections_in_order_as_text(offline_app, guide):
    """A phone reads the plan off the screen with no network: every step's number and section,
    in the plan's order, within the size of every answer's code (version 12, 73 modules)."""
    for event_id in guide.life_events:
        for public in (None, PUBLIC):
            view = plan_of(offline_app, event_id, public)
            assert modules(view.qr_svg) <= 73, event_id
            text = view.qr_text
            assert text.startswith(f"横浜市金沢区役所 {view.title}\n")
            at = 0
            for step in view.steps:
                at = text.index(step["department"], at)     # raises when out of order or missing
            numbers = re.findall(r"^(\d+)(?:〜(\d+))? ", text, re.M)
            covered = [n for a, b in numbers for n in range(int(a), int(b or a) + 1)]
            assert covered == [s["step"] for s in view.steps], (event_id, text)
            if public:
                assert text.endswith(f"\n{PUBLIC}/summary/plan/{event_id}")
            else:
                assert "http" not in text and view.link is None    # no kiosk address
            if not view.verified:
                assert "確認中" in text
            assert decode_svg(view.qr_svg) == view.qr_text


def test_a_short_plan_keeps_each_procedure_by_name(offline_app):
    view = plan_of(offline_app, "pregnancy")
    lines = view.qr_text.split("\n")
    for step, line in zip(view.steps, lines[1:]):
        assert line.startswith(f"{step['step']} {step['title'].split('（')[0]} → {step['department']}")


def test_the_counter_tablet_lists_the_life_events_and_shows_a_plan(offline_client, guide):
    html = offline_client.get("/counter").get_data(as_text=True)
    for event in guide.life_events.values():
        assert f'href="/counter/show/plan/{event.id}"' in html
    resp = offline_client.get("/counter/show/plan/death")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "plan-card" in html and "お客様にお見せください" in html
    assert 'class="qr"' in html and html.count('class="map-box plan-map"') >= 2
    assert offline_client.get("/counter/show/plan/no_such_event").status_code == 404


def test_a_plan_over_several_floors_says_its_way_floor_by_floor(offline_client, offline_app):
    """The later floors' maps may be below the card's edge: one line gives the whole way."""
    view = plan_of(offline_app, "death")
    expected = []
    for s in view.steps:
        where = "区役所の外" if s["redirect"] else (s["building"] or f"{s['floor']}階")
        if expected and expected[-1][0] == where:
            expected[-1][2] = s["step"]
        else:
            expected.append([where, s["step"], s["step"]])
    assert len(expected) >= 3
    html = offline_client.get("/fragment/plan/death").get_data(as_text=True)
    legs = re.findall(r'<span class="plan-leg">([^<（]+)（(\d+)(?:〜(\d+))?）</span>', html)
    assert [[w, int(a), int(b or a)] for w, a, b in legs] == expected
    # One floor only: no overview, the map's caption says it all.
    assert "plan-legs" not in offline_client.get("/fragment/plan/starting_job").get_data(as_text=True)
