"""The inbox: questions the guide could not answer well, to assign as examples or dismiss."""

from __future__ import annotations

import re

from typing import Optional

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for

from back_office import inbox
from back_office.editing import EditError
from bot.rasa_client import RasaClient
from kiosk_ui.staff.auth import current_user
from kiosk_ui.staff.forms import AssignForm, DismissForm
from kiosk_ui.staff.views_common import editor, open_groups, staff_db

bp = Blueprint("inbox", __name__)

KEYS = re.compile(r"^[0-9a-f]{16}(,[0-9a-f]{16})*$")
SENDER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# The inbox asks Rasa for guesses once per question group: never wait long for it.
GUESS_TIMEOUT = 3.0


def _assign_form(group: inbox.Group) -> AssignForm:
    return AssignForm(formdata=None, data={"key": ",".join(group.keys), "text": group.text})


def _guesser() -> RasaClient:
    cfg = current_app.config
    return RasaClient(cfg["RASA_URL"], cfg["RASA_TOKEN"],
                      timeout=min(GUESS_TIMEOUT, float(cfg.get("RASA_TIMEOUT") or GUESS_TIMEOUT)))


@bp.get("/inbox/")
def inbox_page():
    groups = open_groups()
    choices = editor().assignable_intents()
    assignable = dict(choices)
    rasa: Optional[RasaClient] = _guesser()
    rows = []
    for g in groups:
        guesses = inbox.best_guesses(rasa, g.text, assignable) if rasa is not None else None
        if guesses is None:
            rasa = None  # down: the other groups go without guesses at once
        rows.append((g, _assign_form(g), guesses or [],
                     DismissForm(formdata=None, data={"key": ",".join(g.keys)})))
    return render_template("staff/inbox.html", rows=rows, options=sorted(choices, key=lambda c: c[1]),
                           guesses_available=rasa is not None,
                           decisions=inbox.decisions(staff_db(), limit=20),
                           threshold=current_app.config["INBOX_CONFIDENCE"])


def _chosen_intent(form: AssignForm) -> tuple[Optional[str], str]:
    """The target staff chose (a guess or a search-list label), or why there is none."""
    choices = dict(editor().assignable_intents())
    guess = (form.intent.data or "").strip()
    search = (form.search.data or "").strip()
    from_search = None
    if search:
        by_label = {label: intent for intent, label in choices.items()}
        from_search = by_label.get(search) or (search if search in choices else None)
        if from_search is None:
            return None, f"登録先「{search}」は一覧にありません。一覧の候補から選んでください。"
    if guess and guess not in choices:
        return None, f"登録先 {guess!r} はありません。"
    if guess and from_search and guess != from_search:
        return None, "ガイドの推測と一覧の両方で、違う登録先が選ばれています。どちらか一つにしてください。"
    chosen = from_search or guess
    if not chosen:
        return None, "登録先を選んでください（ガイドの推測か、一覧から）。"
    return chosen, ""


@bp.post("/inbox/assign")
def inbox_assign():
    form = AssignForm()
    if not form.validate() or not KEYS.match(form.key.data or ""):
        flash("登録先と例文を確認してください。", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    intent, problem = _chosen_intent(form)
    if intent is None:
        flash(f"{problem}何も登録していません。", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    text = form.text.data.strip()
    if "［" in text:
        flash("伏せ字（［電話番号］など）を含む文は例文にできません。文を直してから登録してください。", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    try:
        editor().add_example(intent, text, current_user().name)
    except EditError as err:
        flash(f"登録できませんでした: {err}", "error")
        return redirect(url_for("staff.inbox.inbox_page"))
    inbox.record_decision(staff_db(), form.key.data.split(","), text, "assigned",
                          current_user().name, intent)
    flash(f"「{text}」を {dict(editor().assignable_intents())[intent]} の例文に追加しました。"
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
