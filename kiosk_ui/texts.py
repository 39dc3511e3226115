"""The kiosk's screen texts in the visitor's language, from the guide data.

The templates and scripts are written in Japanese (``_("ご用件をお選びください")``); the other
languages are the ``screen:`` texts of ``data/guide/texts/<code>.yml``, read through the guide
loader like every other translation (reviewed by staff in the console, fallback en → ja).
This replaced Flask-Babel's catalogues: やさしい日本語 is not a Babel locale, and one format for
every translated text lets staff review all of them in one place.
"""

from __future__ import annotations

from flask import current_app, g, request

from bot.languages import SOURCE, Speaker


def current_lang() -> str:
    """?lang= for this request (and, through a cookie, the next ones), else the cookie."""
    if "lang" not in g:
        known = current_app.extensions["guide_store"].get().languages
        g.lang = next((c for c in (request.args.get("lang"), request.cookies.get("lang"))
                       if c in known), SOURCE)
    return g.lang


def speaker() -> Speaker:
    """The guide in the page's language."""
    return current_app.extensions["guide_store"].get().speaker(current_lang())


def gettext(msgid: str, **variables) -> str:
    """A screen text in the page's language (``%(name)s`` placeholders filled)."""
    text = speaker().text("screen", msgid, msgid) or msgid
    return text % variables if variables else text
