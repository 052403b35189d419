"""Calculated values (`type: calculate`): an expression over other answers, shown read-only and live in the
browser, recomputed by the server from the merged answers at every save and stored as an ordinary number
answer (missing when the result is null), so reports, conditions and checks read it like a decimal."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Protocol

from wtforms.fields.core import UnboundField

from survey_app.core.figures import half_up
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, question_visible
from survey_app.forms_engine.expressions import AnswersScope, ExpressionError, evaluate, repeat_fields
from survey_app.forms_engine.qtypes.base import ReadResult, register
from survey_app.forms_engine.qtypes.number import NumberType

LIMIT = 10**15  # beyond this a result is not a figure anybody reads (and would not fit the numeric copy)


@register
class CalculatedType(NumberType[s.CalculatedQuestion]):
    name = "calculate"
    partial = "calculate.html"
    integer = False  # shown and summed as a decimal (with the definition's `decimals`)

    def make_fields(self, q: s.CalculatedQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {}  # nothing is posted: the server computes the value

    def read(self, q: s.CalculatedQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        return ReadResult(unchanged=True)  # never read from the post (recompute() sets it)

    def form_data(self, q: s.CalculatedQuestion, answer: Answer | None) -> dict[str, Any]:
        return {}

    def sample(
        self,
        defn: s.FormDefinition,
        q: s.CalculatedQuestion,
        rng: random.Random,
        answers: dict[str, Answer],
        files: Any = None,
    ) -> float | int | None:
        """What the server would store, given the answers sampled so far."""
        from survey_app.forms_engine.repeats import parse_row_key

        parts = parse_row_key(q.key)
        answer = calculated(q, AnswersScope(answers, defn, (parts[0], parts[1]) if parts else None))
        return None if answer is None else answer.value


def calculated(q: s.CalculatedQuestion, scope: AnswersScope) -> Answer | None:
    """A calculation's stored answer: the exact result rounded half-up once to `decimals`, or None (null)."""
    try:
        value = evaluate(q.expression, scope)
    except ExpressionError:
        return None
    rounded = half_up(value, q.decimals) if value is not None and not isinstance(value, bool | str | list) else None
    if rounded is None or abs(rounded) >= LIMIT:
        return None
    return Answer.of(int(rounded) if q.decimals == 0 else rounded)


def calculated_answers(
    defn: s.FormDefinition, answers: Mapping[str, Answer], org_kind: str | None
) -> dict[str, Answer | None]:
    """Every calculation of the response in form order (a calculation in a repeat: per row, under its row
    key), each reading the answers with the calculations before it; None where it is null or hidden."""
    from survey_app.forms_engine.repeats import row_ids, row_questions

    merged = dict(answers)
    groups = repeat_fields(defn)
    results: dict[str, Answer | None] = {}

    def put(q: s.CalculatedQuestion, row: tuple[str, str] | None) -> None:
        shown = question_visible(q, merged, org_kind)
        answer = calculated(q, AnswersScope(merged, defn, row, _groups=groups)) if shown else None
        results[q.key] = answer
        if answer is None:
            merged.pop(q.key, None)
        else:
            merged[q.key] = answer

    for q in defn.questions():
        if isinstance(q, s.CalculatedQuestion):
            put(q, None)
        elif isinstance(q, s.RepeatGroup) and any(isinstance(f, s.CalculatedQuestion) for f in q.questions):
            for rid in row_ids(merged, q.key) if question_visible(q, merged, org_kind) else []:
                for field in row_questions(q, rid):
                    if isinstance(field, s.CalculatedQuestion):
                        put(field, (q.key, rid))
    return results


class _Read(Protocol):  # builder.SectionRead
    answers: dict[str, Answer]
    cleared: set[str]


def recompute(defn: s.FormDefinition, stored: Mapping[str, Answer], read: _Read, org_kind: str | None) -> None:
    """Set every calculation of the response from the answers after this read (the browser's value is only
    a preview and is never posted)."""
    merged = {k: v for k, v in stored.items() if k not in read.cleared} | read.answers
    for key, answer in calculated_answers(defn, merged, org_kind).items():
        if answer is None:
            read.answers.pop(key, None)
            if key in stored:
                read.cleared.add(key)
        else:
            read.answers[key] = answer
            read.cleared.discard(key)
