"""A province admin runs people from the browser (desktop): finds a user, adds a head for a school, sets
contacts and the role, deactivates a leaver, creates accounts for new schools and downloads the hand-out
once. A school clerk sets their own e-mail and phone on a 360 px phone."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import User
from survey_app.core.scope import Role
from tests.e2e.helpers import PHONE, login, shot
from tests.factories import make_unit, province_with_users

pytestmark = pytest.mark.e2e


@pytest.fixture
def province(app, db, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "HANDOUT_DIR", str(tmp_path / "handouts"))
    units = province_with_users()
    make_unit(OrgKind.BASIC_SCHOOL, units["x"], "โรงเรียนเปิดใหม่", "N0000001")
    db.session.commit()
    return units


def test_a_province_admin_runs_people_from_the_browser(live_server, desktop, province, db, tmp_path):  # type: ignore[no-untyped-def]
    page = desktop
    login(page, live_server, "province")
    page.get_by_role("link", name="ผู้ใช้", exact=True).click()
    page.get_by_role("searchbox").fill("โรงเรียนเอ")
    page.get_by_role("button", name="ค้นหา").click()
    assert page.get_by_test_id("users").locator("tbody tr").count() == 1
    shot(page, "users-desktop")

    page.get_by_role("button", name="เพิ่มผู้ใช้").click()
    page.get_by_label("รหัสหน่วยงาน").fill("A0000001")
    page.get_by_label("ชื่อผู้ใช้").fill("head_a")
    page.get_by_label("บทบาท").select_option("certifier")
    page.get_by_label("อีเมล").fill("head@a")
    page.get_by_role("button", name="สร้างผู้ใช้").click()
    assert "อีเมลไม่ถูกต้อง" in page.locator(".field-error").inner_text()
    assert page.get_by_label("ชื่อผู้ใช้").input_value() == "head_a"
    page.get_by_label("อีเมล").fill("head@a.ac.th")
    page.get_by_role("button", name="สร้างผู้ใช้").click()
    assert page.get_by_test_id("new-username").inner_text() == "head_a"
    shot(page, "user-created-desktop")

    page.get_by_role("link", name="ดูข้อมูลผู้ใช้").click()
    page.get_by_label("เบอร์โทรศัพท์").fill("056-123456")
    page.get_by_role("button", name="บันทึก").click()
    assert "บันทึกแล้ว" in page.content()
    page.get_by_role("button", name="ปิดการใช้งาน").click()
    assert page.get_by_test_id("status").inner_text() == "ปิดการใช้งาน"
    shot(page, "user-desktop")
    head = db.session.scalar(select(User).where(User.username == "head_a"))
    assert (head.role, head.email, head.phone, head.is_enabled) == (Role.CERTIFIER, "head@a.ac.th", "056-123456", False)

    page.goto(f"{live_server}/users/batch")
    assert "ดาวน์โหลดได้ครั้งเดียว" in page.get_by_test_id("handout-note").inner_text()
    shot(page, "batch-desktop")
    page.get_by_label("ประเภทหน่วยงาน").select_option("basic_school")
    page.get_by_role("button", name="สร้างบัญชีให้หน่วยงานที่ยังไม่มีบัญชี").click()
    shot(page, "batch-done-desktop")
    with page.expect_download() as waiting:
        page.get_by_test_id("download-handout").click()
    saved = tmp_path / "handout.xlsx"
    waiting.value.save_as(saved)
    rows = [
        r for r in load_workbook(io.BytesIO(saved.read_bytes())).active.iter_rows(min_row=4, values_only=True) if r[4]
    ]
    assert [r[4] for r in rows] == ["n0000001"]
    page.get_by_test_id("download-handout").click()  # the same button again: the file is gone
    assert "ไม่มีไฟล์นี้แล้ว" in page.content()
    assert list((tmp_path / "handouts").glob("*.xlsx")) == []


def test_a_clerk_sets_their_own_contacts_on_a_phone(live_server, phone, province, db):  # type: ignore[no-untyped-def]
    login(phone, live_server, "school_a")
    phone.locator("details.dropdown summary").click()
    phone.get_by_role("link", name="ข้อมูลของฉัน").click()
    phone.get_by_label("อีเมล").fill("kru a@school")
    phone.get_by_label("เบอร์โทรศัพท์").fill("081-234-5678")
    phone.get_by_role("button", name="บันทึก").click()
    assert "อีเมลไม่ถูกต้อง" in phone.locator(".field-error").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "profile-error-phone")
    phone.get_by_label("อีเมล").fill("kru.a@school.ac.th")
    phone.get_by_role("button", name="บันทึก").click()
    assert "บันทึกแล้ว" in phone.content()
    me = db.session.scalar(select(User).where(User.username == "school_a"))
    assert (me.email, me.phone) == ("kru.a@school.ac.th", "081-234-5678")


def test_the_users_page_fits_a_phone(live_server, phone, province):  # type: ignore[no-untyped-def]
    login(phone, live_server, "province")
    for path in ("/users/", "/users/new", "/users/batch"):
        phone.goto(f"{live_server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        shot(phone, "phone" + path.replace("/", "-").rstrip("-"))
