"""`flask report export`: the same export as the web, written into exports/ with progress on the terminal."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.scope import Role
from survey_app.extensions import db
from survey_app.forms_engine.models import FormVersion
from survey_app.reports.data import Filters, default_status
from survey_app.reports.exports import FORMATS, build_export, export_filename
from survey_app.rounds.models import Round

report_cli = click.Group("report", help="รายงาน")


class _Everyone:
    """The command line sees the whole directory (it runs on the server, as an operator)."""

    role = Role.SYSTEM_ADMIN
    org_unit_id = 0
    org_path = "/"


@report_cli.command("export")
@click.option("--form", "form_key", required=True, help="key ของแบบสอบถาม เช่น phetchabun_plan")
@click.option("--year", "fiscal_year", type=int, required=True, help="ปีงบประมาณ พ.ศ.")
@click.option("--agency", "agency_code", default=None, help="รหัสหน่วยงาน (เฉพาะหน่วยงานนั้น)")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="xlsx", show_default=True)
@click.option("--status", type=click.Choice(["certified", "submitted", "all"]), default=None)
@click.option("--codes", is_flag=True, help="ใช้รหัสแทนข้อความในข้อมูลดิบ")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def export_command(
    form_key: str,
    fiscal_year: int,
    agency_code: str | None,
    fmt: str,
    status: str | None,
    codes: bool,
    out_dir: Path | None,
) -> None:
    """Write a round's report into exports/ (or --out) and print the path."""
    rnd = _latest_round(form_key, fiscal_year)
    agency_id = None
    if agency_code:
        agency_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == agency_code))
        if agency_id is None:
            raise click.ClickException(f"ไม่พบหน่วยงานรหัส {agency_code}")
    filters = Filters(status=status or default_status(rnd), agency_id=agency_id)
    out = Path(out_dir or current_app.config["EXPORT_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    target = out / export_filename(rnd, fmt, filters)
    count = build_export(
        _Everyone(),
        rnd,
        filters,
        fmt,
        codes,
        target,
        "flask report export",
        progress=lambda message: click.echo(f"… {message}", err=True),
    )
    click.echo(f"{target} ({count:,} รายการ)")


def _latest_round(form_key: str, fiscal_year: int) -> Round:
    stmt = (
        select(Round)
        .join(FormVersion, FormVersion.id == Round.form_version_id)
        .where(FormVersion.form_key == form_key, Round.fiscal_year == fiscal_year)
        .order_by(Round.closes_at.desc())
    )
    rnd = db.session.scalars(stmt.limit(1)).first()
    if rnd is None:
        raise click.ClickException(f"ไม่พบรอบของ {form_key} ปีงบประมาณ {fiscal_year}")
    return rnd


def register_cli(app: Flask) -> None:
    app.cli.add_command(report_cli)
