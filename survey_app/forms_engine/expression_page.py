"""What a section page gives static/js/form.js to evaluate expressions live (static/js/expressions.js): each
expression's AST, the page's form rules, and the stored answers its expressions read from other pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey_app.core.i18n import pick
from survey_app.forms_engine import repeats, rules
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.expressions import ExpressionError, parse


def expression_ast(text: str | None) -> Any:
    """An expression's AST for the browser; None when there is none or it does not parse."""
    if not text:
        return None
    try:
        return parse(text).ast
    except ExpressionError:
        return None


def _texts(defn: s.FormDefinition) -> list[str]:
    texts = [r.expression for r in defn.checks] + [r.expression for sec in defn.sections for r in sec.checks]
    holders: list[Any] = [*defn.sections, *(ind for sec in defn.sections for ind in sec.indicators)]
    for q in defn.questions():
        holders += [q, *getattr(q, "questions", [])]
    for h in holders:
        texts += [
            t for t in (h.show_if, getattr(h, "constraint", None), getattr(h, "expression", None)) if isinstance(t, str)
        ]
    return texts


def page_expressions(defn: s.FormDefinition, section: s.Section, answers: Mapping[str, Answer]) -> dict[str, Any]:
    """{"answers": stored answers the form's expressions read ({key: [state, value]}), "rules": the form rules
    shown beside a field of this page ({ast, message, fields})}."""
    read: set[str] = set()
    for text in _texts(defn):
        try:
            read |= parse(text).references()
        except ExpressionError:
            continue
    stored = {
        key: [str(a.state), a.value]
        for key, a in answers.items()
        if key in read or ((parts := repeats.parse_row_key(key)) is not None and parts[0] in read)
    }
    on_page = {q.key for q in section.all_questions()}
    shown = [
        {"ast": expression_ast(rule.expression), "message": pick(rule.message.th, rule.message.en), "fields": fields}
        for rule in defn.checks + [r for sec in defn.sections for r in sec.checks]
        if (fields := rules.rule_fields(defn, rule)) and on_page & set(fields)
    ]
    return {"answers": stored, "rules": shown}
