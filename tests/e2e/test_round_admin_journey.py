"""A province admin runs rounds from the browser, on a phone (360 px) and on a desktop: closes a test round early,
extends one school's deadline (a Christian-Era year typed by mistake is refused beside the field first), and
deletes a round nobody answered; each change is on the round's timeline."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.core.audit import AuditEvent
from survey_app.extensions import db
from survey_app.rounds.models import Round
from tests.e2e.helpers import login, shot
from tests.fixtures.answering import make_round

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_province_closes_a_test_round_extends_one_school_and_deletes_an_unanswered_round(
    live_server, world, request, device
):
    page = request.getfixturevalue(device)
    test_round = make_round(world, days=10)
    mistake = make_round(world, "tablet_satisfaction")
    test_id, mistake_id = test_round.id, mistake.id
    login(page, live_server, "province")

    page.goto(f"{live_server}/rounds/{test_id}")
    assert page.get_by_test_id("round-phase").inner_text().startswith("เปิดรับคำตอบ")
    shot(page, f"{device}-1-round-page")
    page.get_by_test_id("close-summary").click()
    page.locator("#close-reason").fill("รอบทดสอบระบบ")
    shot(page, f"{device}-2-close-confirm")
    page.get_by_test_id("close-round").click()
    page.wait_for_url(re.compile(rf".*/rounds/{test_id}$"))
    assert "ปิดรับแล้ว" in page.get_by_test_id("round-phase").inner_text()
    assert "ปิดรอบก่อนกำหนด" in page.get_by_test_id("timeline").inner_text()

    page.locator('input[name="unit_code"]').fill("B0000001")
    page.locator("#new_deadline").fill("30/09/2037 16:30")  # the Christian-Era year by mistake
    page.locator("#reason").fill("น้ำท่วมโรงเรียน")
    page.get_by_test_id("extend-unit").click()
    assert "ไม่ใช่ ค.ศ. 2037" in page.content()
    assert page.locator("#new_deadline").input_value() == "30/09/2037 16:30"  # what was typed is kept
    shot(page, f"{device}-3-gregorian-year-refused")
    page.locator("#new_deadline").fill("30/09/2580 16:30")
    page.get_by_test_id("extend-unit").click()
    page.wait_for_url(re.compile(rf".*/rounds/{test_id}$"))
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "ขยายกำหนดส่งของหน่วยงาน" in timeline and "30 ก.ย. 2580 16:30 น." in timeline
    shot(page, f"{device}-4-closed-and-extended")
    page.get_by_test_id("edit-round").click()
    assert re.fullmatch(r"\d\d/\d\d/25\d\d \d\d:\d\d", page.locator("#closes_at").input_value())  # พ.ศ., as typed
    shot(page, f"{device}-4b-edit-form")

    page.goto(f"{live_server}/rounds/{mistake_id}")
    page.get_by_test_id("delete-summary").click()
    shot(page, f"{device}-5-delete-confirm")
    page.get_by_test_id("delete-round").click()
    page.wait_for_url(f"{live_server}/rounds/")
    assert "ลบรอบ" in page.content() and f"/rounds/{mistake_id}" not in page.content()
    shot(page, f"{device}-6-after-delete")

    db.session.rollback()  # a fresh read of what the browser's requests wrote
    assert db.session.get(Round, mistake_id) is None
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("round.%"))))
    assert {"round.close", "round.extend_unit", "round.delete"} <= actions
