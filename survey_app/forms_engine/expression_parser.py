"""Parsing the expression language: a hand-written tokenizer and precedence-climbing parser, never `eval`.

`parse` turns a text into an `Expression` whose AST is JSON-ready nested lists (evaluated by expressions.py on
the server and by static/js/expressions.js in the browser). Limits on length, digits and nesting give hostile
text a Thai message with its position, never a RecursionError.

AST nodes: ["num", "12.5"] ["str", "x"] ["null"] ["name", key] ["col", group, field] ["self"] ["neg", x] ["not", x]
[op, a, b, ...] for + - * / (a left fold of one operator), ["and"|"or", a, b, ...], [cmp, a, b] for
= != < <= > >=, ["call", function, args...].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_DIGITS = 30
AGGREGATES = ("sum", "mean", "count", "min", "max")
KEY_FUNCTIONS = ("answered", "is_none", "is_na")
FUNCTIONS: dict[str, tuple[int, int | None]] = {  # name: (fewest, most) arguments
    **dict.fromkeys(AGGREGATES, (1, None)),
    "round": (1, 2),
    "if": (3, 3),
    "coalesce": (1, None),
    "answered": (1, 1),
    "is_none": (1, 1),
    "is_na": (1, 1),
    "selected": (2, 2),
    "count_selected": (1, 1),
}
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
            if tok.text == "null":  # the literal "no value": if(…, null, x) leaves a calculation empty
                return ["null"], 1
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


class _Node(list[Any]):
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
