"""Operational commands: `flask directory import` and `flask accounts …` (`flask demo` is survey_app/demo/cli.py).

Commands call operations and commit once at the end through `command_transaction`, like a request does;
a long one (`create-for-directory`) commits in short batches so it never keeps other writers waiting.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from survey_app.accounts import account_import, operations
from survey_app.accounts.directory_import import DirectoryFileError, check_rows, read_table
from survey_app.accounts.export import write_accounts_workbook
from survey_app.accounts.models import OrgUnit, User
from survey_app.accounts.passwords import hash_password, policy_problems
from survey_app.core import audit
from survey_app.core.db import write_intent
from survey_app.core.scope import Role
from survey_app.core.transactions import command_transaction, commit_now
from survey_app.extensions import db

directory_cli = click.Group("directory", help="ทำเนียบหน่วยงาน: นำเข้าและตรวจสอบ")
accounts_cli = click.Group("accounts", help="บัญชีผู้ใช้")
ADMIN_ROLES = [Role.SYSTEM_ADMIN.value, Role.PROVINCE_ADMIN.value]  # what create-admin may create


def import_rows(rows: list[dict[str, str]], source: str) -> operations.ImportSummary:
    """Check rows against the database and apply them; raises ClickException listing every error."""
    existing = dict(db.session.execute(select(OrgUnit.code, OrgUnit.kind)).all())
    checked, errors = check_rows(rows, existing, _parent_codes())
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"พบข้อผิดพลาด {len(errors)} รายการ ไม่ได้นำเข้าข้อมูลใดเลย")
    return operations.apply_directory(checked, source)


def _parent_codes() -> dict[str, str | None]:
    units = db.session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.parent_id)).all()
    code_of = {uid: code for uid, code, _ in units}
    return {code: code_of.get(parent_id) if parent_id else None for _, code, parent_id in units}


@directory_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import a directory CSV/XLSX; nothing is written if any row is wrong."""
    try:
        rows = read_table(file)
    except DirectoryFileError as exc:
        raise click.ClickException(str(exc)) from exc
    with command_transaction():
        summary = import_rows(rows, source=file.name)
        details = {"file": file.name, "via": "cli", "created": summary.created, "updated": summary.updated}
        audit.record("directory.import", actor_id=None, object_type="directory", details=details)
    click.echo(f"นำเข้าแล้ว: เพิ่ม {summary.created} แก้ไข {summary.updated} ไม่เปลี่ยนแปลง {summary.unchanged}")


ACCOUNT_BATCH = 50  # accounts per commit: their hashing takes seconds, their writing milliseconds


@accounts_cli.command("create-for-directory")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="โฟลเดอร์ผลลัพธ์")
def create_for_directory(out: Path | None) -> None:
    """One respondent per unit and a certifier per agency, with random passwords written to an XLSX.

    A large directory takes minutes of argon2 hashing. It is done between transactions and the accounts are
    committed in batches, so people saving answers meanwhile wait milliseconds for the lock, not minutes."""
    out_dir = Path(out or current_app.config["EXPORT_DIR"])
    token = write_intent.set(False)  # choosing names and writing the sheet only read: no write lock
    try:
        planned = operations.plan_accounts_for_directory()
        # written first: a folder we cannot write into stops the command before any account exists
        path = write_accounts_workbook(planned, out_dir) if planned else None
        db.session.rollback()
    finally:
        write_intent.reset(token)
    if path is None:
        click.echo("ทุกหน่วยงานมีบัญชีแล้ว ไม่ได้สร้างบัญชีใหม่")
        return
    created: list[operations.IssuedAccount] = []
    try:
        for start in range(0, len(planned), ACCOUNT_BATCH):
            created += _create_batch(planned[start : start + ACCOUNT_BATCH])
            click.echo(f"… {len(created)}/{len(planned)}", err=True)
    except BaseException:
        _keep_only_created(path, created, out_dir)
        raise
    click.echo(f"สร้างบัญชี {len(created)} บัญชี รหัสผ่านเริ่มต้นอยู่ในไฟล์ {path}")
    click.echo("ไฟล์นี้มีรหัสผ่าน: ส่งมอบแล้วลบทิ้ง")


def _create_batch(batch: list[operations.IssuedAccount]) -> list[operations.IssuedAccount]:
    """Hash the batch's passwords outside any transaction, then write the accounts and commit at once."""
    operations.create_planned(batch, [hash_password(account.password) for account in batch])
    commit_now()  # (c) a batch: people saving meanwhile wait milliseconds for the lock, not minutes
    return batch


def _keep_only_created(path: Path, created: list[operations.IssuedAccount], out_dir: Path) -> None:
    """A command stopped half-way: the hand-out sheet lists only the accounts that were committed."""
    db.session.rollback()
    path.unlink(missing_ok=True)
    if created:
        kept = write_accounts_workbook(created, out_dir)
        click.echo(f"หยุดกลางคัน: สร้างแล้ว {len(created)} บัญชี รหัสผ่านเริ่มต้นอยู่ในไฟล์ {kept}", err=True)


@accounts_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="โฟลเดอร์ผลลัพธ์")
def import_accounts(file: Path, out: Path | None) -> None:
    """Users from a CSV/XLSX (username, unit_code, role, display_name, email, phone): new usernames are
    created (one-time passwords written to an XLSX), existing ones get the contacts filled in the file."""
    try:
        rows = account_import.read_accounts(file)
    except DirectoryFileError as exc:
        raise click.ClickException(str(exc)) from exc
    with command_transaction():
        checked, errors = account_import.check_rows(rows)
        if errors:
            click.echo("\n".join(errors), err=True)
            raise click.ClickException(f"พบข้อผิดพลาด {len(errors)} รายการ ไม่ได้นำเข้าข้อมูลใดเลย")
        issued, updated = account_import.apply_rows(checked)
        path = write_accounts_workbook(issued, Path(out or current_app.config["EXPORT_DIR"])) if issued else None
    click.echo(f"นำเข้าแล้ว: ผู้ใช้ใหม่ {len(issued)} ปรับข้อมูลติดต่อ {updated}")
    if path:
        click.echo(f"รหัสผ่านเริ่มต้นอยู่ในไฟล์ {path} (ไฟล์นี้มีรหัสผ่าน: ส่งมอบแล้วลบทิ้ง)")


@accounts_cli.command("create-admin")
@click.option("--username", prompt="ชื่อผู้ใช้")
@click.option("--password", prompt="รหัสผ่าน", hide_input=True, confirmation_prompt=True)
@click.option("--unit", "unit_code", default=None, help="รหัสหน่วยงาน (ค่าเริ่มต้น: หน่วยงานระดับจังหวัด)")
@click.option(
    "--role",
    type=click.Choice(ADMIN_ROLES, case_sensitive=False),
    default=Role.SYSTEM_ADMIN.value,
    show_default=True,
    help="system_admin หรือ province_admin",
)
def create_admin(username: str, password: str, unit_code: str | None, role: str) -> None:
    """Create a system or province administrator.

    The roles are spelled as everywhere else (`province_admin`, as stored and shown in the docs); the
    upper-case enum names are accepted too, since earlier versions of this command asked for them."""
    if problems := policy_problems(password, username):
        raise click.ClickException("; ".join(problems))
    stmt = (
        select(OrgUnit).where(OrgUnit.code == unit_code)
        if unit_code
        else select(OrgUnit).where(OrgUnit.parent_id.is_(None))
    )
    unit = db.session.scalars(stmt.order_by(OrgUnit.id)).first()
    if unit is None:
        raise click.ClickException("ไม่พบหน่วยงาน: นำเข้าทำเนียบหน่วยงานก่อน")
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.ClickException(f"มีผู้ใช้ชื่อ {username} แล้ว")
    with command_transaction():
        operations.create_user(username, password, Role(role), unit, must_change_password=False)
    click.echo(f"สร้างผู้ดูแล {username} ที่ {unit.name_th} แล้ว")


def register_cli(app: Flask) -> None:
    """Attach the command groups to `flask`."""
    app.cli.add_command(directory_cli)
    app.cli.add_command(accounts_cli)
