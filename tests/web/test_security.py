"""Access and headers: what the public kiosk exposes, and what it must not."""

from __future__ import annotations

import pytest
import requests

from kiosk_ui.security import HEADERS


@pytest.mark.parametrize("path", ["/", "/counter", "/api/health", "/staff/login", "/map/1.svg"])
def test_security_headers_on_every_response(offline_client, path):
    resp = offline_client.get(path)
    assert resp.status_code in (200, 302)
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value
    csp = resp.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp


def test_session_cookie_is_httponly_and_samesite(offline_client):
    resp = offline_client.get("/staff/login")
    cookies = resp.headers.getlist("Set-Cookie")
    for cookie in cookies:
        if cookie.startswith("session="):
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_kiosk_pages_never_link_to_the_staff_console(offline_client):
    for path in ("/", "/counter"):
        assert "/staff" not in offline_client.get(path).get_data(as_text=True)


@pytest.mark.servers
def test_rasa_http_api_refuses_calls_without_the_token(servers):
    for method, path in (("GET", "/conversations/someone/tracker"), ("POST", "/model/parse"),
                         ("PUT", "/model"), ("GET", "/status")):
        resp = requests.request(method, f"{servers.rasa_url}{path}", json={"text": "x"}, timeout=10)
        assert resp.status_code == 401, (method, path, resp.status_code)
    ok = requests.get(f"{servers.rasa_url}/status", params={"token": "test-token-not-secret"}, timeout=10)
    assert ok.status_code == 200


def listening_addresses(port: int) -> set[str]:
    """IPv4/IPv6 addresses with a listening TCP socket on ``port`` (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                raw = bytes.fromhex(address)
                # IPv6 entries are kept as hex: any of them fails a loopback-IPv4-only check.
                found.add(".".join(str(b) for b in raw[::-1]) if len(raw) == 4 else f"ipv6:{address}")
    return found


@pytest.mark.servers
def test_servers_listen_on_loopback_only(servers):
    from urllib.parse import urlparse

    for url in (servers.rasa_url, servers.actions_url):
        addresses = listening_addresses(urlparse(url).port)
        assert addresses == {"127.0.0.1"}, (url, addresses)
