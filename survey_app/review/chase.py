"""The chase list: units that have not submitted by their deadline, as a workbook an officer can phone down."""

from __future__ import annotations

import io
from datetime import datetime

from survey_app.accounts.models import OrgUnit
from survey_app.core.spreadsheets import THAI_FONT, open_workbook, write_table
from survey_app.core.thai import thai_date
from survey_app.review.sets import SetMember
from survey_app.rounds.models import Round


def chase_workbook(rnd: Round, agency: OrgUnit, late: list[SetMember], now: datetime, by: str) -> io.BytesIO:
    """One row per late unit: code, name, kind, district, status, last saved, progress, deadline."""
    buffer = io.BytesIO()
    book = open_workbook(buffer)
    book.formats[0].set_font_name(THAI_FONT)
    sheet = book.add_worksheet("ยังไม่ส่ง")
    title = book.add_format({"bold": True, "font_size": 14, "font_name": THAI_FONT})
    sheet.write_string(0, 0, f"รายชื่อหน่วยงานที่ยังไม่ส่ง: {rnd.form_version.title_th}", title)
    sheet.write_string(1, 0, f"{agency.name_th} · {rnd.title} · ปีงบประมาณ {rnd.fiscal_year} · "
                             f"ข้อมูล ณ {thai_date(now, with_time=True)} · โดย {by}")  # fmt: skip
    header = ["รหัส", "ชื่อหน่วยงาน", "ประเภท", "อำเภอ", "สถานะ", "บันทึกล่าสุด", "ตอบแล้ว (ข้อ)", "ต้องตอบ (ข้อ)", "กำหนดส่ง"]
    rows = (
        [
            m.unit.code,
            m.unit.name_th,
            m.unit.kind.label_th,
            m.unit.district.name_th if m.unit.district else "",
            m.response.status.label_th if m.response else "ยังไม่เริ่มตอบ",
            thai_date(m.response.last_saved_at, with_time=True) if m.response and m.response.last_saved_at else "",
            m.response.answered_count if m.response else 0,
            m.response.required_count if m.response else None,
            thai_date(m.round_unit.deadline(), with_time=True),
        ]
        for m in late
    )
    write_table(book, sheet, header, rows, first_row=3, widths=[12, 48, 30, 16, 20, 22, 12, 12, 22])
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(3)
    book.close()
    buffer.seek(0)
    return buffer
