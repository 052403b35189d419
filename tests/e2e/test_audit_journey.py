"""A province admin uploads a directory file (fixing its row error on the page), applies the preview, and finds
the import on the audit page; an agency reads its own trail on a phone. Screenshots in /tmp/shots/audit/."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.helpers import login, logout
from tests.factories import province_with_users

SHOTS = Path("/tmp/shots/audit")
HEADER = "code,parent_code,kind,name_th\n"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_directory_upload_then_audit_page(desktop, phone, live_server, tmp_path):  # type: ignore[no-untyped-def]
    province_with_users()
    bad = tmp_path / "dir.csv"
    bad.write_text(HEADER + "D0000001,ZZZ,basic_school,โรงเรียนดี\n", encoding="utf-8")
    login(desktop, live_server, "province")
    desktop.goto(f"{live_server}/directory/import")
    desktop.set_input_files("input[type=file]", str(bad))
    desktop.get_by_role("button", name="ตรวจไฟล์และแสดงตัวอย่าง").click()
    assert "ไม่พบหน่วยงานต้นสังกัดรหัส ZZZ" in desktop.locator("[data-testid=row-errors]").inner_text()
    _shot(desktop, "1-upload-errors-desktop")

    bad.write_text(HEADER + "D0000001,X0000001,basic_school,โรงเรียนดี\nB0000001,X0000001,basic_school,โรงเรียนบีใหม่\n",
                   encoding="utf-8")  # fmt: skip
    desktop.set_input_files("input[type=file]", str(bad))
    desktop.get_by_role("button", name="ตรวจไฟล์และแสดงตัวอย่าง").click()
    assert "โรงเรียนบีใหม่" in desktop.locator("[data-testid=changed]").inner_text()
    _shot(desktop, "2-preview-desktop")
    desktop.locator("[data-testid=apply]").click()
    assert "นำเข้าแล้ว: เพิ่ม 1 แก้ไข 1" in desktop.content()

    desktop.goto(f"{live_server}/admin/audit?action=directory.import")
    table = desktop.locator("[data-testid=audit-table]").inner_text()
    assert "นำเข้าทำเนียบหน่วยงาน" in table and "เพิ่ม 1 แก้ไข 1" in table
    _shot(desktop, "3-audit-desktop")
    desktop.goto(f"{live_server}/admin/settings")
    _shot(desktop, "4-settings-desktop")
    logout(desktop, live_server)

    login(phone, live_server, "cert_x")
    phone.goto(f"{live_server}/admin/audit")
    assert "นำเข้าทำเนียบหน่วยงาน" not in phone.locator("[data-testid=audit-table]").inner_text()  # not X's event
    _shot(phone, "5-audit-phone")
