"""The agency returns a school's answers with a comment on one question, the school fixes and resubmits,
the agency certifies it and its whole set with a letter, the province sees the agency complete and accepts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review.models import AgencyCertification, SetStatus
from tests.e2e.helpers import login, logout, shot
from tests.fixtures.answering import make_round
from tests.fixtures.review import PDF_LETTER, submitted

pytestmark = pytest.mark.e2e


def test_return_fix_certify_set_and_accept(live_server, desktop, phone, world, tmp_path):
    rnd = make_round(world)
    a = submitted(world, rnd, "a")
    submitted(world, rnd, "b", seed=2)
    submitted(world, rnd, "x", seed=3)
    rid = a.id
    base = live_server

    # the agency returns school A with a comment on question 1.1.1
    login(desktop, base, "cert_x")
    desktop.goto(f"{base}/review/rounds/{rnd.id}")
    shot(desktop, "agency-dashboard")
    desktop.get_by_role("link", name="โรงเรียนเอ").click()
    desktop.locator("#return-form details.qc").first.locator("summary").click()
    desktop.get_by_test_id("qc-q_1_1_1").fill("ข้อนี้ให้ระบุกิจกรรมที่ทำจริง")
    desktop.get_by_test_id("return-comment").fill("กรุณาแก้ไขข้อ 1.1.1 แล้วส่งใหม่")
    desktop.get_by_test_id("return").click()
    assert "ส่งกลับให้แก้ไข" in desktop.get_by_test_id("status").inner_text()
    logout(desktop, base)

    # the school sees the comment beside the field, fixes, resubmits
    login(phone, base, "school_a")
    phone.get_by_role("button", name="ตอบต่อ").click()
    note = phone.get_by_test_id("review-note-q_1_1_1")
    assert "ระบุกิจกรรมที่ทำจริง" in note.inner_text()
    shot(phone, "school-sees-comment")
    phone.locator("#q-q_1_1_1 input[type=checkbox]").nth(1).check()  # clears "none" if it was chosen
    if phone.locator("#q-q_1_1_2").is_visible():
        phone.locator("#q_1_1_2").fill("โครงการโรงเรียนสีขาว")
    phone.get_by_test_id("save").click()
    phone.get_by_test_id("to-submit").click()
    phone.get_by_test_id("submit").click()
    phone.wait_for_url(re.compile(r".*/responses/\d+$"))
    assert "ส่งแล้ว" in phone.get_by_test_id("status").inner_text()

    # the agency sees what changed, certifies A, bulk-certifies the rest, certifies the set with a letter
    login(desktop, base, "cert_x")
    desktop.goto(f"{base}/review/responses/{rid}")
    assert desktop.get_by_test_id("changes").is_visible()
    desktop.get_by_test_id("certify").click()
    desktop.goto(f"{base}/review/rounds/{rnd.id}")
    for box in desktop.locator("input[name=response_id]").all():
        box.check()
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.get_by_test_id("bulk-certify").click()
    desktop.get_by_test_id("certify-set-link").click()
    letter = tmp_path / "หนังสือรับรองข้อมูล.pdf"
    letter.write_bytes(PDF_LETTER)
    desktop.locator("input[type=file]").set_input_files(str(letter))
    desktop.locator("input[name=confirm]").check()
    desktop.get_by_test_id("certify-set").click()
    assert "หน่วยงานรับรองแล้ว" in desktop.get_by_test_id("set-status").inner_text()
    logout(desktop, base)

    # the province sees agency X complete and accepts it
    login(desktop, base, "province")
    desktop.goto(f"{base}/review/rounds/{rnd.id}/province")
    row = desktop.get_by_test_id("agency-X0000001")
    assert "3/3" in row.inner_text() and "หน่วยงานรับรองแล้ว" in row.inner_text()
    shot(desktop, "province-dashboard")
    desktop.get_by_test_id("accept-X0000001").click()
    assert "จังหวัดรับข้อมูลแล้ว" in desktop.get_by_test_id("agency-X0000001").inner_text()
    db.session.rollback()
    assert db.session.get(Response, rid).status == ResponseStatus.ACCEPTED
    assert db.session.scalar(select(AgencyCertification)).status == SetStatus.ACCEPTED
