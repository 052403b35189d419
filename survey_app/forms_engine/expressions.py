"""The one safe expression language of form definitions: calculations, form-wide rules, constraints, conditions.

`parse` turns a text into an `Expression` whose AST is JSON-ready nested lists (the browser evaluates the same
AST in static/js/expressions.js); `evaluate` walks it over a scope. Never `eval`: a hand-written tokenizer and
precedence-climbing parser with limits on length and nesting, so hostile text gets a Thai message with its
position, never a RecursionError. Numbers are exact fractions; missing, "none" and N/A answers are `null`
(arithmetic with null is null, comparisons with null are false, aggregates skip nulls). See
docs/form_definitions.md, "Expressions, calculations and rules".

AST nodes: ["num", "12.5"] ["str", "x"] ["name", key] ["col", group, field] ["self"] ["neg", x] ["not", x]
[op, a, b, ...] for + - * / (a left fold of one operator), ["and"|"or", a, b, ...], [cmp, a, b] for
= != < <= > >=, ["call", function, args...].
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from survey_app.core.figures import exact

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_DIGITS = 30
AGGREGATES = ("sum", "mean", "count", "min", "max")
KEY_FUNCTIONS = ("answered", "is_none", "is_na")
FUNCTIONS: dict[str, tuple[int, int | None]] = {  # name: (fewest, most) arguments
    **dict.fromkeys(AGGREGATES, (1, None)),
    "round": (1, 2), "if": (3, 3), "coalesce": (1, None), "answered": (1, 1), "is_none": (1, 1),
    "is_na": (1, 1), "selected": (2, 2), "count_selected": (1, 1),
}  # fmt: skip
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<num>[0-9๐-๙]+(?:\.[0-9๐-๙]+)?)|(?P<col>[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|!=|==|<>|[-+*/=<>(),.≤≥≠])|(?P<quote>['\"])"
)
_SYNONYMS = {"==": "=", "<>": "!=", "≤": "<=", "≥": ">=", "≠": "!="}


class ExpressionError(ValueError):
    """A text that is not a valid expression: a Thai message and the 1-based character position."""

    def __init__(self, message_th: str, position: int) -> None:
        super().__init__(f"ที่ตำแหน่ง {position}: {message_th}")
        self.message_th = message_th
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, name, col, op, end
    text: str
    pos: int  # 1-based


def tokenize(text: str) -> list[Token]:
    """The tokens of a text (names lower-cased); an unknown character or an open quote is an error."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        match = _TOKEN.match(text, i)
        if match is None:
            raise ExpressionError(f"ไม่รู้จักอักขระ '{text[i]}'", i + 1)
        kind = match.lastgroup or ""
        if kind == "quote":
            end = text.find(match.group(), i + 1)
            if end < 0:
                raise ExpressionError("ข้อความในเครื่องหมายคำพูดไม่มีเครื่องหมายปิด", i + 1)
            tokens.append(Token("str", text[i + 1 : end], i + 1))
            i = end + 1
            continue
        if kind != "space":
            word = match.group()
            word = _SYNONYMS.get(word, word) if kind == "op" else word
            tokens.append(Token(kind, word.lower() if kind in ("name", "col") else word, i + 1))
        i = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """Precedence climbing: or < and < not < comparison < + - < * / < unary minus < primary."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.nesting = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, text: str) -> Token:
        if self.tok.text != text or self.tok.kind not in ("op", "name"):
            raise ExpressionError(f"ต้องมี '{text}' แต่พบ {_shown(self.tok)}", self.tok.pos)
        return self.take()

    def enter(self, pos: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExpressionError(f"นิพจน์ซ้อนกันลึกเกิน {MAX_DEPTH} ชั้น", pos)

    def parse(self) -> list[Any]:
        node, _ = self.or_expr()
        if self.tok.kind != "end":
            raise ExpressionError(f"ไม่คาดว่าจะพบ {_shown(self.tok)} (ขาดเครื่องหมายหรือวงเล็บหรือไม่)", self.tok.pos)
        return node

    def chain(self, ops: tuple[str, ...], keywords: bool, operand: Any) -> tuple[list[Any], int]:
        """A left-associative chain; a run of one operator is one n-ary node (a+b+c is flat, not deep)."""
        node, depth = operand()
        while self.tok.text in ops and (self.tok.kind == "name") == keywords:
            op = self.take()
            right, rdepth = operand()
            if node[0] == op.text and getattr(node, "open", False):
                node.append(right)
                depth = max(depth, rdepth + 1)
            else:
                node, depth = _Node([op.text, node, right]), max(depth, rdepth) + 1
                node.open = True
            if depth > MAX_DEPTH:
                raise ExpressionError(f"นิพจน์ซ้อนกันลึกเกิน {MAX_DEPTH} ชั้น", op.pos)
        return _closed(node), depth

    def or_expr(self) -> tuple[list[Any], int]:
        return self.chain(("or",), True, self.and_expr)

    def and_expr(self) -> tuple[list[Any], int]:
        return self.chain(("and",), True, self.not_expr)

    def not_expr(self) -> tuple[list[Any], int]:
        if self.tok.kind == "name" and self.tok.text == "not":
            self.enter(self.take().pos)
            node, depth = self.not_expr()
            self.nesting -= 1
            return ["not", node], depth + 1
        return self.comparison()

    def comparison(self) -> tuple[list[Any], int]:
        left, ldepth = self.additive()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.take()
            right, rdepth = self.additive()
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise ExpressionError("เปรียบเทียบต่อกันหลายครั้งไม่ได้ ให้ใช้ and เช่น a < b and b < c", self.tok.pos)
            return [op.text, left, right], max(ldepth, rdepth) + 1
        return left, ldepth

    def additive(self) -> tuple[list[Any], int]:
        return self.chain(("+", "-"), False, self.multiplicative)

    def multiplicative(self) -> tuple[list[Any], int]:
        return self.chain(("*", "/"), False, self.unary)

    def unary(self) -> tuple[list[Any], int]:
        if self.tok.kind == "op" and self.tok.text in ("-", "+"):
            op = self.take()
            self.enter(op.pos)
            node, depth = self.unary()
            self.nesting -= 1
            return (["neg", node], depth + 1) if op.text == "-" else (node, depth)
        return self.primary()

    def primary(self) -> tuple[list[Any], int]:
        tok = self.take()
        if tok.kind == "num":
            return ["num", _number_text(tok)], 1
        if tok.kind == "str":
            return ["str", tok.text], 1
        if tok.kind == "col":
            raise ExpressionError(f"'{tok.text}' คือคำตอบทุกแถวของกลุ่มซ้ำ ใช้ได้ในฟังก์ชันรวมเท่านั้น เช่น sum({tok.text})", tok.pos)
        if tok.kind == "op" and tok.text == ".":
            return ["self"], 1
        if tok.kind == "op" and tok.text == "(":
            self.enter(tok.pos)
            node, depth = self.or_expr()
            self.expect(")")
            self.nesting -= 1
            return node, depth
        if tok.kind == "name" and tok.text not in ("and", "or", "not"):
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(tok)
            return ["name", tok.text], 1
        raise ExpressionError(f"ไม่คาดว่าจะพบ {_shown(tok)}", tok.pos)

    def call(self, name: Token) -> tuple[list[Any], int]:
        if name.text not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise ExpressionError(f"ไม่รู้จักฟังก์ชัน '{name.text}' (ใช้ได้: {known})", name.pos)
        self.enter(self.take().pos)
        args: list[list[Any]] = []
        depth = 1
        while not (self.tok.kind == "op" and self.tok.text == ")"):
            if args:
                self.expect(",")
            if self.tok.kind == "col" and name.text in AGGREGATES:
                col = self.take()
                args.append(["col", *col.text.split(".")])
                continue
            arg, adepth = self.or_expr()
            args.append(arg)
            depth = max(depth, adepth)
        self.take()
        self.nesting -= 1
        _check_call(name, args)
        return ["call", name.text, *args], depth + 1


class _Node(list):  # type: ignore[type-arg]
    """A list that may still take operands of the same operator while its chain is being read."""

    open = False


def _closed(node: list[Any]) -> list[Any]:
    if isinstance(node, _Node):
        return [_closed(n) for n in node]
    return node


def _shown(tok: Token) -> str:
    return "จุดสิ้นสุดของนิพจน์" if tok.kind == "end" else f"'{tok.text}'"


def _number_text(tok: Token) -> str:
    text = tok.text.translate(_THAI_DIGITS)
    if len(text.replace(".", "").lstrip("0")) > MAX_DIGITS:
        raise ExpressionError(f"ตัวเลขยาวเกิน {MAX_DIGITS} หลัก", tok.pos)
    return text


def _check_call(name: Token, args: list[list[Any]]) -> None:
    fewest, most = FUNCTIONS[name.text]
    if len(args) < fewest or (most is not None and len(args) > most):
        wanted = f"{fewest}" if fewest == most else f"{fewest} ขึ้นไป" if most is None else f"{fewest}–{most}"
        raise ExpressionError(f"ฟังก์ชัน {name.text} ต้องมีอาร์กิวเมนต์ {wanted} ตัว (พบ {len(args)})", name.pos)
    if name.text in (*KEY_FUNCTIONS, "selected", "count_selected") and args[0][0] not in ("name", "self"):
        raise ExpressionError(f"อาร์กิวเมนต์แรกของ {name.text} ต้องเป็นชื่อคำถาม (key)", name.pos)
    if name.text == "round" and len(args) == 2 and args[1][0] != "num":
        raise ExpressionError("จำนวนตำแหน่งทศนิยมของ round ต้องเป็นตัวเลข เช่น round(x, 2)", name.pos)
    if name.text == "round" and len(args) == 2 and Fraction(args[1][1]) > 10:
        raise ExpressionError("round ปัดได้ไม่เกิน 10 ตำแหน่งทศนิยม", name.pos)


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text and JSON-ready AST."""

    text: str
    ast: Any

    def references(self) -> frozenset[str]:
        """Every question key and repeat group it reads (fields of a per-row aggregate as written)."""
        return frozenset(name for name, _ in _names(self.ast))

    def columns(self) -> frozenset[tuple[str, str]]:
        """The repeat columns it reads, as (group, field)."""
        return frozenset((name, field) for name, field in _names(self.ast) if field is not None)

    @property
    def uses_self(self) -> bool:
        """Whether it reads `.` (the question's own value: constraints only)."""
        return _has_self(self.ast)


def _has_self(node: Any) -> bool:
    return isinstance(node, list) and (node[0] == "self" or any(_has_self(child) for child in node[1:]))


def _names(node: Any) -> list[tuple[str, str | None]]:
    if not isinstance(node, list):
        return []
    if node[0] == "name":
        return [(node[1], None)]
    if node[0] == "col":
        return [(node[1], node[2])]
    return [found for child in node[1:] for found in _names(child)]


@lru_cache(maxsize=4096)
def parse(text: str) -> Expression:
    """Parse an expression (cached: definitions are immutable and conditions are read on every page)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("นิพจน์ว่าง", 1)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"นิพจน์ยาวเกิน {MAX_LENGTH} ตัวอักษร", MAX_LENGTH + 1)
    return Expression(text, _Parser(text).parse())


# evaluation ------------------------------------------------------------------------------------------


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
