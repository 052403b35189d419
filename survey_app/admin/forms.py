"""The audit page's filters (a GET form: no CSRF for a read). Dates are typed in the Buddhist Era."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from survey_app.core.i18n import lazy_gettext
from survey_app.core.text import clean_line
from survey_app.core.thai import BE_DATE_HINT, BEDateError, parse_be_date


class BEDate(StringField):
    """A date typed as วว/ดด/ปปปป (พ.ศ.); `date` holds the day read, the field keeps what was typed."""

    date: date | None = None

    def pre_validate(self, form: object) -> None:
        self.date = None
        if self.data:
            try:
                self.date = parse_be_date(self.data)
            except BEDateError as exc:
                raise ValidationError(str(exc)) from None


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit = StringField(
        lazy_gettext("หน่วยงาน (รหัสหรือชื่อ)"), validators=[Optional(), Length(max=100)], filters=[clean_line]
    )
    subtree = BooleanField(lazy_gettext("รวมหน่วยงานในสังกัด"))
    user = StringField(lazy_gettext("ผู้ใช้ (ชื่อผู้ใช้หรือชื่อ)"), validators=[Optional(), Length(max=80)], filters=[clean_line])
    action = SelectField(lazy_gettext("การกระทำ"), choices=[], validators=[Optional()], validate_choice=False)
    round = SelectField(lazy_gettext("รอบการรายงาน"), choices=[], validators=[Optional()], validate_choice=False)
    date_from = BEDate(lazy_gettext("ตั้งแต่วันที่ (พ.ศ.)"), validators=[Optional(), Length(max=20)], filters=[clean_line])
    date_to = BEDate(lazy_gettext("ถึงวันที่ (พ.ศ.)"), validators=[Optional(), Length(max=20)], filters=[clean_line])

    def validate_date_to(self, field: BEDate) -> None:
        if self.date_from.date and field.date and field.date < self.date_from.date:
            raise ValidationError(lazy_gettext("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น"))


DATE_HINT = BE_DATE_HINT
