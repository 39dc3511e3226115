"""The console's forms; field checks here, whole-guide checks in back_office.editing (``guide check``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField,
                     PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import (URL, DataRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from back_office.accounts import ROLE_LABELS

PHONE = Regexp(r"^0\d{1,4}-\d{1,4}-\d{3,4}$", message="電話番号は 045-788-7729 の形で入力してください")
COUNTER = Regexp(r"^[0-9A-Za-z\-]{1,10}$", message="窓口番号は半角英数字10文字以内で入力してください")
NEEDS_SOURCE = "確認済みにするには出典（source）を入力してください"
SOURCE_HINT = "出典（source: どこで確認したか。例: 区のホームページ 2026年12月、総務課が現地で確認）"


def _text(value: str | None) -> str:
    return (value or "").strip()


def lines(text: str | None) -> list[str]:
    """A textarea's non-empty lines, each trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class VersionedForm(FlaskForm):
    # The version of the entry as the editor saw it: a save against a newer one is refused.
    version = HiddenField(validators=[DataRequired()])


class SourcedMixin:
    """A place marked verified says where it was confirmed (the loader refuses it otherwise).

    The source fields have no Optional(): it would end their checks, this one included,
    when they are empty."""

    def validate_source(self, field):
        if self.verified.data and not _text(field.data):
            raise ValidationError(NEEDS_SOURCE)


class FloorsMixin:
    """The floor must be one of the building's floors."""

    def validate_floor(self, field):
        if field.data is not None and self.floors and field.data not in self.floors:
            raise ValidationError(f"階は {', '.join(map(str, self.floors))} のいずれかです")


class DeskForm(SourcedMixin, Form):
    name = HiddenField()
    floor = IntegerField("階", validators=[Optional(), NumberRange(min=1, max=20)])
    counter = StringField("窓口番号", validators=[Optional(), COUNTER])
    phone = StringField("電話番号", validators=[Optional(), PHONE])
    verified = BooleanField("確認済み")
    source = StringField("出典", validators=[Length(max=200)])


class SectionForm(SourcedMixin, FloorsMixin, VersionedForm):
    floor = IntegerField("階", validators=[Optional(), NumberRange(min=1, max=20)])
    counter = StringField("窓口番号", validators=[Optional(), COUNTER])
    phone = StringField("電話番号", validators=[Optional(), PHONE])
    verified = BooleanField("窓口の場所を職員が確認済み")
    source = StringField(SOURCE_HINT, validators=[Length(max=200)])
    desks = FieldList(FormField(DeskForm))

    def __init__(self, *args, floors: tuple[int, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.floors = floors

    def values(self) -> dict:
        return {"floor": self.floor.data, "counter": _text(self.counter.data) or None,
                "phone": _text(self.phone.data) or None, "verified": bool(self.verified.data),
                "source": _text(self.source.data) or None,
                "desks": [{"name": d.form.name.data, "floor": d.form.floor.data,
                           "counter": _text(d.form.counter.data) or None,
                           "phone": _text(d.form.phone.data) or None,
                           "verified": bool(d.form.verified.data),
                           "source": _text(d.form.source.data) or None} for d in self.desks]}


class FacilityForm(SourcedMixin, FloorsMixin, VersionedForm):
    floor = IntegerField("階", validators=[DataRequired(), NumberRange(min=1, max=20)])
    where = StringField("場所の説明", validators=[DataRequired(), Length(max=200)])
    verified = BooleanField("場所を職員が確認済み")
    source = StringField(SOURCE_HINT, validators=[Length(max=200)])

    def __init__(self, *args, floors: tuple[int, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.floors = floors

    def values(self) -> dict:
        return {"floor": self.floor.data, "where": _text(self.where.data),
                "verified": bool(self.verified.data), "source": _text(self.source.data) or None}


class ProcedureForm(VersionedForm):
    section = SelectField("担当の課", validators=[DataRequired()])
    desk = StringField("係・担当（任意）", validators=[Optional(), Length(max=40)])
    synonyms = TextAreaField("来庁者が使う言葉（1行に1つ）", validators=[DataRequired()])
    bring = TextAreaField("持ち物（1行に1つ）")
    fee = StringField("手数料", validators=[Optional(), Length(max=100)])
    note = TextAreaField("補足", validators=[Optional(), Length(max=500)])
    verified = BooleanField("持ち物・手数料を職員が確認済み")

    def values(self) -> dict:
        return {"section": self.section.data, "desk": _text(self.desk.data) or None,
                "synonyms": lines(self.synonyms.data), "bring": lines(self.bring.data),
                "fee": _text(self.fee.data) or None, "note": _text(self.note.data) or None,
                "verified": bool(self.verified.data)}


class RedirectForm(VersionedForm):
    name = StringField("案内先", validators=[DataRequired(), Length(max=100)])
    phone = StringField("電話番号", validators=[Optional(), PHONE])
    url = StringField("ウェブサイト", validators=[Optional(), URL(message="URL の形ではありません")])
    note = TextAreaField("補足", validators=[Optional(), Length(max=500)])
    synonyms = TextAreaField("来庁者が使う言葉（1行に1つ）", validators=[DataRequired()])

    def values(self) -> dict:
        return {"name": _text(self.name.data), "phone": _text(self.phone.data) or None,
                "url": _text(self.url.data) or None, "note": _text(self.note.data) or None,
                "synonyms": lines(self.synonyms.data)}


class ProgramForm(VersionedForm):
    section = SelectField("担当の課", validators=[DataRequired()])
    text = TextAreaField("回答する本文", validators=[DataRequired(), Length(max=2000)])
    synonyms = TextAreaField("来庁者が使う言葉（1行に1つ）", validators=[DataRequired()])

    def values(self) -> dict:
        return {"section": self.section.data, "text": " ".join(lines(self.text.data)),
                "synonyms": lines(self.synonyms.data)}


FORMS = {"section": SectionForm, "procedure": ProcedureForm, "redirect": RedirectForm,
         "program": ProgramForm, "facility": FacilityForm}


class ResponseForm(VersionedForm):
    text = TextAreaField("応答文", validators=[DataRequired(), Length(max=1000)])


class ExamplesForm(VersionedForm):
    examples = TextAreaField("例文（1行に1つ）")


class AssignForm(FlaskForm):
    """No default target: a guess (intent) or a search-list label (search), chosen by staff."""

    key = HiddenField(validators=[DataRequired()])
    intent = StringField("ガイドの推測", validators=[Optional(), Length(max=200)])
    search = StringField("一覧から探す（名前で検索）", validators=[Optional(), Length(max=300)])
    text = StringField("例文として登録する文", validators=[DataRequired(), Length(max=200)])


class DismissForm(FlaskForm):
    key = HiddenField(validators=[DataRequired()])


class UserForm(FlaskForm):
    name = StringField("ユーザー名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("初期パスワード（10文字以上）", validators=[DataRequired(), Length(min=10)])
    role = SelectField("役割", choices=list(ROLE_LABELS.items()))


class UserUpdateForm(FlaskForm):
    role = SelectField("役割", choices=list(ROLE_LABELS.items()))
    active = BooleanField("有効")
    password = PasswordField("新しいパスワード（変更する場合）",
                             validators=[Optional(), Length(min=10)])


class EmptyForm(FlaskForm):
    """A button-only form (revert, mark handled, publish): the CSRF token is its content."""


class TranslationForm(VersionedForm):
    """The reviewed mark of one translation; its fields (title, bring, …) vary by entry and
    are read from the request as ``field-<name>`` (lists: one item per line)."""

    reviewed = BooleanField("確認済み（職員が内容を確認しました）")


class VersionForm(FlaskForm):
    """A form whose content is read from the request (plan steps), or a button that removes:
    the version the editor saw, for conflict detection, and the CSRF token."""

    version = HiddenField(validators=[DataRequired()])


class GarbageItemForm(FlaskForm):
    name = StringField("品目名", validators=[DataRequired(), Length(max=100)])
    reading = StringField("読み（ひらがな）", validators=[Optional(), Length(max=100)])
    synonyms = TextAreaField("言い換え・別名（1行に1つ）", validators=[Optional(), Length(max=2000)])
    category = SelectField("分別区分", validators=[DataRequired(message="分別区分を選んでください")])
    note = TextAreaField("補足", validators=[Optional(), Length(max=500)])
    source = SelectMultipleField("出典（市のページ）", validators=[Optional()])
    verified = BooleanField("確認済み（出典に載っている）")
    version = HiddenField()
