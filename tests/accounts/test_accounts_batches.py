"""`accounts create-for-directory` hashes between transactions and commits in batches, so saves made while
it runs never queue behind it (the issue saw the write lock held 85 s and saves fail)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from survey_app.accounts import operations
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit, User
from survey_app.accounts.passwords import verify_password
from survey_app.extensions import db
from tests.factories import small_province

ROOT = Path(__file__).resolve().parents[2]


def _schools(parent: OrgUnit, count: int) -> None:
    for n in range(count):
        code = f"S{n:07d}"
        db.session.add(
            OrgUnit(code=code, kind=OrgKind.BASIC_SCHOOL, name_th=f"โรงเรียน {code}", parent=parent, alt_codes={})
        )
    db.session.flush()
    operations.recompute_paths()
    db.session.commit()


def test_accounts_are_committed_in_batches_of_fifty(app, runner, tmp_path):  # type: ignore[no-untyped-def]
    units = small_province()
    _schools(units["x"], 120)
    commits = []
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        result = runner.invoke(args=["accounts", "create-for-directory", "--out", str(tmp_path)])
    finally:
        event.remove(db.engine, "commit", listener)
    assert result.exit_code == 0, result.output
    # 9 accounts for the small province (see test_accounts_cli) + 120 schools = 129 -> batches of 50, 50, 29
    assert db.session.scalar(select(func.count()).select_from(User)) == 129
    assert len(commits) == 3
    [path] = list(tmp_path.glob("accounts-*.xlsx"))
    rows = [r for r in load_workbook(path).active.iter_rows(min_row=4, values_only=True) if r[4]]
    assert len(rows) == 129
    for row in rows[::16]:  # the sheet's password opens the account it names
        stored = db.session.scalar(select(User.password_hash).where(User.username == row[4]))
        assert verify_password(stored, row[5])


def test_saves_while_accounts_are_created_wait_no_more_than_two_seconds(app, db, tmp_path):  # type: ignore[no-untyped-def]
    """A real `flask accounts create-for-directory` process with production argon2 (about a second per
    account on a busy machine) runs while this test writes to the same database every 0.2 s."""
    units = small_province()
    unit_id = units["a"].id
    db.session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "SECRET_KEY": "test-secret",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "flask", "--app", "survey_app", "accounts", "create-for-directory"]
    process = subprocess.Popen([*command, "--out", str(tmp_path)], env=env, cwd=ROOT, stderr=subprocess.PIPE)
    waits = []
    while process.poll() is None:
        began = time.monotonic()
        try:
            with db.engine.begin() as connection:  # on SQLite: BEGIN IMMEDIATE, as a save does
                connection.execute(update(OrgUnit).where(OrgUnit.id == unit_id).values(name_en=f"save {len(waits)}"))
        except OperationalError:  # "database is locked" after the lock timeout
            waits.append(float("inf"))
        else:
            waits.append(time.monotonic() - began)
        time.sleep(0.2)
    assert process.wait() == 0, process.stderr.read().decode() if process.stderr else ""
    assert len(waits) >= 10  # the command ran for seconds, and we wrote all along
    assert max(waits) < 2.0, sorted(waits)[-5:]
    assert db.session.scalar(select(func.count()).select_from(User)) == 9
