"""Reading and checking a directory file (CSV or XLSX) before anything is written.

The whole file is checked first; one bad row means nothing is imported, and every problem is reported with
its spreadsheet row number (the header is row 1), its column and the reason.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from survey_app.accounts.kinds import KIND_INFO, OrgKind, parent_allowed
from survey_app.core.i18n import N_
from survey_app.core.spreadsheets import FORMULA_PREFIXES

COLUMN_ALIASES = {
    "code": ("code", "รหัส", "รหัสหน่วยงาน"),
    "parent_code": ("parent_code", "parent", "รหัสต้นสังกัด", "ต้นสังกัด"),
    "kind": ("kind", "ประเภท"),
    "name_th": ("name_th", "name", "ชื่อ", "ชื่อหน่วยงาน"),
    "name_en": ("name_en", "english_name", "ชื่อภาษาอังกฤษ"),
    "district_code": ("district_code", "รหัสอำเภอ"),
    "district_name": ("district_name", "อำเภอ"),
    "smis_code": ("smis_code", "smis", "รหัส smis"),
    "obec_code": ("obec_code", "obec", "รหัส obec"),
    "ministry_code": ("ministry_code", "รหัสกระทรวง"),
}
REQUIRED_COLUMNS = ("code", "kind", "name_th")
# How each column is named to a person reading an error (the file may use any alias above).
COLUMN_LABELS = {
    "code": N_("รหัสหน่วยงาน"),
    "parent_code": N_("รหัสต้นสังกัด"),
    "kind": N_("ประเภท"),
    "name_th": N_("ชื่อหน่วยงาน"),
    "name_en": N_("ชื่อภาษาอังกฤษ"),
    "district_code": N_("รหัสอำเภอ"),
    "district_name": N_("อำเภอ"),
    "smis_code": N_("รหัส SMIS"),
    "obec_code": N_("รหัส OBEC"),
    "ministry_code": N_("รหัสกระทรวง"),
}
ALT_CODE_RULES = {"smis_code": 8, "obec_code": 6, "ministry_code": 10}
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,19}$")
DISTRICT_PATTERN = re.compile(r"^[0-9]{4}$")
_KIND_BY_TEXT = {kind.value: kind for kind in OrgKind} | {label: kind for kind, (label, _) in KIND_INFO.items()}
# A directory is a few thousand units: these limits are far above any real file and stop a hostile one
# (a "zip bomb" workbook that unpacks to gigabytes, a million empty rows) before it costs memory or minutes.
MAX_ROWS = 20_000
XLSX_MAX_UNPACKED_BYTES = 60 * 1024 * 1024
XLSX_MAX_RATIO = 200  # a real sheet packs 5-20 times; a bomb packs thousands of times


@dataclass(frozen=True)
class RowError:
    """One problem in the file, addressed the way a spreadsheet user finds it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"แถว {self.row} คอลัมน์ {self.column}: {self.message}"


@dataclass
class DirectoryRow:
    """One checked row of the directory file."""

    row: int
    code: str
    parent_code: str | None
    kind: OrgKind
    name_th: str
    name_en: str | None
    district_code: str | None
    district_name: str | None
    alt_codes: dict[str, str] = field(default_factory=dict)


class DirectoryFileError(Exception):
    """The file could not be read at all (wrong format, missing columns)."""


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file as dicts of canonical column → text."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw_rows = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw_rows = _read_xlsx(path)
    else:
        raise DirectoryFileError(f"{path.name}: อ่านได้เฉพาะไฟล์ .csv หรือ .xlsx")
    if not raw_rows:
        raise DirectoryFileError(f"{path.name}: ไม่มีข้อมูล")
    header = [_canonical_column(name) for name in raw_rows[0]]
    missing = [col for col in REQUIRED_COLUMNS if col not in header]
    if missing:
        raise DirectoryFileError(f"{path.name}: ไม่พบคอลัมน์ที่จำเป็น: {', '.join(missing)}")
    return [
        {col: (values[i] if i < len(values) else "") for i, col in enumerate(header) if col} for values in raw_rows[1:]
    ]


def _read_csv(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryFileError(f"{path.name}: ไฟล์ CSV ต้องเข้ารหัส UTF-8 ({exc.reason})") from exc
    if "\x00" in text:
        raise DirectoryFileError(f"{path.name}: ไม่ใช่ไฟล์ CSV ที่เป็นข้อความ")
    try:
        return _at_most_rows(path, ([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))))
    except csv.Error as exc:
        raise DirectoryFileError(f"{path.name}: อ่านไฟล์ CSV ไม่ได้ ({exc})") from exc


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    _check_packed_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DirectoryFileError(f"{path.name}: เปิดไฟล์ XLSX ไม่ได้ ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        return _at_most_rows(path, ([_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)))
    except DirectoryFileError:
        raise
    except Exception as exc:  # a sheet whose XML is broken fails only while it is read
        raise DirectoryFileError(f"{path.name}: อ่านไฟล์ XLSX ไม่ได้ ({exc})") from exc
    finally:
        book.close()


def _at_most_rows(path: Path, rows: Iterator[list[str]]) -> list[list[str]]:
    """The rows, refusing a file with more than MAX_ROWS data rows (read no further than that)."""
    kept: list[list[str]] = []
    for row in rows:
        kept.append(row)
        if len(kept) > MAX_ROWS + 1:
            raise DirectoryFileError(f"{path.name}: มีข้อมูลเกิน {MAX_ROWS:,} แถว กรุณาแบ่งเป็นหลายไฟล์")
    return kept


def _check_packed_size(path: Path) -> None:
    """Refuse a workbook that would unpack to far more than a directory can hold (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DirectoryFileError(f"{path.name}: ไม่ใช่ไฟล์ XLSX ที่ถูกต้อง") from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    suspicious_ratio = unpacked > 5 * 1024 * 1024 and unpacked / packed > XLSX_MAX_RATIO
    if unpacked > XLSX_MAX_UNPACKED_BYTES or suspicious_ratio:
        raise DirectoryFileError(f"{path.name}: ไฟล์ XLSX ขยายแล้วใหญ่ผิดปกติ ระบบจึงไม่เปิดไฟล์นี้")


def _cell_text(value: object) -> str:
    """Spreadsheet cell as text; whole-number floats lose their '.0' (codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _canonical_column(name: str) -> str:
    key = name.strip().lower()
    for canonical, aliases in COLUMN_ALIASES.items():
        if key in aliases:
            return canonical
    return ""


def check_rows(
    rows: list[dict[str, str]], existing: dict[str, OrgKind], existing_parents: dict[str, str | None]
) -> tuple[list[DirectoryRow], list[RowError]]:
    """Check every row against the file and the units already in the database; return rows and all errors.

    `existing` maps codes already in the database to their kind; `existing_parents` to their parent code.
    """
    errors: list[RowError] = []
    checked: list[DirectoryRow] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        if not any(raw.values()):
            continue
        row = _check_row(index, raw, seen, errors)
        if row is not None:
            checked.append(row)
    kinds = dict(existing) | {row.code: row.kind for row in checked}
    for row in checked:
        _check_parent(row, kinds, errors)
    _check_cycles(checked, existing_parents, errors)
    errors.sort(key=lambda e: e.row)
    return checked, errors


def _check_row(index: int, raw: dict[str, str], seen: dict[str, int], errors: list[RowError]) -> DirectoryRow | None:
    before = len(errors)
    code = raw.get("code", "").strip()
    if not code:
        errors.append(RowError(index, "code", "ไม่มีรหัสหน่วยงาน"))
    elif not CODE_PATTERN.match(code):
        errors.append(RowError(index, "code", f"รหัส '{code}' มีอักขระที่ไม่อนุญาต (ใช้ตัวเลข/อักษรอังกฤษ ≤ 20 ตัว)"))
    elif code in seen:
        errors.append(RowError(index, "code", f"รหัส {code} ซ้ำกับแถว {seen[code]}"))
    else:
        seen[code] = index
    name = " ".join(raw.get("name_th", "").split())
    if not name:
        errors.append(RowError(index, "name_th", "ไม่มีชื่อหน่วยงาน"))
    elif name.startswith(FORMULA_PREFIXES):
        errors.append(RowError(index, "name_th", "ชื่อหน่วยงานขึ้นต้นด้วย = + - หรือ @ ไม่ได้ (อาจเป็นสูตรในตาราง)"))
    elif len(name) > 255:
        errors.append(RowError(index, "name_th", "ชื่อยาวเกิน 255 ตัวอักษร"))
    kind_text = raw.get("kind", "").strip()
    kind = _KIND_BY_TEXT.get(kind_text) or _KIND_BY_TEXT.get(kind_text.lower())
    if kind is None:
        errors.append(RowError(index, "kind", f"ไม่รู้จักประเภทหน่วยงาน '{kind_text}'"))
    district = raw.get("district_code", "").strip() or None
    if district and not DISTRICT_PATTERN.match(district):
        errors.append(RowError(index, "district_code", f"รหัสอำเภอ '{district}' ต้องเป็นตัวเลข 4 หลัก"))
    alt_codes = _check_alt_codes(index, raw, errors)
    if len(errors) > before or kind is None:
        return None
    return DirectoryRow(
        row=index,
        code=code,
        parent_code=raw.get("parent_code", "").strip() or None,
        kind=kind,
        name_th=name,
        name_en=" ".join(raw.get("name_en", "").split()) or None,
        district_code=district,
        district_name=raw.get("district_name", "").strip() or None,
        alt_codes=alt_codes,
    )


def _check_alt_codes(index: int, raw: dict[str, str], errors: list[RowError]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for column, digits in ALT_CODE_RULES.items():
        value = raw.get(column, "").strip()
        if not value:
            continue
        if not (value.isascii() and value.isdigit() and len(value) == digits):
            errors.append(RowError(index, column, f"'{value}' ต้องเป็นตัวเลข {digits} หลัก"))
        else:
            codes[column.removesuffix("_code")] = value
    return codes


def _check_parent(row: DirectoryRow, kinds: dict[str, OrgKind], errors: list[RowError]) -> None:
    if row.parent_code is None:
        if not parent_allowed(None, row.kind):
            errors.append(RowError(row.row, "parent_code", "ต้องระบุหน่วยงานต้นสังกัด"))
        return
    if row.parent_code == row.code:
        errors.append(RowError(row.row, "parent_code", "หน่วยงานเป็นต้นสังกัดของตัวเองไม่ได้"))
        return
    parent_kind = kinds.get(row.parent_code)
    if parent_kind is None:
        errors.append(RowError(row.row, "parent_code", f"ไม่พบหน่วยงานต้นสังกัดรหัส {row.parent_code}"))
    elif not parent_allowed(parent_kind, row.kind):
        errors.append(
            RowError(
                row.row,
                "parent_code",
                f"{row.kind.label_th} อยู่ภายใต้ {parent_kind.label_th} ไม่ได้",
            )
        )


def _check_cycles(rows: list[DirectoryRow], existing_parents: dict[str, str | None], errors: list[RowError]) -> None:
    """Reparenting must not make a unit its own ancestor."""
    parents = dict(existing_parents) | {row.code: row.parent_code for row in rows}
    for row in rows:
        current, steps = row.parent_code, 0
        while current is not None and steps <= len(parents):
            if current == row.code:
                errors.append(RowError(row.row, "parent_code", "การกำหนดต้นสังกัดทำให้เกิดวงวน"))
                break
            current, steps = parents.get(current), steps + 1
