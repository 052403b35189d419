"""Plausible answers for any definition: used by the demo generator, the benchmarks and the tests.

Which value a question gets is its type's `sample` (forms_engine/qtypes/); this module decides which
questions are answered, and when "none" or N/A is said instead."""

from __future__ import annotations

import random
from typing import Any

from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, question_visible, section_applies
from survey_app.forms_engine.types import question_type


def sample_answers(
    defn: s.FormDefinition,
    rng: random.Random,
    org_kind: str | None = None,
    *,
    none_rate: float = 0.15,
    complete: bool = True,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Answer]:
    """A full (or, with complete=False, partial) set of answers that passes the definition's rules.

    Numbers that other questions must not exceed are answered before those questions, so cross-item
    checks hold; `files` are the stored upload records to use for file questions.
    """
    answers: dict[str, Answer] = {}
    for section in defn.sections:
        if not section_applies(section, org_kind):
            continue
        for q in section.all_questions():
            if not question_type(q).has_input or not question_visible(q, answers, org_kind):
                continue
            if not complete and rng.random() < 0.4:
                continue
            answer = _answer(defn, q, rng, none_rate, answers, files)
            if answer is not None:
                answers[q.key] = answer
                _answer_rows(defn, q, rng, none_rate, answers, files)
    return answers


def _answer_rows(
    defn: s.FormDefinition,
    q: s.Question,
    rng: random.Random,
    none_rate: float,
    answers: dict[str, Answer],
    files: list[dict[str, Any]] | None,
) -> None:
    """The fields of a repeating group's sampled rows, each row answered like a small form."""
    for row_q in repeats.stored_row_questions(q, answers):
        if question_type(row_q).has_input and question_visible(row_q, answers, None):
            answer = _answer(defn, row_q, rng, none_rate, answers, files)
            if answer is not None:
                answers[row_q.key] = answer


def _answer(
    defn: s.FormDefinition,
    q: s.Question,
    rng: random.Random,
    none_rate: float,
    answers: dict[str, Answer],
    files: list[dict[str, Any]] | None,
) -> Answer | None:
    can_none = bool(getattr(q, "none_label", None) or getattr(q, "allow_none", False))
    if can_none and rng.random() < none_rate:
        return NONE_ANSWER
    if q.allow_na and rng.random() < 0.05:
        return NA_ANSWER
    value = question_type(q).sample(defn, q, rng, answers, files)
    return None if value is None else Answer.of(value)
