"""Repeating groups in reports: the group's own table, each field over all rows, the wide sheet's row counts and
the long sheet (one row per repeat row, keyed to its response), checked against figures worked out by hand."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from survey_app.forms_engine.answers import NONE_ANSWER, Answer
from survey_app.forms_engine.loader import load_text
from survey_app.reports.build import breakdown, build_report
from survey_app.reports.data import Filters
from survey_app.reports.exports import export_filename
from survey_app.reports.raw import KEY_HEADER, UNIT_HEADERS, long_table, raw_table
from survey_app.reports.writers import write_csv_bundle, write_workbook
from survey_app.responses.models import ResponseStatus
from tests.factories import province_with_users
from tests.reports.handmade import open_hand_round, publish_text, put

DEFINITION = """
schema_version: 1
key: projrep
title: โครงการตามตัวชี้วัด
respondent: {respondent}
audience: [all]
sections:
  - key: s1
    title: ส่วนที่ 1
    questions:
      - {{key: students, code: "1", type: integer, label: จำนวนนักเรียน, min: 0}}
      - key: projects
        code: "2"
        type: repeat
        label: โครงการ
        allow_none: true
        none_label: ไม่มีโครงการ
        questions:
          - {{key: name, type: text, label: ชื่อโครงการ}}
          - {{key: budget, type: integer, label: งบประมาณ, min: 0}}
          - {{key: people, type: integer, label: ผู้เข้าร่วม, min: 0, required: false}}
          - {{key: kind, type: single_choice, label: ประเภท, options: [{{value: a, label: พัฒนาครู}}, {{value: b, label: พัฒนานักเรียน}}]}}
          - {{key: per_head, type: calculate, label: งบต่อคน, expression: "budget / people"}}
      - {{key: budget_total, code: "3", type: calculate, label: งบรวม, expression: "sum(projects.budget)", decimals: 0}}
"""
V = Answer.of


def rows_of(unit_rows: dict[str, tuple]) -> dict[str, Answer]:
    """The stored answers of a group's rows: the list of row ids, then each field under its row key."""
    answers: dict[str, Answer] = {"projects": V(list(unit_rows))}
    for rid, (name, budget, people, kind) in unit_rows.items():
        answers |= {f"projects-{rid}-name": V(name), f"projects-{rid}-budget": V(budget),
                    f"projects-{rid}-kind": V(kind)}  # fmt: skip
        if people is not None:  # the server's calculation, stored as it would store it (null: no answer)
            answers[f"projects-{rid}-people"] = V(people)
            answers[f"projects-{rid}-per_head"] = V(round(budget / people, 2))
    total = sum(budget for _name, budget, _people, _kind in unit_rows.values())
    return answers | {"budget_total": V(total)}


A_ROWS = {"ra00001": ("อ่านออก", 1000, 20, "a"), "ra00002": ("เขียนได้", 2500, 35, "b")}
C_ROWS = {"rc00001": ("ค่าย", 300, 10, "a"), "rc00002": ("ทัศนศึกษา", 700, None, "a"),
          "rc00003": ("ห้องสมุด", 1500, 40, "b")}  # fmt: skip
HAND = {
    "a": {"students": V(120), **rows_of(A_ROWS)},
    "b": {"students": V(80), "projects": NONE_ANSWER},
    # a row removed from the list keeps nothing in the reports, even if its answers were left behind
    "c": {"students": V(300), **rows_of(C_ROWS), "projects-rgone01-budget": V(99999),
          "projects-rgone01-kind": V("b")},
}  # fmt: skip


@pytest.fixture
def projects(db):  # type: ignore[no-untyped-def]
    world = province_with_users()
    rnd = open_hand_round(publish_text(DEFINITION.format(respondent="organisation"), "projrep"))
    responses = {key: put(rnd, world[key], answers, ResponseStatus.CERTIFIED) for key, answers in HAND.items()}
    db.session.commit()
    return world, rnd, {key: r.id for key, r in responses.items()}


def _report(world, rnd):  # type: ignore[no-untyped-def]
    report = build_report(world["province"], rnd, Filters(status="certified"))
    return report, {r.question.key: r for sec in report.sections for _, rs in sec.groups for r in rs}


def _table(result) -> dict:  # type: ignore[no-untyped-def]
    return {row[0]: row[1:] for row in result.table.rows}


def test_answers_of_a_field_are_every_current_row(projects):
    world, rnd, ids = projects
    report, _ = _report(world, rnd)
    budgets = report.data.answers_of("projects.budget")
    # 2 rows of a and 3 of c; the removed row of c (99999) is not there, b said "none"
    assert sorted(zip(budgets["response_id"], budgets["value_num"], strict=True)) == sorted(
        [(ids["a"], 1000), (ids["a"], 2500), (ids["c"], 300), (ids["c"], 700), (ids["c"], 1500)]
    )
    assert report.data.answers_of("students")["value_num"].tolist() != []  # ordinary questions as before


def test_group_table_counts_responses_and_rows(projects):
    _, results = _report(*projects[:2])
    group = results["projects"]
    table = _table(group)
    n_column = group.table.columns[2]
    assert n_column == "ร้อยละของแบบสอบถามทั้งหมด (n=3)"
    assert table["แบบสอบถามที่มีอย่างน้อย 1 แถว"] == [2, 66.67]  # 2 of 3
    assert table['ตอบว่า "ไม่มีโครงการ" (ไม่มีแถว)'] == [1, 33.33]  # 1 of 3
    assert table["ไม่ได้ตอบ"] == [0, 0.0]
    assert table["จำนวนแถวรวม"] == [5, None]  # 2 + 3
    assert table["ค่าเฉลี่ยจำนวนแถวต่อแบบสอบถามที่มีแถว (n=2)"] == [2.5, None]  # 5 / 2, "none" not a 0
    assert table["จำนวนแถวมากที่สุดในหนึ่งแบบสอบถาม"] == [3, None]


def test_number_field_sum_and_mean_over_all_rows(projects):
    _, results = _report(*projects[:2])
    budget = results["projects.budget"]
    assert budget.question.label.th == "โครงการ · งบประมาณ"
    table = _table(budget)
    assert table["จำนวนแถวที่ระบุตัวเลข (n)"] == [5]
    assert table["ผลรวม"] == [6000]  # 1000 + 2500 + 300 + 700 + 1500
    assert table["ค่าเฉลี่ย"] == [1200.0]  # 6000 / 5
    assert table["มัธยฐาน"] == [1000.0]
    assert "5 แถว จาก 2 แบบสอบถาม" in budget.table.note
    people = results["projects.people"].stats
    assert (people["n"], people["sum"], people["mean"]) == (4, 105, 26.25)  # one row left it blank: not a 0


def test_calculated_values_in_rows_and_over_the_form(projects):
    _, results = _report(*projects[:2])
    per_head = results["projects.per_head"].stats  # 50 + 71.43 + 30 + 37.5 over 4 rows (c2 has no people)
    assert (per_head["n"], per_head["sum"], per_head["mean"]) == (4, 188.93, 47.23)  # 188.93 / 4 = 47.2325
    total = results["budget_total"].stats  # a: 3500, c: 2500; b said "none": no total, not a 0
    assert (total["n"], total["sum"], total["mean"]) == (2, 6000, 3000.0)


def test_choice_field_shares_of_rows(projects):
    _, results = _report(*projects[:2])
    kind = results["projects.kind"]
    table = _table(kind)
    assert kind.table.columns[2].endswith("(n=5)")  # the denominator is the 5 rows
    assert table["พัฒนาครู"][:2] == [3, 60.0]  # a1, c1, c2
    assert table["พัฒนานักเรียน"][:2] == [2, 40.0]  # a2, c3 (the removed row's "b" not counted)


def test_breakdown_per_agency_for_group_and_field(projects):
    world, rnd, _ids = projects
    report, results = _report(world, rnd)
    names = report.agencies
    budget = breakdown(report.data, results["projects.budget"].question, names=names)
    by_agency = {row[0]: row[1:] for row in budget.rows}
    # X: school a's rows (b said none); Y: school c's rows
    assert by_agency[names[world["x"].id]] == [2, 1750.0, 3500]
    assert by_agency[names[world["y"].id]] == [3, 833.33, 2500]  # 2500 / 3 = 833.333…
    group = breakdown(report.data, results["projects"].question, names=names)
    rows = {row[0]: row[1:] for row in group.rows}
    assert rows[names[world["x"].id]] == [1, 1, 2, 2.0]  # with rows, none, rows, mean rows
    assert rows[names[world["y"].id]] == [1, 0, 3, 3.0]


def test_wide_sheet_counts_rows_and_long_sheet_keys_them(projects):
    world, rnd, ids = projects
    report, _ = _report(world, rnd)
    wide = raw_table(report.data, agencies=report.agencies)
    assert wide.columns[0] == KEY_HEADER
    count_col = wide.columns.index("2 โครงการ (จำนวนแถว)")
    by_key = {row[0]: row for row in wide.rows}
    assert {k: by_key[ids[u]][count_col] for k, u in (("a", "a"), ("b", "b"), ("c", "c"))} == {
        "a": 2,
        "b": "ไม่มี",
        "c": 3,
    }
    group = report.data.defn.question_map()["projects"]
    long = long_table(report.data, group, agencies=report.agencies)
    assert long.columns == [KEY_HEADER, *UNIT_HEADERS, "แถวที่", "ชื่อโครงการ", "งบประมาณ", "ผู้เข้าร่วม", "ประเภท",
                            "งบต่อคน"]  # fmt: skip
    assert [row[0] for row in long.rows] == [ids["a"], ids["a"], ids["c"], ids["c"], ids["c"]]
    assert [row[len(UNIT_HEADERS) + 1 :] for row in long.rows] == [
        [1, "อ่านออก", 1000, 20, "พัฒนาครู", 50.0], [2, "เขียนได้", 2500, 35, "พัฒนานักเรียน", 71.43],
        [1, "ค่าย", 300, 10, "พัฒนาครู", 30.0], [2, "ทัศนศึกษา", 700, None, "พัฒนาครู", None],
        [3, "ห้องสมุด", 1500, 40, "พัฒนานักเรียน", 37.5],
    ]  # fmt: skip
    for row in long.rows:  # the unit cells are the wide sheet's, for the same key
        assert row[1 : len(UNIT_HEADERS) + 1] == by_key[row[0]][1 : len(UNIT_HEADERS) + 1]


def test_workbook_has_a_sheet_per_repeat_group(projects):
    world, rnd, ids = projects
    report, _ = _report(world, rnd)
    buffer = io.BytesIO()
    write_workbook(report, buffer, generated_by="ทดสอบ")
    wb = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    assert "รายการ โครงการ" in wb.sheetnames
    assert wb.sheetnames.index("รายการ โครงการ") == wb.sheetnames.index("ข้อมูลดิบ") + 1
    rows = list(wb["รายการ โครงการ"].iter_rows(values_only=True))
    assert rows[0][0] == KEY_HEADER and rows[0][len(UNIT_HEADERS) + 1] == "แถวที่"
    body = [r for r in rows[1:] if any(v is not None for v in r)]
    assert len(body) == 5
    assert sum(r[len(UNIT_HEADERS) + 3] for r in body) == 6000  # the budget column, as numbers
    assert [r[0] for r in body].count(ids["c"]) == 3
    raw = list(wb["ข้อมูลดิบ"].iter_rows(values_only=True))
    counts = {r[0]: r[raw[0].index("2 โครงการ (จำนวนแถว)")] for r in raw[1:] if r[0] is not None}
    assert counts == {ids["a"]: 2, ids["b"]: "ไม่มี", ids["c"]: 3}
    summary = [r for r in wb["สรุป"].iter_rows(values_only=True) if r and r[0]]
    assert [r[0] == "2 โครงการ · งบประมาณ" for r in summary].count(True) == 1


def test_csv_export_is_a_zip_of_the_wide_and_long_tables(projects):
    world, rnd, _ids = projects
    report, _ = _report(world, rnd)
    assert export_filename(rnd, "csv", Filters(status="certified")).endswith("-certified.csv.zip")
    buffer = io.BytesIO()
    assert write_csv_bundle(report, buffer) == 3
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        assert sorted(zf.namelist()) == sorted(["ข้อมูลดิบ.csv", "projects.csv"])
        long = list(csv.reader(io.StringIO(zf.read("projects.csv").decode("utf-8-sig"))))
    assert long[0][0] == KEY_HEADER and len(long) == 1 + 5
    assert sum(int(r[len(UNIT_HEADERS) + 3]) for r in long[1:]) == 6000


def test_person_round_long_sheet_follows_the_wide_sheets_privacy(db, app):  # type: ignore[no-untyped-def]
    if not load_text(DEFINITION.format(respondent="person"), "projrep.yaml", expected_key="projrep").ok:
        pytest.skip("a person survey may not have a repeat group yet (forms_engine/semantics.py)")
    world = province_with_users()
    rnd = open_hand_round(publish_text(DEFINITION.format(respondent="person"), "projrep"))
    for key, n in (("a", 3), ("c", 1)):  # c has one respondent: too few to be named
        for _ in range(n):
            put(rnd, world[key], HAND[key], ResponseStatus.SUBMITTED, slot=None)
    db.session.commit()
    group_q = rnd.form_version.parsed.question_map()["projects"]
    app.config["PRIVACY_MIN_RESPONDENTS"] = 2
    report = build_report(world["province"], rnd, Filters(status="submitted"))
    wide = raw_table(report.data, agencies=report.agencies)
    long = long_table(report.data, group_q, agencies=report.agencies)
    assert [row[0] for row in wide.rows] == [1, 2, 3, 4]  # numbers in the wide order, never response ids
    assert len(long.rows) == 3 * 2 + 3
    by_key = {row[0]: row for row in wide.rows}
    for row in long.rows:
        assert row[1 : len(UNIT_HEADERS) + 1] == by_key[row[0]][1 : len(UNIT_HEADERS) + 1]
    assert "โรงเรียนซี" not in {row[2] for row in long.rows}  # one respondent: its school is never named
    app.config["PRIVACY_MIN_RESPONDENTS"] = 10  # the whole selection is too small: nothing shown
    report = build_report(world["province"], rnd, Filters(status="submitted"))
    assert long_table(report.data, group_q, agencies=report.agencies).rows == []


def test_report_page_shows_the_group_and_its_fields(client, auth, projects):
    _world, rnd, _ids = projects
    auth.login("province")
    page = client.get(f"/reports/rounds/{rnd.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="r-projects"' in html and 'id="r-projects.budget"' in html
    assert "โครงการ · งบประมาณ" in html and "6,000" in html


def test_cli_csv_export_of_a_repeat_form_is_the_zip(projects, runner, tmp_path):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["report", "export", "--form", "projrep", "--year", "2563", "--format", "csv",
                                 "--status", "certified", "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (written,) = list(tmp_path.iterdir())
    assert written.name.endswith("-certified.csv.zip")
    with zipfile.ZipFile(written) as zf:
        wide = list(csv.reader(io.StringIO(zf.read("ข้อมูลดิบ.csv").decode("utf-8-sig"))))
        long = list(csv.reader(io.StringIO(zf.read("projects.csv").decode("utf-8-sig"))))
    assert len(wide) == 1 + 3 and len(long) == 1 + 5
    assert {r[0] for r in long[1:]} <= {r[0] for r in wide[1:]}  # every row keyed to a response of the wide table


def test_row_answers_load_under_their_column_key_with_their_row():
    """40,000 rows (more distinct row keys than a 16-bit key code holds) load as two column keys."""
    from survey_app.reports.data import _AnswerColumns
    from survey_app.reports.repeats import row_code

    rids = [f"r{i:06d}" for i in range(40_000)]
    columns = _AnswerColumns(capacity=10, wanted={1})
    columns.add([(1, "projects", "value", '["r000000"]', None)])
    columns.add([(1, f"projects-{rid}-budget", "value", "5", None) for rid in rids])
    frame = columns.frame()
    assert list(frame["question_key"].cat.categories) == ["projects", "projects.budget"]
    assert frame["row"].tolist()[:3] == [0, row_code("r000000"), row_code("r000001")]
    assert frame["value_num"].iloc[1:].sum() == 5 * 40_000  # numbers of rows are summed even without value_num
