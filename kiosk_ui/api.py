"""The kiosk's JSON API: ``POST /api/chat`` and friends.

It checks the request and hands the turn to ``bot.chat.turn``, which reshapes Rasa's reply
into the kiosk's contract, or answers from the guide data alone when Rasa cannot (``degraded``).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from bot import answers
from bot.answers import Utterance
from bot.chat import PAYLOAD, turn
from bot.guide_data import Guide
from bot.lookup import counter_search
from bot.normalize import normalize
from bot.wording import render
from kiosk_ui import texts
from kiosk_ui.kiosk import hours_banner

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class BadRequest(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _error(code: str, message: str, status: int):
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.errorhandler(BadRequest)
def _bad_request(err: BadRequest):
    return _error(err.code, err.message, err.status)


@bp.app_errorhandler(HTTPException)
def _http_error(err: HTTPException):
    """Routing errors (404, 405, 413) under /api are JSON too; pages keep Flask's HTML."""
    if not request.path.startswith("/api/"):
        return err
    code = (err.name or "error").lower().replace(" ", "_")
    return _error(code, err.description or err.name, err.code or 400)


def guide() -> Guide:
    return current_app.extensions["guide_store"].get()


def _read_lang(body: dict) -> Optional[str]:
    """The optional ``lang``: a language of the guide (languages.yml), else 400."""
    lang = body.get("lang")
    if lang is None:
        return None
    known = list(guide().languages)
    if not isinstance(lang, str) or lang not in known:
        raise BadRequest("invalid_lang", f"lang must be one of {', '.join(known)} (or left out "
                                         f"to detect the language of the text)")
    return lang


def _read_chat_request() -> tuple[str, Optional[str], Optional[str]]:
    """(session_id, text, payload) from the body, or BadRequest saying what is wrong."""
    if not request.is_json:
        raise BadRequest("not_json", "Content-Type must be application/json", 415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("invalid_json", "the body must be a JSON object")
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise BadRequest("invalid_session_id", "session_id must be 8-64 letters, digits, '-' or '_'")
    text, payload = body.get("text"), body.get("payload")
    if payload is not None:
        if not isinstance(payload, str) or not PAYLOAD.match(payload):
            raise BadRequest("invalid_payload", "payload must be a button payload such as /request{\"item\": \"juminhyo\"}")
        return session_id, None, payload
    if not isinstance(text, str):
        raise BadRequest("missing_text", "text is required (or payload for a button)")
    # Visitors' text is normalised once here; what is stored and matched is this form.
    text = normalize(text)
    if not text:
        raise BadRequest("empty_text", "text is empty")
    limit = current_app.config["MAX_TEXT_LENGTH"]
    if len(text) > limit:
        raise BadRequest("text_too_long", f"text is longer than {limit} characters", 413)
    return session_id, text, payload


@bp.post("/chat")
def chat():
    session_id, text, payload = _read_chat_request()
    lang = _read_lang(request.get_json(silent=True))
    return jsonify(turn(current_app.extensions["rasa"], guide(), session_id, text, payload, lang))


@bp.get("/health")
def health():
    """The guide data's state and whether the assistant answers free questions now."""
    store = current_app.extensions["guide_store"]
    store.get()
    ready = current_app.extensions["rasa"].is_ready()
    return jsonify({"status": "ok", "guide_data_error": str(store.error) if store.error else None,
                    "assistant": "ready" if ready else "unavailable", "degraded": not ready})


@bp.get("/hours")
def hours():
    """Whether the office is open now, for the banner to refresh itself."""
    return jsonify(hours_banner(guide()))


SEARCH_LIMIT = 50   # characters of a search; longer input is cut, not refused
SEARCH_KINDS = ("procedure", "section", "facility", "redirect", "program")

def search_result(g: Guide, kind: str, item_id: str, title: str) -> dict[str, Any]:
    dest: Optional[dict] = None
    if kind == "procedure":
        dest = answers.procedure_destination(g, g.procedures[item_id])
    elif kind == "section":
        dest = answers.destination(g.sections[item_id])
    elif kind == "program":
        dest = answers.program_destination(g, g.programs[item_id])
    elif kind == "facility":
        fac = g.facilities[item_id]
        dest = {"floor": fac.floor, "place": fac.where, "verified": fac.verified}
    elif kind == "redirect":
        red = g.redirects[item_id]
        dest = {"floor": None, "place": red.name, "verified": True, "department": red.name}
    return {"kind": kind, "id": item_id, "title": title, "destination": dest}


@bp.get("/search")
def search():
    """Instant search over the guide's procedures, sections and more (counter tablet)."""
    q = normalize(request.args.get("q", ""))[:SEARCH_LIMIT]
    if not q:
        return jsonify({"query": q, "results": []})
    g = guide()
    results = [search_result(g, m.kind, m.id, m.title)
               for m in counter_search(g).search(q, limit=10) if m.kind in SEARCH_KINDS]
    return jsonify({"query": q, "results": results})


TRANSCRIPT_ENTRIES = 50   # the newest turns are enough for staff to pick up the conversation
TRANSCRIPT_TEXT = 1000
WHO = ("visitor", "bot")


@bp.post("/staff-call")
def staff_call():
    """Record a call for staff with the conversation so far; say where the desk is."""
    if not request.is_json:
        raise BadRequest("not_json", "Content-Type must be application/json", 415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("invalid_json", "the body must be a JSON object")
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise BadRequest("invalid_session_id", "session_id must be 8-64 letters, digits, '-' or '_'")
    transcript = body.get("transcript", [])
    if not isinstance(transcript, list):
        raise BadRequest("invalid_transcript", "transcript must be a list of {who, text}")
    if len(transcript) > TRANSCRIPT_ENTRIES:
        raise BadRequest("transcript_too_long",
                         f"transcript has more than {TRANSCRIPT_ENTRIES} entries", 413)
    clean = []
    for entry in transcript:
        if (not isinstance(entry, dict) or entry.get("who") not in WHO
                or not isinstance(entry.get("text"), str)):
            raise BadRequest("invalid_transcript",
                             "each transcript entry is {\"who\": \"visitor\"|\"bot\", \"text\": \"...\"}")
        if len(entry["text"]) > TRANSCRIPT_TEXT:
            raise BadRequest("transcript_too_long",
                             f"a transcript text is longer than {TRANSCRIPT_TEXT} characters", 413)
        clean.append({"who": entry["who"], "text": entry["text"]})
    # After hours nobody comes: the visitor is told so; the call is still kept, so staff
    # see the next morning that someone needed them.
    # In the kiosk's language (the picker's cookie), like the dialog around the message.
    sp = texts.speaker()
    reply = answers.staff_call_reply(guide(), sp=sp)
    closed = not reply.payload["staff_call"]
    call_id = current_app.extensions["staff_calls"].record(session_id, clean)
    log.info("staff call %s recorded for session %s%s", call_id, session_id,
             " (after hours)" if closed else "")
    desk = guide().office.information_desk
    return jsonify({"id": call_id, "closed": closed, "desk": answers.facility_info(desk, sp),
                    "message": render(reply, sp=sp)}), 201
