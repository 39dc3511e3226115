"""The inbox: questions the guide could not answer well, to assign as examples or dismiss."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for

from back_office import inbox
from back_office.editing import EditError
from kiosk_ui.staff.auth import current_user
from kiosk_ui.staff.forms import AssignForm, DismissForm
from kiosk_ui.staff.views_common import editor, open_groups, staff_db

bp = Blueprint("inbox", __name__)

KEYS = re.compile(r"^[0-9a-f]{16}(,[0-9a-f]{16})*$")
SENDER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _assign_form(group: inbox.Group | None = None, choices=None) -> AssignForm:
    form = AssignForm(formdata=None,
                      data={"key": ",".join(group.keys), "text": group.text} if group else None)
    form.intent.choices = choices or editor().assignable_intents()
    return form


@bp.get("/inbox/")
def inbox_page():
    groups = open_groups()
    choices = editor().assignable_intents()
    rows = [(g, _assign_form(g, choices), DismissForm(formdata=None, data={"key": ",".join(g.keys)}))
            for g in groups]
    return render_template("staff/inbox.html", rows=rows,
                           decisions=inbox.decisions(staff_db(), limit=20),
                           threshold=current_app.config["INBOX_CONFIDENCE"])


@bp.post("/inbox/assign")
def inbox_assign():
    form = AssignForm()
    form.intent.choices = editor().assignable_intents()
    if not form.validate() or not KEYS.match(form.key.data or ""):
        flash("登録先と例文を確認してください。", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    text = form.text.data.strip()
    if "［" in text:
        flash("伏せ字（［電話番号］など）を含む文は例文にできません。文を直してから登録してください。", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    try:
        editor().add_example(form.intent.data, text, current_user().name)
    except EditError as err:
        flash(f"登録できませんでした: {err}", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    inbox.record_decision(staff_db(), form.key.data.split(","), text, "assigned",
                          current_user().name, form.intent.data)
    flash(f"「{text}」を {form.intent.data} の例文に追加しました。"
          "会話に反映するには「再学習・公開」を行ってください。")
    return redirect(url_for("staff.inbox.inbox_page"))


@bp.post("/inbox/dismiss")
def inbox_dismiss():
    form = DismissForm()
    if not form.validate() or not KEYS.match(form.key.data or ""):
        abort(400)
    groups = {k: g for g in open_groups() for k in g.keys}
    first = form.key.data.split(",")[0]
    text = groups[first].text if first in groups else ""
    inbox.record_decision(staff_db(), form.key.data.split(","), text, "dismissed",
                          current_user().name)
    flash("対応不要として記録しました。")
    return redirect(url_for("staff.inbox.inbox_page"))


@bp.get("/conversations/<sender_id>")
def conversation(sender_id: str):
    if not SENDER.match(sender_id):
        abort(404)
    lines = inbox.conversation(current_app.config["TRACKER_STORE"], sender_id)
    return render_template("staff/conversation.html", sender_id=sender_id, lines=lines)
