"""`other_option` ("อื่น ๆ (โปรดระบุ)") and long searchable option lists on single and multiple choice questions:
accepted by the checker, read with its text (required, bounded, kept on error), stored apart from the choice,
counted as its own row and listed in the raw sheet; conditions on `__other__`; more than 200 options."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from werkzeug.datastructures import MultiDict

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NONE_ANSWER, Answer, condition_holds
from survey_app.forms_engine.builder import form_class, read_section
from survey_app.forms_engine.loader import load_text
from survey_app.reports.build import aggregate
from survey_app.reports.data import Filters, RoundData
from survey_app.reports.writers import write_csv
from tests.fixtures.answering import make_round, page, published_world, save, start

DEFINITION = """
schema_version: 1
key: {key}
title: ทะเบียนสมาชิก
respondent: organisation
audience: [basic_school]
sections:
  - key: s1
    title: ข้อมูลสมาชิก
    questions:
      - key: position
        type: single_choice
        label: ตำแหน่ง
        options: [{{value: teacher, label: ครู}}, {{value: director, label: ผู้อำนวยการ}}]
        other_option: true
      - key: other_note
        type: text
        label: หมายเหตุตำแหน่งอื่น
        required: false
        show_if: {{question: position, equals: __other__}}
      - key: duties
        type: multiple_choice
        label: งานที่รับผิดชอบ
        options: [{{value: academic, label: วิชาการ}}, {{value: budget, label: งบประมาณ}}]
        other_option: "งานอื่น (ระบุ)"
        none_option: true
        required: false
"""


def parse(text: str):  # type: ignore[no-untyped-def]
    result = load_text(text, "members.yaml", expected_key="members")
    assert result.ok, result.lines()
    return result.definition


def read(app, defn, posted: dict):  # type: ignore[no-untyped-def]
    with app.test_request_context(method="POST", data=MultiDict(posted)):
        form = form_class(defn, defn.sections[0])(meta={"csrf": False})
        return read_section(defn, defn.sections[0], form, {}, "basic_school")


def test_the_checker_accepts_other_option_and_refuses_reserved_values():
    defn = parse(DEFINITION.format(key="members"))
    assert defn.sections[0].questions[0].other_label.th == "อื่น ๆ (โปรดระบุ)"
    assert defn.sections[0].questions[2].other_label.th == "งานอื่น (ระบุ)"

    reserved = DEFINITION.format(key="members").replace("value: teacher", "value: __other__")
    problems = load_text(reserved, "members.yaml", expected_key="members").lines()
    assert any("options[0].value" in line and "สงวน" in line for line in problems)

    without_other = DEFINITION.format(key="members").replace("        other_option: true\n", "", 1)
    problems = load_text(without_other, "members.yaml", expected_key="members").lines()
    assert any("show_if.equals" in line and "'__other__'" in line for line in problems)


def test_other_is_stored_with_its_text_apart_from_the_choice(app):
    defn = parse(DEFINITION.format(key="members"))
    result = read(app, defn, {"position": "__other__", "position__other": "  ศึกษานิเทศก์  ", "duties": ["budget", "__other__"], "duties__other": "พัสดุ"})  # fmt: skip
    assert not result.errors
    assert result.answers["position"] == Answer.of({"value": "__other__", "other": "ศึกษานิเทศก์"})
    assert result.answers["duties"] == Answer.of({"value": ["budget", "__other__"], "other": "พัสดุ"})

    plain = read(app, defn, {"position": "teacher", "position__other": "ไม่ควรเก็บ", "duties": ["academic"]})
    assert plain.answers["position"] == Answer.of("teacher")  # the old shape: a plain value, no text kept
    assert plain.answers["duties"] == Answer.of(["academic"])

    # the condition on __other__ holds for the stored shape, and not for a plain option
    cond = defn.sections[0].questions[1].show_if
    assert condition_holds(cond, result.answers) and not condition_holds(cond, plain.answers)
    includes = s.Condition(question="duties", includes="__other__")
    assert condition_holds(includes, result.answers) and not condition_holds(includes, plain.answers)


def test_other_without_text_or_with_10_kb_is_refused_in_thai(app):
    defn = parse(DEFINITION.format(key="members"))
    missing = read(app, defn, {"position": "__other__", "position__other": "   "})
    assert missing.errors["position"] == ['เลือก "อื่น ๆ (โปรดระบุ)" แล้ว กรุณาระบุในช่องข้อความ']
    huge = read(app, defn, {"position": "__other__", "position__other": "ก" * 10240})
    assert huge.errors["position"] == ["ข้อความที่ระบุยาวเกิน 500 ตัวอักษร (พิมพ์มา 10,240 ตัวอักษร)"]
    both = read(app, defn, {"duties": ["__none__", "__other__"], "duties__other": "x"})
    assert both.errors["duties"] == ['เลือก "ไม่มี/ไม่เกี่ยวข้องกับหน่วยงาน" ร่วมกับตัวเลือกอื่นไม่ได้']
    none = read(app, defn, {"duties": ["__none__"], "duties__other": "x"})
    assert none.answers["duties"] == NONE_ANSWER


def round_data(defn) -> RoundData:  # type: ignore[no-untyped-def]
    """Five responses: teacher, teacher, other "ศึกษานิเทศก์", other "ธุรการ", director."""
    responses = pd.DataFrame({"response_id": [1, 2, 3, 4, 5], "org_unit_id": [10, 11, 12, 13, 14],
                              "code": ["S1", "S2", "S3", "S4", "S5"], "unit": ["ก", "ข", "ค", "ง", "จ"],
                              "kind": ["basic_school"] * 5, "district": [None] * 5, "path": ["/1/"] * 5,
                              "status": ["submitted"] * 5, "is_late": [False] * 5,
                              "submitted_at": pd.to_datetime(["2024-01-05"] * 5), "agency_id": [5] * 5})  # fmt: skip
    values = ["teacher", "teacher", {"value": "__other__", "other": "ศึกษานิเทศก์"},
              {"value": "__other__", "other": "ธุรการ"}, "director"]  # fmt: skip
    duties = [["academic"], {"value": ["academic", "__other__"], "other": "พัสดุ"}, None, ["budget"], None]
    states = ["value", "value", "none", "value", "none"]
    answers = pd.DataFrame({"response_id": [1, 2, 3, 4, 5] * 2, "question_key": ["position"] * 5 + ["duties"] * 5,
                            "state": ["value"] * 5 + states, "value": values + duties,
                            "value_num": [float("nan")] * 10})  # fmt: skip
    rnd = SimpleNamespace(id=1, per_person=False, fiscal_year=2567, title="รอบทดลอง")
    return RoundData(rnd, defn, Filters(status="submitted"), responses, answers)


def test_reports_count_other_as_its_own_row_and_list_the_texts(app, db):
    defn = parse(DEFINITION.format(key="members"))
    data = round_data(defn)
    position = aggregate(data, defn.sections[0].questions[0])
    # 5 answers: teacher 2 (40%), director 1 (20%), other 2 (40%)
    assert position.table.rows == [["ครู", 2, 40.0], ["ผู้อำนวยการ", 1, 20.0], ["อื่น ๆ (โปรดระบุ)", 2, 40.0]]
    duties = aggregate(data, defn.sections[0].questions[2])
    # 3 gave options (academic 2 → 66.67 %, budget 1 → 33.33 %, other 1 → 33.33 %), 2 said none; of all 5: 40 %
    assert duties.table.rows[:3] == [["วิชาการ", 2, 66.67, 40.0], ["งบประมาณ", 1, 33.33, 20.0], ["งานอื่น (ระบุ)", 1, 33.33, 20.0]]  # fmt: skip
    assert duties.table.rows[3][1:] == [2, None, 40.0]

    text = io.StringIO()
    write_csv(data, text, agencies={5: "สพป.ทดลอง"})
    rows = list(csv.reader(io.StringIO(text.getvalue().lstrip("\ufeff"))))
    head = rows[0]
    at = head.index("ตำแหน่ง")
    assert head[at + 1] == "ตำแหน่ง (อื่น ๆ (โปรดระบุ))"
    assert [r[at] for r in rows[1:]] == ["ครู", "ครู", "อื่น ๆ (โปรดระบุ)", "อื่น ๆ (โปรดระบุ)", "ผู้อำนวยการ"]
    assert [r[at + 1] for r in rows[1:]] == ["", "", "ศึกษานิเทศก์", "ธุรการ", ""]
    dut = head.index("งานที่รับผิดชอบ")
    assert [r[dut] for r in rows[1:]][:2] == ["วิชาการ", "วิชาการ, งานอื่น (ระบุ)"]
    assert rows[2][dut + 1] == "พัสดุ"


LONG = """
schema_version: 1
key: {key}
title: รายการยาว
respondent: organisation
audience: [basic_school]
sections:
  - key: s1
    title: ส่วนที่ 1
    questions:
      - key: subject
        type: single_choice
        label: วิชาที่สอน
        options: [{options}]
        other_option: true
      - key: tools
        type: multiple_choice
        label: สื่อที่ใช้
        display: search
        options: [ก, ข, ค]
"""


def long_definition(path: Path) -> Path:
    options = ", ".join(f"{{value: s{i:03d}, label: วิชาที่ {i:03d}}}" for i in range(250))
    path.write_text(LONG.format(key="long_list", options=options), encoding="utf-8")
    return path


def test_250_options_are_accepted_and_render_as_a_searchable_select(db, client, auth, tmp_path):
    world = published_world(long_definition(tmp_path / "long_list.yaml"))
    rnd = make_round(world, "long_list")
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 0)
    select = re.search(r'<select[^>]*name="subject"[^>]*>', html).group(0)
    assert "data-picklist" in select
    assert html.count('<option value="s') == 250 and 'value="__other__"' in html
    assert re.search(r'<select[^>]*multiple[^>]*data-picklist="1"|<select[^>]*name="tools"[^>]*multiple', html)
    assert "js/picklist.js" in html

    refused = save(
        client, rid, 0, {"subject": "__other__", "subject__other": "ข" * 10240, "tools": ["ข"]}, action="save"
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "ข้อความที่ระบุยาวเกิน 500 ตัวอักษร" in body
    assert 'value="' + "ข" * 10240 + '"' in body  # what was typed is kept
    assert re.search(r'<option selected value="__other__"|<option value="__other__" selected', body)

    ok = save(client, rid, 0, {"subject": "__other__", "subject__other": "ภาษาจีน", "tools": ["ข"]}, action="save")
    assert ok.status_code == 302
    again = page(client, rid, 0)
    assert 'value="ภาษาจีน"' in again


@pytest.mark.parametrize("count", [200, 5000])
def test_the_option_limit_is_lifted(count):
    options = ", ".join(f"o{i}" for i in range(count))
    defn = parse(LONG.format(key="members", options=options).replace("key: long_list", "key: members"))
    assert len(defn.sections[0].questions[0].options) == count and defn.sections[0].questions[0].searchable


DOC_SECTIONS = ('## "Other, specify" and long option lists', "## Picking a unit from the directory", "## Grids")


def test_the_docs_examples_pass_the_checker():
    """The YAML of this feature's sections in docs/form_definitions.md, put into a form, is a valid definition."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "form_definitions.md").read_text(encoding="utf-8")
    blocks = [re.search(r"```yaml\n(.*?)```", docs[docs.index(title) :], re.S).group(1) for title in DOC_SECTIONS]
    questions = (blocks[0] + blocks[1]).replace("\n", "\n      ")
    grid = blocks[2]
    text = (
        "schema_version: 1\nkey: docs\ntitle: จากเอกสาร\nrespondent: organisation\naudience: [schools]\n"
        f"allow_na: true\n{grid}"
        f"  - key: members\n    title: สมาชิก\n    questions:\n      {questions}"
    )
    result = load_text(text, "docs.yaml", expected_key="docs")
    assert result.ok, result.lines()
    assert [q.type for q in result.definition.questions()] == [
        "grid", "single_choice", "long_text", "multiple_choice", "unit_choice", "unit_choice"
    ]  # fmt: skip
