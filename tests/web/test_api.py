"""The kiosk JSON API: clear 4xx errors for bad input, degraded answers without Rasa."""

from __future__ import annotations

import pytest

SESSION = "kiosk-test-0001"


def post(client, body=None, **kwargs):
    return client.post("/api/chat", json=body, **kwargs)


@pytest.mark.parametrize("body, status, code", [
    ({"session_id": SESSION}, 400, "missing_text"),
    ({"session_id": SESSION, "text": ""}, 400, "empty_text"),
    ({"session_id": SESSION, "text": " \u3000\t\n"}, 400, "empty_text"),
    ({"session_id": SESSION, "text": "あ" * 501}, 413, "text_too_long"),
    ({"session_id": SESSION, "text": 42}, 400, "missing_text"),
    ({"session_id": "short", "text": "住民票"}, 400, "invalid_session_id"),
    ({"session_id": "../../etc/passwd", "text": "住民票"}, 400, "invalid_session_id"),
    ({"session_id": 12345678, "text": "住民票"}, 400, "invalid_session_id"),
    ({"text": "住民票"}, 400, "invalid_session_id"),
    ({"session_id": SESSION, "payload": "<script>alert(1)</script>"}, 400, "invalid_payload"),
    ({"session_id": SESSION, "payload": '/request{"item": "../x"}'}, 400, "invalid_payload"),
    ([1, 2, 3], 400, "invalid_json"),
])
def test_bad_input_gets_a_clear_json_error(offline_client, body, status, code):
    resp = post(offline_client, body)
    assert resp.status_code == status
    assert resp.is_json
    assert resp.get_json()["error"]["code"] == code
    assert resp.get_json()["error"]["message"]


def test_invalid_json_body(offline_client):
    resp = offline_client.post("/api/chat", data="{not json", content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_json"


def test_wrong_content_type(offline_client):
    resp = offline_client.post("/api/chat", data="text=住民票", content_type="text/plain")
    assert resp.status_code == 415 and resp.get_json()["error"]["code"] == "not_json"


def test_wrong_method_is_json_too(offline_client):
    resp = offline_client.get("/api/chat")
    assert resp.status_code == 405 and resp.is_json


def test_huge_body_is_refused(offline_client):
    resp = offline_client.post("/api/chat", data='{"text": "' + "a" * 100_000 + '"}',
                               content_type="application/json")
    assert resp.status_code == 413 and resp.is_json


def test_text_at_the_limit_is_accepted(offline_client):
    resp = post(offline_client, {"session_id": SESSION, "text": "あ" * 500})
    assert resp.status_code == 200


# A visitor's story in English is two to three times as long as in Japanese (this one has 259
# characters); the request at its end must reach the guide.
ENGLISH_STORY = ("My husband is Japanese and I am from Canada. Our daughter was born in March and she "
                 "has Japanese nationality. We want to visit my parents in Toronto this summer, so she "
                 "needs her first passport. Where do we apply for it, and can we do it here?")


def test_a_story_in_english_is_accepted(offline_client):
    assert len(ENGLISH_STORY) > 200
    resp = post(offline_client, {"session_id": SESSION, "text": ENGLISH_STORY})
    assert resp.status_code == 200


def test_the_kiosk_input_takes_as_much_as_the_api():
    from kiosk_ui import create_app

    app = create_app({"TESTING": True, "MAX_TEXT_LENGTH": 321})
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'maxlength="321"' in page


def test_unreachable_rasa_gives_a_degraded_answer_with_the_information_desk(offline_client, caplog):
    resp = post(offline_client, {"session_id": SESSION, "text": "住民票を取りたい"})
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["degraded"] is True
    assert data["destination"] is None
    assert data["facility"]["id"] == "information_desk"
    assert "総合案内" in data["replies"][-1]["text"]
    assert "degraded answer" in caplog.text  # the fault is logged
    # The guide's own names still propose what to tap; a tap is answered from the guide data.
    assert "juminhyo" in data["choices"][0]["payload"]


def test_degraded_mode_still_answers_a_tapped_button_from_the_guide_data(offline_client):
    data = post(offline_client, {"session_id": SESSION, "payload": '/request{"item": "juminhyo"}'}).get_json()
    assert data["degraded"] is True
    assert data["destination"]["department"] == "戸籍課"
    assert "住民票の写しの交付は、戸籍課" in data["replies"][0]["text"]


def test_rasa_answering_an_empty_list_is_degraded(offline_app, monkeypatch):
    """The REST channel answers 200 with [] when a turn fails inside Rasa."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class EmptyRest(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), EmptyRest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        offline_app.extensions["rasa"].base_url = f"http://127.0.0.1:{server.server_port}"
        data = post(offline_app.test_client(), {"session_id": SESSION, "text": "住民票"}).get_json()
        assert data["degraded"] is True
    finally:
        server.shutdown()


def test_health(offline_client):
    assert offline_client.get("/api/health").get_json()["status"] == "ok"


@pytest.mark.parametrize("path", ["/api/chat", "/api/staff-call", "/api/feedback"])
@pytest.mark.parametrize("depth", [1000, 5000])
def test_deeply_nested_json_is_a_400_not_a_500(offline_client, path, depth):
    body = "[" * depth + "]" * depth
    resp = offline_client.post(path, data=body, content_type="application/json")
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_json" and error["message"]
