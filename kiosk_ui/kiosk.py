"""The kiosk pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("kiosk", __name__)


@bp.get("/")
def start():
    guide = current_app.extensions["guide_store"].get()
    return render_template("kiosk.html", guide=guide, idle_seconds=current_app.config["IDLE_SECONDS"])
