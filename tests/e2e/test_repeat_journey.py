"""Repeating groups in Chromium (issue 16), on a phone (360 px) and a desktop: add rows, type, remove one,
choose "no projects" (asked first, rows hidden), save and submit. Screenshots in /tmp/shots/repeat/."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.forms_engine.answers import AnswerState
from survey_app.responses import operations
from survey_app.responses.models import Response, ResponseStatus
from tests.e2e.helpers import login
from tests.fixtures.answering import ROOT, make_round, published_world

pytestmark = pytest.mark.e2e

DEFINITION = ROOT / "tests" / "forms_engine" / "valid" / "repeat_projects.yaml"
SHOTS = Path("/tmp/shots/repeat")


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return published_world(DEFINITION)


def draft(world) -> int:  # type: ignore[no-untyped-def]
    rnd = make_round(world, "repeat_projects")
    response = operations.start_org_response(rnd, world["a"], world["school_a"].id)
    db.session.commit()
    return response.id


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def stored(rid: int) -> dict:
    db.session.rollback()  # end the test's read snapshot to see what the server wrote
    return {k: (a.state, a.value) for k, a in db.session.get(Response, rid).answer_map().items()}


def rows(page):  # type: ignore[no-untyped-def]
    return page.locator("[data-rows-for=projects] section.repeat-row")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_add_type_remove_save_and_submit(size, request, live_server, world):  # type: ignore[no-untyped-def]
    page = request.getfixturevalue(size)
    rid = draft(world)
    login(page, live_server, "school_a")
    page.goto(f"{live_server}/responses/{rid}/s/0")
    page.get_by_label("ชื่อผู้รายงาน").fill("ครูสมศรี")
    for n in range(3):
        page.get_by_test_id("add-projects").click()
        page.wait_for_load_state()
        assert rows(page).count() == n + 1
    assert page.get_by_label("ชื่อผู้รายงาน").input_value() == "ครูสมศรี"  # saved with the add, shown again
    names = ["อ่านออกเขียนได้", "ธนาคารขยะ", "สะเต็มศึกษา"]
    for row, (name, budget) in zip(rows(page).all(), zip(names, ["12000", "3000", "45000"], strict=True), strict=True):
        row.get_by_label("ชื่อโครงการ").fill(name)
        row.get_by_label("งบประมาณ (บาท)").fill(budget)
    third = rows(page).nth(2)
    assert not third.get_by_label("ชื่อภาคี").is_visible()  # shown only when this row has a partner
    third.get_by_text("มี", exact=True).click()
    third.get_by_label("ชื่อภาคี").fill("อบต.นาเฉลียง")
    assert not rows(page).nth(1).get_by_label("ชื่อภาคี").is_visible()  # the other rows keep theirs hidden
    shot(page, f"{size}-1-three-rows")
    third_id = third.get_attribute("data-row")
    page.get_by_test_id("remove-projects-2").click()
    page.wait_for_load_state()
    assert rows(page).count() == 2
    assert rows(page).nth(1).get_attribute("data-row") == third_id
    assert rows(page).nth(1).get_by_label("ชื่อโครงการ").input_value() == "สะเต็มศึกษา"
    assert rows(page).nth(1).locator("h4").inner_text() == "โครงการที่ 2"
    shot(page, f"{size}-2-middle-removed")
    answers = stored(rid)
    first_id = rows(page).nth(0).get_attribute("data-row")
    assert answers["projects"] == (AnswerState.VALUE, [first_id, third_id])
    assert answers[f"projects-{third_id}-partner"] == (AnswerState.VALUE, "อบต.นาเฉลียง")
    assert answers[f"projects-{first_id}-budget"] == (AnswerState.VALUE, 12000)

    page.get_by_test_id("next").click()
    page.wait_for_url(f"**/responses/{rid}/s/1")
    kpi_rows = page.locator("[data-rows-for=kpis] section.repeat-row")
    assert kpi_rows.count() == 2  # min_rows 2 from the start
    for n, row in enumerate(kpi_rows.all(), start=1):
        row.get_by_label("ชื่อตัวชี้วัด").fill(f"ตัวชี้วัด {n}")
        row.get_by_label("คะแนน").fill(str(n + 2))
    shot(page, f"{size}-3-min-rows")
    page.get_by_test_id("to-submit").click()
    page.wait_for_url(f"**/responses/{rid}/submit")
    shot(page, f"{size}-4-submit")
    page.get_by_role("button", name="ส่งแบบสอบถาม").click()
    page.wait_for_url(f"**/responses/{rid}")
    assert page.locator("[data-testid=answer-row-projects-2] h4").inner_text() == "โครงการที่ 2"
    shot(page, f"{size}-5-view")
    db.session.rollback()  # end the test's read snapshot to see what the server wrote
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED


def test_no_projects_asks_first_and_hides_the_rows(phone, live_server, world):  # type: ignore[no-untyped-def]
    page = phone
    rid = draft(world)
    login(page, live_server, "school_a")
    page.goto(f"{live_server}/responses/{rid}/s/0")
    page.get_by_test_id("add-projects").click()
    page.wait_for_load_state()
    rows(page).first.get_by_label("ชื่อโครงการ").fill("ค่ายวิทย์")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("none-projects").click()
    assert not page.get_by_test_id("none-projects").is_checked()  # cancelled: nothing changes
    assert rows(page).first.is_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("none-projects").check()
    assert page.get_by_test_id("none-projects").is_checked()
    assert not rows(page).first.is_visible()
    shot(page, "phone-6-no-projects")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    answers = stored(rid)
    assert answers["projects"] == (AnswerState.NONE, None)
    assert not [k for k in answers if k.startswith("projects-")]
