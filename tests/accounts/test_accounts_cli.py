"""Accounts for the directory: one per unit, a certifier per agency, passwords in an XLSX."""

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.accounts.models import User
from survey_app.extensions import db
from tests.factories import small_province


def test_create_for_directory_writes_the_handout_workbook(runner, tmp_path):
    small_province()
    result = runner.invoke(args=["accounts", "create-for-directory", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # 3 schools + 2 agencies x 2 roles + province x 2 roles
    assert db.session.scalar(select(func.count()).select_from(User)) == 9
    [path] = list(Path(tmp_path).glob("accounts-*.xlsx"))
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 9
    usernames = {row[4] for row in rows}
    assert {"x0000001", "x0000001-cert", "a0000001"} <= usernames
    assert all(db.session.scalar(select(User.must_change_password).where(User.username == u)) for u in usernames)
    again = runner.invoke(args=["accounts", "create-for-directory", "--out", str(tmp_path)])
    assert "ไม่ได้สร้างบัญชีใหม่" in again.output


def test_create_admin(runner):
    small_province()
    result = runner.invoke(args=["accounts", "create-admin", "--username", "boss", "--password", "Strong-pass-2563"])
    assert result.exit_code == 0, result.output
    weak = runner.invoke(args=["accounts", "create-admin", "--username", "boss2", "--password", "123"])
    assert weak.exit_code != 0
