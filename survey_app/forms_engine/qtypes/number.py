"""Number questions: whole numbers and decimals, with bounds, a unit and a "ไม่มี" switch."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

import pandas as pd
from wtforms import StringField
from wtforms.fields.core import UnboundField

from survey_app.core.figures import exact_sum, exact_values, half_up, mean, median, whole
from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.text import clean_line
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.parsing import parse_number
from survey_app.forms_engine.qtypes.base import (
    QuestionType,
    ReadResult,
    explicit_flags,
    flag_data,
    flag_fields,
    number_cell,
    register,
)
from survey_app.forms_engine.results import NA_ROW, NONE_ROW, AnswerData, QuestionResult, Table, states

N = TypeVar("N", bound=s.IntegerQuestion | s.DecimalQuestion | s.CalculatedQuestion)
E = TypeVar("E", bound=s.IntegerQuestion | s.DecimalQuestion)  # typed in, with bounds


class NumberType(QuestionType[N]):
    """What every number shares, typed or calculated: its display with the unit, its figures, breakdown and raw cell."""

    numeric = True
    checkable = True
    integer = True

    def display_value(self, q: N, value: Any) -> str:
        unit = f" {pick(q.unit.th, q.unit.en)}" if q.unit else ""
        decimals = getattr(q, "decimals", 0) if not self.integer else 0
        return f"{value:,.{decimals}f}{unit}"

    def aggregate(self, data: AnswerData, q: N) -> QuestionResult:
        """n, sum, mean, median, min, max of real values; none and N/A counted apart, never as 0."""
        values, nones, nas = states(data.answers_of(q.key))
        stats = number_stats(values["value_num"], self.integer) | {"none": nones, "na": nas}
        unit = f" ({pick(q.unit.th, q.unit.en)})" if q.unit else ""
        rows = [
            [gettext("จำนวนผู้ตอบที่ระบุตัวเลข (n)"), stats["n"]],
            [gettext("ผลรวม") + unit, stats["sum"]],
            [gettext("ค่าเฉลี่ย") + unit, stats["mean"]],
            [gettext("มัธยฐาน") + unit, stats["median"]],
            [gettext("ต่ำสุด") + unit, stats["min"]],
            [gettext("สูงสุด") + unit, stats["max"]],
            [gettext(NONE_ROW), nones],
            [gettext(NA_ROW), nas],
        ]
        note = gettext("คำนวณจากผู้ที่ระบุตัวเลขเท่านั้น (n={n})", n=f"{stats['n']:,}")
        return QuestionResult(q, Table([gettext("สถิติ"), gettext("ค่า")], rows, note), None, stats)

    def headline_columns(self, q: N) -> list[str]:
        return [N_("ค่าเฉลี่ย"), N_("ผลรวม")]

    def headline(self, data: AnswerData, q: N, group: pd.DataFrame) -> list[Any]:
        stats = number_stats(states(group)[0]["value_num"], self.integer)
        return [stats["n"], stats["mean"], stats["sum"]]

    def cell(self, q: N, part: str | None, codes: bool) -> Callable[[Any], Any]:
        return lambda v: number_cell(v, self.integer)


class TypedNumberType(NumberType[E]):
    """A number typed into a box: bounds, a "ไม่มี" switch, sample answers that keep the cross-item checks."""

    partial = "number.html"

    def make_fields(self, q: E, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: StringField(q.label.th), **flag_fields(q)}

    def read(self, q: E, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
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

    def to_json(self, q: E, number: Decimal) -> int | float:
        return int(number)

    def form_data(self, q: E, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: "" if value == "" else str(value), **flag_data(q, answer)}

    def sample(
        self,
        defn: s.FormDefinition,
        q: E,
        rng: random.Random,
        answers: dict[str, Answer],
        files: Any = None,
    ) -> float | int:
        """Within the bounds, and within what the cross-item checks allow given the answers so far."""
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else max(low, 0) + 500
        for check in q.checks:
            other = answers.get(check.other)
            if other is not None and other.has_value and check.op in ("le", "lt"):
                high = min(high, other.value - (1 if check.op == "lt" else 0))
            if other is not None and other.has_value and check.op in ("ge", "gt"):
                low = max(low, other.value + (1 if check.op == "gt" else 0))
            if other is not None and other.has_value and check.op == "eq":
                return other.value
        high = max(high, low)
        if self.integer:
            return rng.randint(int(low), int(high))
        return round(rng.uniform(float(low), float(high)), getattr(q, "decimals", 2))


@register
class IntegerType(TypedNumberType[s.IntegerQuestion]):
    name = "integer"


@register
class DecimalType(TypedNumberType[s.DecimalQuestion]):
    name = "decimal"
    integer = False

    def to_json(self, q: s.DecimalQuestion, number: Decimal) -> float:
        value = float(round(number, q.decimals))
        return 0.0 if value == 0 else value  # no "-0.0"


def number_stats(numbers: pd.Series, integer: bool) -> dict[str, Any]:
    """Figures of a number question, exact then rounded once; sums, minima and maxima of whole numbers stay whole."""
    exact = exact_values(numbers.to_numpy(dtype=float))
    if not exact:
        return {"n": 0, "sum": None, "mean": None, "median": None, "min": None, "max": None}
    keep = whole if integer else half_up
    return {
        "n": len(exact),
        "sum": keep(_plain(exact_sum(exact))),
        "mean": half_up(mean(exact)),
        "median": half_up(median(exact)),
        "min": keep(_plain(min(exact))),
        "max": keep(_plain(max(exact))),
    }


def _plain(value: int | Fraction) -> int | float:
    """An exact value as an int when whole, else as the float of its printed figure."""
    if isinstance(value, int) or value.denominator == 1:
        return int(value)
    return half_up(value) or 0.0
