"""The one safe expression language of form definitions: calculations, form-wide rules, constraints, conditions.

Parsing is expression_parser.py (re-exported here: `parse`, `Expression`, `ExpressionError`); this module
evaluates an Expression's AST over a scope (the browser evaluates the same AST in static/js/expressions.js).
Numbers are exact fractions; missing, "none" and N/A answers are `null` (arithmetic with null is null,
comparisons with null are false, aggregates skip nulls). See docs/form_definitions.md, "Expressions,
calculations and rules".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from survey_app.core.figures import exact
from survey_app.forms_engine.expression_parser import (  # noqa: F401  (the module's public face)
    AGGREGATES,
    COMPARISONS,
    KEY_FUNCTIONS,
    Expression,
    ExpressionError,
    parse,
)


class Scope:
    """What an expression reads: answers by key (see AnswersScope)."""

    def value(self, name: str) -> Any:  # a bare name's value, or None
        return None

    def state(self, name: str) -> str | None:  # "value", "none", "na", or None when unanswered
        return None

    def rows(self, group: str) -> list[Scope] | None:  # a repeat group's row scopes, None for a non-group
        return None


class AnswersScope(Scope):
    """A response's answers as an expression reads them; inside a repeat row (`row=(group, row id)`) a bare
    name is the row's own field first. `this` is the key `.` names (a question's constraint)."""

    def __init__(
        self,
        answers: Mapping[str, Any],
        defn: Any,
        row: tuple[str, str] | None = None,
        this: str | None = None,
        _groups: dict[str, set[str]] | None = None,
    ) -> None:
        self.answers, self.defn, self.row, self.this = answers, defn, row, this
        self.groups = _groups if _groups is not None else repeat_fields(defn)

    def _answer(self, name: str) -> Any:
        from survey_app.forms_engine.repeats import row_key

        if name == ".":
            name = self.this or ""
        if self.row is not None:
            key = row_key(self.row[0], self.row[1], name)
            if name in self.groups.get(self.row[0], ()) or (self.defn is None and key in self.answers):
                return self.answers.get(key)
        return self.answers.get(name)

    def value(self, name: str) -> Any:
        answer = self._answer(name)
        return to_value(answer.value) if answer is not None and answer.state == "value" else None

    def state(self, name: str) -> str | None:
        answer = self._answer(name)
        return None if answer is None else str(answer.state)

    def rows(self, group: str) -> list[Scope] | None:
        from survey_app.forms_engine.repeats import row_ids

        if group not in self.groups and (self.defn is not None or not row_ids(self.answers, group)):
            return None  # without a definition (a show_if), a group is known by its stored rows
        return [
            AnswersScope(self.answers, self.defn, (group, rid), self.this, self.groups)
            for rid in row_ids(self.answers, group)
        ]


def repeat_fields(defn: Any) -> dict[str, set[str]]:
    """Each repeat group's key with the keys of its fields."""
    if defn is None:
        return {}
    return {q.key: {f.key for f in q.questions} for q in defn.questions() if q.type == "repeat"}


def to_value(stored: Any) -> Any:
    """A stored answer value as an expression sees it: numbers exact, texts and option lists as they are."""
    if isinstance(stored, bool) or stored is None:
        return stored
    if isinstance(stored, int | float | Decimal | Fraction):
        return exact(stored)
    if isinstance(stored, str | list):
        return stored
    if isinstance(stored, dict) and "value" in stored and "other" in stored:
        return stored["value"]  # a choice with "other, specify" (qtypes/choice.py)
    return None


def holds(text: str, answers: Mapping[str, Any], defn: Any = None, key: str = "") -> bool:
    """Whether a condition expression holds (inside the repeat row of `key` when it is a row field's key); a
    text that does not parse never holds (semantics refuses it before a definition is published)."""
    from survey_app.forms_engine.repeats import parse_row_key

    parts = parse_row_key(key) if key else None
    try:
        scope = AnswersScope(answers, defn, (parts[0], parts[1]) if parts else None, key or None)
        return truthy(evaluate(text, scope))
    except ExpressionError:
        return False


def evaluate(expr: Expression | str, scope: Scope) -> Any:
    """The value of an expression: a Fraction, a text, a bool, a list of options, or None (null)."""
    return _eval((parse(expr) if isinstance(expr, str) else expr).ast, scope)


def truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, Fraction | str | list):
        return bool(value)
    return bool(value)


def _eval(node: list[Any], scope: Scope) -> Any:
    op = node[0]
    if op == "num":
        return Fraction(node[1])
    if op == "str":
        return node[1]
    if op == "null":
        return None
    if op == "name":
        return scope.value(node[1])
    if op == "self":
        return scope.value(".")
    if op == "neg":
        value = _eval(node[1], scope)
        return -value if _is_number(value) else None
    if op == "not":
        return not truthy(_eval(node[1], scope))
    if op == "and":
        return all(truthy(_eval(n, scope)) for n in node[1:])
    if op == "or":
        return any(truthy(_eval(n, scope)) for n in node[1:])
    if op in COMPARISONS:
        return compare(op, _eval(node[1], scope), _eval(node[2], scope))
    if op == "call":
        return _call(node[1], node[2:], scope)
    return _arithmetic(op, [_eval(n, scope) for n in node[1:]])


def _is_number(value: Any) -> bool:
    return isinstance(value, Fraction) or (isinstance(value, int) and not isinstance(value, bool))


def _arithmetic(op: str, values: list[Any]) -> Fraction | None:
    if not all(_is_number(v) for v in values):
        return None
    result = Fraction(values[0])
    for value in values[1:]:
        if op == "+":
            result += value
        elif op == "-":
            result -= value
        elif op == "*":
            result *= value
        elif value == 0:
            return None  # division by zero is null, as in SQL
        else:
            result /= value
    return result


def _as_number(value: Any) -> Fraction | None:
    if _is_number(value):
        return Fraction(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+(\.[0-9]+)?\s*", value):
        return Fraction(Decimal(value.strip()))
    return None


def compare(op: str, left: Any, right: Any) -> bool:
    """A comparison; with null on either side it is false. A number and a numeric text ("3") compare as
    numbers (choice values); texts compare as texts (ISO dates compare in time order); values of different
    kinds are only unequal."""
    if left is None or right is None:
        return False
    pair = _comparable(left, right)
    if pair is None:
        return op == "!="
    a, b = pair
    if op in ("=", "!="):
        return (a == b) == (op == "=")
    if isinstance(a, bool):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    if isinstance(left, list) or isinstance(right, list):
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
    if _is_number(left) or _is_number(right):
        a, b = _as_number(left), _as_number(right)
        return None if a is None or b is None else (a, b)
    return (left, right) if isinstance(left, str) and isinstance(right, str) else None


def _call(name: str, args: list[list[Any]], scope: Scope) -> Any:
    if name in AGGREGATES:
        return _aggregate(name, args, scope)
    if name == "if":
        return _eval(args[1] if truthy(_eval(args[0], scope)) else args[2], scope)
    if name == "coalesce":
        return next((v for v in (_eval(a, scope) for a in args) if v is not None), None)
    if name == "round":
        value = _eval(args[0], scope)
        return round_half_up(value, int(Fraction(args[1][1])) if len(args) > 1 else 0)
    key = "." if args[0][0] == "self" else args[0][1]
    state = scope.state(key)
    if name == "answered":
        return state is not None
    if name in ("is_none", "is_na"):
        return state == ("none" if name == "is_none" else "na")
    value = scope.value(key)
    if name == "count_selected":
        return Fraction(len(value) if isinstance(value, list) else 1 if value not in (None, "") else 0)
    wanted = _eval(args[1], scope)
    wanted = _text(wanted)
    return wanted in value if isinstance(value, list) else value is not None and _text(value) == wanted


def _text(value: Any) -> Any:
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    return str(value) if value is not None else None


def _aggregate(name: str, args: list[list[Any]], scope: Scope) -> Any:
    first = args[0]
    rows = scope.rows(first[1]) if first[0] == "name" else None
    if rows is not None and len(args) == 1 and name == "count":
        return Fraction(len(rows))
    if rows is not None and len(args) == 2:
        values = [_eval(args[1], row) for row in rows]
    else:
        values = []
        for arg in args:
            if arg[0] == "col":
                values += [row.value(arg[2]) for row in scope.rows(arg[1]) or []]
            else:
                values.append(_eval(arg, scope))
    if name == "count":
        return Fraction(sum(1 for v in values if v is not None and v is not False))
    numbers = [Fraction(v) for v in values if _is_number(v)]
    if name == "sum":
        return sum(numbers, start=Fraction(0))
    if not numbers:
        return None
    if name == "mean":
        return sum(numbers, start=Fraction(0)) / len(numbers)
    return min(numbers) if name == "min" else max(numbers)


def round_half_up(value: Any, digits: int = 0) -> Fraction | None:
    """A number rounded half-up (2.5 → 3, −2.5 → −3, as Excel's ROUND), exactly (integer arithmetic)."""
    if not _is_number(value):
        return None
    scale = 10**digits
    magnitude = (abs(Fraction(value)) * scale + Fraction(1, 2)).__floor__()
    return Fraction(magnitude if value >= 0 else -magnitude, scale)
