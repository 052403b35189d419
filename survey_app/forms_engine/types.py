"""The question-type registry: one small class per type.

Each class knows its WTForms fields (named after the question key, so they are stable across versions),
how to read a posted answer (value, none, N/A or blank) with Thai messages, how to fill the form back from
a stored answer, and how to show an answer as text. Aggregation per type lives in the reports package.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField

from survey_app.core.text import clean_line, clean_text
from survey_app.core.thai import arabic_digits, thai_date
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, AnswerState
from survey_app.forms_engine.parsing import parse_date, parse_number

NONE_VALUE = "__none__"
NA_VALUE = "__na__"
NA_LABEL = "N/A (ยังไม่มีข้อมูล)"
NONE_TEXT_LABEL = "ไม่มี"
BLANK = None  # a read that found nothing typed: the question becomes unanswered


class ReadResult:
    """What a posted form said about one question: an answer (or BLANK) and any Thai errors."""

    __slots__ = ("answer", "errors", "unchanged")

    def __init__(self, answer: Answer | None = BLANK, errors: list[str] | None = None, *, unchanged: bool = False):
        self.answer = answer
        self.errors = errors or []
        self.unchanged = unchanged  # files: nothing new uploaded, keep what is stored


class QuestionType:
    """Base of every type; subclasses override what differs."""

    name: ClassVar[str] = ""
    has_input: ClassVar[bool] = True

    def make_fields(self, q: s.Question, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {}

    def read(self, q: s.Question, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        return ReadResult()

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        return {}

    def display(self, q: s.Question, answer: Answer | None) -> str:
        if answer is None:
            return "-"
        if answer.state == AnswerState.NONE:
            return _none_label(q)
        if answer.state == AnswerState.NA:
            return "N/A"
        return self.display_value(q, answer.value)

    def display_value(self, q: s.Question, value: Any) -> str:
        return str(value)


def _none_label(q: s.Question) -> str:
    if isinstance(q, s.ChoiceBase) and q.none_label is not None:
        return q.none_label.th
    return NONE_TEXT_LABEL


def _explicit_flags(q: s.Question, data: dict[str, Any], has_input: bool) -> ReadResult | None:
    """The none / N/A checkboxes of text, number and date questions; both, or either with a value, is an error."""
    none = bool(getattr(q, "allow_none", False) and data.get(f"{q.key}__none"))
    na = bool(q.allow_na and data.get(f"{q.key}__na"))
    if none and na:
        return ReadResult(errors=['เลือก "ไม่มี" และ "N/A" พร้อมกันไม่ได้'])
    if (none or na) and has_input:
        word = "ไม่มี" if none else "N/A"
        return ReadResult(errors=[f'เลือก "{word}" แล้ว ต้องไม่กรอกคำตอบในช่อง (ลบคำตอบ หรือยกเลิก "{word}")'])
    if none:
        return ReadResult(NONE_ANSWER)
    if na:
        return ReadResult(NA_ANSWER)
    return None


def _flag_fields(q: s.Question) -> dict[str, UnboundField]:
    fields: dict[str, UnboundField] = {}
    if getattr(q, "allow_none", False):
        fields[f"{q.key}__none"] = BooleanField(NONE_TEXT_LABEL)
    if q.allow_na:
        fields[f"{q.key}__na"] = BooleanField(NA_LABEL)
    return fields


def _flag_data(q: s.Question, answer: Answer | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if getattr(q, "allow_none", False):
        data[f"{q.key}__none"] = answer is not None and answer.state == AnswerState.NONE
    if q.allow_na:
        data[f"{q.key}__na"] = answer is not None and answer.state == AnswerState.NA
    return data


class SingleChoiceType(QuestionType):
    name = "single_choice"

    def choices(self, q: s.SingleChoice) -> list[tuple[str, str]]:
        choices = [(o.value, o.label.th) for o in q.options]
        if q.none_label is not None:
            choices.append((NONE_VALUE, q.none_label.th))
        if q.allow_na:
            choices.append((NA_VALUE, NA_LABEL))
        return choices

    def make_fields(self, q: s.SingleChoice, defn: s.FormDefinition) -> dict[str, UnboundField]:
        field_class = SelectField if q.display == "select" else RadioField
        choices = self.choices(q)
        if field_class is SelectField:
            choices = [("", "— เลือก —"), *choices]
        return {q.key: field_class(q.label.th, choices=select_choices(choices), validate_choice=False)}

    def read(self, q: s.SingleChoice, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        value = data.get(q.key)
        if value in (None, "", "None"):
            return ReadResult()
        allowed = {v for v, _ in self.choices(q)}
        if value not in allowed:
            return ReadResult(errors=["ตัวเลือกนี้ไม่มีในรายการ กรุณาเลือกใหม่"])
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
        return next((o.label.th for o in q.options if o.value == value), str(value))


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
            return ReadResult(errors=["มีตัวเลือกที่ไม่อยู่ในรายการ กรุณาเลือกใหม่"])
        specials = [v for v in values if v in (NONE_VALUE, NA_VALUE)]
        if specials and len(values) > 1:
            word = _none_label(q) if NONE_VALUE in specials else "N/A"
            return ReadResult(errors=[f'เลือก "{word}" ร่วมกับตัวเลือกอื่นไม่ได้'])
        if specials:
            return ReadResult(NONE_ANSWER if specials[0] == NONE_VALUE else NA_ANSWER)
        chosen = [o.value for o in q.options if o.value in values]  # definition order, no duplicates
        if q.min_choices and len(chosen) < q.min_choices:
            return ReadResult(errors=[f"เลือกอย่างน้อย {q.min_choices} ข้อ"])
        if q.max_choices and len(chosen) > q.max_choices:
            return ReadResult(errors=[f"เลือกได้ไม่เกิน {q.max_choices} ข้อ"])
        return ReadResult(Answer.of(chosen))

    def form_data(self, q: s.MultipleChoice, answer: Answer | None) -> dict[str, Any]:
        if answer is None:
            return {q.key: []}
        if answer.state != AnswerState.VALUE:
            return {q.key: [NONE_VALUE if answer.state == AnswerState.NONE else NA_VALUE]}
        return {q.key: list(answer.value)}

    def display_value(self, q: s.MultipleChoice, value: Any) -> str:
        labels = {o.value: o.label.th for o in q.options}
        return ", ".join(labels.get(v, str(v)) for v in value)


class TextType(QuestionType):
    name = "text"
    multiline = False

    def make_fields(self, q: s.ShortText | s.LongText, defn: s.FormDefinition) -> dict[str, UnboundField]:
        field_class = TextAreaField if self.multiline else StringField
        return {q.key: field_class(q.label.th), **_flag_fields(q)}

    def read(self, q: s.ShortText | s.LongText, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        text = (clean_text if self.multiline else clean_line)(data.get(q.key)) or ""
        flagged = _explicit_flags(q, data, bool(text))
        if flagged is not None:
            return flagged
        if not text:
            return ReadResult()
        if len(text) > q.max_length:
            return ReadResult(errors=[f"ยาวเกิน {q.max_length:,} ตัวอักษร (พิมพ์ไว้ {len(text):,} ตัวอักษร)"])
        pattern = getattr(q, "pattern", None)
        if pattern and not re.fullmatch(pattern, text):
            message = getattr(q, "pattern_message", None)
            return ReadResult(errors=[message.th if message else "รูปแบบคำตอบไม่ถูกต้อง"])
        return ReadResult(Answer.of(text))

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: value, **_flag_data(q, answer)}


class LongTextType(TextType):
    name = "long_text"
    multiline = True


class IntegerType(QuestionType):
    name = "integer"
    integer = True

    def make_fields(self, q: s.IntegerQuestion | s.DecimalQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: StringField(q.label.th), **_flag_fields(q)}

    def read(
        self, q: s.IntegerQuestion | s.DecimalQuestion, data: dict[str, Any], defn: s.FormDefinition
    ) -> ReadResult:
        text = clean_line(data.get(q.key)) or ""
        flagged = _explicit_flags(q, data, bool(text))
        if flagged is not None:
            return flagged
        if not text:
            return ReadResult()
        number, error = parse_number(text, integer=self.integer)
        if error or number is None:
            return ReadResult(errors=[error or "กรุณากรอกเป็นตัวเลข"])
        if q.min is not None and number < Decimal(str(q.min)):
            return ReadResult(errors=[f"ต้องไม่น้อยกว่า {q.min:,}"])
        if q.max is not None and number > Decimal(str(q.max)):
            return ReadResult(errors=[f"ต้องไม่เกิน {q.max:,}"])
        return ReadResult(Answer.of(self.to_json(q, number)))

    def to_json(self, q: s.Question, number: Decimal) -> int | float:
        return int(number)

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: "" if value == "" else str(value), **_flag_data(q, answer)}

    def display_value(self, q: s.IntegerQuestion | s.DecimalQuestion, value: Any) -> str:
        unit = f" {q.unit.th}" if q.unit else ""
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
        return {q.key: StringField(q.label.th), **_flag_fields(q)}

    def read(self, q: s.DateQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        text = clean_line(data.get(q.key)) or ""
        flagged = _explicit_flags(q, data, bool(text))
        if flagged is not None:
            return flagged
        if not text:
            return ReadResult()
        day = parse_date(text)
        if day is None:
            return ReadResult(errors=["วันที่ไม่ถูกต้อง (เลือกจากปฏิทิน หรือพิมพ์ วว/ดด/ปปปป)"])
        if q.min and day < q.min:
            return ReadResult(errors=[f"ต้องไม่ก่อน {thai_date(q.min)}"])
        if q.max and day > q.max:
            return ReadResult(errors=[f"ต้องไม่หลัง {thai_date(q.max)}"])
        return ReadResult(Answer.of(day.isoformat()))

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: value, **_flag_data(q, answer)}

    def display_value(self, q: s.Question, value: Any) -> str:
        return thai_date(date.fromisoformat(value), short=False)


class FileType(QuestionType):
    """Files arrive as uploads; storing them is the responses package's job. The stored value is a list of
    {"id", "name", "size"} records."""

    name = "file"

    def make_fields(self, q: s.FileQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: MultipleFileField(q.label.th), **_flag_fields(q)}

    def read(self, q: s.FileQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        if q.allow_na and data.get(f"{q.key}__na"):
            return ReadResult(NA_ANSWER)
        files = [f for f in (data.get(q.key) or []) if getattr(f, "filename", "")]
        if not files:
            return ReadResult(unchanged=True)
        if len(files) > q.max_files:
            return ReadResult(errors=[f"แนบได้ไม่เกิน {q.max_files} ไฟล์"])
        return ReadResult(Answer.of(files))  # FileStorage objects, replaced by stored records by the caller

    def display_value(self, q: s.Question, value: Any) -> str:
        return ", ".join(str(item.get("name", "")) for item in value) if isinstance(value, list) else "-"


class RatingType(QuestionType):
    name = "rating"

    @staticmethod
    def point_choices(scale: s.Scale) -> list[tuple[str, str]]:
        return [(str(p), scale.labels[p].th if p in scale.labels else str(p)) for p in scale.points()]

    def make_fields(self, q: s.RatingQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        choices = self.point_choices(defn.scales[q.scale])
        if q.allow_na:
            choices.append((NA_VALUE, NA_LABEL))
        return {q.key: RadioField(q.label.th, choices=select_choices(choices), validate_choice=False)}

    def read_point(self, raw: Any, scale: s.Scale) -> tuple[int | None, str | None]:
        if raw in (None, "", "None"):
            return None, None
        try:
            point = int(arabic_digits(str(raw)))
        except ValueError:
            return None, "กรุณาเลือกระดับจากมาตราส่วน"
        if not scale.min <= point <= scale.max:
            return None, f"ระดับต้องอยู่ระหว่าง {scale.min}–{scale.max}"
        return point, None

    def read(self, q: s.RatingQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        raw = data.get(q.key)
        if q.allow_na and raw == NA_VALUE:
            return ReadResult(NA_ANSWER)
        point, error = self.read_point(raw, defn.scales[q.scale])
        if error:
            return ReadResult(errors=[error])
        return ReadResult(Answer.of(point) if point is not None else BLANK)

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        if answer is None:
            return {q.key: None}
        return {q.key: NA_VALUE if answer.state == AnswerState.NA else str(answer.value)}


class PairedRatingType(RatingType):
    name = "paired_rating"

    def make_fields(self, q: s.PairedRating, defn: s.FormDefinition) -> dict[str, UnboundField]:
        choices = self.point_choices(defn.scales[q.scale])
        return {
            f"{q.key}__{r.key}": RadioField(r.label.th, choices=select_choices(choices), validate_choice=False)
            for r in q.ratings
        }

    def read(self, q: s.PairedRating, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        points: dict[str, int] = {}
        for part in q.ratings:
            point, error = self.read_point(data.get(f"{q.key}__{part.key}"), defn.scales[q.scale])
            if error:
                return ReadResult(errors=[f"{part.label.th}: {error}"])
            if point is not None:
                points[part.key] = point
        if not points:
            return ReadResult()
        if len(points) < len(q.ratings):
            missing = [r.label.th for r in q.ratings if r.key not in points]
            return ReadResult(errors=[f"กรุณาให้คะแนนให้ครบทั้งสองด้าน (ยังไม่ได้ให้: {', '.join(missing)})"])
        return ReadResult(Answer.of(points))

    def form_data(self, q: s.PairedRating, answer: Answer | None) -> dict[str, Any]:
        values = answer.value if answer is not None and answer.has_value else {}
        return {f"{q.key}__{r.key}": str(values[r.key]) if r.key in values else None for r in q.ratings}

    def display_value(self, q: s.PairedRating, value: Any) -> str:
        return " / ".join(f"{r.label.th} {value.get(r.key, '-')}" for r in q.ratings)


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
