"""A demo school logs in on a phone, sees its home page in Thai, and logs out."""

import pytest

from survey_app.accounts.kinds import OrgKind
from survey_app.core.scope import Role
from tests.e2e.helpers import PHONE, shot
from tests.factories import PASSWORD, make_unit, make_user

pytestmark = pytest.mark.e2e


def test_school_logs_in_on_a_phone_and_out(live_server, phone, db):
    province = make_unit(OrgKind.PROVINCIAL_OFFICE, name="สำนักงานศึกษาธิการจังหวัดเพชรบูรณ์")
    esa = make_unit(OrgKind.PRIMARY_ESA, province, "สพป.เพชรบูรณ์ เขต 1")
    school = make_unit(OrgKind.BASIC_SCHOOL, esa, "โรงเรียนบ้านนา (สาธิต)")
    make_user(school, Role.RESPONDENT, "school1")
    db.session.commit()

    phone.goto(f"{live_server}/")
    assert "/login?next=" in phone.url
    shot(phone, "login-phone")
    phone.get_by_label("ชื่อผู้ใช้").fill("school1")
    phone.get_by_label("รหัสผ่าน").fill(PASSWORD)
    phone.get_by_role("button", name="เข้าสู่ระบบ").click()

    phone.wait_for_url(f"{live_server}/")
    assert phone.locator("h1").inner_text() == "โรงเรียนบ้านนา (สาธิต)"
    assert phone.locator("html").get_attribute("lang") == "th"
    assert "สพป.เพชรบูรณ์ เขต 1" in phone.content()
    # nothing wider than the phone: no horizontal scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "home-phone")

    phone.locator("details.dropdown summary").click()
    phone.get_by_test_id("logout").click()
    phone.wait_for_url(f"{live_server}/login")
    assert "ออกจากระบบแล้ว" in phone.content()
    phone.goto(f"{live_server}/")
    assert "/login" in phone.url


def test_wrong_password_keeps_username_and_shows_thai_error(live_server, phone, db):
    make_user(make_unit(OrgKind.PROVINCIAL_OFFICE), Role.RESPONDENT, "school9")
    db.session.commit()
    phone.goto(f"{live_server}/login")
    phone.get_by_label("ชื่อผู้ใช้").fill("school9")
    phone.get_by_label("รหัสผ่าน").fill("wrong-password-1")
    phone.get_by_role("button", name="เข้าสู่ระบบ").click()
    assert phone.get_by_label("ชื่อผู้ใช้").input_value() == "school9"
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in phone.locator(".field-error").inner_text()
