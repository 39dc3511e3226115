"""HTTP security headers for every page and API answer of the kiosk app."""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# Everything is served by this app itself: no CDN, no inline script, no framing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # The microphone is for voice input on the kiosk itself; nothing else is needed.
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


HSTS = "max-age=31536000"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; the cookie is Secure whenever the request came over
    HTTPS, unless the deployment says otherwise (COOKIE_SECURE: STAFF_COOKIE_SECURE=0/1)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("COOKIE_SECURE")
        if configured is not None:
            return bool(configured)
        return has_request_context() and request.is_secure


def init_app(app: Flask) -> None:
    """Add the headers to every response; cookies stay HttpOnly and SameSite, and Secure over
    HTTPS; HTTPS answers carry HSTS (both unless STAFF_COOKIE_SECURE=0 opts out)."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("COOKIE_SECURE", None)
    app.session_interface = SessionInterface()

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure and app.config.get("COOKIE_SECURE") is not False:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
