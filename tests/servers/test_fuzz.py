"""Property-based bad input against /api/chat: always a JSON answer or a JSON 4xx error.

CI runs a sample (FUZZ_EXAMPLES, default 200 per property); `make fuzz` runs 10,000.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("FUZZ_RANDOM") is None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

INJECTIONS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
    "'; DROP TABLE events; --", "{{7*7}}", "${7*7}", "{% raw %}", "../../../../etc/passwd",
    "/request{\"item\": \"juminhyo\"}", "/restart", "/session_start", "\u202eevil", "住民票\u0000",
    "ｓｃｒｉｐｔ", "🙇‍♀️住民票🙏", "ﾊﾟｽﾎﾟｰﾄ", "a" * 5000, "。" * 150, "\ud83d",
]
visitor_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(INJECTIONS),
    st.builds(lambda a, b: a + b, st.sampled_from(INJECTIONS), st.text(max_size=50)),
    st.text(alphabet=st.characters(whitelist_categories=("Mn", "Me", "Cf", "Cc", "Zs", "Po")), max_size=80),
)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)


def check(resp, sent: str = "") -> dict:
    assert resp.status_code in (200, 400, 405, 413, 415), resp.status_code
    body = resp.get_data(as_text=True)
    assert "Traceback" not in body
    data = json.loads(body)
    if resp.status_code == 200:
        assert isinstance(data["replies"], list) and data["replies"]
        assert all(isinstance(r["text"], str) and r["text"] for r in data["replies"])
    else:
        assert data["error"]["code"] and data["error"]["message"]
    if "<" in sent:
        assert sent not in body  # visitor markup is never reflected
    return data


def fuzz_properties(client_fixture: str):
    """The same properties against a given client fixture (offline or with real servers)."""

    @FUZZ
    @given(text=visitor_text)
    def typed_text(request, text):
        client = request.getfixturevalue(client_fixture)
        # As a browser sends it: JSON with \u escapes, so lone surrogates travel too. A new
        # conversation each time, as kiosks start one per visitor: Rasa reads the whole
        # conversation back on every turn, and one of 10,000 turns is not what is under test.
        body = json.dumps({"session_id": f"fuzz-{uuid.uuid4().hex[:12]}", "text": text})
        check(client.post("/api/chat", data=body, content_type="application/json"), text)

    @FUZZ
    @given(body=st.dictionaries(st.sampled_from(["session_id", "text", "payload", "x"]), json_values, max_size=4))
    def any_json_body(request, body):
        client = request.getfixturevalue(client_fixture)
        check(client.post("/api/chat", data=json.dumps(body), content_type="application/json"))

    @FUZZ
    @given(raw=st.binary(max_size=400), content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=shift_jis"]))
    def raw_bytes(request, raw, content_type):
        client = request.getfixturevalue(client_fixture)
        check(client.post("/api/chat", data=raw, content_type=content_type))

    @FUZZ
    @given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH"]))
    def wrong_methods(request, method):
        client = request.getfixturevalue(client_fixture)
        check(client.open("/api/chat", method=method))

    return typed_text, any_json_body, raw_bytes, wrong_methods


test_offline_typed_text, test_offline_any_json_body, test_offline_raw_bytes, test_offline_wrong_methods = \
    fuzz_properties("offline_client")

_live = fuzz_properties("live_client")
test_live_typed_text = pytest.mark.servers(_live[0])
test_live_any_json_body = pytest.mark.servers(_live[1])


@pytest.mark.parametrize("escaped", ['"\\ud800"', '"\\udfff abc"', '"\\u0000"', '"\\ud83d\\ude00"'])
def test_lone_surrogates_and_nul_in_json_escapes(offline_client, escaped):
    body = '{"session_id": "fuzz-session-01", "text": ' + escaped + "}"
    check(offline_client.post("/api/chat", data=body, content_type="application/json"))
