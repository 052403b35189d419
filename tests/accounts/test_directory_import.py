"""Directory import: all-or-nothing, every error reported with its row, updates keep history."""

from pathlib import Path

import xlsxwriter
from sqlalchemy import func, select

from survey_app.accounts.models import OrgUnit, OrgUnitChange
from survey_app.extensions import db

HEADER = "code,parent_code,kind,name_th,name_en,district_code,district_name,smis_code,obec_code\n"
GOOD = HEADER + (
    "67000000,,provincial_office,ศธจ.เพชรบูรณ์,PEO,6701,เมืองเพชรบูรณ์,,\n"
    "67010000,67000000,primary_esa,สพป.เพชรบูรณ์ เขต 1,,6701,เมืองเพชรบูรณ์,,\n"
    "01234567,67010000,basic_school,โรงเรียนบ้านนา,,6702,ชนแดน,01234567,012345\n"
    "67010002,67010000,โรงเรียนการศึกษาขั้นพื้นฐาน,โรงเรียนบ้านโคก,,6702,ชนแดน,,\n"
)


def write(tmp_path: Path, text: str, name: str = "dir.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def test_correct_csv_with_bom_imports_and_keeps_leading_zeros(runner, tmp_path):
    result = runner.invoke(args=["directory", "import", str(write(tmp_path, GOOD, bom=True))])
    assert result.exit_code == 0, result.output
    assert "เพิ่ม 4" in result.output
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "01234567"))
    assert school.alt_codes == {"smis": "01234567", "obec": "012345"}
    assert school.parent.code == "67010000"
    assert school.path.startswith(school.parent.path)
    kinds = {u.code: u.kind.value for u in db.session.scalars(select(OrgUnit))}
    assert kinds["67010002"] == "basic_school"  # Thai kind label accepted


def test_file_with_errors_imports_nothing_and_lists_every_error(runner, tmp_path):
    bad = HEADER + (
        "67000000,,provincial_office,ศธจ.เพชรบูรณ์,,6701,,,\n"  # row 2 fine
        "67010000,67000000,primary_esa,,,6701,,,\n"  # row 3: empty name
        "67010001,99999999,basic_school,โรงเรียนก,,6701,,,\n"  # row 4: unknown parent
        "67010001,67000000,basic_school,โรงเรียนข,,6701,,,\n"  # row 5: duplicate code
        "67010003,67000000,spaceship,โรงเรียนค,,6701,,,\n"  # row 6: unknown kind
        "67010004,67000000,basic_school,โรงเรียนง,,67,,,\n"  # row 7: bad district
        "67010005,67000000,basic_school,โรงเรียนจ,,6701,,123,\n"  # row 8: bad SMIS
        ",67000000,basic_school,โรงเรียนฉ,,6701,,,\n"  # row 9: no code
    )
    result = runner.invoke(args=["directory", "import", str(write(tmp_path, bad))])
    assert result.exit_code != 0
    out = result.output
    for expected in (
        "แถว 3 คอลัมน์ name_th",
        "แถว 4 คอลัมน์ parent_code: ไม่พบหน่วยงานต้นสังกัดรหัส 99999999",
        "แถว 5 คอลัมน์ code: รหัส 67010001 ซ้ำกับแถว 4",
        "แถว 6 คอลัมน์ kind",
        "แถว 7 คอลัมน์ district_code",
        "แถว 8 คอลัมน์ smis_code",
        "แถว 9 คอลัมน์ code",
    ):
        assert expected in out, out
    assert "ไม่ได้นำเข้าข้อมูลใดเลย" in out
    assert unit_count() == 0


def test_school_under_school_and_cycles_are_refused(runner, tmp_path):
    runner.invoke(args=["directory", "import", str(write(tmp_path, GOOD))])
    bad = HEADER + (
        "67010099,01234567,basic_school,โรงเรียนใต้โรงเรียน,,6701,,,\n"
        "67000000,67010000,provincial_office,ศธจ.เพชรบูรณ์,,6701,,,\n"
    )
    result = runner.invoke(args=["directory", "import", str(write(tmp_path, bad, "bad.csv"))])
    assert result.exit_code != 0
    assert "แถว 2 คอลัมน์ parent_code" in result.output
    assert "แถว 3 คอลัมน์ parent_code" in result.output
    assert unit_count() == 4


def test_reimport_updates_names_and_parents_and_keeps_history(runner, tmp_path):
    runner.invoke(args=["directory", "import", str(write(tmp_path, GOOD))])
    updated = HEADER + (
        "67020000,67000000,primary_esa,สพป.เพชรบูรณ์ เขต 2,,6703,หล่มสัก,,\n"
        "01234567,67020000,basic_school,โรงเรียนบ้านนาใหม่,,6702,ชนแดน,,\n"
    )
    result = runner.invoke(args=["directory", "import", str(write(tmp_path, updated, "v2.csv"))])
    assert result.exit_code == 0, result.output
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "01234567"))
    assert school.name_th == "โรงเรียนบ้านนาใหม่"
    assert school.parent.code == "67020000"
    assert school.path.startswith(school.parent.path)
    assert school.alt_codes["smis"] == "01234567"  # alternates kept when the new file leaves them out
    history = {
        (c.field, c.old_value, c.new_value)
        for c in db.session.scalars(select(OrgUnitChange).where(OrgUnitChange.org_unit_id == school.id))
    }
    assert ("name_th", "โรงเรียนบ้านนา", "โรงเรียนบ้านนาใหม่") in history
    assert ("parent", "67010000", "67020000") in history


def test_xlsx_import_with_numeric_codes(runner, tmp_path):
    path = tmp_path / "dir.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    rows = [
        ["รหัส", "รหัสต้นสังกัด", "ประเภท", "ชื่อหน่วยงาน", "รหัสอำเภอ"],
        ["67000000", None, "provincial_office", "ศธจ.เพชรบูรณ์", "6701"],
        [67010000, "67000000", "primary_esa", "สพป.เพชรบูรณ์ เขต 1", 6701],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    result = runner.invoke(args=["directory", "import", str(path)])
    assert result.exit_code == 0, result.output
    esa = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "67010000"))
    assert esa.district_code == "6701"


def test_unreadable_files_are_refused(runner, tmp_path):
    result = runner.invoke(args=["directory", "import", str(write(tmp_path, "a,b\n1,2\n"))])
    assert result.exit_code != 0 and "ไม่พบคอลัมน์ที่จำเป็น" in result.output
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code,kind,name_th\n1,basic_school,caf\xe9\n".encode("latin-1"))
    result = runner.invoke(args=["directory", "import", str(latin1)])
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_demo_directory_loads_about_700_units_and_is_idempotent(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = unit_count()
    assert 650 <= count <= 800
    assert "school1" in first.output
    again = runner.invoke(args=["demo", "--quiet"])
    assert again.exit_code == 0, again.output
    assert unit_count() == count


def test_command_line_import_is_audited_like_the_browser_one(runner, tmp_path):
    from survey_app.core.audit import AuditEvent

    result = runner.invoke(args=["directory", "import", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "directory.import")).all()
    assert len(events) == 1
    assert events[0].details["file"] == "dir.csv"
    assert events[0].details["created"] == 4 and events[0].details["via"] == "cli"
