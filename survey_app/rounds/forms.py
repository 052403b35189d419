"""Forms for opening rounds and extending deadlines (dates typed in Bangkok time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from survey_app.core.i18n import N_, gettext, lazy_gettext
from survey_app.core.text import clean_line, clean_text
from survey_app.core.thai import BANGKOK, BE_DATE_HINT, BEDateError, arabic_digits, be_date_text, parse_be_date
from survey_app.rounds.models import Identity, RoundPeriod

DATETIME_HINT = N_("พิมพ์เป็น วว/ดด/ปปปป ชช:นน ปีพุทธศักราช เวลาประเทศไทย เช่น 30/09/2569 16:30")


def parse_local(value: str | None) -> datetime | None:
    """A moment typed in Bangkok time: '30/09/2569 16:30' (Buddhist Era, as people type it) or
    '2026-09-30T16:30' (ISO, as machines send it). None when nothing was typed; BEDateError (a Thai message
    that says what to type) when it cannot be read, a Christian-Era year in a day/month/year date included."""
    text = " ".join(arabic_digits(value or "").replace("T", " ").split())
    if not text:
        return None
    day_text, _, time_text = text.partition(" ")
    try:
        day = parse_be_date(day_text)
    except BEDateError as exc:  # the date field's hint speaks of a calendar and no time: say what to type here
        raise BEDateError(str(exc).replace(gettext(BE_DATE_HINT), gettext(DATETIME_HINT))) from None
    try:
        hour, minute = (int(p) for p in time_text.replace(".", ":").split(":")[:2]) if time_text else (-1, 0)
        return datetime.combine(day, time(hour, minute), tzinfo=BANGKOK)
    except ValueError:
        raise BEDateError(gettext("เวลาไม่ถูกต้อง: {hint}", hint=gettext(DATETIME_HINT))) from None


class LocalDateTime(StringField):
    """A moment typed as a Buddhist-Era date and a time in Bangkok; data is an aware datetime. What was typed
    is kept on the page when it cannot be read, with the Thai reason beside the field."""

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "")[:40]
        self.data = None
        try:
            self.data = parse_local(self.raw)
        except BEDateError as exc:
            raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if isinstance(self.data, datetime):
            moment = self.data.astimezone(BANGKOK)
            return f"{be_date_text(moment.date())} {moment:%H:%M}"
        return getattr(self, "raw", "") or ""

    def __call__(self, **kwargs: object) -> Markup:
        kwargs.setdefault("placeholder", gettext("วว/ดด/ปปปป ชช:นน"))
        kwargs.setdefault("maxlength", 40)
        return super().__call__(**kwargs)


class RoundFieldsForm(FlaskForm):
    """What opening a round and editing it share: the same fields, the same checks, the same messages."""

    period = SelectField(lazy_gettext("รอบของปีงบประมาณ"), default=RoundPeriod.ANNUAL.value)
    title = StringField(
        lazy_gettext("ชื่อรอบ"),
        validators=[DataRequired(lazy_gettext("กรอกชื่อรอบ")), Length(max=255)],
        filters=[clean_line],
    )
    opens_at = LocalDateTime(
        lazy_gettext("เปิดรับ (เวลาประเทศไทย)"), validators=[InputRequired(lazy_gettext("กรอกวันเวลาเปิดรับ"))]
    )
    closes_at = LocalDateTime(
        lazy_gettext("กำหนดส่ง (เวลาประเทศไทย)"), validators=[InputRequired(lazy_gettext("กรอกวันเวลากำหนดส่ง"))]
    )
    late_policy = RadioField(lazy_gettext("การส่งหลังกำหนด"), default="accept")
    kinds = SelectMultipleField(
        lazy_gettext("ประเภทหน่วยงานที่ต้องตอบ"), validators=[DataRequired(lazy_gettext("เลือกอย่างน้อย 1 ประเภท"))]
    )

    def validate_closes_at(self, field: Field) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(gettext("กำหนดส่งต้องอยู่หลังวันเปิดรับ"))


class OpenRoundForm(RoundFieldsForm):
    form_version = SelectField(
        lazy_gettext("แบบสอบถาม (ฉบับที่เผยแพร่)"), coerce=int, validators=[DataRequired(lazy_gettext("เลือกแบบสอบถาม"))]
    )
    fiscal_year = IntegerField(
        lazy_gettext("ปีงบประมาณ (พ.ศ.)"),
        validators=[
            DataRequired(lazy_gettext("กรอกปีงบประมาณ")),
            NumberRange(2500, 2700, lazy_gettext("ปี พ.ศ. ไม่ถูกต้อง")),
        ],
    )
    identity = SelectField(lazy_gettext("การระบุตัวผู้ตอบ (แบบสอบถามรายบุคคล)"), default=Identity.ANONYMOUS.value)


class EditRoundForm(RoundFieldsForm):
    notes = TextAreaField(lazy_gettext("หมายเหตุ"), validators=[Length(max=2000)], filters=[clean_text])


def _reason(field_id: str) -> TextAreaField:
    """An optional reason; each form on the round page has its own id (one page, several forms)."""
    return TextAreaField(lazy_gettext("เหตุผล (ถ้ามี)"), validators=[Length(max=1000)], filters=[clean_text], id=field_id)


class DeadlineForm(FlaskForm):
    """A new deadline for the whole round (extend, or reopen a closed round)."""

    new_deadline = LocalDateTime(
        lazy_gettext("กำหนดส่งใหม่ของทั้งรอบ (เวลาประเทศไทย)"),
        validators=[InputRequired(lazy_gettext("กรอกกำหนดส่งใหม่"))],
        id="round-new_deadline",
    )
    reason = _reason("round-reason")


class ReasonForm(FlaskForm):
    """A button that changes the round (close early, delete, archive): the CSRF token and an optional reason."""

    reason = _reason("action-reason")


class CloseForm(ReasonForm):
    reason = _reason("close-reason")


class RemoveForm(ReasonForm):
    """Delete or archive (only one of them is offered at a time)."""

    reason = _reason("remove-reason")


class ExtendForm(FlaskForm):
    unit_code = StringField(
        lazy_gettext("รหัสหน่วยงาน"), validators=[DataRequired(lazy_gettext("กรอกรหัสหน่วยงาน"))], filters=[clean_line]
    )
    new_deadline = LocalDateTime(
        lazy_gettext("กำหนดส่งใหม่ (เวลาประเทศไทย)"), validators=[InputRequired(lazy_gettext("กรอกกำหนดส่งใหม่"))]
    )
    reason = TextAreaField(
        lazy_gettext("เหตุผล"),
        validators=[DataRequired(lazy_gettext("กรุณาระบุเหตุผล")), Length(max=1000)],
        filters=[clean_text],
    )


def required_date(field: LocalDateTime) -> datetime | None:
    """The field's moment, or None after giving the field its own "required" error (never a 500)."""
    if field.data is None:
        message = next((v.message for v in field.validators if isinstance(v, DataRequired | InputRequired)), None)
        field.errors = [*field.errors, str(message or gettext("วันเวลาไม่ถูกต้อง"))]
    return field.data
