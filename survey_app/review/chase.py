"""Chase lists: units that have not sent (or are past their deadline), as a workbook an officer can phone
down. One agency's list, or the whole province's with a column naming each unit's agency."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from survey_app.core.spreadsheets import THAI_FONT, open_workbook, write_table
from survey_app.core.thai import thai_date
from survey_app.review.queries import CHASE_LISTS
from survey_app.review.sets import SetMember
from survey_app.rounds.models import Round

HEADER = ["รหัส", "ชื่อหน่วยงาน", "ประเภท", "อำเภอ", "สถานะ", "บันทึกล่าสุด", "ตอบแล้ว (ข้อ)", "ต้องตอบ (ข้อ)", "กำหนดส่ง"]
WIDTHS = [12, 48, 30, 16, 20, 22, 12, 12, 22]


@dataclass(frozen=True)
class ChaseList:
    """What one download holds: which list, for whom (an agency's name, or the province), and its units."""

    which: str  # a key of CHASE_LISTS
    scope_name: str
    members: list[SetMember]
    agency_names: dict[int, str] | None = None  # set for the province-wide list: one more column


def chase_workbook(rnd: Round, chase: ChaseList, now: datetime, by: str) -> io.BytesIO:
    """One row per unit: (its agency,) code, name, kind, district, status, last saved, progress, deadline."""
    buffer = io.BytesIO()
    book = open_workbook(buffer)
    book.formats[0].set_font_name(THAI_FONT)
    sheet = book.add_worksheet(CHASE_LISTS[chase.which])
    title = book.add_format({"bold": True, "font_size": 14, "font_name": THAI_FONT})
    sheet.write_string(0, 0, f"รายชื่อหน่วยงานที่{CHASE_LISTS[chase.which]}: {rnd.form_version.title_th}", title)
    sheet.write_string(
        1,
        0,
        f"{chase.scope_name} · {rnd.title} · ปีงบประมาณ {rnd.fiscal_year} · "
        f"ข้อมูล ณ {thai_date(now, with_time=True)} · โดย {by} · "
        f"จำนวน {len(chase.members):,} แห่ง",
    )
    header, widths = HEADER, WIDTHS
    if chase.agency_names is not None:
        header, widths = ["หน่วยงานต้นสังกัด", *HEADER], [36, *WIDTHS]
    rows = [_row(m, chase.agency_names) for m in chase.members]
    if not rows:
        sheet.write_string(2, 0, f"ไม่มีหน่วยงานที่{CHASE_LISTS[chase.which]}")
    write_table(book, sheet, header, rows, first_row=3, widths=widths)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(3)
    book.close()
    buffer.seek(0)
    return buffer


def _row(m: SetMember, agency_names: dict[int, str] | None) -> list[object]:
    response = m.response
    row: list[object] = [
        m.unit.code,
        m.unit.name_th,
        m.unit.kind.label_th,
        m.unit.district.name_th if m.unit.district else "",
        response.status.label_th if response else "ยังไม่เริ่มตอบ",
        thai_date(response.last_saved_at, with_time=True) if response and response.last_saved_at else "",
        response.answered_count if response else 0,
        response.required_count if response else None,
        thai_date(m.round_unit.deadline(), with_time=True),
    ]
    return row if agency_names is None else [agency_names.get(m.agency_id, ""), *row]
