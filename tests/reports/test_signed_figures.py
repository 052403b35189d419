"""Figures an office signs, against values worked out by hand (tests/reports/signed_world.py), on the page,
in the workbook and in the CSV: one rounding rule, one denominator per column, OD GAPs as labelled."""

import csv
import io
import re

import openpyxl
import pytest

from survey_app.core.figures import half_up, percent
from survey_app.core.thai import likert_level
from survey_app.extensions import db
from survey_app.reports.build import breakdown, build_report
from survey_app.reports.data import Filters
from survey_app.reports.writers import write_csv, write_workbook
from tests.reports.signed_world import signed_world


@pytest.fixture
def signed(db):  # type: ignore[no-untyped-def]
    return signed_world(db)


def by_key(report):  # type: ignore[no-untyped-def]
    return {r.question.key: r for sec in report.sections for _, rs in sec.groups for r in rs}


def test_exact_halves_round_up_everywhere():
    from fractions import Fraction

    assert half_up(Fraction(4505, 1000)) == 4.51 and half_up(0.625) == 0.63 and half_up(-0.625) == -0.63
    assert percent(1, 32) == 3.13  # 3.125 %
    # the Thai level is read from the printed mean: 4.505 prints 4.51, which is มากที่สุด
    assert likert_level(Fraction(901, 200)) == "มากที่สุด" and likert_level(4.50) == "มาก"


def test_province_figures_match_the_hand_arithmetic(signed):
    world, rnd = signed
    results = by_key(build_report(world["province"], rnd, Filters(status="submitted")))
    r = results["r"].stats
    # 24 ratings (4 N/A): sum 99, mean 99/24 = 4.125 -> 4.13 (binary rounding would print 4.12); squares 435,
    # S.D. = sqrt((435 - 99²/24) / 23) = sqrt(1.157608…) = 1.0759… -> 1.08; ≥ 4: 19 of 24 = 79.166… -> 79.17
    assert (r["n"], r["mean"], r["sd"], r["level"], r["pct_high"], r["na"]) == (24, 4.13, 1.08, "มาก", 79.17, 4)
    rows = {row[0]: row[1:] for row in results["r"].table.rows}
    # points over the 24 who rated; every row over the 28 who answered, N/A included, in its own column
    assert rows["มากที่สุด"] == [11, 45.83, 39.29] and rows["2"] == [1, 4.17, 3.57]
    assert rows["N/A (ยังไม่มีข้อมูล)"] == [4, None, 14.29]
    c = {row[0]: row[1:] for row in results["c"].table.rows}
    # 20 yes, 7 no of 27 who chose; 1 none; 28 answered
    assert c["ใช้"] == [20, 74.07, 71.43] and c["ไม่ใช้"] == [7, 25.93, 25.0] and c["ไม่มี/ไม่เกี่ยวข้อง"] == [1, None, 3.57]
    assert round(sum(v[1] for k, v in c.items() if v[1] is not None), 2) == 100.0  # the options' column adds up
    d = results["d"].stats
    # 10 × 130.12 and 10 × 130.13: sum 2,602.50, mean and median 130.125 -> 130.13; 7 none, 1 N/A
    assert (d["n"], d["sum"], d["mean"], d["median"], d["min"], d["max"]) == (
        20,
        2602.5,
        130.13,
        130.13,
        130.12,
        130.13,
    )
    assert (d["none"], d["na"]) == (7, 1)


def test_od_gaps_rank_ties_and_dimension_means(signed):
    world, rnd = signed
    report = build_report(world["province"], rnd, Filters(status="submitted"))
    items, dims = report.gaps
    rows = {row[1]: row for row in items.rows}
    # p1: 23 × (3, 5), 5 × (4, 4): current 89/28 = 3.18, importance 135/28 = 4.82, GAP 46/28 = 1.64
    assert rows["4"][4:] == [28, 3.18, 4.82, 1.64]
    # p2: 4 × (1, 5), 1 × (2, 4), 23 N/A: current 1.2, importance 4.8, GAP 3.6
    assert rows["5"][4:] == [5, 1.2, 4.8, 3.6]
    # p3: 10 × (3, 4), 18 × (2, 4): current 66/28 = 2.36, GAP 46/28 = 1.64, a tie with p1: the same rank
    assert rows["6"][4:] == [28, 2.36, 4.0, 1.64]
    assert [(r[0], r[1]) for r in items.rows] == [(1, "5"), (2, "4"), (2, "6")]
    # dimension ก: the mean of its items' GAPs (46/28 + 3.6) / 2 = 2.6214… -> 2.62 (pooled answers would give 1.94)
    assert dims.rows[0] == [1, "ด้าน ก", 2, 2.19, 4.81, 2.62]
    assert dims.rows[1] == [2, "ด้าน ข", 1, 2.36, 4.0, 1.64]


def test_text_typed_none_is_not_a_named_project_and_person_texts_have_no_unit(signed):
    world, rnd = signed
    result = by_key(build_report(world["province"], rnd, Filters(status="submitted")))["s"]
    assert result.table.columns == ["คำตอบ"]
    assert result.table.rows == [["ขอแท็บเล็ตเพิ่ม"], ["ครูซีขออบรม"]]  # text order, no school; typed "ไม่มี" left out
    assert result.stats == {"n": 2, "none": 25, "typed_none": 1}
    assert "ระบุ 2 รายการ" in result.table.note and "พิมพ์ว่าไม่มี 1" in result.table.note


def test_page_workbook_and_csv_print_the_same_figures(signed, client, auth):
    world, rnd = signed
    auth.login("province")
    page = client.get(f"/reports/rounds/{rnd.id}?status=submitted").get_data(as_text=True)
    assert "ค่าเฉลี่ย 4.13" in page and "S.D. 1.08" in page and "ระดับมาก" in page
    assert "130.13" in page and "2,602.50" in page and "130.12" in page
    assert "79.17" in page and "4.12" not in page
    report = build_report(world["province"], rnd, Filters(status="submitted"))
    buffer = io.BytesIO()
    write_workbook(report, buffer, generated_by="test")
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    cells = {(c.value, c.number_format) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert (4.13, "#,##0.00") in cells and (130.13, "#,##0.00") in cells and (2.62, "#,##0.00") in cells
    assert (1.64, "#,##0.00") in cells and (79.17, "#,##0.00") in cells
    assert not any(isinstance(v, float) and v in (4.125, 4.12, 1.94) for v, _ in cells)
    counts = [
        c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, float) and c.value.is_integer()
    ]
    assert not [c for c in counts if c.number_format == "#,##0.00" and c.column == 2 and c.value > 100]  # n are ints
    out = io.StringIO()
    write_csv(report, out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert len(rows) == 29
    when = rows[0].index("ส่งเมื่อ")
    assert all(re.fullmatch(r"\d{1,2} \S+ \d{4}", r[when]) for r in rows[1:])  # to the day, no time
    status = rows[0].index("สถานะ")
    assert {r[status] for r in rows[1:]} == {"ส่งแล้ว"}  # never "awaiting certification"


def test_group_of_one_has_no_sd_and_counts_are_whole(db, client, auth):
    from tests.factories import province_with_users
    from tests.reports.handmade import open_hand_round, put
    from tests.reports.test_aggregates import FINAL, HAND, publish

    world = province_with_users()
    rnd = open_hand_round(publish())
    for key, answers in HAND.items():
        put(rnd, world[key], answers, FINAL[key])
    db.session.commit()
    report = build_report(world["province"], rnd, Filters(status="all"))
    table = breakdown(report.data, rnd.form_version.parsed.question_map()["r1"], names=report.agencies)
    rows = {r[0]: r[1:] for r in table.rows}
    # agency Y: only school C answered (rating 2): n 1, mean 2.00, no S.D.
    assert rows["สพม.ทดสอบ"] == [1, 2.0, None, "น้อย"]
    # agency X: X 4, A 5, B 4: mean 13/3 = 4.33, S.D. sqrt(((4-13/3)² + (5-13/3)² + (4-13/3)²) / 2) = 0.577… -> 0.58
    assert rows["สพป.ทดสอบ เขต 1"] == [3, 4.33, 0.58, "มาก"]
    number = breakdown(report.data, rnd.form_version.parsed.question_map()["n1"], names=report.agencies)
    assert {r[0]: r[1:] for r in number.rows}["สพป.ทดสอบ เขต 1"] == [1, 10.0, 10]  # sum of whole numbers is whole
    auth.login("province")
    page = client.get(f"/reports/rounds/{rnd.id}?status=all").get_data(as_text=True)
    table = page[page.index('data-testid="b-r1"') :]
    row = re.search(r"<td><a [^>]*>สพม.ทดสอบ</a></td>(.*?)</tr>", table, re.S)
    assert row and re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))[:4] == ["1", "2.00", "-", "น้อย"]


def test_on_time_is_a_part_of_sent(signed):
    import pandas as pd

    from survey_app.reports.build import _completeness_row

    group = pd.DataFrame(
        {"status": ["submitted", "returned", "certified", "draft"], "on_time": [True, True, False, False]}
    )
    # a returned unit is not sent: sent 2, on time 1 (the returned one's first send does not count)
    assert _completeness_row("x", group) == ["x", 4, 2, 50.0, 1, 25.0, 1, 25.0]
    assert db  # the fixture made the app context
