"""The kiosk and counter-tablet web app (Flask application factory)."""

from __future__ import annotations

import logging

from flask import Flask
from flask_babel import Babel
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from back_office.staff_calls import StaffCallStore
from bot.guide_data import shared_store
from bot.rasa_client import RasaClient
from bot.settings import load_settings
from kiosk_ui import api, kiosk, security, staff, texts

csrf = CSRFProtect()


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to parse is invalid JSON (a 400
    from every endpoint's usual check), not a RecursionError and a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def create_app(test_config: dict | None = None) -> Flask:
    settings = load_settings()
    app = Flask(__name__)
    app.json = JSONProvider(app)
    app.config.from_mapping(
        GUIDE_DIR=str(settings.guide_dir),
        GUIDE_OFFICE_DIR=str(settings.office_dir),
        RASA_URL=settings.rasa_url,
        RASA_TOKEN=settings.rasa_token,
        RASA_TIMEOUT=settings.rasa_timeout,
        MAX_TEXT_LENGTH=settings.max_text_length,
        IDLE_SECONDS=settings.idle_seconds,
        KIOSK_DB=str(settings.var_dir / "kiosk.db"),
        DEFAULT_LANGUAGE="ja",
        # A chat request is a few hundred bytes; anything far larger is refused with 413.
        MAX_CONTENT_LENGTH=16 * 1024,
        JSON_AS_ASCII=False,
        PUBLIC_URL=settings.public_url,
        QUEUE_FEED_URL=settings.queue_feed_url,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    # Behind a reverse proxy the client's address (sign-in limit, audit) and the scheme come
    # from X-Forwarded-For/-Proto, but only when GUIDE_TRUSTED_PROXIES says how many to trust.
    proxies = int(app.config.get("TRUSTED_PROXIES", settings.trusted_proxies))
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.extensions["guide_store"] = shared_store(app.config["GUIDE_DIR"],
                                                   app.config["GUIDE_OFFICE_DIR"])
    app.extensions["rasa"] = RasaClient(app.config["RASA_URL"], app.config["RASA_TOKEN"],
                                        app.config["RASA_TIMEOUT"])
    app.extensions["staff_calls"] = StaffCallStore(app.config["KIOSK_DB"])
    # Flask-Babel stays for one thing: WTForms' own messages in the staff console, in Japanese.
    Babel(app, locale_selector=lambda: "ja")
    # Screen texts come from the guide data (kiosk_ui/texts.py), in the visitor's language.
    app.jinja_env.globals.update(_=texts.gettext, gettext=texts.gettext)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    security.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(kiosk.bp)
    # Forms and state-changing requests need a CSRF token; the public kiosk JSON API is exempt.
    csrf.init_app(app)
    csrf.exempt(api.bp)
    staff.init_app(app, csrf)
    return app
