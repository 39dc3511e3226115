"""Issue 14 as a visitor sees it: /api/chat on the real Rasa and action servers shows a place
as certain only where a source confirms it."""

from __future__ import annotations

import json

import pytest

from tests.support.servers import ask

pytestmark = pytest.mark.servers

UNVERIFIED = "確認中"


def tap(client, intent, item):
    return ask(client, payload=f"/{intent}" + json.dumps({"item": item}, ensure_ascii=False))


def said(data) -> str:
    return "\n".join(r["text"] for r in data["replies"])


@pytest.mark.parametrize("item, confirmed_phone", [
    ("koho", "045-788-7729"), ("iken", "045-788-7729"), ("kumin_ishiki", "045-788-7729"),
    ("horitsu_sodan", "045-788-7729"), ("shogai_gakushu", "045-788-7805"),
])
def test_the_rest_of_a_section_does_not_get_its_desks_place(live_client, item, confirmed_phone):
    data = tap(live_client, "request", item)
    dest = data["destination"]
    assert dest["verified"] is False
    assert dest["phone"] != confirmed_phone
    assert UNVERIFIED in said(data)


def test_the_confirmed_desk_is_shown_as_confirmed(live_client):
    data = tap(live_client, "request", "jichikai")
    assert (data["destination"]["counter"], data["destination"]["verified"]) == ("601", True)


def test_the_hedge_says_confirming_not_changed(live_client):
    data = tap(live_client, "section", "koseki")
    assert UNVERIFIED in said(data) and "変更されている" not in said(data)


@pytest.mark.parametrize("text", ["燃やすごみの収集日を知りたい", "ごみが収集されていない",
                                  "家の前のごみ集積場所を移してほしい"])
def test_garbage_collection_is_sent_to_the_collection_office(live_client, text):
    data = ask(live_client, text)
    assert data["destination"] is None
    assert data["redirect"]["id"] == "garbage_collection", data["redirect"]
    assert data["redirect"]["name"] == "収集事務所（資源循環局金沢事務所）" and data["redirect"]["phone"] is None


def test_designated_intractable_diseases(live_client):
    data = ask(live_client, "指定難病の医療費助成を申請したい")
    assert data["destination"]["department"] == "高齢・障害支援課"


@pytest.mark.parametrize("text", ["金沢まごころ運動について教えて", "区民サービス推進事業とは"])
def test_a_programs_section_is_shown_as_unconfirmed(live_client, text):
    data = ask(live_client, text)
    assert data["program"] is not None, data
    assert "担当（確認中）" in said(data)
    assert data["program"]["in_charge_verified"] is False


def test_a_word_leads_to_no_text_that_does_not_mention_it(live_client):
    data = ask(live_client, "区民ライターって何ですか")
    program = data["program"]
    assert program is None or "区民ライター" in program["text"]


def test_the_fire_station_is_not_shown_as_confirmed(live_client):
    data = tap(live_client, "section", "shobo")
    assert data["destination"]["verified"] is False and UNVERIFIED in said(data)


def test_the_information_desk_is_hedged(live_client):
    data = ask(live_client, "明日の天気を教えて")
    assert "総合案内" in said(data) and UNVERIFIED in said(data)


def test_the_road_office_is_not_said_to_be_a_separate_building(live_client):
    data = tap(live_client, "request", "doro_sonsho")
    assert "別の建物" not in json.dumps(data, ensure_ascii=False)


def test_street_lights(live_client):
    data = ask(live_client, "防犯灯が切れている")
    assert data["procedure"]["id"] == "gaito"
    assert "自治会町内会" not in (data["procedure"]["note"] or "")


def test_a_pension_claim_names_both_places(live_client):
    data = ask(live_client, "年金の請求をしたい")
    assert "保険年金課" in said(data) and "年金事務所" in said(data)
    payloads = " ".join(c["payload"] for c in data["choices"] or [])
    assert "employee_pension" in payloads


def test_the_hours_say_the_closure_from_the_data(live_client, guide):
    data = ask(live_client, "何時まで開いていますか")
    closure = guide.office.hours.closure
    assert closure.name in said(data)
    assert not closure.verified and UNVERIFIED in said(data)
