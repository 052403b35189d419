"""Forms for opening rounds and extending deadlines (dates typed in Bangkok time)."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from survey_app.core.i18n import gettext, lazy_gettext
from survey_app.core.text import clean_line, clean_text
from survey_app.core.thai import BANGKOK
from survey_app.rounds.models import Identity, RoundPeriod


def parse_local(value: str | None) -> datetime | None:
    """'2026-11-21T16:30' typed in a datetime-local field, read as Bangkok time."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=BANGKOK)
    except ValueError:
        return None


class LocalDateTime(StringField):
    """A datetime-local input whose data is an aware datetime in Bangkok."""

    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_local(self.raw)
        if self.raw and self.data is None:
            raise ValueError(gettext("วันเวลาไม่ถูกต้อง"))

    def _value(self) -> str:
        return self.data.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M") if isinstance(self.data, datetime) else ""


class OpenRoundForm(FlaskForm):
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
    period = SelectField(lazy_gettext("รอบของปีงบประมาณ"), default=RoundPeriod.ANNUAL.value)
    title = StringField(
        lazy_gettext("ชื่อรอบ"),
        validators=[DataRequired(lazy_gettext("กรอกชื่อรอบ")), Length(max=255)],
        filters=[clean_line],
    )
    opens_at = LocalDateTime(
        lazy_gettext("เปิดรับ (เวลาประเทศไทย)"), validators=[DataRequired(lazy_gettext("กรอกวันเวลาเปิดรับ"))]
    )
    closes_at = LocalDateTime(
        lazy_gettext("กำหนดส่ง (เวลาประเทศไทย)"), validators=[DataRequired(lazy_gettext("กรอกวันเวลากำหนดส่ง"))]
    )
    late_policy = RadioField(lazy_gettext("การส่งหลังกำหนด"), default="accept")
    kinds = SelectMultipleField(
        lazy_gettext("ประเภทหน่วยงานที่ต้องตอบ"), validators=[DataRequired(lazy_gettext("เลือกอย่างน้อย 1 ประเภท"))]
    )
    identity = SelectField(lazy_gettext("การระบุตัวผู้ตอบ (แบบสอบถามรายบุคคล)"), default=Identity.ANONYMOUS.value)

    def validate_closes_at(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(gettext("กำหนดส่งต้องอยู่หลังวันเปิดรับ"))


class ExtendForm(FlaskForm):
    unit_code = StringField(
        lazy_gettext("รหัสหน่วยงาน"), validators=[DataRequired(lazy_gettext("กรอกรหัสหน่วยงาน"))], filters=[clean_line]
    )
    new_deadline = LocalDateTime(
        lazy_gettext("กำหนดส่งใหม่ (เวลาประเทศไทย)"), validators=[DataRequired(lazy_gettext("กรอกกำหนดส่งใหม่"))]
    )
    reason = TextAreaField(
        lazy_gettext("เหตุผล"),
        validators=[DataRequired(lazy_gettext("กรุณาระบุเหตุผล")), Length(max=1000)],
        filters=[clean_text],
    )
