"""Issue 18's "Done when" as one journey on a desktop (1280 px): a province admin sets up a new fiscal year with no
shell — uploads a directory file (fixing its row error on the page), creates accounts for the new schools and
downloads the hand-out once, sets a new school's e-mail, opens a 6- and a 12-month round of a KPI form, sends a
reminder that arrives at a local SMTP server, extends one school's deadline, closes a test round early, deletes a
round opened by mistake, and finds every one of these on the audit page. Screenshots in /tmp/shots/year/."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.rounds.models import Round
from tests.e2e.helpers import login
from tests.factories import province_with_users
from tests.fixtures.smtp import smtp_server
from tests.reports.handmade import publish_text
from tests.rounds.test_round_period import KPI

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots/year")
HEADER = "code,parent_code,kind,name_th\n"
NEW_SCHOOLS = "N0000001,X0000001,basic_school,โรงเรียนเปิดใหม่หนึ่ง\nN0000002,X0000001,basic_school,โรงเรียนเปิดใหม่สอง\n"
CHANGED = "B0000001,X0000001,basic_school,โรงเรียนบีเปลี่ยนชื่อ\n"
MOVED = "C0000001,X0000001,basic_school,โรงเรียนซี\n"  # from agency Y to agency X
SIX, TWELVE = "รายงานผลตัวชี้วัด 6 เดือน", "รายงานผลตัวชี้วัด 12 เดือน"
TEST_ROUND, MISTAKE = "รอบทดสอบระบบ", "รอบที่เปิดผิด"
CONTACT = "kru.new1@school.ac.th"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def year(app, db, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Last year's small province, its people, and a small KPI form for basic schools, published."""
    monkeypatch.setitem(app.config, "HANDOUT_DIR", str(tmp_path / "handouts"))
    world = province_with_users()
    world["version"] = publish_text(KPI, "kpi_na")
    db.session.commit()
    return world


def _open_round(page, base: str, version_id: int, period: str, title: str) -> int:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/rounds/")
    page.get_by_test_id("new-round").click()
    page.wait_for_url(re.compile(r".*/rounds/new.*"))
    page.locator('select[name="form_version"]').select_option(str(version_id))
    page.locator('select[name="period"]').select_option(period)
    page.locator('input[name="title"]').fill(title)
    page.locator('input[name="kinds"][value="basic_school"]').check()
    page.get_by_test_id("open-round").click()
    page.wait_for_url(re.compile(r".*/rounds/\d+$"))
    assert "เปิดรอบแล้ว" in page.content()
    return int(page.url.rsplit("/", 1)[1])


def _audit_rows(page, base: str, action: str) -> str:  # type: ignore[no-untyped-def]
    """The audit page filtered by one action through its own form (the action list and today's date)."""
    page.goto(f"{base}/admin/audit")
    page.locator('select[name="action"]').select_option(action)
    page.locator('input[name="date_from"]').fill(now_bangkok().strftime("%d/%m/") + str(now_bangkok().year + 543))
    page.get_by_role("button", name="กรอง", exact=True).click()
    page.wait_for_url(re.compile(rf".*action={re.escape(action)}.*"))
    return page.get_by_test_id("audit-table").inner_text()


def test_a_province_admin_sets_up_a_new_fiscal_year_in_the_browser(app, live_server, desktop, year, tmp_path):  # type: ignore[no-untyped-def]
    page, base = desktop, live_server
    version_id = year["version"].id
    login(page, base, "province")

    # 1. the directory file: a row error shown on the page, then the fixed file previewed and applied
    directory = tmp_path / "directory-2570.csv"
    directory.write_text(HEADER + NEW_SCHOOLS + "N0000003,ZZZ,basic_school,โรงเรียนผิดต้นสังกัด\n", encoding="utf-8")
    page.goto(f"{base}/directory")
    page.get_by_role("button", name="นำเข้าทำเนียบหน่วยงาน").click()
    page.wait_for_url(f"{base}/directory/import")
    page.set_input_files("input[type=file]", str(directory))
    page.get_by_role("button", name="ตรวจไฟล์และแสดงตัวอย่าง").click()
    page.wait_for_load_state()
    assert "ไม่พบหน่วยงานต้นสังกัดรหัส ZZZ" in page.get_by_test_id("row-errors").inner_text()
    _shot(page, "1a-directory-row-error")
    directory.write_text(HEADER + NEW_SCHOOLS + CHANGED + MOVED, encoding="utf-8")
    page.set_input_files("input[type=file]", str(directory))
    page.get_by_role("button", name="ตรวจไฟล์และแสดงตัวอย่าง").click()
    page.wait_for_load_state()
    added = page.get_by_test_id("added").inner_text()
    assert "N0000001" in added and "N0000002" in added
    assert "โรงเรียนบีเปลี่ยนชื่อ" in page.get_by_test_id("changed").inner_text()
    assert "C0000001" in page.get_by_test_id("moved").inner_text()
    _shot(page, "1b-directory-preview")
    page.get_by_test_id("apply").click()
    page.wait_for_load_state()
    assert "นำเข้าแล้ว: เพิ่ม 2 แก้ไข 1" in page.content()
    _shot(page, "1c-directory-applied")

    # 2. accounts for the new schools, the hand-out workbook downloaded once
    page.get_by_role("link", name="ผู้ใช้", exact=True).click()
    page.get_by_role("button", name="สร้างบัญชีให้หน่วยงานใหม่").click()
    page.wait_for_url(f"{base}/users/batch")
    page.get_by_label("ประเภทหน่วยงาน").select_option("basic_school")
    page.get_by_role("button", name="สร้างบัญชีให้หน่วยงานที่ยังไม่มีบัญชี").click()
    page.wait_for_load_state()
    assert "สร้างบัญชีแล้ว 2 บัญชี" in page.content()
    with page.expect_download() as waiting:
        page.get_by_test_id("download-handout").click()
    saved = tmp_path / "handout.xlsx"
    waiting.value.save_as(saved)
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sorted(r[4] for r in sheet.iter_rows(min_row=4, values_only=True) if r[4]) == ["n0000001", "n0000002"]
    _shot(page, "2a-accounts-created")
    page.get_by_test_id("download-handout").click()  # a second download is refused: the file is gone
    page.wait_for_load_state()
    assert "ไม่มีไฟล์นี้แล้ว" in page.content()
    assert list((tmp_path / "handouts").glob("*.xlsx")) == []
    _shot(page, "2b-second-download-refused")

    # 3. the new school's contact e-mail, on the users pages
    page.goto(f"{base}/users/")
    page.get_by_role("searchbox").fill("n0000001")
    page.get_by_role("button", name="ค้นหา").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("users").locator("tbody tr")
    assert rows.count() == 1
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/users/\d+$"))
    page.get_by_label("อีเมล").fill(CONTACT)
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_load_state()
    assert "บันทึกแล้ว" in page.content() and page.get_by_label("อีเมล").input_value() == CONTACT
    _shot(page, "3-contact-set")

    # 4. the year's 6- and 12-month rounds; a test round and one opened by mistake
    six = _open_round(page, base, version_id, "month6", SIX)
    assert "รอบ 6 เดือน" in page.get_by_test_id("round-period").inner_text()
    _shot(page, "4a-six-month-round")
    twelve = _open_round(page, base, version_id, "month12", TWELVE)
    assert "รอบ 12 เดือน" in page.get_by_test_id("round-period").inner_text()
    test_round = _open_round(page, base, version_id, "month9", TEST_ROUND)
    mistake = _open_round(page, base, version_id, "annual", MISTAKE)
    page.goto(f"{base}/rounds/")
    _shot(page, "4b-rounds-list")

    # 5. a reminder to the units that have not sent, received by the local SMTP server
    with smtp_server(app) as inbox:
        page.goto(f"{base}/review/rounds/{six}/province")
        page.get_by_test_id("reminders-link").click()
        page.wait_for_url(re.compile(rf".*/review/rounds/{six}/reminders.*"))
        page.get_by_test_id("audience-unsent").check()
        page.get_by_test_id("preview").click()
        page.wait_for_load_state()
        assert SIX in page.get_by_test_id("mail-preview").inner_text()
        assert CONTACT in page.get_by_test_id("reachable").inner_text()
        _shot(page, "5a-reminder-preview")
        page.get_by_test_id("send").click()
        page.wait_for_load_state()
        assert "ส่งอีเมลเตือนแล้ว 1 ฉบับ" in page.content()
        mails = inbox.mails()
    assert list(mails) == [CONTACT]
    assert mails[CONTACT][0].startswith(f"แจ้งเตือน: กรุณาส่งแบบสอบถาม {SIX} ภายใน")
    assert "ส่งแล้ว" in page.get_by_test_id("log").inner_text()
    _shot(page, "5b-reminder-sent")

    # 6. one school's deadline extended; the test round closed early; the mistaken round deleted
    page.goto(f"{base}/rounds/{six}")
    page.locator('input[name="unit_code"]').fill("N0000002")
    page.locator("#new_deadline").fill("30/09/2580 16:30")
    page.locator("#reason").fill("โรงเรียนเปิดใหม่ ยังไม่มีเจ้าหน้าที่")
    page.get_by_test_id("extend-unit").click()
    page.wait_for_url(re.compile(rf".*/rounds/{six}$"))
    assert "ขยายกำหนดส่งของหน่วยงาน" in page.get_by_test_id("timeline").inner_text()
    _shot(page, "6a-school-extended")

    page.goto(f"{base}/rounds/{test_round}")
    page.get_by_test_id("close-summary").click()
    page.locator("#close-reason").fill("รอบทดสอบระบบ ปิดก่อนกำหนด")
    page.get_by_test_id("close-round").click()
    page.wait_for_url(re.compile(rf".*/rounds/{test_round}$"))
    assert "ปิดรับแล้ว" in page.get_by_test_id("round-phase").inner_text()
    _shot(page, "6b-test-round-closed")

    page.goto(f"{base}/rounds/{mistake}")
    page.get_by_test_id("delete-summary").click()
    page.get_by_test_id("delete-round").click()
    page.wait_for_url(f"{base}/rounds/")
    assert f"/rounds/{mistake}" not in page.content()
    _shot(page, "6c-mistake-deleted")

    # 7. every action on the audit page, in Thai
    expected = {
        "directory.import": ["นำเข้าทำเนียบหน่วยงาน", "เพิ่ม 2 แก้ไข 1 ย้ายต้นสังกัด 1"],
        "accounts.batch": ["สร้างบัญชีให้หน่วยงานใหม่หลายบัญชี"],
        "user.contact": ["แก้ไขอีเมลหรือโทรศัพท์ของผู้ใช้"],
        "reminder.send": ["ส่งอีเมลแจ้งเตือน"],
        "round.extend_unit": ["ขยายกำหนดส่งของหน่วยงาน", "N0000002"],
        "round.close": ["ปิดรอบก่อนกำหนด"],
        "round.delete": ["ลบรอบการรายงาน"],
    }
    for action, words in expected.items():
        table = _audit_rows(page, base, action)
        for word in words:
            assert word in table, (action, word, table)
    table = _audit_rows(page, base, "round.open")
    assert table.count("เปิดรอบการรายงาน") >= 2, table
    assert f"#{six}" in table and f"#{twelve}" in table, table
    _shot(page, "7a-audit-round-open")
    page.goto(f"{base}/admin/audit")
    page.locator('input[name="date_from"]').fill(now_bangkok().strftime("%d/%m/") + str(now_bangkok().year + 543))
    page.get_by_role("button", name="กรอง", exact=True).click()
    page.wait_for_url(re.compile(r".*date_from=.*"))
    everything = page.get_by_test_id("audit-table").inner_text()
    for label in ("นำเข้าทำเนียบหน่วยงาน", "สร้างบัญชีให้หน่วยงานใหม่หลายบัญชี", "แก้ไขอีเมลหรือโทรศัพท์ของผู้ใช้",
                  "เปิดรอบการรายงาน", "ส่งอีเมลแจ้งเตือน", "ขยายกำหนดส่งของหน่วยงาน", "ปิดรอบก่อนกำหนด",
                  "ลบรอบการรายงาน"):  # fmt: skip
        assert label in everything, label
    _shot(page, "7b-audit-today")

    db.session.rollback()  # a fresh read of what the browser's requests wrote
    assert db.session.get(Round, mistake) is None
    assert db.session.scalar(select(OrgUnit.parent_id).where(OrgUnit.code == "C0000001")) == year["x"].id
