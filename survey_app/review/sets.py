"""Which expected units belong to which agency's set (the certifying agency comes from accounts/tree.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.accounts.tree import certifying_agencies
from survey_app.core.scope import ScopedUser, scope_clause
from survey_app.extensions import db
from survey_app.responses.models import Response
from survey_app.responses.queries import round_unit_response
from survey_app.rounds.models import RoundUnit


@dataclass
class SetMember:
    """One expected unit of a round with its response (None when it has not started)."""

    round_unit: RoundUnit
    unit: OrgUnit
    response: Response | None
    agency_id: int


def round_members(user: ScopedUser, round_id: int) -> list[SetMember]:
    """Every expected unit of the round in the user's scope, with its response and certifying agency."""
    rows = db.session.execute(
        select(RoundUnit, OrgUnit, Response)
        .join(OrgUnit, OrgUnit.id == RoundUnit.org_unit_id)
        .outerjoin(Response, round_unit_response())
        .where(RoundUnit.round_id == round_id, scope_clause(user, OrgUnit.id, OrgUnit.path))
        .order_by(OrgUnit.path)
    ).all()
    agency_of = certifying_agencies(unit.id for _, unit, _ in rows)
    return [SetMember(ru, unit, response, agency_of[unit.id]) for ru, unit, response in rows]


def agency_members(user: ScopedUser, round_id: int, agency_id: int) -> list[SetMember]:
    """The members of one agency's set that the user may see."""
    return [m for m in round_members(user, round_id) if m.agency_id == agency_id]
