"""The hand-out workbook of initial passwords for newly created accounts."""

from __future__ import annotations

from pathlib import Path

from survey_app.accounts.operations import IssuedAccount
from survey_app.core.spreadsheets import THAI_FONT, open_workbook, write_table
from survey_app.core.thai import now_bangkok, thai_date


def write_accounts_workbook(issued: list[IssuedAccount], out_dir: Path) -> Path:
    """One row per new account: unit, username, initial password, role. Returns the file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = now_bangkok()
    path = out_dir / f"accounts-{stamp:%Y%m%d-%H%M%S}.xlsx"
    book = open_workbook(str(path))
    book.formats[0].set_font_name(THAI_FONT)
    sheet = book.add_worksheet("บัญชีผู้ใช้")
    sheet.write_string(
        0, 0, f"บัญชีผู้ใช้ที่สร้างเมื่อ {thai_date(stamp, with_time=True)} (รหัสผ่านชั่วคราว ต้องเปลี่ยนเมื่อเข้าระบบครั้งแรก)"
    )
    header = ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภท", "ต้นสังกัด", "ชื่อผู้ใช้", "รหัสผ่านเริ่มต้น", "บทบาท"]
    rows = (
        [
            a.unit.code,
            a.unit.name_th,
            a.unit.kind.label_th,
            a.unit.parent.name_th if a.unit.parent else "",
            a.username,
            a.password,
            a.role.label_th,
        ]
        for a in issued
    )
    write_table(book, sheet, header, rows, first_row=2, widths=[12, 50, 28, 40, 18, 16, 18])
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    book.close()
    path.chmod(0o600)
    return path
