"""The sorting and plan cards, the plan's summary page and its numbered route maps."""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.chat import FIELDS
from bot.guide_data import load_guide
from kiosk_ui.floor_map import floor_svg


def test_the_chat_contract_has_sorting_and_plan_null_when_unused(offline_client):
    data = offline_client.post("/api/chat", json={"session_id": "errands-1", "text": "住民票"}).get_json()
    assert {"sorting", "plan"} <= set(FIELDS)
    assert data["sorting"] is None and data["plan"] is None


def test_the_sorting_card_shows_the_category_how_and_source(offline_client):
    html = offline_client.get("/fragment/sorting/" + quote("乾電池")).get_data(as_text=True)
    assert 'data-category="kandenchi"' in html and "sorting-mark" in html
    assert "半透明の袋" in html and "garbage-bunbetsu.html" in html
    assert "確認中" not in html


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
    assert "qr" in html      # the QR code opens /summary/plan/death


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
