"""Report writers: a Report as an Excel workbook, the raw answers as CSV, the uploaded files as a ZIP.

Safe by default: every text is a string cell (never a formula, URL or guessed number), CSV cells that a
spreadsheet would evaluate get a leading apostrophe, ZIP paths are cleaned of folders, dots and controls.
The workbook is written in constant memory mode, so every sheet is written strictly top to bottom.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, BinaryIO

from survey_app.core.figures import figure_text
from survey_app.core.spreadsheets import neutralise, open_workbook, write_cell
from survey_app.core.thai import FiscalYear, now_bangkok, thai_date
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.results import Chart, QuestionResult, Table
from survey_app.reports.build import Report, breakdown, school_names
from survey_app.reports.data import RoundData
from survey_app.reports.raw import (
    KEY_HEADER,
    UploadRow,
    long_header,
    long_rows,
    raw_header,
    raw_rows,
    unique_name,
    upload_rows,
    zip_path,
)
from survey_app.reports.repeats import repeat_groups
from survey_app.reports.xlsx_layout import ROW_POINTS, Book, Sheet

NOTE_ROUNDING = (
    "ค่าเฉลี่ย ส่วนเบี่ยงเบนมาตรฐาน GAP และร้อยละ คำนวณจากค่าจริง แล้วปัดครั้งเดียวเป็นทศนิยม 2 ตำแหน่งแบบปัดครึ่งขึ้น "
    "(4.505 → 4.51) ทุกแผ่นงานและทุกหน้า ระดับความคิดเห็นอ่านจากค่าเฉลี่ยที่แสดง กลุ่มที่มีผู้ตอบ 1 คนไม่มี S.D. (แสดง -)"
)


def note_privacy(minimum: int) -> str:
    return (
        f"คุ้มครองผู้ตอบ: ไม่แสดงคำตอบของบุคคล กลุ่มที่มีผู้ตอบน้อยกว่า {minimum} คน และกลุ่มที่อาจคำนวณย้อนได้จากการลบผลรวม "
        "ไม่แสดงผลแยก ข้อมูลดิบไม่ระบุสถานศึกษาที่มีผู้ตอบน้อยกว่าเกณฑ์ และแสดงเวลาส่งเป็นวันที่"
    )


MAX_LISTED = 2000  # answers listed per question in the summary; the raw sheet has every one
NOTE_NONE = 'คำตอบ "ไม่มี" และ N/A (ยังไม่มีข้อมูล) นับแยกไว้ต่างหาก ไม่นำมาคิดเป็น 0 ในค่าเฉลี่ย ผลรวม หรือร้อยละของตัวเลือก'
SHEET_GUIDE = [
    ("สรุป", "ผลรายข้อตามยุทธศาสตร์และตัวชี้วัด พร้อมแผนภูมิ"),
    ("GAP", "ช่องว่างระหว่างความสำคัญกับสภาพที่เป็นอยู่ (แบบสำรวจ OD)"),
    ("ความครบถ้วน", "จำนวนหน่วยงานที่ต้องตอบ ส่งแล้ว รับรองแล้ว และส่งตรงเวลา รายหน่วยงานต้นสังกัด"),
    ("รายหน่วยงาน", "ผลหลักของแต่ละข้อ แยกตามหน่วยงานต้นสังกัด"),
    ("รายสถานศึกษา", "ผลหลักของแต่ละข้อ แยกตามสถานศึกษา (แบบสำรวจรายบุคคล)"),
    ("ข้อมูลดิบ", "คำตอบทั้งหมด หนึ่งแถวต่อหนึ่งแบบสอบถาม"),
    ("ไฟล์แนบ", "รายการไฟล์ที่แนบมากับคำตอบ"),
]


def write_workbook(
    report: Report,
    target: str | io.BytesIO,
    *,
    generated_by: str,
    codes: bool = False,
    progress: Callable[[str], None] | None = None,
) -> None:
    """The report as an xlsx workbook: cover, summary with charts, completeness, GAP, per agency, raw, files."""
    notify = progress or (lambda _message: None)
    with open_workbook(target, constant_memory=True) as wb:
        book = Book(wb)
        steps: list[tuple[str, Callable[[], None]]] = [("ปก", lambda: _cover(book, report, generated_by))]
        if not report.withheld:  # a hidden selection: the cover says why, and nothing else is written
            steps += [
                ("สรุป", lambda: _summary(book, report)),
                ("ความครบถ้วน", lambda: _completeness(book, report.completeness)),
                ("GAP", lambda: _gaps(book, report.gaps)),
                ("รายหน่วยงาน", lambda: _per_group(book, report, "agency_id")),
                ("รายสถานศึกษา", lambda: _per_group(book, report, "org_unit_id")),
                ("ข้อมูลดิบ", lambda: _raw(book, report, codes)),
                *[
                    (name, lambda group=group, name=name: _long(book, report, group, name, codes))
                    for group, name in repeat_sheets(report.data)
                ],
                ("ไฟล์แนบ", lambda: _uploads(book, report)),
            ]
        for name, step in steps:
            notify(f"กำลังเขียนแผ่นงาน {name}")
            step()
        notify("กำลังบันทึกไฟล์ Excel")


def _cover(book: Book, report: Report, generated_by: str) -> None:
    data, fy = report.data, FiscalYear(report.data.rnd.fiscal_year)
    sheet = Sheet(book, "ปก", [36, 90], landscape=False)
    sheet.line(data.defn.title.th, fmt="title")
    sheet.line(data.rnd.title, fmt="h1")
    sheet.line(f"{fy.label()} ({thai_date(fy.start)} – {thai_date(fy.end)})", fmt="h2")
    sheet.skip()
    if report.withheld:
        sheet.line(report.withheld, fmt="h2")
        sheet.skip()
    for label, value in _cover_facts(report, generated_by):
        sheet.pair(label, value)
    sheet.skip()
    sheet.line("หมายเหตุ", fmt="label")
    sheet.line(NOTE_NONE)
    sheet.line(NOTE_ROUNDING)
    if report.data.disclosure is not None:
        sheet.line(note_privacy(report.data.disclosure.minimum))
    sheet.skip()
    sheet.line("แผ่นงานในไฟล์นี้", fmt="label")
    for name, text in SHEET_GUIDE:
        sheet.pair(name, text)
    for group, name in repeat_sheets(report.data):
        sheet.pair(name, f"{group.label.th}: หนึ่งแถวต่อหนึ่งรายการ โยงกับข้อมูลดิบด้วย {KEY_HEADER}")


def _cover_facts(report: Report, generated_by: str) -> list[tuple[str, Any]]:
    facts: list[tuple[str, Any]] = [("ขอบเขตข้อมูล", report.data.filters.describe())]
    if not report.withheld:
        facts.append(("จำนวนแบบสอบถามที่นำมาประมวลผล", report.respondents))
    if report.completeness is not None and report.completeness.rows:
        total = report.completeness.rows[-1]
        facts += [("หน่วยงานที่ต้องตอบ", total[1]), ("ส่งแล้ว", total[2]), ("รับรองแล้ว", total[4])]
    if report.duplicates.note:
        facts.append(("คำตอบที่อาจซ้ำ", report.duplicates.note))
    if report.previous_round is not None:
        prev = report.previous_round
        facts.append(("เปรียบเทียบกับ", f"{prev.title} ({FiscalYear(prev.fiscal_year).label()})"))
    facts += [("จัดทำเมื่อ", thai_date(now_bangkok(), with_time=True)), ("จัดทำโดย", generated_by)]
    return facts


def _summary(book: Book, report: Report) -> None:
    sheet = Sheet(book, "สรุป", [64, 18, 14])
    sheet.line(f"สรุปผล {report.data.defn.title.th}", fmt="title")
    sheet.line(
        f"{report.data.rnd.title} · {report.data.filters.describe()} · {report.respondents:,} แบบสอบถาม", fmt="note"
    )
    sheet.line(NOTE_NONE, fmt="note")
    for section in report.sections:
        sheet.skip()
        sheet.line(section.section.title.th, fmt="h1")
        for indicator, results in section.groups:
            if indicator is not None:
                sheet.line(indicator.title.th, fmt="h2")
            for result in results:
                _result(sheet, result, report)


def _result(sheet: Sheet, result: QuestionResult, report: Report) -> None:
    """A question's title, table, note, last year's headline and its chart to the right."""
    sheet.line(question_title(result.question), fmt="h3")
    if result.table.note:  # notes go above: below, the chart beside the table would cover their long lines
        sheet.line(result.table.note, fmt="note")
    if result.previous and report.previous_round is not None:
        year = FiscalYear(report.previous_round.fiscal_year).label()
        sheet.line(f"ปีที่แล้ว ({year}): {previous_text(result.question, result.previous)}", fmt="note")
    if result.question.type == "rating":  # the headline as number cells offices can reuse
        stats = result.stats
        sheet.line(
            "n",
            stats["n"],
            "ค่าเฉลี่ย",
            stats["mean"],
            "S.D.",
            stats["sd"],
            "ระดับ",
            stats["level"],
            "ร้อยละระดับมากขึ้นไป",
            stats["pct_high"],
        )
    head, _last = sheet.table(dataclasses.replace(result.table, note=""), limit=MAX_LISTED)
    if result.chart is not None and len(result.table.rows) <= MAX_LISTED:
        sheet.chart(result.chart, result.table, head, 3)
    sheet.skip()


def question_title(q: s.Question) -> str:
    return f"{q.code} {q.label.th}" if q.code else q.label.th


PREVIOUS_LABELS = {
    "n": "n",
    "mean": "ค่าเฉลี่ย",
    "sd": "S.D.",
    "level": "ระดับ",
    "pct_high": "ร้อยละระดับมากขึ้นไป",
    "sum": "ผลรวม",
    "gap": "GAP",
    "none": "ไม่มี",
    "na": "N/A",
}


def previous_text(q: s.Question, stats: dict[str, Any]) -> str:
    """Last year's headline figures of a question in one line."""
    labels = PREVIOUS_LABELS | {r.key: r.label.th for r in getattr(q, "ratings", [])}
    options = {o.value: o.label.th for o in getattr(q, "options", [])}
    parts = []
    for key, value in stats.items():
        if key == "pct" and isinstance(value, dict):
            parts += [f"{options.get(k, k)} ร้อยละ {_number_text(v)}" for k, v in value.items() if v is not None]
        elif key in labels and value is not None:
            parts.append(f"{labels[key]} {_number_text(value)}")
    return " · ".join(parts)


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return figure_text(value)


def _completeness(book: Book, table: Table | None) -> None:
    if table is None:
        return
    sheet = Sheet(book, "ความครบถ้วน", [44] + [14] * (len(table.columns) - 1))
    sheet.line("ความครบถ้วนของการรายงาน", fmt="title")
    head, last = sheet.table(table)
    sheet.ws.freeze_panes(head + 1, 1)
    sheet.ws.autofilter(head, 0, max(head + 1, last - 1), len(table.columns) - 1)  # the total row stays last
    sheet.ws.repeat_rows(head)


GAP_ITEM_COLS = [0, 1, 2, 3, 4, 5, 6, 7]
GAP_DIM_COLS = [0, 2, 4, 5, 6, 7]  # the dimension name sits in the wide "item" column, figures under figures


def _gaps(book: Book, gaps: tuple[Table, Table] | None) -> None:
    if gaps is None:
        return
    items, dims = gaps
    sheet = Sheet(book, "GAP", [8, 8, 56, 34, 8, 15, 12, 10])
    sheet.line("ช่องว่างระหว่างความสำคัญกับสภาพที่เป็นอยู่ (GAP)", fmt="title")
    sheet.line("รายด้าน", fmt="h2")
    head, _ = sheet.table(dims, cols=GAP_DIM_COLS)
    chart = Chart([r[1] for r in dims.rows], [("GAP", [r[5] for r in dims.rows])], "GAP รายด้าน", horizontal=True)
    sheet.chart(chart, dims, head, 9, cols=GAP_DIM_COLS)
    sheet.skip()
    sheet.line("รายข้อ (เรียงจาก GAP มากไปน้อย)", fmt="h2")
    sheet.table(items, cols=GAP_ITEM_COLS)


GROUP_SHEETS = {
    "agency_id": ("รายหน่วยงาน", "ผลรายข้อ แยกตามหน่วยงานต้นสังกัด"),
    "org_unit_id": ("รายสถานศึกษา", "ผลรายข้อ แยกตามสถานศึกษา"),
}


def _per_group(book: Book, report: Report, by: str) -> None:
    """Headline figures per agency, or (person surveys, as the tablet survey is reported) per school."""
    if by == "org_unit_id" and not report.data.rnd.per_person:
        return
    name, title = GROUP_SHEETS[by]
    names = report.agencies if by == "agency_id" else school_names(report.data)
    sheet = Sheet(book, name, [44, 10, 14, 14, 14, 14])
    sheet.line(title, fmt="title")
    sheet.line(NOTE_NONE, fmt="note")
    for section in report.sections:
        for _indicator, results in section.groups:
            for result in results:
                table = breakdown(report.data, result.question, by=by, names=names)
                if table is None or not table.rows:
                    continue
                sheet.skip()
                sheet.line(question_title(result.question), fmt="h3")
                sheet.table(table)


def _raw(book: Book, report: Report, codes: bool) -> None:
    """Every response in one row: header bold and frozen, autofilter over all rows."""
    header = raw_header(report.data, codes)
    keyed = [14] if header[0] == KEY_HEADER else []
    widths = [*keyed, 14, 32, 26, 8, 30, 18, 8, 20]
    sheet = Sheet(book, "ข้อมูลดิบ", widths + [24] * (len(header) - len(widths)), fit=False)
    sheet.ws.set_row(0, ROW_POINTS * 3)
    sheet.line(*header, fmt="head")
    for row in raw_rows(report.data, codes, report.agencies):
        for col, value in enumerate(row):
            if value is not None:
                write_cell(sheet.ws, sheet.row, col, value)
        sheet.row += 1
    sheet.ws.freeze_panes(1, 2 + len(keyed))
    sheet.ws.autofilter(0, 0, max(sheet.row - 1, 1), len(header) - 1)
    sheet.ws.repeat_rows(0)


def repeat_sheets(data: RoundData) -> list[tuple[s.RepeatGroup, str]]:
    """Each repeat group and the name of its long sheet: its label cut to Excel's 31 characters, without
    the characters Excel refuses, distinct from the other sheets' names."""
    used = {name for name, _text in SHEET_GUIDE} | {"ปก"}
    named = []
    for group in repeat_groups(data.defn):
        base = re.sub(r"[\[\]:*?/\\']", " ", f"รายการ {group.label.th}").strip()[:28].strip()
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            name = f"{base[:27]} {n}"
        used.add(name.casefold())
        named.append((group, name))
    return named


def _long(book: Book, report: Report, group: s.RepeatGroup, name: str, codes: bool) -> None:
    """A repeat group's rows, one per sheet row, keyed to their response in the raw sheet."""
    header = long_header(report.data, group, codes)
    sheet = Sheet(book, name, [14, 14, 32, 26, 8, 30, 18, 8, 20, 8] + [24] * (len(header) - 10), fit=False)
    sheet.ws.set_row(0, ROW_POINTS * 3)
    sheet.line(*header, fmt="head")
    for row in long_rows(report.data, group, codes, report.agencies):
        for col, value in enumerate(row):
            if value is not None:
                write_cell(sheet.ws, sheet.row, col, value)
        sheet.row += 1
    sheet.ws.freeze_panes(1, 3)
    sheet.ws.autofilter(0, 0, max(sheet.row - 1, 1), len(header) - 1)
    sheet.ws.repeat_rows(0)


UPLOAD_HEADER = ["รหัสหน่วยงาน", "หน่วยงาน", "หน่วยงานต้นสังกัดที่รับรอง", "ข้อ", "คำถาม", "ชื่อไฟล์", "ขนาด (ไบต์)"]


def _uploads(book: Book, report: Report) -> None:
    rows = upload_rows(report.data, report.agencies)
    sheet = Sheet(book, "ไฟล์แนบ", [14, 32, 30, 8, 50, 40, 14])
    head, _ = sheet.table(Table(UPLOAD_HEADER, [_upload_cells(r) for r in rows], "" if rows else "ไม่มีไฟล์แนบ"))
    sheet.ws.freeze_panes(head + 1, 0)
    sheet.ws.autofilter(head, 0, head + max(len(rows), 1), len(UPLOAD_HEADER) - 1)


def _upload_cells(row: UploadRow) -> list[Any]:
    q = row.question
    return [row.code, row.unit, row.agency, q.code or q.key, q.label.th, row.name, row.size]


def write_csv(
    source: Report | RoundData,
    target: str | os.PathLike[str] | IO[Any],
    *,
    codes: bool = False,
    agencies: dict[int, str] | None = None,
) -> int:
    """The raw table as CSV (UTF-8 with BOM, formula-looking texts neutralised), streamed; returns the row count."""
    data, names = (source.data, source.agencies) if isinstance(source, Report) else (source, agencies or {})
    count = 0
    with _text_stream(target) as stream:
        stream.write("\ufeff")
        writer = csv.writer(stream)
        writer.writerow([neutralise(h) for h in raw_header(data, codes)])
        for row in raw_rows(data, codes, names):
            writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
            count += 1
    return count


def write_long_csv(
    data: RoundData,
    group: s.RepeatGroup,
    target: str | os.PathLike[str] | IO[Any],
    *,
    codes: bool = False,
    agencies: dict[int, str] | None = None,
) -> int:
    """A repeat group's long table as CSV, like `write_csv`; returns the row count."""
    count = 0
    with _text_stream(target) as stream:
        stream.write("\ufeff")
        writer = csv.writer(stream)
        writer.writerow([neutralise(h) for h in long_header(data, group, codes)])
        for row in long_rows(data, group, codes, agencies or {}):
            writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
            count += 1
    return count


def write_csv_bundle(report: Report, target: str | os.PathLike[str] | BinaryIO, *, codes: bool = False) -> int:
    """A form with repeat groups as CSV: a ZIP of the wide table (`ข้อมูลดิบ.csv`, one row per response) and one
    long table per group (`<group key>.csv`, one row per repeat row), as ODK Central exports repeats.
    Returns the wide table's row count."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("ข้อมูลดิบ.csv", "w") as out:
            count = write_csv(report, out, codes=codes)
        for group in repeat_groups(report.data.defn):
            with zf.open(f"{group.key}.csv", "w") as out:
                write_long_csv(report.data, group, out, codes=codes, agencies=report.agencies)
    return count


@contextmanager
def _text_stream(target: str | os.PathLike[str] | IO[Any]) -> Iterator[IO[str]]:
    """A UTF-8 text stream over a path, a text stream or a binary stream (left open for the caller)."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8", newline="") as stream:
            yield stream
    elif isinstance(target, io.TextIOBase):
        yield target
    else:
        wrapper = io.TextIOWrapper(target, encoding="utf-8", newline="")
        try:
            yield wrapper
        finally:
            wrapper.flush()
            wrapper.detach()


COPY_CHUNK = 1024 * 1024


def write_uploads_zip(
    data: RoundData,
    target: str | os.PathLike[str] | BinaryIO,
    agencies: dict[int, str],
    uploads: dict[int, str],
    open_file: Callable[[str], BinaryIO],
) -> int:
    """A ZIP of the round's uploaded files by agency and unit, copied in chunks; returns the files written.

    `uploads` maps upload id -> storage key (the caller reads it from the Upload table); files without a
    key or missing from storage are listed in a text file inside the ZIP instead of silently left out.
    """
    used: set[str] = set()
    missing: list[str] = []
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for row in upload_rows(data, agencies):
            name = unique_name(zip_path(row), used)
            key = uploads.get(row.upload_id) if row.upload_id is not None else None
            try:
                if key is None:
                    raise FileNotFoundError(name)
                with open_file(key) as source, zf.open(name, "w") as out:
                    shutil.copyfileobj(source, out, COPY_CHUNK)
                count += 1
            except FileNotFoundError:
                missing.append(name)
        if missing:
            zf.writestr("ไฟล์ที่หาไม่พบ.txt", "ไฟล์ต่อไปนี้ไม่พบในที่เก็บไฟล์:\n" + "\n".join(missing) + "\n")
    return count
