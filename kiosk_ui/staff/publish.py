"""Retrain and publish: start the job, follow its phases, see accuracy before and after."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, url_for

from back_office import publish
from bot.rasa_client import RasaUnavailable
from kiosk_ui.staff.auth import current_user
from kiosk_ui.staff.forms import EmptyForm
from kiosk_ui.staff.views_common import staff_db


bp = Blueprint("publish", __name__)

def publish_config() -> publish.PublishConfig:
    cfg = current_app.config
    return publish.PublishConfig(
        project_dir=Path(cfg["STAFF_PROJECT_DIR"]), db=Path(cfg["STAFF_DB"]),
        rasa_url=cfg["RASA_URL"], rasa_token=cfg["RASA_TOKEN"],
        actions_url=cfg["PUBLISH_ACTIONS_URL"], heldout=Path(cfg["PUBLISH_HELDOUT"]),
        models_dir=Path(cfg["PUBLISH_MODELS_DIR"]), min_accuracy=float(cfg["PUBLISH_MIN_ACCURACY"]),
        rasa_validate=bool(cfg["PUBLISH_RASA_VALIDATE"]),
        evaluate_before=bool(cfg["PUBLISH_EVAL_BEFORE"]),
        office=current_app.extensions["staff_editor"].project.office)


def _serving_model() -> str | None:
    try:
        return current_app.extensions["rasa"].model_file(timeout=3)
    except RasaUnavailable:
        return None


@bp.get("/publish/")
def publish_page():
    serving = _serving_model()
    pending = publish.model_name(Path(current_app.config["STAFF_PROJECT_DIR"]))
    return render_template("staff/publish.html", job=publish.job_status(staff_db()),
                           serving=serving, pending=pending,
                           up_to_date=bool(serving) and Path(serving).name == pending,
                           min_accuracy=current_app.config["PUBLISH_MIN_ACCURACY"], form=EmptyForm())


def _start():
    try:
        return publish.start_job(publish_config(), current_user().name), None
    except publish.JobRunning as err:
        return None, str(err)


@bp.post("/api/publish")
def publish_start_json():
    job_id, error = _start()
    if error:
        return jsonify({"error": {"code": "job_running", "message": error}}), 409
    return jsonify(publish.job_status(staff_db(), job_id)), 202


@bp.post("/publish/")
def publish_start():
    """The same as the JSON endpoint, for a browser without scripts."""
    _job_id, error = _start()
    flash(error or "再学習・公開を開始しました。", "error" if error else "info")
    return redirect(url_for("staff.publish.publish_page"))


@bp.get("/api/publish/status")
def publish_status_json():
    return jsonify({"job": publish.job_status(staff_db())})


@bp.get("/publish/<int:job_id>/log")
def publish_log(job_id: int):
    """The tools' own last lines of a job, as a text file for a developer (staff see steps)."""
    log = publish.job_log(staff_db(), job_id)
    if log is None:
        abort(404)
    return Response(log + "\n", mimetype="text/plain", headers={
        "Content-Disposition": f"attachment; filename=publish-{job_id}.log"})
