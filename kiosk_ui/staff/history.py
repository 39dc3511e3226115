"""The history of changes made in the console, each with its diff, and undoing one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from back_office.editing import EditConflict, EditError
from bot.guide_data import GuideDataError
from kiosk_ui.staff.auth import current_user
from kiosk_ui.staff.content import saved_message
from kiosk_ui.staff.forms import EmptyForm
from kiosk_ui.staff.views_common import editor


bp = Blueprint("history", __name__)

@bp.get("/history/")
def history():
    return render_template("staff/history.html", changes=editor().changes(limit=300))


@bp.get("/history/<int:change_id>")
def change_detail(change_id: int):
    change = editor().change(change_id)
    if change is None:
        abort(404)
    return render_template("staff/change.html", change=change, form=EmptyForm())


@bp.post("/history/<int:change_id>/revert")
def revert(change_id: int):
    form = EmptyForm()
    change = editor().change(change_id)
    if change is None:
        abort(404)
    if not form.validate():
        abort(400)
    try:
        result = editor().revert(change_id, current_user().name)
    except EditConflict as conflict:
        return render_template("staff/change.html", change=change, form=form,
                               conflict=conflict), 409
    except (EditError, GuideDataError) as err:
        return render_template("staff/change.html", change=change, form=form,
                               error=f"取り消せませんでした: {err}"), 422
    flash(f"変更 #{change_id} を取り消しました（変更 #{result.change.id}）。" + saved_message(result))
    return redirect(url_for("staff.history.change_detail", change_id=result.change.id))
