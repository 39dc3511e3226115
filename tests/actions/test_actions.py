"""Custom actions on tracker fixtures, with rasa_sdk's CollectingDispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followups import ActionAnswerDetail, ActionAnswerHours
from actions.routing import ActionRouteVisitor, ActionSuggest
from actions.staff_call import ActionCallStaff, ActionOutOfScope

FIXTURES = Path(__file__).parent / "fixtures" / "trackers"


# The last button of every reply that guesses: 「どれでもない（総合案内へ）」.
DESK = '/facility{"item": "information_desk"}'


def tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def run(action, name: str):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(name), {})
    return dispatcher.messages, events


def test_confident_request_is_routed_with_destination_payload():
    messages, events = run(ActionRouteVisitor(), "route_confident")
    first = messages[0]
    assert first["response"] == "utter_route"
    assert first["title"] == "住民票の写しの交付" and first["department"] == "戸籍課"
    payload = first["custom"]
    assert payload["destination"]["department"] == "戸籍課"
    assert payload["destination"]["desk"] == "登録担当"
    assert payload["intent"] == {"name": "request", "confidence": 0.97}
    # 戸籍課's counter is not confirmed: the visitor is told it may have changed.
    assert [m["response"] for m in messages[1:]] == ["utter_unverified"]
    assert events == [SlotSet("current_item", "juminhyo")]


def test_unsure_request_asks_back_with_the_candidates():
    messages, events = run(ActionRouteVisitor(), "route_unsure")
    assert messages[0]["response"] == "utter_suggest"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert 2 <= len(titles) - 1 <= 4
    assert messages[0]["custom"]["choices"] == messages[0]["buttons"]
    assert "destination" not in messages[0]["custom"]
    # None of the guesses may fit: the information desk is named too, and is the last button.
    assert "総合案内" in messages[0]["desk"]
    assert messages[0]["buttons"][-1] == {"title": "どれでもない（総合案内へ）", "payload": DESK}
    assert events == []


def test_an_unsure_request_most_likely_about_nothing_here_is_sent_to_the_desk():
    # The selector's out-of-scope class holds most of its confidence: no ask-back among
    # entries the question is not about, but the information desk.
    messages, events = run(ActionRouteVisitor(), "route_outside")
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert not messages[0]["buttons"] and not messages[0]["custom"].get("choices")
    assert "総合案内" in messages[0]["desk"]
    assert events == []


def test_a_tapped_button_names_its_entry():
    messages, events = run(ActionRouteVisitor(), "button_passport")
    assert messages[0]["response"] == "utter_redirect"
    assert messages[0]["custom"]["redirect"]["name"] == "神奈川県パスポートセンター"
    assert "destination" not in messages[0]["custom"]
    assert events == [SlotSet("current_item", "passport")]


def test_follow_up_uses_the_last_answered_procedure():
    messages, _ = run(ActionAnswerDetail(), "followup_bring")
    assert messages[0]["response"] == "utter_bring"
    assert "本人確認書類" in messages[0]["bring"]
    assert messages[0]["custom"]["procedure"]["id"] == "juminhyo"
    assert messages[-1]["response"] == "utter_details_unverified"


def test_fallback_proposes_but_never_routes():
    messages, events = run(ActionSuggest(), "fallback_typo")
    assert messages[0]["response"] == "utter_suggest"
    assert any("住民票" in b["title"] for b in messages[0]["buttons"])
    assert "destination" not in messages[0]["custom"]
    assert events == []


def test_fallback_between_two_kinds_of_entry_question_gives_the_place():
    # program 0.52 or section 0.45: either way the answer is 区会計室's.
    messages, events = run(ActionSuggest(), "fallback_between_entry_questions")
    assert messages[0]["custom"]["destination"]["department"] == "区会計室"
    assert events == [SlotSet("current_item", "kaikei")]


def test_fallback_with_a_doubt_beyond_entry_questions_still_asks_back():
    # section 0.58 or call_staff 0.25: the selector's 0.56 for 生活保護 is not taken.
    messages, events = run(ActionSuggest(), "fallback_section_or_staff")
    assert messages[0]["response"] == "utter_suggest"
    assert "destination" not in messages[0]["custom"]
    assert events == []


@pytest.mark.parametrize("action, response", [
    (ActionCallStaff(), ("utter_call_staff", "utter_call_staff_closed")),
    (ActionOutOfScope(), "utter_out_of_scope"),
    (ActionAnswerHours(), ("utter_hours_open", "utter_hours_closed")),
])
def test_simple_answers(action, response):
    messages, events = run(action, "followup_bring")
    assert messages[0]["response"] in (response if isinstance(response, tuple) else (response,))
    assert events == []
    assert "destination" not in (messages[0].get("custom") or {})


def test_call_staff_flags_the_call(office_open):
    messages, _ = run(ActionCallStaff(), "followup_bring")
    assert messages[0]["custom"]["staff_call"] is True


def test_call_staff_after_hours_says_the_office_is_closed(monkeypatch):
    from datetime import datetime

    from bot import hours

    monkeypatch.setattr(hours, "now_jst", lambda: datetime(2024, 6, 10, 19, 0, tzinfo=hours.JST))
    messages, _ = run(ActionCallStaff(), "followup_bring")
    assert messages[0]["response"] == "utter_call_staff_closed"
    assert messages[0]["custom"]["staff_call"] is False


@pytest.mark.parametrize("online, corner, response", [
    ("コンビニ交付があります。", True, "utter_online_and_corner"),
    ("コンビニ交付があります。", False, "utter_online"),
    (None, True, "utter_service_corner"),
    (None, False, "utter_online_none"),
])
def test_online_answers_come_from_the_domain(guide, online, corner, response):
    import dataclasses

    from actions.followups import detail_utterances
    from bot.wording import render

    proc = dataclasses.replace(next(iter(guide.procedures.values())), online=online,
                               service_corner=corner)
    [utt, *_] = detail_utterances(guide, proc, "ask_online")
    assert utt.response == response
    text = render(utt)
    assert text.startswith(proc.title) and (online or "") in text
    assert ("行政サービスコーナー" in text) == corner


# --- issue 17: follow-ups after an ask-back refer to the choices on screen ------------------


def test_followup_after_an_ask_back_offers_the_shown_choices_in_one_tap(guide):
    messages, events = run(ActionAnswerDetail(), "followup_after_askback")
    [msg] = messages
    assert msg["response"] == "utter_detail_which" and msg["what"] == "持ち物"
    payloads = [b["payload"] for b in msg["buttons"]]
    assert payloads == [f'/ask_what_to_bring{{"item": "{c}"}}'
                        for c in guide.clarifications["certificate_any"].choices]
    assert msg["buttons"][0]["title"] == "住民票の写しの交付"


def test_tapping_a_choice_answers_the_follow_up_for_it(guide):
    messages, _ = run(ActionAnswerDetail(), "followup_choice_tapped")
    assert messages[0]["response"] == "utter_bring"
    assert messages[0]["title"] == guide.procedures["koseki_tohon"].title


def test_an_ask_back_is_remembered_for_the_follow_up():
    dispatcher = CollectingDispatcher()
    t = tracker("followup_bring")
    t.latest_message = {"text": "証明書がほしい", "intent": {"name": "request", "confidence": 0.9},
                        "entities": [], "response_selector": {}}
    events = ActionRouteVisitor().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_clarify"
    assert events == [SlotSet("current_item", "certificate_any")]


def _out_of_scope(text: str, ranking: list[tuple[str, float]], confidence: float = 0.8):
    latest = {"text": text, "intent": {"name": "out_of_scope", "confidence": confidence}, "entities": [],
              "response_selector": {"default": {"ranking": [
                  {"intent_response_key": k, "confidence": c} for k, c in ranking]}}}
    dispatcher = CollectingDispatcher()
    events = ActionOutOfScope().run(dispatcher, Tracker("visitor-1", {}, latest, [], False, None, {}, ""), {})
    return dispatcher.messages, events


def test_out_of_scope_with_nothing_near_sends_to_the_desk_without_buttons():
    messages, events = _out_of_scope("明日は晴れますか", [("request/gesuido", 0.09), ("request/kanko", 0.07)])
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert "総合案内" in messages[0]["desk"]
    assert not messages[0]["buttons"] and "choices" not in messages[0]["custom"]
    assert "destination" not in messages[0]["custom"] and events == []


def test_out_of_scope_that_still_points_at_a_place_offers_it_as_a_guess():
    # Never a counter outright: the guess is a button, the desk is named, the next best place
    # is a second guess, the one at the same place as the first is not repeated, and a long
    # shot is not offered.
    messages, events = _out_of_scope("区役所の近くで住民票をとれるお店は", [
        ("request/konbini_kofu", 0.7), ("request/juminhyo", 0.1), ("request/yuso_center", 0.06)])
    first = messages[0]
    assert first["response"] == "utter_out_of_scope_guess" and "総合案内" in first["desk"]
    assert [b["payload"] for b in first["buttons"]] == [
        '/request{"item": "konbini_kofu"}', '/request{"item": "yuso_center"}', DESK]
    assert first["custom"]["choices"] == first["buttons"]
    assert "destination" not in first["custom"] and events == []
    messages, _ = _out_of_scope("区役所の近くで住民票をとれるお店は", [
        ("request/konbini_kofu", 0.85), ("facility/nursing_room", 0.01), ("request/yuso_center", 0.005)])
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/request{"item": "konbini_kofu"}', DESK]


def test_out_of_scope_beyond_doubt_gets_the_desk_without_the_selectors_guess():
    # The selector always has a best entry; the question type is sure this is not about one,
    # and the selector is not sure it is.
    messages, _ = _out_of_scope("ちかくに コンビニは ありますか", [("request/konbini_kofu", 0.8)], confidence=0.98)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"] and not messages[0]["buttons"]
    messages, _ = _out_of_scope("ちかくに コンビニは ありますか", [("request/konbini_kofu", 0.8)], confidence=0.7)
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/request{"item": "konbini_kofu"}', DESK]
    # The selector's own class for questions about nothing here holds it: the desk alone.
    messages, _ = _out_of_scope("ちかくに コンビニは ありますか",
                                [("out_of_scope", 0.95), ("request/konbini_kofu", 0.05)], confidence=0.98)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"] and not messages[0]["buttons"]


def test_a_selector_sure_of_a_place_outweighs_even_a_sure_question_type():
    # 「マイナカードの暗証番号忘れちゃった」: out of scope at 0.92 (a bank card's PIN is), the
    # selector at 0.99 on the card's PIN and 0.01 on its class for nothing here.
    messages, _ = _out_of_scope("マイナカードの暗証番号忘れちゃった。どこ行けばいい？",
                                [("request/mynumber_pin", 0.99), ("out_of_scope", 0.01)], confidence=0.92)
    assert messages[0]["custom"]["destination"]["department"] == "戸籍課"


def test_a_selector_sure_of_a_place_outweighs_a_question_type_that_is_not_sure():
    # "Onde faço a troca da carteira de motorista…": out of scope at 0.85, the selector sure of
    # the driving licence. Sure means SELECTOR_SURE; at 0.85 the place is only a guess.
    text = "Onde faço a troca da carteira de motorista brasileira pela japonesa?"
    messages, _ = _out_of_scope(text, [("request/driving_license", 0.95)], confidence=0.85)
    assert messages[0]["custom"]["redirect"]["id"] == "driving_license"
    messages, _ = _out_of_scope(text, [("request/driving_license", 0.85)], confidence=0.85)
    assert messages[0]["response"] == "utter_out_of_scope_guess"
    # The question type sure that it is out of scope wins over a selector that is not sure.
    messages, _ = _out_of_scope(text, [("request/driving_license", 0.85)], confidence=0.95)
    assert messages[0]["response"] == "utter_out_of_scope" and not messages[0]["buttons"]


@pytest.mark.parametrize("sure, routed", [(0.95, True), (0.85, False)])
def test_a_fallback_with_a_sure_selector_gives_the_place(sure, routed):
    # "there is a hornets nest on my balcony": no question type reached the threshold.
    latest = {"text": "there is a hornets nest on my balcony, who can help",
              "intent": {"name": "nlu_fallback", "confidence": 0.6}, "entities": [],
              "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.6},
                                 {"name": "request", "confidence": 0.45}, {"name": "out_of_scope", "confidence": 0.4}],
              "response_selector": {"default": {"ranking": [
                  {"intent_response_key": "request/gaichu_hachi", "confidence": sure}]}}}
    dispatcher = CollectingDispatcher()
    ActionSuggest().run(dispatcher, Tracker("visitor-1", {}, latest, [], False, None, {}, ""), {})
    first = dispatcher.messages[0]
    assert ("destination" in first["custom"]) is routed
    if routed:
        assert first["custom"]["destination"]["department"] == "生活衛生課"
    else:
        assert first["response"] == "utter_suggest"


def _hours(text: str, current_item=None):
    latest = {"text": text, "intent": {"name": "ask_hours", "confidence": 0.95}, "entities": []}
    dispatcher = CollectingDispatcher()
    tracker = Tracker("visitor-1", {"current_item": current_item}, latest, [], False, None, {}, "")
    return dispatcher.messages, ActionAnswerHours().run(dispatcher, tracker, {})


@pytest.mark.parametrize("text, current_item, place", [
    ("図書館は何時まで開いていますか", None, ("department", "読書活動推進担当（金沢図書館）")),
    ("ハローワークは何時まで？", None, ("redirect", "ハローワーク")),
    ("何時までやっていますか", "hello_work", ("redirect", "ハローワーク")),
])
def test_hours_of_a_place_outside_the_office_are_not_the_offices(text, current_item, place):
    messages, events = _hours(text, current_item)
    custom = messages[0]["custom"]
    found = (("department", custom["destination"]["department"]) if "destination" in custom
             else ("redirect", custom["redirect"]["name"]))
    assert found[0] == place[0] and found[1].startswith(place[1])
    assert messages[-1]["response"] == "utter_hours_elsewhere" and place[1][:4] in messages[-1]["name"]
    assert not any("hours" in (m.get("custom") or {}) for m in messages)


def test_hours_of_the_offices_own_counter_are_the_offices():
    messages, events = _hours("戸籍課は何時までですか")
    assert messages[0]["response"] in ("utter_hours_open", "utter_hours_closed")
    assert "hours" in messages[0]["custom"] and events == []


def _request(text: str, ranking: list[tuple[str, float]], lang: str = "ja"):
    latest = {"text": text, "intent": {"name": "request", "confidence": 0.95}, "entities": [],
              "response_selector": {"default": {"ranking": [
                  {"intent_response_key": k, "confidence": c} for k, c in ranking]}}}
    said = [{"event": "user", "text": text, "parse_data": latest, "metadata": {"lang": lang}}]
    dispatcher = CollectingDispatcher()
    events = ActionRouteVisitor().run(dispatcher, Tracker("visitor-1", {}, latest, said, False, None, {}, ""), {})
    return dispatcher.messages, events


SURE_OF_THE_NURSERY = [("request/hoikusho", 0.9), ("request/hoikuen_sodan", 0.04), ("request/jido_teate", 0.03)]


def test_another_citys_matter_gets_the_guess_and_the_desk_not_a_counter():
    # The selector is sure of the nursery application, but a nursery in 藤沢市 is 藤沢市's.
    messages, events = _request("藤沢市の保育園の空き状況を知りたいです", SURE_OF_THE_NURSERY)
    first = messages[0]
    assert first["response"] == "utter_other_city_guess" and first["city"] == "藤沢市"
    assert "総合案内" in first["desk"]
    assert first["buttons"][0]["payload"] == '/request{"item": "hoikusho"}'
    assert "destination" not in first["custom"] and events == []


def test_another_citys_garbage_is_that_citys_not_yokohamas_sorting():
    # 燃えないごみ is a category of the dictionary, but Kamakura sorts and collects its own way.
    ranking = [("request/gomi_bunbetsu", 0.9), ("request/garbage_collection", 0.05)]
    text = "鎌倉の実家のごみの出し方が知りたい。燃えないごみは何曜日？"
    messages, _ = _request(text, ranking)
    assert messages[0]["response"] == "utter_other_city_guess" and messages[0]["city"] == "鎌倉市"
    assert "sorting" not in messages[0]["custom"]
    # Here, an item's sorting answers; there, it is the other city's too.
    messages, _ = _request("スプレー缶の出し方が知りたい", ranking)
    assert messages[0]["response"] == "utter_sorting"
    messages, _ = _request("鎌倉市の実家のスプレー缶の出し方が知りたい", ranking)
    assert messages[0]["response"] == "utter_other_city_guess"


@pytest.mark.parametrize("text", [
    "保育園の空き状況を知りたいです",
    "藤沢市から引っ越してきました。保育園の空き状況を知りたいです",
    "藤沢市に勤めていますが、金沢区の保育園の空き状況を知りたいです",
])
def test_the_offices_own_matter_is_routed_even_beside_another_city(text):
    messages, _ = _request(text, SURE_OF_THE_NURSERY)
    assert messages[0]["response"] == "utter_route"
    assert messages[0]["custom"]["destination"]["department"] == "こども家庭支援課"


def test_another_city_is_read_only_in_japanese_words():
    # The words for a move are Japanese ones: 「我们从川崎市搬到金泽区」 would read as 川崎市's matter.
    # In another language than Japanese the text comes from the language's pack, not a response.
    messages, _ = _request("我们从川崎市搬到金泽区，保育园怎么申请？", SURE_OF_THE_NURSERY, lang="zh")
    assert messages[0]["custom"]["destination"]["department_ja"] == "こども家庭支援課"
    messages, _ = _request("川崎市の保育園に申し込みたい", SURE_OF_THE_NURSERY, lang="ja-easy")
    assert "destination" not in messages[0]["custom"] and messages[0]["custom"]["choices"]
    assert messages[0]["text"].startswith("川崎市のことなら、川崎市の役所に聞いてください。")


def test_a_name_in_a_question_about_nothing_here_is_a_guess_not_a_counter():
    # 「引っ越し」 names the moving errands, but the selector, ranking every entry, holds the
    # question to be about nothing here (a shop nearby).
    text = "引っ越しましたので近くのスーパーを知りたいのですが"
    messages, events = _request(text, [("out_of_scope", 0.93), ("request/moving_any", 0.02), ("request/water", 0.01)])
    assert [m["response"] for m in messages] == ["utter_out_of_scope_guess"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ['/request{"item": "moving_any"}', DESK]
    assert "総合案内" in messages[0]["desk"] and "destination" not in messages[0]["custom"] and events == []
    # Without the selector's doubt, the name answers: every moving errand is at 戸籍課.
    messages, _ = _request(text, [("out_of_scope", 0.1), ("request/moving_any", 0.02), ("request/water", 0.01)])
    assert messages[0]["response"] == "utter_clarify_one_place"
    assert messages[0]["custom"]["destination"]["department"] == "戸籍課"


@pytest.mark.parametrize("text", [
    "引っ越しましたので電気の契約を変えたいのですが",
    "亡くなった父の名義の携帯電話を解約したい",
    "勤め先の健康保険組合の保険証を再発行してほしい",
])
def test_a_contract_with_a_company_is_the_companys_not_a_counter(text):
    # The selector is sure of a counter: the words 名義, 住所, 保険証 are the office's too.
    messages, events = _request(text, [("request/moving_any", 0.9), ("request/kokuho_card", 0.05)])
    assert [m["response"] for m in messages] == ["utter_company_matter"]
    assert "総合案内" in messages[0]["desk"] and not messages[0]["buttons"]
    assert "destination" not in messages[0]["custom"] and events == []


@pytest.mark.parametrize("text, lang", [
    ("ブラジル の パスポート、きれました。", "ja"),
    ("mongolian embassy passport renew", "en"),
    ("我的中国护照快到期了，在这里能换新的吗？", "zh"),
    ("Onde renovo meu passaporte brasileiro?", "pt"),
])
def test_another_countrys_passport_is_its_embassys_not_the_passport_centres(text, lang):
    # The selector is sure of the passport centre, which issues Japanese passports only.
    messages, events = _request(text, [("request/passport", 0.95)], lang=lang)
    # Japanese is sent as the domain's response, another language as its text.
    said = messages[0]["response"] or messages[0]["text"]
    assert said == "utter_foreign_passport" or any(word in said
                                                    for word in ("embassy", "大使馆", "embaixada"))
    assert len(messages) == 1 and not messages[0]["buttons"]
    assert "redirect" not in messages[0]["custom"]
    assert events == []


def test_a_japanese_passport_is_the_passport_centres():
    messages, _ = _request("子どもの日本のパスポートを作りたい", [("request/passport", 0.95)])
    assert messages[0]["custom"]["redirect"]["id"] == "passport"


def test_a_garbage_question_about_a_cancelled_phone_is_about_the_phone():
    messages, _ = _request("解約したスマホは何ごみ？", [("request/moving_any", 0.9)])
    assert messages[0]["response"] == "utter_sorting"


def test_the_offices_own_business_beside_a_bank_account_is_routed():
    messages, _ = _request("児童手当の振込口座を変えたい", [("request/jido_teate", 0.9)])
    assert messages[0]["custom"]["destination"]["department"] == "こども家庭支援課"
    # Read in Japanese words only: a Chinese question keeps its counter.
    messages, _ = _request("我想变更电气的契约名义", [("request/moving_any", 0.9)], lang="zh")
    assert messages[0]["response"] != "utter_company_matter"



@pytest.mark.parametrize("text", ["母のことで相談です", "学校のことでちょっと...", "お金のことで困ってて...",
                                  "書類を出しに来ました", "ちょっと話を聞いてほしいことがあって",
                                  "先週電話した件で来ました", "ここって何ができるところ?"])
def test_a_message_that_names_only_whose_matter_it_is_gets_guesses_not_a_counter(text):
    # The selector is sure of a counter (介護 for a mother), but the visitor has not said what
    # they need: its guess and the information desk.
    sure = [("request/korei_sodan", 0.93), ("request/konkyu_sodan", 0.04)]
    messages, events = _request(text, sure)
    assert [m["response"] for m in messages] == ["utter_out_of_scope_guess"]
    assert messages[0]["buttons"][0]["payload"] == '/request{"item": "korei_sodan"}'
    assert messages[0]["buttons"][-1]["payload"] == DESK
    assert "destination" not in messages[0]["custom"] and events == []
    # Once they say what, the counter answers.
    messages, _ = _request(text.rstrip(".") + "。介護保険の申請をしたい", sure)
    assert messages[0]["custom"]["destination"]["department"] == "高齢・障害支援課"


def test_a_business_asked_to_be_recommended_gets_guesses_not_a_counter():
    # 補聴器 is near a counter's words (the disability aids), but a shop is recommended by nobody
    # here: the guess and the information desk.
    sure = [("request/korei_sodan", 0.93), ("request/konkyu_sodan", 0.04)]
    messages, _ = _request("補聴器のいい店知らんか", sure)
    assert [m["response"] for m in messages] == ["utter_out_of_scope_guess"]
    assert messages[0]["buttons"][-1]["payload"] == DESK
    # A clinic asked for by when it is open is not a recommendation.
    messages, _ = _request("休日や夜間に診てもらえる病院を教えて", [("request/kyujitsu_kyukan", 0.95)])
    assert "destination" in messages[0]["custom"] or messages[0]["custom"].get("redirect")
