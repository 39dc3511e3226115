"""Staff calls from the kiosks: a list that refreshes itself, and marking a call handled."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for

from back_office import inbox
from bot.privacy import mask_personal_data
from kiosk_ui.staff.auth import least_role
from kiosk_ui.staff.forms import EmptyForm
from kiosk_ui.staff.views_common import list_calls, staff_calls_store


bp = Blueprint("calls", __name__)

def call_view(call) -> dict:
    """A call as the console shows it: masked conversation, local time."""
    lines = [{"who": e.get("who"), "text": mask_personal_data(e.get("text"))}
             for e in call.transcript]
    if not lines:
        # The kiosk sent no transcript: the conversation store still has the turns.
        lines = [{"who": e["who"], "text": e["text"]} for e in
                 inbox.conversation(current_app.config["TRACKER_STORE"], call.session_id)]
    ts = inbox._iso_time(call.created_at)
    return {"id": call.id, "session_id": call.session_id, "created_at": call.created_at,
            "time": inbox.day_of(ts) + " " + _hhmm(ts) if ts else call.created_at,
            "handled": call.handled, "conversation": lines}


def _hhmm(ts: float) -> str:
    return datetime.fromtimestamp(ts, inbox.JST).strftime("%H:%M")


@bp.get("/calls/")
def calls_page():
    return render_template("staff/calls.html", available=staff_calls_store() is not None,
                           calls=[call_view(c) for c in list_calls(limit=50)], form=EmptyForm())


@bp.get("/api/calls")
def calls_json():
    if staff_calls_store() is None:
        return jsonify({"available": False, "calls": []})
    return jsonify({"available": True, "calls": [call_view(c) for c in list_calls(limit=50)]})


@bp.post("/api/calls/<int:call_id>/handled")
@least_role("front_desk")
def call_handled_json(call_id: int):
    store = staff_calls_store()
    if store is None or not store.mark_handled(call_id):
        return jsonify({"error": {"code": "not_found", "message": "その呼び出しはありません"}}), 404
    return jsonify({"id": call_id, "handled": True})


@bp.post("/calls/<int:call_id>/handled")
@least_role("front_desk")
def call_handled(call_id: int):
    """The same as the JSON endpoint, for a browser without scripts."""
    if not EmptyForm().validate():
        abort(400)
    store = staff_calls_store()
    if store is None or not store.mark_handled(call_id):
        abort(404)
    flash(f"呼び出し #{call_id} を対応済みにしました。")
    return redirect(url_for("staff.calls.calls_page"))
