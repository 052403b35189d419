"""A school answers the plan questionnaire over two sittings; an ESA uploads a PDF; a teacher answers
the tablet survey through the unit's link on a phone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.core.scope import Role
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus, Upload
from survey_app.rounds.models import RoundUnit
from tests.e2e.helpers import PHONE, answer_visible_questions, login, logout, shot
from tests.factories import make_user
from tests.fixtures.answering import PDF, make_round

pytestmark = pytest.mark.e2e


def walk_to_submit(page, pdf=None) -> None:  # type: ignore[no-untyped-def]
    """Answer each section and move on until the submit page."""
    while True:
        answer_visible_questions(page, pdf)
        next_button = page.get_by_test_id("next")
        if next_button.count():
            next_button.click()
            page.wait_for_load_state()
            continue
        page.get_by_test_id("to-submit").click()
        page.wait_for_url(re.compile(r".*/submit$"))
        return


def test_school_answers_over_two_sittings_with_none_and_submits(live_server, phone, world):
    rnd = make_round(world)
    base = live_server
    login(phone, base, "school_a")
    phone.get_by_role("button", name="เริ่มตอบ").first.click()
    phone.get_by_test_id("start").click()
    phone.wait_for_url(re.compile(r".*/responses/\d+/s/0$"))
    answer_visible_questions(phone)
    shot(phone, "answer-section1-phone")
    phone.get_by_test_id("save").click()
    assert "บันทึกแล้ว" in phone.content()
    logout(phone, base)

    login(phone, base, "school_a")  # second sitting
    phone.get_by_role("button", name="ตอบต่อ").click()
    assert phone.locator('#q-q_1_1_1 input[value="__none__"]').is_checked()
    assert phone.locator("#q-q_1_1_2").is_hidden()  # its show_if needs something other than "none"
    walk_to_submit(phone)
    assert phone.get_by_test_id("complete").is_visible()
    phone.get_by_test_id("submit").click()
    phone.wait_for_url(re.compile(r".*/responses/\d+$"))
    assert "ส่งแล้ว" in phone.get_by_test_id("status").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "answer-submitted-phone")
    assert "แก้ไขคำตอบ" not in phone.content()
    db.session.rollback()
    response = db.session.scalar(select(Response).where(Response.round_id == rnd.id))
    assert response.status == ResponseStatus.SUBMITTED
    assert response.answer_map()["q_1_1_1"].state.value == "none"


def test_esa_uploads_a_pdf_and_submits(live_server, desktop, world, tmp_path):
    make_round(world)
    make_user(world["x"], Role.RESPONDENT, "esa_x")
    db.session.commit()
    pdf = tmp_path / "ผลการอ่านเขียน.pdf"
    pdf.write_bytes(PDF)
    login(desktop, live_server, "esa_x")
    desktop.get_by_role("button", name="เริ่มตอบ").first.click()
    desktop.get_by_test_id("start").click()
    walk_to_submit(desktop, pdf)
    desktop.get_by_test_id("submit").click()
    desktop.wait_for_url(re.compile(r".*/responses/\d+$"))
    assert desktop.get_by_role("link", name=re.compile("ผลการอ่านเขียน.pdf")).is_visible()
    shot(desktop, "esa-submitted-desktop")
    db.session.rollback()
    upload = db.session.scalar(select(Upload))
    assert upload is not None and upload.original_name == "ผลการอ่านเขียน.pdf"


def test_teacher_answers_tablet_survey_on_a_phone(live_server, phone, world):
    rnd = make_round(world, "tablet_satisfaction")
    token = db.session.scalar(
        select(RoundUnit.link_token).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == world["a"].id)
    )
    phone.goto(f"{live_server}/s/{token}")
    assert "แท็บเล็ต" in phone.locator("h1").inner_text()
    phone.get_by_test_id("send").click()  # nothing answered: refused, with messages
    assert phone.locator(".field-error").count() > 5
    answer_visible_questions(phone)
    shot(phone, "tablet-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_test_id("send").click()
    phone.wait_for_load_state()
    shot(phone, "tablet-after-send")
    errors = phone.locator(".field-error").all_inner_texts()
    assert not errors, errors
    phone.wait_for_url(re.compile(r".*/thanks$"))
    assert phone.get_by_test_id("thanks").is_visible()
    db.session.rollback()  # end the test's read snapshot to see what the server wrote
    assert db.session.scalar(select(Response).where(Response.org_slot.is_(None))) is not None
