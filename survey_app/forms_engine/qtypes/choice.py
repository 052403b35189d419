"""Choice questions: one option (radio buttons, a drop-down, or a type-ahead field for long lists) or several
(checkboxes, or the same type-ahead field), with an optional "other, specify" option.

"Other, specify" (`other_option`) is stored apart from the options: an answer that chose it is the JSON object
{"value": V, "other": "the text"}, where V is what the answer would be without the text ("__other__" for a
single choice, the list of chosen values with "__other__" in it for a multiple choice). Answers that did not
choose it keep their plain value, so every stored answer of these types keeps its meaning.
`answers.plain_choice` gives V back; conditions compare it (`equals: __other__`, `includes: __other__`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import N_, gettext, lazy_gettext, pick
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, AnswerState, plain_choice
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

OTHER = s.OTHER_VALUE
OTHER_TEXT_LABEL = N_("โปรดระบุ")
OTHER_MISSING = N_('เลือก "{label}" แล้ว กรุณาระบุในช่องข้อความ')
OTHER_TOO_LONG = N_("ข้อความที่ระบุยาวเกิน {n} ตัวอักษร (พิมพ์มา {typed} ตัวอักษร)")
SAMPLE_OTHER_TEXTS = ("ศึกษานิเทศก์", "ผู้ช่วยครู", "เจ้าหน้าที่ธุรการ", "ครูอัตราจ้าง")

C = TypeVar("C", bound=s.SingleChoice | s.MultipleChoice)


def other_field(q: s.ChoiceBase) -> str:
    """The name of the "other, specify" text box of a question."""
    return f"{q.key}__other"


def split_other(value: Any) -> tuple[Any, str | None]:
    """A stored choice value as (the plain value, the "other" text or None)."""
    if isinstance(value, dict) and "other" in value:
        return value.get("value"), str(value["other"])
    return value, None


def with_other(value: Any, text: str | None) -> Any:
    """The stored form of a choice value and its "other" text (the plain value when there is no text)."""
    return {"value": value, "other": text} if text is not None else value


class ChoiceType(QuestionType[C]):
    """What single and multiple choice share: the options and "other, specify", the aggregate, the breakdown and
    the raw columns; fields, reading, display and sample answers are each type's own."""

    partial = "choice.html"
    multiple = False

    def choices(self, q: C) -> list[tuple[str, str]]:
        choices = [(o.value, o.label.th) for o in q.options]
        if q.other_label is not None:
            choices.append((OTHER, q.other_label.th))
        if q.none_label is not None:
            choices.append((NONE_VALUE, q.none_label.th))
        if q.allow_na:
            choices.append((NA_VALUE, gettext(NA_LABEL)))
        return choices

    def option_labels(self, q: C) -> dict[str, str]:
        """Each value's label in the interface language, "other" included."""
        labels = {o.value: pick(o.label.th, o.label.en) for o in q.options}
        if q.other_label is not None:
            labels[OTHER] = pick(q.other_label.th, q.other_label.en)
        return labels

    def other_fields(self, q: C) -> dict[str, UnboundField]:
        if q.other_label is None:
            return {}
        return {other_field(q): StringField(lazy_gettext(OTHER_TEXT_LABEL))}

    def read_other(self, q: C, data: dict[str, Any], chosen: bool) -> tuple[str | None, str | None]:
        """(the "other" text, an error): required when "other" is chosen, ignored when it is not."""
        if not chosen:
            return None, None
        text = " ".join(str(data.get(other_field(q)) or "").split())
        if not text:
            label = pick(q.other_label.th, q.other_label.en) if q.other_label else ""
            return None, gettext(OTHER_MISSING, label=label)
        if len(text) > q.other_limit:
            return None, gettext(OTHER_TOO_LONG, n=f"{q.other_limit:,}", typed=f"{len(text):,}")
        return text, None

    def values_of(self, q: C, answers: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
        """The rows with a value (their value without any "other" text), and the none and N/A counts."""
        values, nones, nas = states(answers)
        values = values.assign(value=[plain_choice(v) for v in values["value"]])
        return values, nones, nas

    def aggregate(self, data: AnswerData, q: C) -> QuestionResult:
        """Count and percentage per option ("other" is its own row); none and N/A as their own rows, out of
        the options' denominator."""
        values, nones, nas = self.values_of(q, data.answers_of(q.key))
        picks = values["value"].explode() if self.multiple else values["value"]
        counts = picks.value_counts()
        n_value, n_all = len(values), len(values) + nones + nas
        labels = self.option_labels(q)
        counted = [(label, int(counts.get(value, 0))) for value, label in labels.items()]
        rows, explicit = share_rows(
            counted, n_value, nones, nas, q.none_label is not None or nones > 0, bool(q.allow_na) or nas > 0
        )
        count = gettext("จำนวน")
        columns = [
            gettext("ตัวเลือก"),
            count,
            *share_columns(N_("ร้อยละของผู้เลือกตัวเลือก (n={n})"), n_value, n_all, explicit),
        ]
        note = (
            gettext("ร้อยละของตัวเลือกคิดจากผู้ที่เลือกตัวเลือก (n={n})", n=f"{n_value:,}")
            + (gettext(" ตอบได้มากกว่า 1 ข้อ ผลรวมจึงอาจเกิน 100") if self.multiple else "")
            + (
                gettext("; ร้อยละของ ไม่มี/N/A คิดจากผู้ตอบข้อนี้ทั้งหมด (n={n}) ในคอลัมน์ของตัวเอง", n=f"{n_all:,}")
                if explicit
                else ""
            )
        )
        chart = Chart([r[0] for r in rows], [(count, [r[1] for r in rows])], horizontal=True)
        stats = {"n": n_value, "none": nones, "na": nas, "pct": {v: rows[i][2] for i, v in enumerate(labels)}}
        return QuestionResult(q, Table(columns, rows, note), chart, stats)

    def headline_columns(self, q: C) -> list[str]:
        return [N_("เลือกตัวเลือก"), N_("ไม่มี"), "N/A"]

    def headline(self, data: AnswerData, q: C, group: pd.DataFrame) -> list[Any]:
        values, nones, nas = states(group)
        return [len(group), len(values), nones, nas]

    def raw_columns(self, q: C, title: str, codes: bool) -> list[tuple[str, str | None]]:
        """The choice, and with `other_option` a column of the texts typed beside "other"."""
        if q.other_label is None:
            return [(title, None)]
        return [(title, None), (other_field(q) if codes else f"{title} ({q.other_label.th})", "other")]

    @staticmethod
    def other_label_th(q: s.ChoiceBase) -> dict[str, str]:
        return {OTHER: q.other_label.th} if q.other_label is not None else {}


@register
class SingleChoiceType(ChoiceType[s.SingleChoice]):
    name = "single_choice"

    def make_fields(self, q: s.SingleChoice, defn: s.FormDefinition) -> dict[str, UnboundField]:
        field_class = SelectField if q.display == "select" or q.searchable else RadioField
        choices = self.choices(q)
        if field_class is SelectField:
            choices = [("", gettext("— เลือก —")), *choices]
        return {q.key: field_class(q.label.th, choices=select_choices(choices), validate_choice=False)} | (
            self.other_fields(q)
        )

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
        text, error = self.read_other(q, data, value == OTHER)
        if error:
            return ReadResult(errors=[error])
        return ReadResult(Answer.of(with_other(value, text)))

    def form_data(self, q: s.SingleChoice, answer: Answer | None) -> dict[str, Any]:
        extra = {other_field(q): ""} if q.other_label is not None else {}
        if answer is None:
            return {q.key: None} | extra
        value, text = split_other(answer.value)
        if text is not None and extra:
            extra[other_field(q)] = text
        return {q.key: {AnswerState.NONE: NONE_VALUE, AnswerState.NA: NA_VALUE}.get(answer.state, value)} | extra

    def display_value(self, q: s.SingleChoice, value: Any) -> str:
        plain, text = split_other(value)
        label = self.option_labels(q).get(plain, str(plain))
        return f"{label}: {text}" if text is not None else label

    def sample(self, defn: s.FormDefinition, q: s.SingleChoice, rng: random.Random, *_: Any) -> Any:
        if q.other_label is not None and rng.random() < 0.1:
            return with_other(OTHER, rng.choice(SAMPLE_OTHER_TEXTS))
        return rng.choice(q.options).value

    def cell(self, q: s.SingleChoice, part: str | None, codes: bool) -> Callable[[Any], Any]:
        if part == "other":
            return lambda v: split_other(v)[1]
        labels = {} if codes else {o.value: o.label.th for o in q.options} | self.other_label_th(q)
        return lambda v: labels.get(plain_choice(v), str(plain_choice(v)))


@register
class MultipleChoiceType(ChoiceType[s.MultipleChoice]):
    name = "multiple_choice"
    multiple = True

    def make_fields(self, q: s.MultipleChoice, defn: s.FormDefinition) -> dict[str, UnboundField]:
        field = SelectMultipleField(q.label.th, choices=select_choices(self.choices(q)), validate_choice=False)
        return {q.key: field} | self.other_fields(q)

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
        chosen = [v for v in self.option_labels(q) if v in values]  # definition order, no duplicates
        if q.min_choices and len(chosen) < q.min_choices:
            return ReadResult(errors=[gettext("เลือกอย่างน้อย {n} ข้อ", n=q.min_choices)])
        if q.max_choices and len(chosen) > q.max_choices:
            return ReadResult(errors=[gettext("เลือกได้ไม่เกิน {n} ข้อ", n=q.max_choices)])
        text, error = self.read_other(q, data, OTHER in chosen)
        if error:
            return ReadResult(errors=[error])
        return ReadResult(Answer.of(with_other(chosen, text)))

    def form_data(self, q: s.MultipleChoice, answer: Answer | None) -> dict[str, Any]:
        extra = {other_field(q): ""} if q.other_label is not None else {}
        if answer is None:
            return {q.key: []} | extra
        if answer.state != AnswerState.VALUE:
            return {q.key: [NONE_VALUE if answer.state == AnswerState.NONE else NA_VALUE]} | extra
        value, text = split_other(answer.value)
        if text is not None and extra:
            extra[other_field(q)] = text
        return {q.key: list(value)} | extra

    def display_value(self, q: s.MultipleChoice, value: Any) -> str:
        plain, text = split_other(value)
        labels = self.option_labels(q)
        return ", ".join(
            f"{labels.get(v, str(v))}: {text}" if v == OTHER and text is not None else labels.get(v, str(v))
            for v in plain
        )

    def sample(self, defn: s.FormDefinition, q: s.MultipleChoice, rng: random.Random, *_: Any) -> Any:
        low = q.min_choices or 1
        high = min(q.max_choices or len(q.options), len(q.options))
        picked = rng.sample([o.value for o in q.options], rng.randint(low, max(low, high)))
        chosen = [o.value for o in q.options if o.value in picked]
        if q.other_label is not None and rng.random() < 0.1 and (not q.max_choices or len(chosen) < q.max_choices):
            return with_other([*chosen, OTHER], rng.choice(SAMPLE_OTHER_TEXTS))
        return chosen

    def cell(self, q: s.MultipleChoice, part: str | None, codes: bool) -> Callable[[Any], Any]:
        if part == "other":
            return lambda v: split_other(v)[1]
        labels = {} if codes else {o.value: o.label.th for o in q.options} | self.other_label_th(q)

        def joined(v: Any) -> Any:
            plain = plain_choice(v)
            return ", ".join(labels.get(x, str(x)) for x in plain) if isinstance(plain, list) else str(plain)

        return joined
