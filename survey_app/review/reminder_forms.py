"""Forms of the reminders page: who (previewed by GET), send (POST), and the round's schedule (POST)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from survey_app.core.i18n import gettext, lazy_gettext
from survey_app.core.thai import arabic_digits
from survey_app.core.web import select_choices
from survey_app.review.reminder_schedule import DAYS_MAX
from survey_app.review.reminders import AUDIENCES

DAYS_DEFAULT = 3
SCHEDULE_MAX_DAYS = 5  # a handful of reminders per round; more is nagging


class AudienceField(RadioField):
    """The audience radio buttons; a value not offered is refused in Thai."""

    def pre_validate(self, form: object) -> None:
        if self.data not in AUDIENCES:
            raise ValidationError(gettext("กรุณาเลือกว่าจะเตือนใคร"))


class DaysField(IntegerField):
    """A whole number of days; what cannot be read is refused in Thai (Thai digits are read)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.raw_data = valuelist
        try:
            self.data = int(arabic_digits(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError(gettext("กรุณาใส่จำนวนวันเป็นตัวเลข")) from None


class ReminderChoiceForm(FlaskForm):
    """Who to remind; read from the query string for the preview, posted again (with CSRF) to send."""

    audience = AudienceField(
        lazy_gettext("เตือนใคร"),
        choices=select_choices(list(AUDIENCES.items())),
        default="unsent",
        validators=[InputRequired(lazy_gettext("กรุณาเลือกว่าจะเตือนใคร"))],
    )
    days = DaysField(
        lazy_gettext("ภายในกี่วันก่อนกำหนดส่ง"),
        default=DAYS_DEFAULT,
        validators=[
            InputRequired(lazy_gettext("กรุณาใส่จำนวนวันเป็นตัวเลข")),
            NumberRange(0, DAYS_MAX, lazy_gettext("จำนวนวันต้องอยู่ระหว่าง 0 ถึง 90")),
        ],
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args: object, preview: bool = False, **kwargs: object) -> None:
        if preview:  # a GET form: no token, nothing changes
            kwargs["meta"] = {"csrf": False}
        super().__init__(*args, **kwargs)


def parse_days(text: str) -> list[int]:
    """'7, 1' (Thai digits too) -> [7, 1]; ValueError with a Thai message when it cannot be read."""
    parts = [p for p in arabic_digits(text or "").replace(",", " ").split() if p]
    if not all(p.isdigit() for p in parts):
        raise ValueError(gettext("พิมพ์จำนวนวันเป็นตัวเลข คั่นด้วยจุลภาค เช่น 7, 1"))
    days = sorted({int(p) for p in parts}, reverse=True)
    if any(not 1 <= d <= DAYS_MAX for d in days):
        raise ValueError(gettext("จำนวนวันต้องอยู่ระหว่าง 1 ถึง 90"))
    if len(days) > SCHEDULE_MAX_DAYS:
        raise ValueError(gettext("ตั้งได้ไม่เกิน 5 ครั้งต่อรอบ"))
    return days


class ScheduleForm(FlaskForm):
    """'Remind N days before the deadline': one or more numbers; empty turns the schedule off."""

    remind_days = StringField(
        lazy_gettext("เตือนอัตโนมัติก่อนกำหนดส่ง (วัน)"),
        render_kw={"inputmode": "numeric", "placeholder": "7, 1", "maxlength": 40},
    )

    def validate_remind_days(self, field: StringField) -> None:
        if len(field.data or "") > 40:
            raise ValidationError(gettext("พิมพ์จำนวนวันเป็นตัวเลข คั่นด้วยจุลภาค เช่น 7, 1"))
        try:
            parse_days(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    @property
    def parsed(self) -> list[int]:
        return parse_days(self.remind_days.data or "")
