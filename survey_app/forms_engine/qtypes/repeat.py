"""Repeating groups (`type: repeat`): rows of the same questions, 0..N, or an explicit "none" for the group.

The type reads only the group's own answer (the "none"/N/A switches); its rows are concrete questions
(forms_engine/repeats.py `expanded`), read, shown and counted like any other question, and the add/remove
buttons are handled by the save (`repeats.apply_row_action`)."""

from __future__ import annotations

import random
from typing import Any

from wtforms.fields.core import UnboundField

from survey_app.core.i18n import N_, gettext, pick
from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, AnswerState, question_visible
from survey_app.forms_engine.qtypes.base import (
    NONE_TEXT_LABEL,
    QuestionType,
    ReadResult,
    explicit_flags,
    flag_data,
    flag_fields,
    register,
)

ROWS_COUNT = N_("{n} รายการ")


@register
class RepeatType(QuestionType[s.RepeatGroup]):
    name = "repeat"

    def make_fields(self, q: s.RepeatGroup, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return flag_fields(q)

    def read(self, q: s.RepeatGroup, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        """The switch only: "none"/N/A, else the stored rows stay (the server keeps the row list)."""
        return explicit_flags(q, data, has_input=False) or ReadResult(unchanged=True)

    def form_data(self, q: s.RepeatGroup, answer: Answer | None) -> dict[str, Any]:
        return flag_data(q, answer)

    def display_value(self, q: s.RepeatGroup, value: Any) -> str:
        return gettext(ROWS_COUNT, n=len(value) if isinstance(value, list) else 0)

    def none_text(self, q: s.RepeatGroup) -> str:
        """The switch's label: the group's none_label, else "ไม่มี"."""
        return pick(q.none_label.th, q.none_label.en) if q.none_label else gettext(NONE_TEXT_LABEL)

    def display(self, q: s.RepeatGroup, answer: Answer | None) -> str:
        if answer is not None and answer.state == AnswerState.NONE:
            return self.none_text(q)
        return super().display(q, answer)

    def rows(self, q: s.RepeatGroup, answers: Any) -> list[tuple[str, str, list[s.Question]]]:
        """(row id, heading, concrete questions) of the rows a page shows."""
        return [
            (rid, repeats.row_heading(q, n), repeats.row_questions(q, rid))
            for n, rid in enumerate(repeats.shown_rows(q, answers), start=1)
        ]

    def sample(self, defn: s.FormDefinition, q: s.RepeatGroup, rng: random.Random, answers: Any, files: Any) -> Any:
        """0–3 rows (at least min_rows, and one when required); sample.py answers their fields."""
        low = max(q.min_rows, 1 if q.required else 0)
        count = rng.randint(low, max(low, min(3, q.max_rows)))
        rows: list[str] = []
        while len(rows) < count:
            rows = list(dict.fromkeys([*rows, repeats.new_row_id()]))
        return rows or None

    def field_visible(self, q: s.Question, answers: Any) -> bool:
        """Whether a row's field is shown now (its show_if over the row's answers; the group's audience
        already applies)."""
        return question_visible(q, answers, None)
