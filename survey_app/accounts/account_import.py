"""`flask accounts import FILE`: users from a CSV/XLSX file, checked whole before anything is written.

Columns: username (required); unit_code and role for a new user; display_name, email, phone for anyone. A
row naming an existing user sets its contacts (the columns that are filled); a new username creates the user
with a one-time password for the hand-out workbook. One bad row means nothing is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from survey_app.accounts import users
from survey_app.accounts.directory_import import DirectoryFileError, _read_csv, _read_xlsx
from survey_app.accounts.models import OrgUnit, User
from survey_app.accounts.operations import IssuedAccount, create_planned
from survey_app.accounts.passwords import hash_password, random_password
from survey_app.core.scope import Role
from survey_app.extensions import db

COLUMNS = {
    "username": ("username", "ชื่อผู้ใช้"),
    "unit_code": ("unit_code", "code", "รหัสหน่วยงาน"),
    "role": ("role", "บทบาท"),
    "display_name": ("display_name", "name", "ชื่อ", "ชื่อที่แสดง"),
    "email": ("email", "e-mail", "อีเมล"),
    "phone": ("phone", "โทรศัพท์", "เบอร์โทรศัพท์"),
}
IMPORTABLE_ROLES = (Role.RESPONDENT, Role.CERTIFIER, Role.PROVINCE_ADMIN)  # system admins: create-admin only
USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,80}$")


@dataclass
class AccountRow:
    line: int
    username: str
    values: dict[str, str]  # the contact columns that were filled
    unit: OrgUnit | None = None
    role: Role | None = None


def read_accounts(path: Path) -> list[dict[str, str]]:
    """The file's rows as dicts of canonical column → text; refuses a file without a username column."""
    raw = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path)
    if not raw:
        raise DirectoryFileError(f"{path.name}: ไม่มีข้อมูล")
    lookup = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in aliases}
    header = [lookup.get(str(cell).strip().lower(), "") for cell in raw[0]]
    if "username" not in header:
        raise DirectoryFileError(f"{path.name}: ไม่พบคอลัมน์ที่จำเป็น: username")
    return [{col: (row[i].strip() if i < len(row) else "") for i, col in enumerate(header) if col} for row in raw[1:]]


def check_rows(rows: list[dict[str, str]]) -> tuple[list[AccountRow], list[str]]:
    """Every row checked against the database; errors name the spreadsheet row (the header is row 1)."""
    existing = set(db.session.scalars(select(User.username)))
    units = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.active))}
    checked: list[AccountRow] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line, raw in enumerate(rows, start=2):
        username = raw.get("username", "")
        problems = _row_problems(raw, username, seen)
        row = AccountRow(line, username, {k: raw[k] for k in users.CONTACT_FIELDS if raw.get(k)})
        if username not in existing and not problems:
            row.unit = units.get(raw.get("unit_code", ""))
            role = raw.get("role", "") or Role.RESPONDENT.value
            row.role = Role(role) if role in IMPORTABLE_ROLES else None
            if row.unit is None:
                problems.append(f"ไม่พบหน่วยงานรหัส '{raw.get('unit_code', '')}' (ผู้ใช้ใหม่ต้องระบุ unit_code)")
            if row.role is None:
                problems.append(f"บทบาท '{role}' ไม่ถูกต้อง (respondent, certifier หรือ province_admin)")
        seen.add(username)
        errors += [f"แถว {line}: {problem}" for problem in problems]
        checked.append(row)
    return checked, errors


def _row_problems(raw: dict[str, str], username: str, seen: set[str]) -> list[str]:
    problems = []
    if not USERNAME.match(username):
        problems.append(f"ชื่อผู้ใช้ '{username}' ไม่ถูกต้อง (อักษรอังกฤษ ตัวเลข . _ - ยาว 3–80 ตัว)")
    elif username in seen:
        problems.append(f"ชื่อผู้ใช้ '{username}' ซ้ำในไฟล์")
    if problem := users.email_problem(raw.get("email", "")):
        problems.append(f"อีเมล '{raw['email']}': {problem}")
    if problem := users.phone_problem(raw.get("phone", "")):
        problems.append(f"เบอร์โทรศัพท์ '{raw['phone']}': {problem}")
    return problems


def apply_rows(rows: list[AccountRow]) -> tuple[list[IssuedAccount], int]:
    """Create the new users (returned with their one-time passwords) and set the others' contacts."""
    by_name = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_([r.username for r in rows])))
    }
    new = [r for r in rows if r.username not in by_name]
    issued = []
    for r in new:
        if r.unit is None or r.role is None:  # check_rows gives every new username its unit and role
            raise ValueError(f"แถว {r.line}: ผู้ใช้ใหม่ '{r.username}' ยังไม่ได้ตรวจหน่วยงานและบทบาท (เรียก check_rows ก่อน)")
        issued.append(IssuedAccount(r.unit, r.username, random_password(), r.role))
    create_planned(issued, [hash_password(a.password) for a in issued])
    created = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_([r.username for r in new])))
    }
    updated = 0
    for row in rows:
        if row.username in created:
            users.set_contact(created[row.username], None, **row.values)
        elif users.set_contact(by_name[row.username], None, **row.values):
            updated += 1
    return issued, updated
