"""A small smoke run of the synthetic province and of the export (the full runs are `make bench`)."""

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus


def test_demo_generator_and_exports(runner, tmp_path):
    result = runner.invoke(args=["demo", "--responses", "60", "--quiet"])
    assert result.exit_code == 0, result.output
    statuses = dict(db.session.execute(select(Response.status, func.count()).group_by(Response.status)).all())
    assert {ResponseStatus.DRAFT, ResponseStatus.SUBMITTED, ResponseStatus.CERTIFIED} <= set(statuses)
    people = db.session.scalar(select(func.count()).where(Response.org_slot.is_(None)))
    assert people == 60
    year = _demo_year()
    for form, fmt in (("tablet_satisfaction", "xlsx"), ("phetchabun_plan", "csv"), ("phetchabun_plan", "zip")):
        out = runner.invoke(args=["report", "export", "--form", form, "--year", year, "--format", fmt,
                                  "--status", "submitted", "--out", str(tmp_path)])  # fmt: skip
        assert out.exit_code == 0, out.output
    book = load_workbook(next(Path(tmp_path).glob("tablet_satisfaction-*.xlsx")))
    assert "ข้อมูลดิบ" in book.sheetnames


def _demo_year() -> str:
    from survey_app.rounds.models import Round

    return str(db.session.scalar(select(Round.fiscal_year).limit(1)))
