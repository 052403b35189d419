"""Form-wide rules (`checks:` on the form or a section) and question `constraint:`s, on the whole response.

Both are expressions (forms_engine/expressions.py). While answering they are warnings beside the fields
concerned (the answers are saved anyway, like the cross-item checks); at submit they are errors that block
(builder.completeness). A rule whose inputs are all unanswered does not fire; a constraint is read only when
its question has a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from survey_app.core.i18n import N_, gettext, pick
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, question_visible, section_applies, section_shown
from survey_app.forms_engine.expressions import AnswersScope, ExpressionError, evaluate, parse, truthy
from survey_app.forms_engine.repeats import row_ids, row_key

CONSTRAINT_MESSAGE = N_("คำตอบไม่เป็นไปตามเงื่อนไขของข้อนี้")


@dataclass(frozen=True)
class FailedRule:
    message: str
    fields: list[str]  # question keys to show it beside, in form order


def rule_fields(defn: s.FormDefinition, rule: s.FormRule, answers: Mapping[str, Answer] | None = None) -> list[str]:
    """Where a rule is shown: its `fields`, or the questions (and repeat groups) its expression reads; a repeat
    column it reads (`sum(kpis.weight) = 100`) puts it beside that field in every row, where the user types."""
    if rule.fields:
        return list(rule.fields)
    try:
        expr = parse(rule.expression)
    except ExpressionError:
        return []
    read = expr.references()
    keys = [q.key for q in defn.questions() if q.key in read]
    for group, field in sorted(expr.columns()):
        keys += [row_key(group, rid, field) for rid in row_ids(answers or {}, group)]
    return keys


def active_rules(defn: s.FormDefinition, answers: Mapping[str, Answer], org_kind: str | None) -> list[s.FormRule]:
    """The form's rules and those of the sections this unit is asked and shown."""
    rules = list(defn.checks)
    for section in defn.sections:
        if section.checks and section_applies(section, org_kind) and section_shown(section, answers):
            rules += section.checks
    return rules


def failed_rules(defn: s.FormDefinition, answers: Mapping[str, Answer], org_kind: str | None) -> list[FailedRule]:
    """Rules that do not hold, among those with at least one answered input."""
    failed = []
    for rule in active_rules(defn, answers, org_kind):
        try:
            expr = parse(rule.expression)
        except ExpressionError:
            continue
        if not any(_answered(key, answers) for key in expr.references()):
            continue
        if not truthy(evaluate(expr, AnswersScope(answers, defn))):
            failed.append(FailedRule(pick(rule.message.th, rule.message.en), rule_fields(defn, rule, answers)))
    return failed


def _answered(key: str, answers: Mapping[str, Answer]) -> bool:
    return key in answers


def failed_constraints(
    questions: list[s.Question], defn: s.FormDefinition, answers: Mapping[str, Answer], org_kind: str | None
) -> dict[str, list[str]]:
    """Constraint messages by question key, for shown questions with a value whose constraint is false."""
    from survey_app.forms_engine.repeats import parse_row_key

    errors: dict[str, list[str]] = {}
    for q in questions:
        answer = answers.get(q.key)
        if q.constraint is None or answer is None or not answer.has_value or not question_visible(q, answers, org_kind):
            continue
        parts = parse_row_key(q.key)
        scope = AnswersScope(answers, defn, (parts[0], parts[1]) if parts else None, this=q.key)
        try:
            ok = truthy(evaluate(q.constraint, scope))
        except ExpressionError:
            continue
        if not ok:
            message = q.constraint_message
            errors[q.key] = [pick(message.th, message.en) if message else gettext(CONSTRAINT_MESSAGE)]
    return errors


def rule_errors(
    defn: s.FormDefinition, answers: Mapping[str, Answer], org_kind: str | None, questions: list[s.Question]
) -> dict[str, list[str]]:
    """What blocks a submission: failed constraints by question, and each failed rule under its first field."""
    errors = failed_constraints(questions, defn, answers, org_kind)
    for rule in failed_rules(defn, answers, org_kind):
        key = rule.fields[0] if rule.fields else defn.questions()[0].key
        errors.setdefault(key, []).append(rule.message)
    return errors
