"""A member registers through the unit's public link on a phone and on a desktop: the page says names are
recorded and by whom, a spoofed file is refused beside its field with the typing kept, a real file (and an
optional photo) is sent; the province sees the name in the report. Screenshots in /tmp/shots/person/."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.responses.models import Response, Upload
from tests.e2e.helpers import login
from tests.fixtures.answering import PDF, make_round, published_world
from tests.responses.test_filetypes import png_bytes
from tests.responses.test_person_surveys import link_of

pytestmark = pytest.mark.e2e

DEFINITION = Path(__file__).parents[1] / "responses/person_definitions/person_registration.yaml"
SHOTS = Path("/tmp/shots/person")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def registration(db):  # type: ignore[no-untyped-def]
    world = published_world(DEFINITION)
    return world, make_round(world, "person_registration")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_member_registers_with_a_file_through_the_public_link(live_server, registration, request, size):
    world, rnd = registration
    page = request.getfixturevalue(size)
    path, _ = link_of(world, rnd)
    page.goto(live_server + path)
    notice = page.get_by_test_id("identity-notice")
    assert "แบบสอบถามนี้บันทึกชื่อผู้ตอบ" in notice.inner_text()
    assert "สำนักงานศึกษาธิการจังหวัด" in notice.inner_text()
    shot(page, f"{size}-1-form")

    page.get_by_test_id("send").click()
    assert page.locator("#err-respondent_name").inner_text() == "กรุณากรอกชื่อ-นามสกุลของผู้ตอบ"
    assert page.locator("#err-appointment").inner_text() == "กรุณาตอบข้อนี้"

    page.fill("#respondent_name", "นางสาวสมศรี ใจดี")
    page.fill("#position", "ครูชำนาญการ")
    fake = {"name": "คำสั่ง.pdf", "mimeType": "application/pdf", "buffer": b"<html><script>alert(1)</script>"}
    page.set_input_files("#appointment", files=[fake])
    page.get_by_test_id("send").click()
    error = page.locator("#err-appointment").inner_text()
    assert error == "คำสั่ง.pdf: ไฟล์นี้ไม่ใช่ PDF ตามที่กำหนด (ตรวจจากเนื้อไฟล์ ไม่ใช่นามสกุล)"
    assert page.input_value("#respondent_name") == "นางสาวสมศรี ใจดี"
    assert page.input_value("#position") == "ครูชำนาญการ"
    assert page.locator("a[href*='/uploads/']").count() == 0
    shot(page, f"{size}-2-spoofed-file-refused")

    page.set_input_files("#appointment", files=[{"name": "คำสั่ง.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.set_input_files("#photo", files=[{"name": "รูป.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.get_by_test_id("send").click()
    thanks = page.get_by_test_id("identity-thanks")
    assert "คำตอบของท่านถูกบันทึกพร้อมชื่อ" in thanks.inner_text()
    shot(page, f"{size}-3-thanks")

    db.session.rollback()  # end the test thread's read transaction: see what the server committed
    response = db.session.scalar(select(Response).where(Response.round_id == rnd.id))
    assert response.respondent_label == "นางสาวสมศรี ใจดี"
    files = {u.question_key: (u.original_name, u.kind, u.size) for u in db.session.scalars(select(Upload))}
    assert files == {"appointment": ("คำสั่ง.pdf", "pdf", len(PDF)), "photo": ("รูป.png", "png", len(png_bytes()))}


def test_the_province_report_says_the_form_records_names(live_server, registration, desktop):
    world, rnd = registration
    path, _ = link_of(world, rnd)
    desktop.goto(live_server + path)
    desktop.fill("#respondent_name", "นายสมชาย รักงาน")
    desktop.fill("#position", "ครู")
    desktop.set_input_files("#appointment", files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    desktop.get_by_test_id("send").click()
    desktop.get_by_test_id("identity-thanks").wait_for()
    desktop.context.clear_cookies()
    login(desktop, live_server, "province")
    desktop.goto(f"{live_server}/reports/rounds/{rnd.id}?status=submitted")
    note = desktop.get_by_test_id("identity-note")
    assert note.inner_text().startswith("แบบสอบถามนี้ระบุชื่อผู้ตอบ")
    assert desktop.get_by_test_id("respondents").inner_text() == "1"  # one named respondent: not withheld
    shot(desktop, "desktop-4-report")
