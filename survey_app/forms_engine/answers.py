"""Answer states and the rules that need the whole response: visibility, requiredness, cross-item checks.

An answer is a value, an explicit "none" (ไม่มี), or an explicit N/A; a question with no answer is missing.
They are stored and counted distinctly; "none" never becomes 0 or the text "ไม่มี".
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from survey_app.core.i18n import N_, gettext, pick
from survey_app.forms_engine import expressions
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.audience import includes


class AnswerState(StrEnum):
    VALUE = "value"
    NONE = "none"
    NA = "na"


@dataclass(frozen=True)
class Answer:
    """One question's answer; `value` is JSON-ready and only set in the VALUE state."""

    state: AnswerState
    value: Any = None

    @classmethod
    def of(cls, value: Any) -> Answer:
        return cls(AnswerState.VALUE, value)

    @property
    def has_value(self) -> bool:
        return self.state == AnswerState.VALUE


NONE_ANSWER = Answer(AnswerState.NONE)
NA_ANSWER = Answer(AnswerState.NA)
Answers = Mapping[str, Answer]
MISSING_MESSAGE = N_('กรุณาตอบข้อนี้ (ถ้าไม่มีการดำเนินการ ให้เลือก "ไม่มี")')
_COMPARE = {"le": operator.le, "lt": operator.lt, "ge": operator.ge, "gt": operator.gt, "eq": operator.eq}
_CHECK_MESSAGES = {
    "le": N_('ค่าต้องไม่เกินคำตอบของข้อ "{other}"'),
    "lt": N_('ค่าต้องน้อยกว่าคำตอบของข้อ "{other}"'),
    "ge": N_('ค่าต้องไม่น้อยกว่าคำตอบของข้อ "{other}"'),
    "gt": N_('ค่าต้องมากกว่าคำตอบของข้อ "{other}"'),
    "eq": N_('ค่าต้องเท่ากับคำตอบของข้อ "{other}"'),
}


def condition_holds(cond: s.Condition, answers: Answers) -> bool:
    """Whether a show_if condition holds for the answers so far (a missing answer makes it false)."""
    if cond.all is not None:
        return all(condition_holds(c, answers) for c in cond.all)
    if cond.any is not None:
        return any(condition_holds(c, answers) for c in cond.any)
    answer = answers.get(cond.question or "")
    if answer is None:
        return False
    if cond.is_none is not None:
        return (answer.state == AnswerState.NONE) == cond.is_none
    if not answer.has_value:
        return False
    return _compare(cond, answer.value)


def plain_choice(value: Any) -> Any:
    """A choice answer without its "other, specify" text: {"value": V, "other": T} is V (see qtypes/choice.py)."""
    return value["value"] if isinstance(value, dict) and "other" in value and "value" in value else value


def _compare(cond: s.Condition, value: Any) -> bool:
    value = plain_choice(value)
    if cond.equals is not None:
        return str(value) == str(cond.equals)
    if cond.not_equals is not None:
        return str(value) != str(cond.not_equals)
    if cond.in_ is not None:
        return str(value) in cond.in_
    if cond.includes is not None:
        return isinstance(value, list) and cond.includes in value
    number = _number(value)
    if number is None:
        return False
    for name in ("gt", "ge", "lt", "le"):
        bound = getattr(cond, name)
        if bound is not None:
            return bool(_COMPARE[name](number, bound))
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None


def section_applies(section: s.Section, org_kind: str | None) -> bool:
    return includes(section.audience, org_kind)


def question_visible(question: s.Question, answers: Answers, org_kind: str | None) -> bool:
    """A question is asked when its audience includes the unit's kind and its condition holds."""
    if not includes(question.audience, org_kind):
        return False
    conditions = (*question._within, question.show_if)  # its section's and indicator's, then its own
    return all(shown_by(c, answers, question.key) for c in conditions if c is not None)


def shown_by(cond: s.Condition | str, answers: Answers, key: str = "") -> bool:
    """Whether a show_if holds: a structured condition, or an expression (forms_engine/expressions.py), read
    inside its repeat row when `key` is a row field's key."""
    if isinstance(cond, str):
        return expressions.holds(cond, answers, key=key)
    return condition_holds(cond, answers)


def section_shown(section: s.Section, answers: Answers) -> bool:
    """A section's own show_if (a hidden section is skipped: its questions are hidden with it)."""
    return section.show_if is None or shown_by(section.show_if, answers)


def section_to_open(defn: s.FormDefinition, answers: Answers, org_kind: str | None, target: int, came_from: int) -> int:
    """The section "next"/"previous" lands on: `target`, or past it in the same direction while a section is not
    asked of this unit or hidden by its show_if (its page has nothing to answer); `target` when none is left."""
    step = 1 if target >= came_from else -1
    index = target
    while 0 <= index < len(defn.sections):
        section = defn.sections[index]
        if section_applies(section, org_kind) and section_shown(section, answers):
            return index
        index += step
    return target


def visible_questions(defn: s.FormDefinition, answers: Answers, org_kind: str | None) -> list[s.Question]:
    """The questions this unit is asked, given its answers so far; a repeating group is followed by the
    shown fields of its stored rows (forms_engine/repeats.py)."""
    shown = [
        q
        for section in defn.sections
        if section_applies(section, org_kind)
        for q in section.all_questions()
        if question_visible(q, answers, org_kind)
    ]
    if not any(q.type == "repeat" for q in shown):
        return shown
    from survey_app.forms_engine import repeats  # here: repeats imports this module

    return [
        row_q
        for q in shown
        for row_q in [q, *repeats.stored_row_questions(q, answers)]
        if row_q is q or question_visible(row_q, answers, org_kind)
    ]


def is_required(question: s.Question) -> bool:
    return question.required and question.type != "info"


def missing_questions(defn: s.FormDefinition, answers: Answers, org_kind: str | None) -> list[s.Question]:
    """Required, visible questions without an answer: what stops a submission."""
    return [q for q in visible_questions(defn, answers, org_kind) if is_required(q) and not is_answered(q, answers)]


def is_answered(question: s.Question, answers: Answers) -> bool:
    """Whether a question counts as answered: a repeating group needs "none" or max(min_rows, 1) rows."""
    if isinstance(question, s.RepeatGroup):
        answer = answers.get(question.key)
        if answer is not None and not answer.has_value:
            return True
        rows = answer.value if answer is not None and isinstance(answer.value, list) else []
        return len(rows) >= max(question.min_rows, 1)
    return question.key in answers


def check_errors(defn: s.FormDefinition, answers: Answers, org_kind: str | None) -> dict[str, list[str]]:
    """Cross-item check failures, by question key, for visible questions whose both answers have values."""
    errors: dict[str, list[str]] = {}
    questions = defn.question_map()
    for q in visible_questions(defn, answers, org_kind):
        mine = answers.get(q.key)
        for check in q.checks:
            other = answers.get(check.other)
            if not (mine and mine.has_value and other and other.has_value):
                continue
            if not _COMPARE[check.op](mine.value, other.value):
                errors.setdefault(q.key, []).append(_check_message(check, questions.get(check.other)))
    return errors


def _check_message(check: s.Check, other: s.Question | None) -> str:
    if check.message is not None:
        return pick(check.message.th, check.message.en)
    other_label = pick(other.label.th, other.label.en) if other else check.other
    return gettext(_CHECK_MESSAGES[check.op], other=other_label)


def progress(defn: s.FormDefinition, answers: Answers, org_kind: str | None) -> tuple[int, int]:
    """(answered, required) over the visible required questions: the numbers behind the progress bar."""
    required = [q for q in visible_questions(defn, answers, org_kind) if is_required(q)]
    return sum(1 for q in required if is_answered(q, answers)), len(required)


def na_allowed(question: s.Question, defn: s.FormDefinition, final: bool) -> bool:
    """Whether a question offers and accepts N/A in a round: `allow_na: true` always, `allow_na: interim` only
    in interim rounds (6, 9 months), never in a final one (12 months, annual). The form's own `allow_na`
    caps its questions' (an `interim` form makes every N/A question interim)."""
    policies = (question.allow_na, defn.allow_na)
    if not all(policies):
        return False
    return not final or not any(p == "interim" for p in policies)


def na_refused(defn: s.FormDefinition, answers: Answers, org_kind: str | None, final: bool) -> list[s.Question]:
    """Shown questions whose stored N/A this round does not accept (a final round, or a form version switched
    since): a submission lists them as needing an answer."""
    if not final:
        return []
    return [
        q
        for q in visible_questions(defn, answers, org_kind)
        if (answer := answers.get(q.key)) is not None
        and answer.state == AnswerState.NA
        and not na_allowed(q, defn, final)
    ]
