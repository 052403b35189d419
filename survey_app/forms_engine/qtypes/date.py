"""Date questions: a day typed as วว/ดด/ปปปป in the Buddhist Era, stored as an ISO day."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from wtforms import StringField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import gettext
from survey_app.core.text import clean_line
from survey_app.core.thai import BEDateError, be_date_text, display_date, parse_be_date, thai_date
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.qtypes.base import (
    QuestionType,
    ReadResult,
    explicit_flags,
    flag_data,
    flag_fields,
    register,
)
from survey_app.forms_engine.qtypes.text import listed_answers
from survey_app.forms_engine.results import AnswerData, QuestionResult


@register
class DateType(QuestionType[s.DateQuestion]):
    name = "date"
    hints = ("fmt",)  # the "วัน/เดือน/ปี พ.ศ." line under the field

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

    def form_data(self, q: s.DateQuestion, answer: Answer | None) -> dict[str, Any]:
        """The stored ISO day shown as the field is typed: วว/ดด/ปปปป in the Buddhist Era."""
        value = be_date_text(date.fromisoformat(answer.value)) if answer is not None and answer.has_value else ""
        return {q.key: value, **flag_data(q, answer)}

    def display_value(self, q: s.DateQuestion, value: Any) -> str:
        return display_date(date.fromisoformat(value), short=False)

    def sample(self, defn: s.FormDefinition, q: s.DateQuestion, rng: random.Random, *_: Any) -> Any:
        start = q.min or date(2019, 10, 1)
        end = q.max or date(2020, 9, 30)
        return (start + timedelta(days=rng.randint(0, max(0, (end - start).days)))).isoformat()

    def aggregate(self, data: AnswerData, q: s.DateQuestion) -> QuestionResult:
        return listed_answers(data, q)

    def cell(self, q: s.DateQuestion, part: str | None, codes: bool) -> Callable[[Any], Any]:
        return (lambda v: v) if codes else _date_text


def _date_text(value: Any) -> str | None:
    try:
        return thai_date(date.fromisoformat(str(value)), short=True)
    except ValueError:
        return None if value is None else str(value)
