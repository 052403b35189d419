"""Choice questions: one option (radio buttons or a drop-down) or several (checkboxes)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pandas as pd
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, AnswerState
from survey_app.forms_engine.qtypes.base import (
    NA_LABEL,
    NA_VALUE,
    NONE_VALUE,
    QuestionType,
    ReadResult,
    none_label,
    register,
)
from survey_app.forms_engine.results import AnswerData, Chart, QuestionResult, Table, share_columns, share_rows, states


@register
class SingleChoiceType(QuestionType):
    name = "single_choice"
    partial = "choice.html"
    multiple = False

    def choices(self, q: s.ChoiceBase) -> list[tuple[str, str]]:
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

    def sample(self, defn: s.FormDefinition, q: s.SingleChoice, rng: random.Random, *_: Any) -> Any:
        return rng.choice(q.options).value

    def aggregate(self, data: AnswerData, q: s.ChoiceBase) -> QuestionResult:
        """Count and percentage per option; none and N/A as their own rows, out of the options' denominator."""
        values, nones, nas = states(data.answers_of(q.key))
        picks = values["value"].explode() if self.multiple else values["value"]
        counts = picks.value_counts()
        n_value, n_all = len(values), len(values) + nones + nas
        counted = [(pick(o.label.th, o.label.en), int(counts.get(o.value, 0))) for o in q.options]
        rows, explicit = share_rows(
            counted, n_value, nones, nas, q.none_label is not None or nones > 0, q.allow_na or nas > 0
        )
        count = gettext("จำนวน")
        columns = [
            gettext("ตัวเลือก"),
            count,
            *share_columns(N_("ร้อยละของผู้เลือกตัวเลือก (n={n})"), n_value, n_all, explicit),
        ]
        note = (gettext("ร้อยละของตัวเลือกคิดจากผู้ที่เลือกตัวเลือก (n={n})", n=f"{n_value:,}")
                + (gettext(" ตอบได้มากกว่า 1 ข้อ ผลรวมจึงอาจเกิน 100") if self.multiple else "")
                + (gettext("; ร้อยละของ ไม่มี/N/A คิดจากผู้ตอบข้อนี้ทั้งหมด (n={n}) ในคอลัมน์ของตัวเอง", n=f"{n_all:,}") if explicit else ""))  # fmt: skip
        chart = Chart([r[0] for r in rows], [(count, [r[1] for r in rows])], horizontal=True)
        stats = {"n": n_value, "none": nones, "na": nas, "pct": {o.value: rows[i][2] for i, o in enumerate(q.options)}}
        return QuestionResult(q, Table(columns, rows, note), chart, stats)

    def headline_columns(self, q: s.Question) -> list[str]:
        return [N_("เลือกตัวเลือก"), N_("ไม่มี"), "N/A"]

    def headline(self, data: AnswerData, q: s.Question, group: pd.DataFrame) -> list[Any]:
        values, nones, nas = states(group)
        return [len(group), len(values), nones, nas]

    def cell(self, q: s.ChoiceBase, part: str | None, codes: bool) -> Callable[[Any], Any]:
        labels = {} if codes else {o.value: o.label.th for o in q.options}
        return lambda v: labels.get(v, str(v))


@register
class MultipleChoiceType(SingleChoiceType):
    name = "multiple_choice"
    multiple = True

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

    def sample(self, defn: s.FormDefinition, q: s.MultipleChoice, rng: random.Random, *_: Any) -> Any:
        low = q.min_choices or 1
        high = min(q.max_choices or len(q.options), len(q.options))
        picked = rng.sample([o.value for o in q.options], rng.randint(low, max(low, high)))
        return [o.value for o in q.options if o.value in picked]

    def cell(self, q: s.MultipleChoice, part: str | None, codes: bool) -> Callable[[Any], Any]:
        labels = {} if codes else {o.value: o.label.th for o in q.options}
        return lambda v: ", ".join(labels.get(x, str(x)) for x in v) if isinstance(v, list) else str(v)
