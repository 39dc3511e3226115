"""Simple usage figures: questions per day, unanswered rate, top procedures, staff calls."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from back_office import inbox
from kiosk_ui.staff.views_common import editor, list_calls, since, staff_db


bp = Blueprint("figures", __name__)

def figures_data() -> dict:
    cfg = current_app.config
    start = since()
    try:
        titles = {p.id: p.title for p in editor().guide().procedures.values()}
    except Exception:  # noqa: BLE001 — a broken data file must not hide the figures
        titles = {}
    calls = [c for c in list_calls(limit=10000) if inbox._iso_time(c.created_at) >= start]
    return inbox.usage_figures(inbox.read_turns(cfg["TRACKER_STORE"], start), cfg["INBOX_CONFIDENCE"],
                               calls=calls, feedback=inbox.feedback_since(staff_db(), start),
                               procedure_titles=titles)


@bp.get("/figures/")
def figures():
    data = figures_data()
    peak = max([d["questions"] for d in data["per_day"]] or [1]) or 1
    return render_template("staff/figures.html", f=data, peak=peak,
                           days=current_app.config["INBOX_DAYS"])


@bp.get("/api/figures")
def figures_json():
    return jsonify(figures_data())
