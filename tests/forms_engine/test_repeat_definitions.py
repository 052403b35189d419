"""Repeating groups in definitions (issue 16): what the checker refuses (nested groups, files, clashing or
too long keys, a condition on a later field), how a row's questions are made, and sample answers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, AnswerState
from survey_app.forms_engine.loader import load_file, load_text
from survey_app.forms_engine.sample import sample_answers

VALID = Path(__file__).parent / "valid" / "repeat_projects.yaml"

HEAD = """
schema_version: 1
key: rep
title: "ทดสอบ"
respondent: organisation
audience: [all]
sections:
  - key: sec
    title: "ส่วน"
    questions:
      - key: total
        type: integer
        label: "รวม"
      - key: {group}
        type: repeat
        label: "กลุ่ม"
        questions:
"""


def problems(fields: str, group: str = "projects") -> list[str]:
    """The checker's lines for a definition whose group has these fields (YAML, indented under questions)."""
    result = load_text(HEAD.format(group=group) + fields)
    assert result.definition is not None or result.problems
    return result.lines()


def test_the_valid_definition_passes():
    assert load_file(VALID).ok


def test_a_group_inside_a_group_is_refused():
    lines = problems("""
          - key: inner
            type: repeat
            label: "ซ้อน"
            questions:
              - {key: x, type: text, label: "x"}
""")
    assert lines == ["<text>: sections[0].questions[1].questions[0].type: กลุ่มที่ทำซ้ำ (repeat) ซ้อนในกลุ่มที่ทำซ้ำไม่ได้"]


def test_a_file_inside_a_group_is_refused_with_a_clear_message():
    lines = problems("""
          - {key: evidence, type: file, label: "หลักฐาน"}
""")
    assert len(lines) == 1
    assert "sections[0].questions[1].questions[0].type" in lines[0]
    assert "ยังแนบไฟล์ (file) ในกลุ่มที่ทำซ้ำไม่ได้" in lines[0]


def test_field_keys_are_unique_in_the_group_and_apart_from_the_forms_keys():
    lines = problems("""
          - {key: name, type: text, label: "ชื่อ"}
          - {key: name, type: text, label: "ชื่อซ้ำ"}
          - {key: total, type: integer, label: "ชนกับข้อนอกกลุ่ม"}
""")
    assert lines == [
        "<text>: sections[0].questions[1].questions[1].key: key 'name' ซ้ำกับข้ออื่นในกลุ่มเดียวกัน",
        "<text>: sections[0].questions[1].questions[2].key: key 'total' ซ้ำกับคำถามอื่นของแบบสอบถาม",
    ]


def test_group_and_field_keys_must_fit_the_stored_key():
    group = "g" * 30
    fits = "f" * 25  # 30 + 25 + 9 = 64: the column's width exactly
    too_long = "f" * 26  # 65
    assert problems(f"          - {{key: {fits}, type: text, label: x}}\n", group) == []
    lines = problems(f"          - {{key: {too_long}, type: text, label: x}}\n", group)
    assert len(lines) == 1 and "questions[1].questions[0].key" in lines[0]
    assert len(repeats.row_key(group, "rabcdef", fits)) == 64


def test_a_condition_in_a_row_may_name_an_earlier_field_of_the_row_but_not_a_later_one():
    ok = problems("""
          - {key: kind, type: single_choice, label: "ชนิด", options: [a, b]}
          - {key: detail, type: text, label: "รายละเอียด", show_if: {question: kind, equals: a}}
""")
    assert ok == []
    later = problems("""
          - {key: detail, type: text, label: "รายละเอียด", show_if: {question: kind, equals: a}}
          - {key: kind, type: single_choice, label: "ชนิด", options: [a, b]}
""")
    assert len(later) == 1 and "questions[1].questions[0].show_if.question" in later[0]
    unknown_value = problems("""
          - {key: kind, type: single_choice, label: "ชนิด", options: [a, b]}
          - {key: detail, type: text, label: "รายละเอียด", show_if: {question: kind, equals: c}}
""")
    assert len(unknown_value) == 1 and "ไม่มีตัวเลือก 'c'" in unknown_value[0]


def test_min_rows_above_max_rows_is_refused():
    result = load_text(
        HEAD.format(group="g").replace('label: "กลุ่ม"', 'label: "กลุ่ม"\n        min_rows: 5\n        max_rows: 2')
        + "          - {key: x, type: text, label: x}\n"
    )
    assert not result.ok
    assert any("min_rows ต้องไม่มากกว่า max_rows" in line for line in result.lines())


def test_a_rows_questions_are_the_fields_under_the_rows_keys_with_sibling_conditions_in_the_row():
    defn = load_file(VALID).definition
    group = defn.question_map()["projects"]
    name, budget, has_partner, partner = repeats.row_questions(group, "rabc123")
    assert [q.key for q in (name, budget, has_partner, partner)] == [
        "projects-rabc123-name",
        "projects-rabc123-budget",
        "projects-rabc123-has_partner",
        "projects-rabc123-partner",
    ]
    assert partner.show_if.question == "projects-rabc123-has_partner"
    assert partner.show_if.equals == "yes"
    assert budget.min == 0 and budget.type == "integer"
    assert group.questions[3].show_if.question == "has_partner"  # the definition itself is untouched


def test_expansion_shows_stored_rows_none_hides_them_and_min_rows_shows_seed_rows():
    defn = load_file(VALID).definition
    projects, kpis = defn.question_map()["projects"], defn.question_map()["kpis"]
    answers = {"projects": Answer.of(["rb00001", "rb00002"])}
    keys = [q.key for q in repeats.expanded(defn.sections[0], answers)]
    assert keys[:2] == ["reporter", "projects"]
    assert keys[2:] == [
        f"projects-{rid}-{f}" for rid in ("rb00001", "rb00002") for f in ("name", "budget", "has_partner", "partner")
    ]
    assert [q.key for q in repeats.expanded([projects], {"projects": Answer(AnswerState.NONE)})] == ["projects"]
    assert repeats.shown_rows(kpis, {}) == ["r000001", "r000002"]
    assert repeats.shown_rows(projects, {}) == []


def test_a_row_field_is_named_with_its_group_and_row():
    defn = load_file(VALID).definition
    answers = {"projects": Answer.of(["rb00001", "rb00002"])}
    assert (
        repeats.row_title(defn, "projects-rb00002-budget", answers)
        == "โครงการภายใต้ตัวชี้วัดนี้ · โครงการที่ 2 · งบประมาณ (บาท)"
    )
    assert (
        repeats.row_title(defn, "kpis-r000001-score", {"kpis": Answer.of(["r000001"])})
        == "ตัวชี้วัดย่อย · รายการที่ 1 · คะแนน"
    )
    assert repeats.row_title(defn, "reporter", answers) is None


@pytest.mark.parametrize("seed", range(12))
def test_sample_answers_give_zero_to_three_rows_with_their_fields(seed):
    defn = load_file(VALID).definition
    answers = sample_answers(defn, random.Random(seed))
    kpi_rows = repeats.row_ids(answers, "kpis")
    assert 2 <= len(kpi_rows) <= 3  # min_rows 2, max_rows 3
    for rid in kpi_rows:
        score = answers[f"kpis-{rid}-score"]
        assert score.state == AnswerState.NONE or 1 <= score.value <= 5
    project = answers["projects"]
    rows = repeats.row_ids(answers, "projects")
    assert project.state == AnswerState.NONE or 1 <= len(rows) <= 3  # required: one row at least
    for rid in rows:
        assert f"projects-{rid}-name" in answers
        shown = answers.get(f"projects-{rid}-has_partner")
        assert (f"projects-{rid}-partner" in answers) == (shown is not None and shown.value == "yes")
    assert all(repeats.parse_row_key(k) is None or repeats.parse_row_key(k)[1] in kpi_rows + rows for k in answers)


def test_the_group_is_in_the_question_union():
    assert "repeat" in s.QUESTION_TYPE_NAMES


def test_a_group_in_a_person_survey_is_refused_for_now():
    result = load_text(
        HEAD.format(group="g").replace("respondent: organisation", "respondent: person")
        + "          - {key: x, type: text, label: x}\n"
    )
    assert any(
        line.endswith(
            "sections[0].questions[1].type: ยังใช้กลุ่มที่ทำซ้ำ (repeat) ในแบบสอบถามรายบุคคล (respondent: person) ไม่ได้"
        )
        for line in result.lines()
    )
