"""What a form designer who knows XLSForm tripped over when writing forms from docs/form_definitions.md alone:
a section's own questions written above its indicators come first (so an indicator may depend on them), text
conditions name existing option values, `null` is a literal, two repeat groups may share a field key, and every
whole form printed in the docs passes the checker."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer, AnswerState
from survey_app.forms_engine.expressions import AnswersScope, ExpressionError, evaluate, parse
from survey_app.forms_engine.loader import canonical_json, from_stored, load_file, load_text
from survey_app.responses.models import Response
from tests.fixtures.answering import ROOT, make_round, page, published_world, save, start

HEAD = "schema_version: 1\nkey: {key}\ntitle: ทดสอบ\nrespondent: organisation\naudience: [schools]\n"

SCREENING_FIRST = """
sections:
  - key: projects
    title: "โครงการ"
    questions:
      - key: has_projects
        type: single_choice
        label: "มีโครงการส่งเสริมการอ่านหรือไม่"
        options: [{value: "yes", label: "มี"}, {value: "no", label: "ไม่มี"}]
    indicators:
      - key: ind_1
        code: "1.1"
        title: "ตัวชี้วัดโครงการส่งเสริมการอ่าน"
        show_if: "has_projects = 'yes'"
        questions:
          - key: projects_1
            type: repeat
            label: "โครงการของโรงเรียน"
            required: false
            questions:
              - {key: name, type: text, label: "ชื่อโครงการ", required: false}
              - {key: budget, type: decimal, label: "งบประมาณ", min: 0, required: false}
          - key: projects_2
            type: repeat
            label: "โครงการร่วมกับชุมชน"
            required: false
            questions:
              - {key: name, type: text, label: "ชื่อโครงการ", required: false}
              - {key: budget, type: decimal, label: "งบประมาณ", min: 0, required: false}
          - key: budget_total
            type: calculate
            label: "งบประมาณรวม"
            expression: "sum(projects_1.budget) + sum(projects_2, budget)"
"""


def check(body: str, key: str = "t") -> list[str]:
    return load_text(HEAD.format(key=key) + body, f"{key}.yaml", expected_key=key).lines()


def loaded(body: str, key: str = "t"):  # type: ignore[no-untyped-def]
    result = load_text(HEAD.format(key=key) + body, f"{key}.yaml", expected_key=key)
    assert result.ok, result.lines()
    return result.definition


# 1. the order written in the file --------------------------------------------------------------------------


def test_questions_written_above_indicators_come_first_and_may_be_referenced():
    defn = loaded(SCREENING_FIRST)
    assert [q.key for q in defn.questions()] == ["has_projects", "projects_1", "projects_2", "budget_total"]
    again = from_stored(canonical_json(defn))  # what a published version is rebuilt from
    assert [q.key for q in again.questions()] == ["has_projects", "projects_1", "projects_2", "budget_total"]


def test_indicators_written_first_still_come_first_so_the_reference_is_refused():
    body = """
sections:
  - key: s
    title: "ส่วนที่ 1"
    indicators:
      - key: ind_1
        title: "ตัวชี้วัด"
        show_if: "has_projects = 'yes'"
        questions:
          - {key: n, type: integer, label: "จำนวน"}
    questions:
      - key: has_projects
        type: single_choice
        label: "มีโครงการหรือไม่"
        options: [{value: "yes", label: "มี"}, {value: "no", label: "ไม่มี"}]
"""
    assert check(body) == [
        "t.yaml: sections[0].indicators[0].show_if: เงื่อนไขอ้างถึงคำถาม has_projects ที่อยู่หลังข้อนี้ (ต้องอ้างถึงข้อก่อนหน้า)"
    ]
    assert [q.key for q in loaded(body.replace("show_if: \"has_projects = 'yes'\"", "")).questions()] == [
        "n",
        "has_projects",
    ]


def test_the_shipped_forms_keep_their_stored_text_and_hash():
    """No shipped section writes questions above indicators: nothing new is stored, so no hash changes."""
    files = sorted((ROOT / "form_definitions").glob("**/*.yaml"))
    assert len(files) >= 4
    for path in files:
        result = load_file(path)
        assert result.ok, result.lines()
        assert "questions_first" not in canonical_json(result.definition), path.name


@pytest.fixture
def screening_world(db, tmp_path: Path) -> dict:
    path = tmp_path / "screening.yaml"
    path.write_text(HEAD.format(key="screening") + SCREENING_FIRST, encoding="utf-8")
    return published_world(path)


def test_the_page_shows_the_screening_question_above_the_indicator(screening_world, client, auth):
    rnd = make_round(screening_world, "screening")
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 0)
    assert html.index("มีโครงการส่งเสริมการอ่านหรือไม่") < html.index("ตัวชี้วัดโครงการส่งเสริมการอ่าน")
    assert html.index("ตัวชี้วัดโครงการส่งเสริมการอ่าน") < html.index("โครงการของโรงเรียน")


# 4. the same field key in two repeat groups -----------------------------------------------------------------


def test_two_groups_may_share_a_field_key_and_keep_their_answers_apart(screening_world, client, auth):
    rnd = make_round(screening_world, "screening")
    auth.login("school_a")
    rid = start(client, rnd)
    assert save(client, rid, 0, {"has_projects": "yes"}, row_action="add:projects_1").status_code == 302
    assert save(client, rid, 0, {"has_projects": "yes"}, row_action="add:projects_2").status_code == 302
    html = page(client, rid, 0)
    (one,) = re.findall(r'id="row-projects_1-(r[a-z0-9]{6})"', html)
    (two,) = re.findall(r'id="row-projects_2-(r[a-z0-9]{6})"', html)
    typed = {
        "has_projects": "yes",
        f"projects_1-{one}-name": "ห้องสมุดมีชีวิต", f"projects_1-{one}-budget": "12000",
        f"projects_2-{two}-name": "อ่านกับชุมชน", f"projects_2-{two}-budget": "2500.50",
    }  # fmt: skip
    assert save(client, rid, 0, typed, html=html, action="save").status_code == 302
    db.session.expire_all()
    answers = db.session.get(Response, rid).answer_map()
    assert Fraction(str(answers[f"projects_1-{one}-budget"].value)) == 12000
    assert Fraction(str(answers[f"projects_2-{two}-budget"].value)) == Fraction("2500.50")
    assert Fraction(str(answers["budget_total"].value)) == Fraction("14500.50")  # 12000 + 2500.50


def test_a_shared_field_key_is_still_refused_within_one_group_and_beside_a_top_level_key():
    twice = SCREENING_FIRST.replace(
        '              - {key: budget, type: decimal, label: "งบประมาณ", min: 0, required: false}\n          - key: projects_2',
        '              - {key: budget, type: decimal, label: "งบประมาณ", min: 0, required: false}\n'
        '              - {key: name, type: text, label: "ซ้ำ"}\n          - key: projects_2',
    )
    assert check(twice) == [
        "t.yaml: sections[0].indicators[0].questions[0].questions[2].key: key 'name' ซ้ำกับข้ออื่นในกลุ่มเดียวกัน"
    ]
    clash = SCREENING_FIRST.replace("key: budget_total", "key: budget").replace(
        'expression: "sum', 'expression: "0 + sum'
    )
    assert any("key 'budget' ซ้ำกับคำถามอื่นของแบบสอบถาม" in line for line in check(clash))


def test_a_bare_shared_field_name_outside_its_groups_names_both_groups():
    body = SCREENING_FIRST.replace("sum(projects_1.budget) + sum(projects_2, budget)", "budget")
    assert check(body) == [
        "t.yaml: sections[0].indicators[0].questions[2].expression: 'budget' เป็นคำถามในกลุ่มซ้ำ 'projects_1', "
        "'projects_2': ใช้ในฟังก์ชันรวม เช่น sum(projects_1.budget)"
    ]


# 2. option values in text conditions ------------------------------------------------------------------------

CHOICES = """
sections:
  - key: s
    title: "ส่วนที่ 1"
    questions:
      - key: yn
        type: single_choice
        label: "มีหรือไม่"
        options: [{value: "yes", label: "มี"}, {value: "no", label: "ไม่มี"}]
      - key: topics
        type: multiple_choice
        label: "หัวข้อ"
        options: [maths, science]
        other_option: true
      - key: rows
        type: repeat
        label: "รายการ"
        questions:
          - key: kind
            type: single_choice
            label: "ชนิด"
            options: [{value: a, label: "ก"}, {value: b, label: "ข"}]
          - {key: note, type: text, label: "หมายเหตุ", show_if: "ROW_CONDITION"}
      - {key: later, type: integer, label: "ต่อมา", show_if: "CONDITION"}
"""


def choices(condition: str, row_condition: str = "kind = 'a'") -> list[str]:
    return check(CHOICES.replace("ROW_CONDITION", row_condition).replace("CONDITION", condition))


@pytest.mark.parametrize(
    "condition",
    [
        "yn = 'yes'",
        "yn != 'no'",
        "'no' = yn",
        "selected(topics, 'science')",
        "selected(topics, '__other__')",
        "topics != 'maths'",
    ],
)
def test_conditions_naming_offered_values_pass(condition):
    assert choices(condition) == []


def test_a_value_the_question_does_not_offer_is_refused_with_its_path():
    assert choices("yn = 'maybe'") == [
        "t.yaml: sections[0].questions[3].show_if: คำถาม 'yn' ไม่มีตัวเลือก 'maybe' (ตัวเลือกที่มี: 'yes', 'no')"
    ]
    assert choices("yn = 'no' or selected(topics, 'art')") == [
        "t.yaml: sections[0].questions[3].show_if: คำถาม 'topics' ไม่มีตัวเลือก 'art' "
        "(ตัวเลือกที่มี: 'maths', 'science', '__other__')"
    ]
    # "other" is a value only where the question offers it
    assert choices("yn = '__other__'") == [
        "t.yaml: sections[0].questions[3].show_if: คำถาม 'yn' ไม่มีตัวเลือก '__other__' (ตัวเลือกที่มี: 'yes', 'no')"
    ]


def test_a_row_field_condition_is_checked_against_the_row_field_options():
    assert choices("yn = 'yes'", "kind = 'c'") == [
        "t.yaml: sections[0].questions[2].questions[1].show_if: คำถาม 'kind' ไม่มีตัวเลือก 'c' (ตัวเลือกที่มี: 'a', 'b')"
    ]


def test_rules_and_calculations_are_checked_too():
    body = CHOICES.replace("ROW_CONDITION", "kind = 'a'").replace("CONDITION", "yn = 'yes'")
    body = body.replace(
        "sections:", 'checks:\n  - {expression: "yn != \'yse\' or later > 0", message: "ข้อความ"}\nsections:'
    )
    assert check(body) == ["t.yaml: checks[0].expression: คำถาม 'yn' ไม่มีตัวเลือก 'yse' (ตัวเลือกที่มี: 'yes', 'no')"]


# 3. null ----------------------------------------------------------------------------------------------------

KPI = """
allow_na: interim
scales:
  score5: {min: 1, max: 5}
sections:
  - key: k
    title: "ตัวชี้วัด"
    questions:
      - key: kpis
        type: repeat
        label: "ตัวชี้วัด"
        questions:
          - {key: weight, type: decimal, label: "น้ำหนัก", min: 0, max: 100}
          - {key: score, type: rating, scale: score5, label: "คะแนน", allow_na: interim}
      - key: weighted_total
        type: calculate
        label: "คะแนนรวมถ่วงน้ำหนัก"
        expression: "if(count(kpis, is_na(score)) > 0, null, sum(kpis, weight * score) / 100)"
"""


def kpi_answers(second_score: Answer) -> dict[str, Answer]:
    return {
        "kpis": Answer(AnswerState.VALUE, ["rabc001", "rabc002"]),
        "kpis-rabc001-weight": Answer(AnswerState.VALUE, 60), "kpis-rabc001-score": Answer(AnswerState.VALUE, 4),
        "kpis-rabc002-weight": Answer(AnswerState.VALUE, 40), "kpis-rabc002-score": second_score,
    }  # fmt: skip


def test_null_is_a_literal_and_the_weighted_total_waits_for_every_score():
    defn = loaded(KPI)
    expression = defn.question_map()["weighted_total"].expression
    assert evaluate(expression, AnswersScope(kpi_answers(Answer(AnswerState.NA, None)), defn)) is None
    # (60 × 4 + 40 × 5) / 100 = 440 / 100
    assert evaluate(expression, AnswersScope(kpi_answers(Answer(AnswerState.VALUE, 5)), defn)) == Fraction(44, 10)
    assert parse("null").ast == ["null"]
    assert evaluate("null + 1", AnswersScope({}, None)) is None
    assert evaluate("coalesce(null, 3)", AnswersScope({}, None)) == 3
    assert evaluate("null = null", AnswersScope({}, None)) is False  # a comparison with null is false
    with pytest.raises(ExpressionError):
        parse("null(1)")  # a word, not a function


# 5. the docs --------------------------------------------------------------------------------------------------

DOCS = ROOT / "docs" / "form_definitions.md"


def test_every_whole_form_in_the_docs_passes_the_checker():
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    forms = [block for block in blocks if re.search(r"^schema_version:", block, re.M)]
    assert len(forms) >= 3
    for block in forms:
        key = re.search(r"^key: (\w+)", block, re.M).group(1)
        result = load_text(block, f"{key}.yaml", expected_key=key)
        assert result.ok, result.lines()
