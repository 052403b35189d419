"""The question-type registry: one small class per type.

Each class knows its WTForms fields (named after the question key, so they are stable across versions),
how to read a posted answer (value, none, N/A or blank) with Thai messages, how to fill the form back from
a stored answer, and how to show an answer as text. Aggregation per type lives in the reports package.
What all types share is in type_base.py; the rating types in scale_types.py.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from wtforms import (
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import gettext, pick
from survey_app.core.text import clean_line, clean_text
from survey_app.core.thai import BEDateError, be_date_text, display_date, parse_be_date
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, AnswerState
from survey_app.forms_engine.none_words import looks_like_none
from survey_app.forms_engine.parsing import parse_number
from survey_app.forms_engine.scale_types import PairedRatingType, RatingType
from survey_app.forms_engine.type_base import (
    NA_LABEL,
    NA_VALUE,
    NONE_VALUE,
    QuestionType,
    ReadResult,
    explicit_flags,
    flag_data,
    flag_fields,
    none_label,
)


class SingleChoiceType(QuestionType):
    name = "single_choice"

    def choices(self, q: s.SingleChoice) -> list[tuple[str, str]]:
        choices = [(o.value, o.label.th) for o in q.options]
        if q.none_label is not None:
            choices.append((NONE_VALUE, q.none_label.th))
        if q.allow_na:
            choices.append((NA_VALUE, gettext(NA_LABEL)))
        return choices

    def make_fields(self, q: s.SingleChoice, defn: s.FormDefinition) -> dict[str, UnboundField]:
        field_class = SelectField if q.display == "select" else RadioField
        choices = self.choices(q)
        if field_class is SelectField:
            choices = [("", gettext("— เลือก —")), *choices]
        return {q.key: field_class(q.label.th, choices=select_choices(choices), validate_choice=False)}

    def read(self, q: s.SingleChoice, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        value = data.get(q.key)
        if value in (None, "", "None"):
            return ReadResult()
        allowed = {v for v, _ in self.choices(q)}
        if value not in allowed:
            return ReadResult(errors=[gettext("ตัวเลือกนี้ไม่มีในรายการ กรุณาเลือกใหม่")])
        if value == NONE_VALUE:
            return ReadResult(NONE_ANSWER)
        if value == NA_VALUE:
            return ReadResult(NA_ANSWER)
        return ReadResult(Answer.of(value))

    def form_data(self, q: s.SingleChoice, answer: Answer | None) -> dict[str, Any]:
        if answer is None:
            return {q.key: None}
        return {q.key: {AnswerState.NONE: NONE_VALUE, AnswerState.NA: NA_VALUE}.get(answer.state, answer.value)}

    def display_value(self, q: s.SingleChoice, value: Any) -> str:
        return next((pick(o.label.th, o.label.en) for o in q.options if o.value == value), str(value))


class MultipleChoiceType(SingleChoiceType):
    name = "multiple_choice"

    def make_fields(self, q: s.MultipleChoice, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: SelectMultipleField(q.label.th, choices=select_choices(self.choices(q)), validate_choice=False)}

    def read(self, q: s.MultipleChoice, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        values = [v for v in (data.get(q.key) or []) if v]
        if not values:
            return ReadResult()
        allowed = {v for v, _ in self.choices(q)}
        if any(v not in allowed for v in values):
            return ReadResult(errors=[gettext("มีตัวเลือกที่ไม่อยู่ในรายการ กรุณาเลือกใหม่")])
        specials = [v for v in values if v in (NONE_VALUE, NA_VALUE)]
        if specials and len(values) > 1:
            word = none_label(q) if NONE_VALUE in specials else "N/A"
            return ReadResult(errors=[gettext('เลือก "{word}" ร่วมกับตัวเลือกอื่นไม่ได้', word=word)])
        if specials:
            return ReadResult(NONE_ANSWER if specials[0] == NONE_VALUE else NA_ANSWER)
        chosen = [o.value for o in q.options if o.value in values]  # definition order, no duplicates
        if q.min_choices and len(chosen) < q.min_choices:
            return ReadResult(errors=[gettext("เลือกอย่างน้อย {n} ข้อ", n=q.min_choices)])
        if q.max_choices and len(chosen) > q.max_choices:
            return ReadResult(errors=[gettext("เลือกได้ไม่เกิน {n} ข้อ", n=q.max_choices)])
        return ReadResult(Answer.of(chosen))

    def form_data(self, q: s.MultipleChoice, answer: Answer | None) -> dict[str, Any]:
        if answer is None:
            return {q.key: []}
        if answer.state != AnswerState.VALUE:
            return {q.key: [NONE_VALUE if answer.state == AnswerState.NONE else NA_VALUE]}
        return {q.key: list(answer.value)}

    def display_value(self, q: s.MultipleChoice, value: Any) -> str:
        labels = {o.value: pick(o.label.th, o.label.en) for o in q.options}
        return ", ".join(labels.get(v, str(v)) for v in value)


class TextType(QuestionType):
    name = "text"
    multiline = False

    def make_fields(self, q: s.ShortText | s.LongText, defn: s.FormDefinition) -> dict[str, UnboundField]:
        field_class = TextAreaField if self.multiline else StringField
        return {q.key: field_class(q.label.th), **flag_fields(q)}

    def read(self, q: s.ShortText | s.LongText, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        text = (clean_text if self.multiline else clean_line)(data.get(q.key)) or ""
        flagged = explicit_flags(q, data, bool(text))
        if flagged is not None:
            return flagged
        if not text:
            return ReadResult()
        if len(text) > q.max_length:
            return ReadResult(
                errors=[
                    gettext(
                        "ยาวเกิน {limit} ตัวอักษร (พิมพ์ไว้ {typed} ตัวอักษร)",
                        limit=f"{q.max_length:,}",
                        typed=f"{len(text):,}",
                    )
                ]
            )
        pattern = getattr(q, "pattern", None)
        if pattern and not re.fullmatch(pattern, text):
            message = getattr(q, "pattern_message", None)
            return ReadResult(errors=[pick(message.th, message.en) if message else gettext("รูปแบบคำตอบไม่ถูกต้อง")])
        return ReadResult(Answer.of(text))

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: value, **flag_data(q, answer)}

    def typed_none(self, q: s.ShortText | s.LongText, answer: Answer) -> bool:
        return q.allow_none and answer.has_value and looks_like_none(answer.value)


class LongTextType(TextType):
    name = "long_text"
    multiline = True


class IntegerType(QuestionType):
    name = "integer"
    integer = True

    def make_fields(self, q: s.IntegerQuestion | s.DecimalQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: StringField(q.label.th), **flag_fields(q)}

    def read(
        self, q: s.IntegerQuestion | s.DecimalQuestion, data: dict[str, Any], defn: s.FormDefinition
    ) -> ReadResult:
        text = clean_line(data.get(q.key)) or ""
        flagged = explicit_flags(q, data, bool(text))
        if flagged is not None:
            return flagged
        if not text:
            return ReadResult()
        number, error = parse_number(text, integer=self.integer)
        if error or number is None:
            return ReadResult(errors=[error or gettext("กรุณากรอกเป็นตัวเลข")])
        if q.min is not None and number < Decimal(str(q.min)):
            return ReadResult(errors=[gettext("ต้องไม่น้อยกว่า {n}", n=f"{q.min:,}")])
        if q.max is not None and number > Decimal(str(q.max)):
            return ReadResult(errors=[gettext("ต้องไม่เกิน {n}", n=f"{q.max:,}")])
        return ReadResult(Answer.of(self.to_json(q, number)))

    def to_json(self, q: s.Question, number: Decimal) -> int | float:
        return int(number)

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: "" if value == "" else str(value), **flag_data(q, answer)}

    def display_value(self, q: s.IntegerQuestion | s.DecimalQuestion, value: Any) -> str:
        unit = f" {pick(q.unit.th, q.unit.en)}" if q.unit else ""
        decimals = getattr(q, "decimals", 0) if not self.integer else 0
        return f"{value:,.{decimals}f}{unit}"


class DecimalType(IntegerType):
    name = "decimal"
    integer = False

    def to_json(self, q: s.DecimalQuestion, number: Decimal) -> float:
        value = float(round(number, q.decimals))
        return 0.0 if value == 0 else value  # no "-0.0"


class DateType(QuestionType):
    name = "date"

    def make_fields(self, q: s.DateQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: StringField(q.label.th), **flag_fields(q)}

    def read(self, q: s.DateQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        text = clean_line(data.get(q.key)) or ""
        flagged = explicit_flags(q, data, bool(text))
        if flagged is not None:
            return flagged
        if not text:
            return ReadResult()
        try:
            day = parse_be_date(text)
        except BEDateError as exc:
            return ReadResult(errors=[str(exc)])
        if q.min and day < q.min:
            return ReadResult(errors=[gettext("ต้องไม่ก่อน {day}", day=display_date(q.min))])
        if q.max and day > q.max:
            return ReadResult(errors=[gettext("ต้องไม่หลัง {day}", day=display_date(q.max))])
        return ReadResult(Answer.of(day.isoformat()))

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        """The stored ISO day shown as the field is typed: วว/ดด/ปปปป in the Buddhist Era."""
        value = be_date_text(date.fromisoformat(answer.value)) if answer is not None and answer.has_value else ""
        return {q.key: value, **flag_data(q, answer)}

    def display_value(self, q: s.Question, value: Any) -> str:
        return display_date(date.fromisoformat(value), short=False)


class FileType(QuestionType):
    """Files arrive as uploads; storing them is the responses package's job. The stored value is a list of
    {"id", "name", "size"} records."""

    name = "file"

    def make_fields(self, q: s.FileQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: MultipleFileField(q.label.th), **flag_fields(q)}

    def read(self, q: s.FileQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        if q.allow_na and data.get(f"{q.key}__na"):
            return ReadResult(NA_ANSWER)
        files = [f for f in (data.get(q.key) or []) if getattr(f, "filename", "")]
        if not files:
            return ReadResult(unchanged=True)
        if len(files) > q.max_files:
            return ReadResult(errors=[gettext("แนบได้ไม่เกิน {n} ไฟล์", n=q.max_files)])
        return ReadResult(Answer.of(files))  # FileStorage objects, replaced by stored records by the caller

    def display_value(self, q: s.Question, value: Any) -> str:
        return ", ".join(str(item.get("name", "")) for item in value) if isinstance(value, list) else "-"


class InfoType(QuestionType):
    name = "info"
    has_input = False


REGISTRY: dict[str, QuestionType] = {
    t.name: t
    for t in (
        SingleChoiceType(), MultipleChoiceType(), TextType(), LongTextType(), IntegerType(), DecimalType(),
        DateType(), FileType(), RatingType(), PairedRatingType(), InfoType(),
    )
}  # fmt: skip


def question_type(q: s.Question) -> QuestionType:
    return REGISTRY[q.type]
