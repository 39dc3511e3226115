"""The kiosk and counter-tablet web app (Flask application factory)."""

from __future__ import annotations

import logging

from flask import Flask

from bot.guide_data import shared_store
from bot.rasa_client import RasaClient
from bot.settings import load_settings


def create_app(test_config: dict | None = None) -> Flask:
    settings = load_settings()
    app = Flask(__name__)
    app.config.from_mapping(
        GUIDE_DIR=str(settings.guide_dir),
        RASA_URL=settings.rasa_url,
        RASA_TOKEN=settings.rasa_token,
        RASA_TIMEOUT=settings.rasa_timeout,
        MAX_TEXT_LENGTH=settings.max_text_length,
        IDLE_SECONDS=settings.idle_seconds,
        # A chat request is a few hundred bytes; anything far larger is refused with 413.
        MAX_CONTENT_LENGTH=16 * 1024,
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    app.extensions["guide_store"] = shared_store(app.config["GUIDE_DIR"])
    app.extensions["rasa"] = RasaClient(app.config["RASA_URL"], app.config["RASA_TOKEN"],
                                        app.config["RASA_TIMEOUT"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    from kiosk_ui import api, kiosk

    app.register_blueprint(api.bp)
    app.register_blueprint(kiosk.bp)
    return app
