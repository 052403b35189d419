"""The province opens the report page, filters to one agency, downloads the workbook; the test opens it
and checks the figures against the answers it made."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.responses.models import Response
from survey_app.review.operations import certify_response
from tests.e2e.helpers import login, shot
from tests.fixtures.answering import make_round
from tests.fixtures.review import submitted

pytestmark = pytest.mark.e2e


def test_province_filters_to_an_agency_and_downloads_the_workbook(live_server, desktop, world, tmp_path):
    rnd = make_round(world)
    made = {}
    for i, key in enumerate(("a", "b", "x", "c")):
        response = submitted(world, rnd, key, seed=i)
        certify_response(response, None)
        made[key] = response.answer_map()
    db.session.commit()
    assert db.session.query(Response).count() == 4

    login(desktop, live_server, "province")
    desktop.goto(f"{live_server}/reports/")
    desktop.get_by_test_id(f"report-{rnd.id}").click()
    desktop.get_by_test_id("agency-filter").select_option(label="สพป.ทดสอบ เขต 1")
    desktop.get_by_test_id("apply-filters").click()
    assert desktop.get_by_test_id("respondents").inner_text() == "3"
    desktop.wait_for_timeout(300)  # charts draw
    shot(desktop, "report-agency-x")
    desktop.get_by_test_id("export").click()
    link = desktop.get_by_test_id("export-download")
    link.wait_for(state="visible", timeout=30_000)
    with desktop.expect_download() as download_info:
        link.click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)

    book = load_workbook(path)
    raw = book["ข้อมูลดิบ"]
    header = [c.value for c in next(raw.iter_rows(min_row=1, max_row=1))]
    rows = [dict(zip(header, r, strict=False)) for r in raw.iter_rows(min_row=2, values_only=True) if r[0]]
    assert {r["รหัสหน่วยงาน"] for r in rows} == {"A0000001", "B0000001", "X0000001"}
    number_col = next(h for h in header if h and h.startswith("1.2.3"))  # an integer question of the plan
    for row in rows:
        key = {"A0000001": "a", "B0000001": "b", "X0000001": "x"}[row["รหัสหน่วยงาน"]]
        answer = made[key].get("q_1_2_3")
        expected = answer.value if answer and answer.has_value else ("ไม่มี" if answer else None)
        assert row[number_col] == expected
