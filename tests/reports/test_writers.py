"""Report writers: the workbook, CSV and uploads ZIP that the province downloads, checked as a user opens them."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.core.storage import storage_for
from survey_app.extensions import db
from survey_app.forms_engine.answers import AnswerState
from survey_app.forms_engine.loader import load_file
from survey_app.forms_engine.results import Table
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters, RoundData
from survey_app.reports.raw import UploadRow, raw_table, zip_path
from survey_app.reports.writers import write_csv, write_uploads_zip, write_workbook
from survey_app.responses.models import Answer, Upload
from survey_app.review.operations import certify_response
from tests.fixtures.answering import ROOT, make_round
from tests.fixtures.review import submitted

PDF = b"%PDF-1.4\n%%EOF\n"
INJECTED = ['=HYPERLINK("http://evil.example","คลิก")', "+1", "-1", "@x"]
PLAN_SHEETS = ["ปก", "สรุป", "ความครบถ้วน", "รายหน่วยงาน", "ข้อมูลดิบ", "ไฟล์แนบ"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _answer(response_id: int, key: str) -> Answer:
    return db.session.scalar(select(Answer).where(Answer.response_id == response_id, Answer.question_key == key))


def _set(answer: Answer, state: AnswerState, value=None, number=None) -> None:  # type: ignore[no-untyped-def]
    answer.state, answer.value, answer.value_num = state, value, number


def _attach_pdf(app, response_id: int) -> Upload:  # type: ignore[no-untyped-def]
    """A real stored file and its Upload row, put into the ESA's file answer as the app would."""
    storage = storage_for(app)
    received = storage.receive(io.BytesIO(PDF), 1024 * 1024)
    upload = Upload(
        response_id=response_id, question_key="q_3_1_3", storage_key=storage.commit(received),
        original_name="รายงานผลการอ่าน.pdf", kind="pdf", content_type="application/pdf", size=received.size,
        sha256=received.sha256,
    )  # fmt: skip
    db.session.add(upload)
    db.session.flush()
    _set(_answer_or_new(response_id, "q_3_1_3"), AnswerState.VALUE, [upload.record()])
    return upload


@pytest.fixture
def plan(app, world):  # type: ignore[no-untyped-def]
    """Three certified responses (agency X itself and its schools A and B) with tricky answers in them."""
    rnd = make_round(world)
    x, a, b = (submitted(world, rnd, key, seed) for key, seed in (("x", 1), ("a", 2), ("b", 3)))
    upload = _attach_pdf(app, x.id)
    _set(_answer_or_new(a.id, "q_1_2_3"), AnswerState.NONE)  # "ไม่มี": never 0
    _set(_answer_or_new(b.id, "q_1_2_3"), AnswerState.VALUE, 42, 42.0)
    targets = [(x, "q_1_2_2"), (a, "q_1_2_2"), (b, "q_1_2_2"), (x, "q_1_1_2")]
    for (response, key), text in zip(targets, INJECTED, strict=True):
        _set(_answer_or_new(response.id, key), AnswerState.VALUE, text)
    for response in (x, a, b):
        certify_response(response, actor_id=None)
    db.session.commit()
    report = build_report(world["province"], rnd, Filters(status="certified"))
    return {"report": report, "upload": upload, "units": world}


def _answer_or_new(response_id: int, key: str) -> Answer:
    """The stored answer, or a new row when the sample answers left the question hidden."""
    answer = _answer(response_id, key)
    if answer is None:
        answer = Answer(response_id=response_id, question_key=key, state=AnswerState.VALUE, value=None)
        db.session.add(answer)
        db.session.flush()
    return answer


def _workbook_bytes(report, **options) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    write_workbook(report, buffer, generated_by="ผู้ดูแลระดับจังหวัด", **options)
    return buffer.getvalue()


def _texts(sheet) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def test_workbook_sheets_cover_and_raw_answers(plan):
    messages: list[str] = []
    content = _workbook_bytes(plan["report"], progress=messages.append)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == PLAN_SHEETS  # no GAP sheet: the plan has no paired ratings
    assert any("ข้อมูลดิบ" in m for m in messages)
    cover = " ".join(_texts(book["ปก"]))
    assert "ปีงบประมาณ พ.ศ. 2563" in cover and "1 ต.ค. 2562" in cover and "30 ก.ย. 2563" in cover
    assert "ไม่นำมาคิดเป็น 0" in cover and "ผู้ดูแลระดับจังหวัด" in cover
    raw = book["ข้อมูลดิบ"]
    header = [c.value for c in raw[1]]
    defn = plan["report"].data.defn
    assert raw.max_row == 4 and len(header) == 8 + len([q for q in defn.questions() if q.type != "info"])
    assert raw.freeze_panes == "C2" and raw.auto_filter.ref
    column = header.index(next(h for h in header if h.startswith("1.2.3 ")))
    cells = {row[0].value: row[column] for row in raw.iter_rows(min_row=2)}
    assert cells["A0000001"].value == "ไม่มี" and cells["A0000001"].data_type == "s"
    assert cells["B0000001"].value == 42 and cells["B0000001"].data_type == "n"
    assert book["ไฟล์แนบ"]["F2"].value == "รายงานผลการอ่าน.pdf"


def test_workbook_has_native_charts_and_no_formula_anywhere(plan):
    content = _workbook_bytes(plan["report"])
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "xl/charts/chart1.xml" in names
    assert sum(n.startswith("xl/charts/chart") for n in names) <= 60
    book = load_workbook(io.BytesIO(content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if c.data_type == "s"}
    assert set(INJECTED) <= texts  # written as they were typed, as plain text


def test_workbook_in_codes_shows_keys_and_option_values(plan):
    book = load_workbook(io.BytesIO(_workbook_bytes(plan["report"], codes=True)))
    header = [c.value for c in book["ข้อมูลดิบ"][1]]
    assert "q_1_1_1" in header and "q_3_1_3" in header
    column = header.index("q_1_1_1")
    option_values = {o.value for o in plan["report"].data.defn.question_map()["q_1_1_1"].options}
    for row in book["ข้อมูลดิบ"].iter_rows(min_row=2):
        value = row[column].value
        assert value == "ไม่มี" or set(value.split(", ")) <= option_values


def test_gap_sheet_when_the_report_has_gaps(plan):
    items = Table(["อันดับ", "ข้อ", "รายการ", "ด้าน", "n", "สภาพที่เป็นอยู่", "ความสำคัญ", "GAP"],
                  [[1, "1.1", "วิสัยทัศน์", "ด้านที่ 1", 3, 3.2, 4.5, 1.3]])  # fmt: skip
    dims = Table(["อันดับ", "ด้าน", "จำนวนข้อ", "สภาพที่เป็นอยู่", "ความสำคัญ", "GAP"], [[1, "ด้านที่ 1", 1, 3.2, 4.5, 1.3]])
    report = dataclasses.replace(plan["report"], gaps=(items, dims))
    content = _workbook_bytes(report)
    book = load_workbook(io.BytesIO(content))
    assert "GAP" in book.sheetnames and "ด้านที่ 1" in _texts(book["GAP"])
    charts = [n for n in zipfile.ZipFile(io.BytesIO(content)).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == len([n for n in zipfile.ZipFile(io.BytesIO(_workbook_bytes(plan["report"]))).namelist()
                               if n.startswith("xl/charts/chart")]) + 1  # fmt: skip


def test_csv_has_bom_rows_and_neutralised_formulas(plan):
    buffer = io.BytesIO()
    assert write_csv(plan["report"], buffer) == 3
    content = buffer.getvalue()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 4
    cells = {cell for row in rows[1:] for cell in row}
    assert {"'" + text for text in INJECTED} <= cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_uploads_zip_holds_the_file_under_agency_and_unit(plan, app):
    report, upload = plan["report"], plan["upload"]
    buffer = io.BytesIO()
    count = write_uploads_zip(report.data, buffer, report.agencies, {upload.id: upload.storage_key},
                              storage_for(app).open)  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    expected = "สพป.ทดสอบ เขต 1/X0000001 สพป.ทดสอบ เขต 1/3.1.3 - รายงานผลการอ่าน.pdf"
    assert count == 1 and archive.namelist() == [expected]
    assert archive.read(expected) == PDF


def test_uploads_zip_lists_files_missing_from_storage(plan, app):
    report = plan["report"]
    buffer = io.BytesIO()
    assert write_uploads_zip(report.data, buffer, report.agencies, {}, storage_for(app).open) == 0
    names = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()
    assert names == ["ไฟล์ที่หาไม่พบ.txt"]


def test_zip_paths_cannot_climb_out_or_hide_controls():
    q = load_file(ROOT / "form_definitions" / "phetchabun_plan.yaml").definition.question_map()["q_3_1_3"]
    row = UploadRow("../..", "X1", "a/b\\c", q, 1, "..\\..\\evil\x07\u202e.pdf", 10)
    parts = zip_path(row).split("/")
    assert len(parts) == 3 and ".." not in parts and parts[0] == "ไม่ระบุ"
    assert all("\\" not in p and "\x07" not in p and "\u202e" not in p for p in parts)
    assert parts[2].endswith(".pdf") and parts[2].startswith("3.1.3 - ")


def test_raw_table_of_paired_ratings_numbers_none_and_missing(db):
    defn = load_file(ROOT / "form_definitions" / "od_survey.yaml").definition
    responses = pd.DataFrame([
        [1, 10, "P1", "สพป.หนึ่ง", "primary_esa", "6701", "/10/", "submitted", False, datetime(2020, 1, 2, 3, 4, tzinfo=UTC), 10],
        [2, 10, "P1", "สพป.หนึ่ง", "primary_esa", "6701", "/10/", "submitted", True, None, 10],
    ], columns=["response_id", "org_unit_id", "code", "unit", "kind", "district", "path", "status", "is_late",
                "submitted_at", "agency_id"])  # fmt: skip
    answers = pd.DataFrame([
        [1, "od_1_1", "value", {"current": 3, "importance": 5}, None],
        [2, "od_1_1", "value", {"current": 4}, None],  # a part left out stays empty, the other stays an int
        [1, "od_position", "value", "supervisor", None],
        [2, "od_position", "na", None, None],
    ], columns=["response_id", "question_key", "state", "value", "value_num"])  # fmt: skip
    data = RoundData(None, defn, Filters(status="submitted"), responses, answers)  # type: ignore[arg-type]
    table = raw_table(data, agencies={10: "สพป.หนึ่ง"})
    current = table.columns.index("1.1 " + defn.question_map()["od_1_1"].label.th + " (สภาพที่เป็นอยู่ (ความคิดเห็น))")
    assert table.rows[0][current : current + 2] == [3, 5] and table.rows[1][current : current + 2] == [4, None]
    assert all(isinstance(row[current], int) for row in table.rows)
    position = table.columns.index("กลุ่มตำแหน่ง")
    assert table.rows[0][position] == "ศึกษานิเทศก์" and table.rows[1][position] == "N/A"
    assert table.rows[0][7] == "2 ม.ค. 2563 10:04 น." and table.rows[1][6] == "ใช่"
    coded = raw_table(data, codes=True)
    assert "od_1_1__importance" in coded.columns and coded.rows[0][coded.columns.index("od_position")] == "supervisor"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_workbook_converts_to_pdf_with_libreoffice(plan, tmp_path: Path):
    source = tmp_path / "report.xlsx"
    write_workbook(plan["report"], str(source), generated_by="ผู้ดูแลระดับจังหวัด")
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run([SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=240)  # fmt: skip
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0
