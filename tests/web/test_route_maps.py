"""Issue 17, point 5: maps that stay inside their frame, break between words, and show the way."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from kiosk_ui import create_app
from kiosk_ui.floor_map import HEIGHT, WIDTH, floor_svg
from tests.support.servers import free_port

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str):
    for t in ET.fromstring(svg).iter(SVG + "text"):
        yield t, float(t.get("x")), float(t.get("font-size")), t.text or ""


def extent(x: float, size: float, text: str, anchor: str) -> tuple[float, float]:
    w = len(text) * size  # CJK glyphs are about one em wide; Latin narrower, so this overestimates
    return {"start": (x, x + w), "end": (x - w, x), "middle": (x - w / 2, x + w / 2)}[anchor]


@pytest.mark.parametrize("route", [None, "here", "to_elevator", "from_elevator"])
def test_every_label_on_every_floor_stays_inside_the_map(guide, route):
    for floor in guide.office.floors:
        svg = floor_svg(guide, floor, route=route)
        for t, x, size, text in texts(svg):
            left, right = extent(x, size, text, t.get("text-anchor"))
            assert left >= 0 and right <= WIDTH, (floor, text, left, right)
            assert 0 < float(t.get("y")) <= HEIGHT


def test_labels_break_between_words_and_are_never_tiny(guide):
    for floor in guide.office.floors:
        lines = [text for _, _, _, text in texts(floor_svg(guide, floor))]
        assert not [line for line in lines if re.fullmatch(r"ー.*|.*トイ|エレベータ", line)], lines
        assert min(size for _, _, size, _ in texts(floor_svg(guide, floor))) >= 14


def test_upper_floor_shows_the_way_from_the_lift(guide):
    svg = floor_svg(guide, 4, section="fukushi", route="from_elevator")
    assert 'data-route="true"' in svg and 'data-here="elevator"' in svg
    assert 'data-here="kiosk"' not in svg


@pytest.fixture
def client(tmp_path):
    return create_app({"TESTING": True, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                       "KIOSK_DB": str(tmp_path / "k.db")}).test_client()


def test_card_on_the_kiosk_floor_draws_one_map_with_the_way(client):
    html = client.get("/fragment/answer/procedure/juminhyo").get_data(as_text=True)
    assert html.count('class="floor-map"') == 1 and 'data-route="true"' in html
    assert "赤い丸が現在地" in html


def test_card_on_another_floor_draws_kiosk_to_lift_then_lift_to_counter(client, guide):
    section = next(s for s in guide.sections.values()
                   if s.floor and s.floor != guide.office.kiosk_floor and not s.building)
    html = client.get(f"/fragment/answer/section/{section.id}").get_data(as_text=True)
    floors = re.findall(r'class="floor-map" role="img" data-floor="(\d+)"', html)
    assert floors == [str(guide.office.kiosk_floor), str(section.floor)]
    assert html.count('data-route="true"') == 2
    assert f"エレベーターで{section.floor}階へ" in html
    # The legend says what the red dot is on that floor: the lift, not "you are here".
    assert "赤い丸がエレベーターの降り口" in html and "赤い丸が現在地" not in html


def test_a_counter_upstairs_not_run_by_the_office_gets_its_floor_and_the_way(client):
    lounge = client.get("/fragment/answer/redirect/multicultural_center").get_data(as_text=True)
    assert "この建物の2階です（区役所の窓口ではありません）" in lounge
    assert "区役所の外の窓口です" not in lounge
    assert 'data-route="true"' in lounge and lounge.count('class="floor-map"') == 2
    passport = client.get("/fragment/answer/redirect/passport").get_data(as_text=True)
    assert "区役所の外の窓口です" in passport and 'class="floor-map"' not in passport
