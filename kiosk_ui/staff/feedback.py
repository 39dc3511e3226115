"""``POST /api/feedback``: the kiosk's "was this helpful?" answer, stored masked."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from back_office.inbox import add_feedback
from kiosk_ui.api import SESSION_ID

bp = Blueprint("feedback", __name__, url_prefix="/api")
MAX_TEXT = 500


def _error(code: str, message: str, status: int = 400):
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.post("/feedback")
def feedback():
    """{session_id, helpful: bool, text?} → 201; personal data in text is masked before storing."""
    if not request.is_json:
        return _error("not_json", "Content-Type must be application/json", 415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error("invalid_json", "the body must be a JSON object")
    session_id, helpful, text = body.get("session_id"), body.get("helpful"), body.get("text")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        return _error("invalid_session_id", "session_id must be 8-64 letters, digits, '-' or '_'")
    if not isinstance(helpful, bool):
        return _error("invalid_helpful", "helpful must be true or false")
    if text is not None and not isinstance(text, str):
        return _error("invalid_text", "text must be a string")
    if text and len(text) > MAX_TEXT:
        return _error("text_too_long", f"text is longer than {MAX_TEXT} characters", 413)
    feedback_id = add_feedback(current_app.config["STAFF_DB"], session_id, helpful,
                               text.strip() if text else None)
    return jsonify({"id": feedback_id, "recorded": True}), 201
