"""Free-text questions, one line or several; a "ไม่มี" switch where the definition allows it."""

from __future__ import annotations

import random
import re
from typing import Any

import pandas as pd
from wtforms import StringField, TextAreaField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import gettext, pick
from survey_app.core.text import clean_line, clean_text
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.none_words import looks_like_none
from survey_app.forms_engine.qtypes.base import (
    QuestionType,
    ReadResult,
    explicit_flags,
    flag_data,
    flag_fields,
    register,
)
from survey_app.forms_engine.results import AnswerData, QuestionResult, Table, states

PROJECT_WORDS = ("โครงการ", "กิจกรรม", "งานประจำ")
PROJECT_TOPICS = (
    "ส่งเสริมการอ่าน",
    "โรงเรียนปลอดยาเสพติด",
    "พัฒนาครูด้านดิจิทัล",
    "ลดเวลาเรียนเพิ่มเวลารู้",
    "สถานศึกษาสีขาว",
    "ห้องเรียนคุณภาพ",
    "ธนาคารขยะ",
    "สะเต็มศึกษา",
    "คุณธรรมนำชีวิต",
    "ทุนการศึกษา",
)


@register
class TextType(QuestionType[s.ShortText | s.LongText]):
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

    def form_data(self, q: s.ShortText | s.LongText, answer: Answer | None) -> dict[str, Any]:
        value = answer.value if answer is not None and answer.has_value else ""
        return {q.key: value, **flag_data(q, answer)}

    def typed_none(self, q: s.ShortText | s.LongText, answer: Answer) -> bool:
        return q.allow_none and answer.has_value and looks_like_none(answer.value)

    def sample(self, defn: s.FormDefinition, q: s.ShortText | s.LongText, rng: random.Random, *_: Any) -> Any:
        return f"{rng.choice(PROJECT_WORDS)}{rng.choice(PROJECT_TOPICS)}"[: q.max_length]

    def aggregate(self, data: AnswerData, q: s.ShortText | s.LongText) -> QuestionResult:
        return listed_answers(data, q)


@register
class LongTextType(TextType):
    name = "long_text"
    multiline = True


def listed_answers(data: AnswerData, q: s.Question) -> QuestionResult:
    """The named projects/activities with the unit that named them; 'ไม่มี' counted apart, and so is text that
    only says none ("ไม่มี", "-" typed in the box): it is not a named project. In a person survey the texts are
    listed without their unit and in text order, so nobody is singled out."""
    frame = data.answers_of(q.key).merge(data.responses[["response_id", "code", "unit"]], on="response_id")
    values, nones, nas = states(frame)
    typed_none = values["value"].map(looks_like_none).astype(bool) if len(values) else pd.Series(dtype=bool)
    named = values[~typed_none] if len(values) else values
    note = (
        gettext("ระบุ {named} รายการ · ไม่มี {nones}", named=f"{len(named):,}", nones=f"{nones:,}")
        + (gettext(" · พิมพ์ว่าไม่มี {n} (ไม่นับเป็นรายการ)", n=f"{int(typed_none.sum()):,}") if typed_none.any() else "")
        + f" · N/A {nas:,}"
    )
    if data.per_person:
        rows = [[v] for v in sorted(str(v) for v in named["value"])]
        table = Table([gettext("คำตอบ")], rows, note + gettext(" · ไม่แสดงชื่อหน่วยงานของผู้ตอบ"))
    else:
        table = Table(
            [gettext("รหัส"), gettext("หน่วยงาน"), gettext("คำตอบ")],
            [[r.code, r.unit, r.value] for r in named.sort_values("code").itertuples()],
            note,
        )
    stats = {"n": len(named), "none": nones, "typed_none": int(typed_none.sum())}
    return QuestionResult(q, table, None, stats)
