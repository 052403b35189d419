"""The demo tells the whole certification story, read back from what `flask demo --responses 300` stored.

Expected values come from the demo directory as documented (demo/directory.py): ESA 2 (67020000) has 190
schools, ESA 3 (67030000) 170, the secondary ESA (67400000) 35; a school's set is its parent agency's, an
agency's set holds the agency itself. The deadline rule is the province's office day: 16:30 in Bangkok.
"""

from __future__ import annotations

import io
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from survey_app.accounts.kinds import Level
from survey_app.accounts.models import OrgUnit, User
from survey_app.extensions import db
from survey_app.responses.models import ORG_SLOT, Response, ResponseStatus
from survey_app.review.models import AgencyCertification, SetStatus
from survey_app.rounds.models import Round, RoundUnit
from tests.fixtures.app import csrf_token

BANGKOK = ZoneInfo("Asia/Bangkok")
PDF_LETTER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def run_demo(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo", "--responses", "300"])
    assert result.exit_code == 0, result.output


def plan_round() -> Round:
    return next(r for r in db.session.scalars(select(Round)) if r.form_version.form_key == "phetchabun_plan")


def unit(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def set_statuses(round_id: int, agency: OrgUnit) -> dict[str, ResponseStatus | None]:
    """Every expected unit of the agency's set (the agency and the schools right under it) -> its status."""
    rows = db.session.execute(
        select(OrgUnit.code, Response.status)
        .join(RoundUnit, RoundUnit.org_unit_id == OrgUnit.id)
        .outerjoin(
            Response,
            (Response.round_id == RoundUnit.round_id)
            & (Response.org_unit_id == OrgUnit.id)
            & (Response.org_slot == ORG_SLOT),
        )
        .where(RoundUnit.round_id == round_id, (OrgUnit.id == agency.id) | (OrgUnit.parent_id == agency.id))
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def certification(round_id: int, agency: OrgUnit) -> AgencyCertification | None:
    return db.session.scalar(
        select(AgencyCertification).where(
            AgencyCertification.round_id == round_id, AgencyCertification.agency_id == agency.id
        )
    )


def test_esa2_set_is_complete_and_its_head_certifies_it_with_a_letter_on_the_page(runner, client, auth):
    run_demo(runner)
    rnd, esa2 = plan_round(), unit("67020000")
    statuses = set_statuses(rnd.id, esa2)
    assert len(statuses) == 191  # the ESA itself and its 190 schools
    assert set(statuses.values()) == {ResponseStatus.CERTIFIED}
    assert certification(rnd.id, esa2) is None  # ready, not yet certified as a set

    head = db.session.scalar(select(User).where(User.username == "esa2-cert"))
    assert head.org_unit_id == esa2.id
    login = auth.login("esa2-cert", "Demo2563pass")
    assert login.status_code == 302
    page = client.get(f"/review/rounds/{rnd.id}/certify-set").get_data(as_text=True)
    assert 'data-testid="certify-set"' in page and "ยังรับรองทั้งชุดไม่ได้" not in page
    done = client.post(
        f"/review/rounds/{rnd.id}/certify-set",
        data={
            "csrf_token": csrf_token(client, "/"),
            "confirm": "y",
            "letter": (io.BytesIO(PDF_LETTER), "หนังสือรับรอง สพป.2.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    cert = certification(rnd.id, esa2)
    assert cert is not None and cert.status == SetStatus.CERTIFIED
    assert cert.certified_by_id == head.id and cert.letter_name == "หนังสือรับรอง สพป.2.pdf"


def test_accepted_only_in_accepted_sets_and_one_certified_set_awaits_the_province(runner):
    run_demo(runner)
    rnd = plan_round()
    accepted = db.session.scalars(
        select(Response).where(Response.status == ResponseStatus.ACCEPTED, Response.org_slot == ORG_SLOT)
    ).all()
    assert accepted
    for response in accepted:
        school = response.org_unit
        agency_id = school.parent_id if school.kind.level == Level.SCHOOL else school.id
        cert = db.session.scalar(
            select(AgencyCertification).where(
                AgencyCertification.round_id == response.round_id, AgencyCertification.agency_id == agency_id
            )
        )
        assert cert is not None and cert.status == SetStatus.ACCEPTED, school.code

    esa3 = unit("67030000")
    assert set(set_statuses(rnd.id, esa3).values()) == {ResponseStatus.ACCEPTED}
    assert len(set_statuses(rnd.id, esa3)) == 171
    cert3 = certification(rnd.id, esa3)
    assert cert3.letter_sha256 and cert3.decided_at is not None and cert3.decided_at >= cert3.certified_at

    sec40 = unit("67400000")
    waiting = set_statuses(rnd.id, sec40)
    assert len(waiting) == 36 and set(waiting.values()) == {ResponseStatus.CERTIFIED}
    cert40 = certification(rnd.id, sec40)
    assert cert40.status == SetStatus.CERTIFIED and cert40.decided_at is None
    assert cert40.certified_by_id == db.session.scalar(select(User.id).where(User.username == "sec40-cert"))

    # the units a newcomer answers for are left untouched
    for code in ("67010000", "67010001", "67010002"):
        assert set_statuses(rnd.id, unit(code)).get(code) is None


def test_deadlines_are_at_1630_bangkok_and_nothing_is_late_before_them(runner):
    run_demo(runner)
    rounds = db.session.scalars(select(Round)).all()
    # the four shipped questionnaires, the projects and member examples, and the KPI example at 6 and 12 months
    assert len(rounds) == 8
    kpi = sorted(r.period.value for r in rounds if r.form_version.form_key == "kpi_self_assessment")
    assert kpi == ["month12", "month6"]
    for rnd in rounds:
        closes = rnd.closes_at.astimezone(BANGKOK)
        assert closes.time() == time(16, 30), rnd.title
    late = db.session.execute(
        select(Response.submitted_at, RoundUnit.deadline_override, Round.closes_at)
        .join(RoundUnit, (RoundUnit.round_id == Response.round_id) & (RoundUnit.org_unit_id == Response.org_unit_id))
        .join(Round, Round.id == Response.round_id)
        .where(Response.is_late)
    ).all()
    for submitted_at, override, closes_at in late:
        assert submitted_at > (override or closes_at)
    # the demo's deadlines are a month ahead, so nobody can have sent late yet
    assert all(rnd.closes_at > max(r.submitted_at for r in rnd_responses(rnd.id)) for rnd in rounds)
    assert late == []


def rnd_responses(round_id: int) -> list[Response]:
    return db.session.scalars(
        select(Response).where(Response.round_id == round_id, Response.submitted_at.is_not(None))
    ).all()
