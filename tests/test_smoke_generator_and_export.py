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


def test_scaled_province_copies_the_tree_and_answers_from_the_copies(runner):
    """`--scale 2` after a first demo: a second copy of every unit below the root, in the same tree shape
    (each copy's path runs through its parent's copy), expected by every round, answering in the org rounds
    that were already answered; running it again adds nothing."""
    from survey_app.accounts.models import OrgUnit
    from survey_app.rounds.models import RoundUnit

    assert runner.invoke(args=["demo", "--responses", "20", "--quiet"]).exit_code == 0
    units = db.session.scalar(select(func.count()).select_from(OrgUnit))
    expected = db.session.scalar(select(func.count()).select_from(RoundUnit))
    root = db.session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)))
    root_expected = db.session.scalar(select(func.count()).where(RoundUnit.org_unit_id == root))  # not copied
    org_responses = db.session.scalar(select(func.count()).where(Response.org_slot.is_not(None)))
    result = runner.invoke(args=["demo", "--responses", "20", "--scale", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 2 * units - 1
    assert db.session.scalar(select(func.count()).select_from(RoundUnit)) == 2 * expected - root_expected
    copies = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.contains("~2")))}
    for copy in copies.values():
        parent = db.session.get(OrgUnit, copy.parent_id)
        assert copy.path == f"{parent.path}{copy.id}/"
        assert parent.parent_id is None or parent.code.endswith("~2")
    grown = db.session.scalar(select(func.count()).where(Response.org_slot.is_not(None)))
    assert 1.6 * org_responses < grown < 2.4 * org_responses
    assert runner.invoke(args=["demo", "--responses", "20", "--scale", "2", "--quiet"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 2 * units - 1
