"""The expression language: parsing (precedence, errors with positions, hostile input), evaluation (null,
none and N/A, division by zero, exact numbers, half-up), repeat rows, and the checks on a definition."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer
from survey_app.forms_engine.expressions import AnswersScope, ExpressionError, evaluate, parse
from survey_app.forms_engine.loader import load_text

# parsing


@pytest.mark.parametrize(
    ("text", "ast"),
    [
        ("1 + 2 * 3", ["+", ["num", "1"], ["*", ["num", "2"], ["num", "3"]]]),
        ("(1 + 2) * 3", ["*", ["+", ["num", "1"], ["num", "2"]], ["num", "3"]]),
        ("a - b - c", ["-", ["name", "a"], ["name", "b"], ["name", "c"]]),
        ("-a * b", ["*", ["neg", ["name", "a"]], ["name", "b"]]),
        ("a = 1 or b = 2 and not c", [
            "or", ["=", ["name", "a"], ["num", "1"]],
            ["and", ["=", ["name", "b"], ["num", "2"]], ["not", ["name", "c"]]],
        ]),
        ("a == 'x'", ["=", ["name", "a"], ["str", "x"]]),
        ("sum(kpis.weight) = 100", ["=", ["call", "sum", ["col", "kpis", "weight"]], ["num", "100"]]),
        ("sum(kpis, weight * score)", ["call", "sum", ["name", "kpis"], ["*", ["name", "weight"], ["name", "score"]]]),
        (". <= 100", ["<=", ["self"], ["num", "100"]]),
        ("๑๒.๕", ["num", "12.5"]),
        ('"ไม่มี"', ["str", "ไม่มี"]),
    ],
)  # fmt: skip
def test_precedence_and_shape(text, ast):
    assert parse(text).ast == ast


def test_references_name_keys_and_groups():
    expr = parse("if(answered(a), sum(kpis.weight) + b, coalesce(c, 0))")
    assert expr.references() == {"a", "kpis", "b", "c"}
    assert expr.columns() == {("kpis", "weight")}


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("1 +", 4, "จุดสิ้นสุด"),
        ("(a + 1", 7, "')'"),
        ("a + foo(1)", 5, "ไม่รู้จักฟังก์ชัน 'foo'"),
        ("a < b < c", 7, "and"),
        ("'abc", 1, "เครื่องหมายปิด"),
        ("a $ b", 3, "'$'"),
        ("round(a, b)", 1, "round"),
        ("if(a, b)", 1, "3"),
        ("kpis.weight + 1", 1, "ฟังก์ชันรวม"),
        ("answered(1)", 1, "key"),
        ("", 1, "ว่าง"),
    ],
)
def test_errors_say_what_and_where(text, position, words):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position
    assert str(caught.value).startswith(f"ที่ตำแหน่ง {position}: ")
    assert words in caught.value.message_th


@pytest.mark.parametrize(
    "text",
    [
        "(" * 51 + "1" + ")" * 51,  # deep parentheses
        "-" * 60 + "1",  # deep unary minus
        "not " * 60 + "a",
        "1" + "+1-1" * 400,  # a long alternating chain: deep as a tree, not as text
        "sum(" * 60 + "1" + ")" * 60,
    ],
)
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(text):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert "ลึกเกิน 50 ชั้น" in caught.value.message_th


def test_hostile_sizes():
    with pytest.raises(ExpressionError, match="ยาวเกิน 2000"):
        parse("1+" * 1001 + "1")
    with pytest.raises(ExpressionError, match="ยาวเกิน 30 หลัก"):
        parse("9" * 31)
    long_flat = "+".join(["a"] * 900)  # 1,799 characters, one flat node
    assert len(parse(long_flat).ast) == 901
    assert evaluate(parse("9" * 30 + " * " + "9" * 30), AnswersScope({}, None)) == (10**30 - 1) ** 2


# evaluation

ANSWERS = {
    "a": Answer.of(10),
    "b": Answer.of(2.5),
    "zero": Answer.of(0),
    "nothing": NONE_ANSWER,
    "unknown": NA_ANSWER,
    "status": Answer.of("done"),
    "level": Answer.of("3"),
    "topics": Answer.of(["reading", "maths"]),
    "start": Answer.of("2026-01-15"),
    "end": Answer.of("2026-03-01"),
}


def value(text: str):  # type: ignore[no-untyped-def]
    return evaluate(parse(text), AnswersScope(ANSWERS, None))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b", Fraction(25, 2)),
        ("a / 4", Fraction(5, 2)),
        ("0.1 + 0.2 = 0.3", True),  # exact, not binary floats
        ("a / zero", None),  # division by zero is null
        ("a + missing", None),  # missing is null
        ("a + nothing", None),  # "none" is null
        ("a * unknown", None),  # N/A is null
        ("missing > 0", False),  # comparisons with null are false...
        ("missing = missing", False),
        ("missing != 1", False),
        ("not (missing > 0)", True),  # ...and their negation true
        ("sum(a, b, missing, nothing)", Fraction(25, 2)),  # aggregates skip nulls
        ("mean(a, b, unknown)", Fraction(25, 4)),
        ("count(a, b, missing, nothing)", 2),
        ("min(a, b)", Fraction(5, 2)),
        ("max(missing, nothing)", None),
        ("sum(missing)", 0),
        ("coalesce(missing, nothing, b)", Fraction(5, 2)),
        ("if(a > 5, 'big', 'small')", "big"),
        ("if(missing > 5, 'big', 'small')", "small"),
        ("round(2.5)", 3),
        ("round(-2.5)", -3),  # half away from zero, as Excel's ROUND
        ("round(1.005, 2)", Fraction(101, 100)),  # binary floats would give 1.0
        ("round(0.125, 2)", Fraction(13, 100)),
        ("answered(nothing) and is_none(nothing) and not is_na(nothing)", True),
        ("answered(unknown) and is_na(unknown)", True),
        ("answered(missing)", False),
        ("answered(a) and not is_none(a)", True),
        ("status = 'done'", True),
        ("level = 3", True),  # a choice value "3" compares with the number 3
        ("level > 2", True),
        ("status = 3", False),
        ("status != 3", True),
        ("selected(topics, 'maths')", True),
        ("selected(topics, 'art')", False),
        ("selected(status, 'done')", True),
        ("count_selected(topics)", 2),
        ("count_selected(missing)", 0),
        ("end > start", True),  # ISO dates compare in time order
        ("a > 5 and b < 3 or missing", True),
        ("๑๐ = a", True),
    ],
)
def test_semantics(text, expected):
    assert value(text) == expected


def test_repeat_rows_aggregates_and_row_scope():
    defn = load_text(REPEAT_FORM, "kpi_rows.yaml").definition
    answers = {
        "kpis": Answer.of(["rabc001", "rabc002", "rabc003"]),
        "kpis-rabc001-weight": Answer.of(40), "kpis-rabc001-score": Answer.of(4),
        "kpis-rabc002-weight": Answer.of(35.5), "kpis-rabc002-score": NA_ANSWER,
        "kpis-rabc003-weight": Answer.of(24.5), "kpis-rabc003-score": Answer.of(5),
        "bonus": Answer.of(1),
    }  # fmt: skip
    scope = AnswersScope(answers, defn)
    assert evaluate(parse("sum(kpis.weight)"), scope) == 100  # 40 + 35.5 + 24.5
    assert evaluate(parse("count(kpis)"), scope) == 3
    assert evaluate(parse("count(kpis.score)"), scope) == 2
    assert evaluate(parse("sum(kpis, weight * score) / 100"), scope) == Fraction(2825, 1000)  # (160 + 122.5)/100
    assert evaluate(parse("mean(kpis.score)"), scope) == Fraction(9, 2)
    assert evaluate(parse("count(kpis, score >= 5)"), scope) == 1
    row = AnswersScope(answers, defn, row=("kpis", "rabc003"))
    assert evaluate(parse("weight * score + bonus"), row) == Fraction(1235, 10)  # a bare name: the row's own field
    assert evaluate(parse("sum(kpis.weight)"), AnswersScope({"kpis": NONE_ANSWER}, defn)) == 0


REPEAT_FORM = """
schema_version: 1
key: kpi_rows
title: ตัวชี้วัด
respondent: organisation
audience: [basic_school]
allow_na: true
checks:
  - expression: "sum(kpis.weight) = 100"
    message: "น้ำหนักรวมต้องเท่ากับ 100"
sections:
  - key: s1
    title: ตัวชี้วัด
    questions:
      - key: kpis
        type: repeat
        label: ตัวชี้วัด
        questions:
          - {key: weight, type: decimal, label: น้ำหนัก}
          - {key: score, type: integer, label: คะแนน, allow_na: true}
          - {key: points, type: calculate, label: คะแนนถ่วง, expression: "weight * score / 100"}
      - {key: bonus, type: integer, label: โบนัส}
      - {key: total, type: calculate, label: รวม, expression: "sum(kpis, weight * score) / 100 + bonus"}
"""


def test_a_sound_definition_with_expressions_passes():
    result = load_text(REPEAT_FORM, "kpi_rows.yaml")
    assert result.ok, result.lines()


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (("sum(kpis.weight) = 100", "sum(kpis.weight = 100"), "checks[0].expression", "ที่ตำแหน่ง"),
        (("sum(kpis.weight) = 100", "sum(kpis.height) = 100"), "checks[0].expression", "ไม่มีคำถาม 'height'"),
        (("sum(kpis.weight) = 100", "weight = 100"), "checks[0].expression", "sum(kpis.weight)"),
        (("sum(kpis.weight) = 100", "nosuch = 100"), "checks[0].expression", "ไม่พบคำถาม 'nosuch'"),
        (("sum(kpis.weight) = 100", "kpis = 100"), "checks[0].expression", "กลุ่มซ้ำ"),
        (("sum(kpis.weight) = 100", "frobnicate(1)"), "checks[0].expression", "ไม่รู้จักฟังก์ชัน"),
        (("+ bonus\"}", "+ total\"}"), "sections[0].questions[2].expression", "ตัวเอง"),
        (("{key: bonus, type: integer, label: โบนัส}", "{key: bonus, type: integer, label: โบนัส, show_if: 'total > 0'}"),
         "sections[0].questions[1].show_if", "หลังข้อนี้"),
        (("{key: bonus, type: integer, label: โบนัส}", "{key: bonus, type: integer, label: โบนัส, constraint: '. > sum(x)'}"),
         "sections[0].questions[1].constraint", "ไม่พบคำถาม 'x'"),
        (("{key: bonus, type: integer, label: โบนัส}", "{key: bonus, type: integer, label: โบนัส, show_if: '. > 1'}"),
         "sections[0].questions[1].show_if", "constraint"),
        (("expression: \"weight * score / 100\"", "expression: \"weight * score / 100 * count(kpis)\""),
         "sections[0].questions[0].questions[2].expression", ""),
    ],
)  # fmt: skip
def test_a_broken_expression_is_refused_with_its_path(change, path, words):
    result = load_text(REPEAT_FORM.replace(*change), "kpi_rows.yaml")
    if not words:  # a per-row calculation may read the whole group's aggregate
        assert result.ok, result.lines()
        return
    assert not result.ok
    assert any(f"kpi_rows.yaml: {path}:" in line and words in line for line in result.lines()), result.lines()


def test_show_if_expressions_on_sections_and_indicators_are_checked():
    text = (
        REPEAT_FORM
        + """
  - key: s2
    title: ส่วนที่สอง
    show_if: "bonus > 0 and not is_na(bonus)"
    indicators:
      - key: ind_1
        title: ตัวชี้วัดย่อย
        show_if: "later > 0"
        questions:
          - {key: later, type: integer, label: ภายหลัง}
"""
    )
    result = load_text(text, "kpi_rows.yaml")
    assert [line for line in result.lines() if "show_if" in line] == [
        "kpi_rows.yaml: sections[1].indicators[0].show_if: เงื่อนไขอ้างถึงคำถาม later ที่อยู่หลังข้อนี้ (ต้องอ้างถึงข้อก่อนหน้า)"
    ]


# generated expressions: the parser and the evaluator agree with arithmetic done by hand on fractions


_LEAVES = st.one_of(
    st.integers(min_value=0, max_value=999).map(lambda n: (str(n), Fraction(n))),
    st.sampled_from([("2.5", Fraction(5, 2)), ("a", Fraction(10)), ("missing", None), ("nothing", None)]),
)


def _combine(children):  # type: ignore[no-untyped-def]
    def build(pair):  # type: ignore[no-untyped-def]
        op, (lt, lv), (rt, rv) = pair
        if lv is None or rv is None:
            value = None
        elif op == "/":
            value = None if rv == 0 else lv / rv
        else:
            value = {"+": lv + rv, "-": lv - rv, "*": lv * rv}[op]
        return f"({lt} {op} {rt})", value

    return st.tuples(st.sampled_from("+-*/"), children, children).map(build)


@settings(max_examples=200, deadline=None)
@given(st.recursive(_LEAVES, _combine, max_leaves=12))
def test_generated_arithmetic_is_exact_and_null_propagates(case):
    text, expected = case
    assert value(text) == expected
    assert value(f"coalesce({text}, -1)") == (expected if expected is not None else -1)
    assert value(f"({text}) = ({text})") is (expected is not None)  # null is never equal, not even to itself
