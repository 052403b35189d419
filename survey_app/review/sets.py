"""Which expected units belong to which agency's set: each unit goes to its nearest agency (or province)
ancestor-or-self, so a school goes to its ESA, an ESA to itself, a municipal school to its municipality."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from survey_app.accounts.kinds import Level
from survey_app.accounts.models import OrgUnit
from survey_app.core.scope import ScopedUser, scope_clause
from survey_app.extensions import db
from survey_app.responses.models import ORG_SLOT, Response
from survey_app.rounds.models import RoundUnit


@dataclass
class SetMember:
    """One expected unit of a round with its response (None when it has not started)."""

    round_unit: RoundUnit
    unit: OrgUnit
    response: Response | None
    agency_id: int


def certifying_agency(unit: OrgUnit, units_by_id: dict[int, OrgUnit]) -> int:
    """The id of the agency (or province office) whose head certifies this unit's answers."""
    if unit.kind.level != Level.SCHOOL:
        return unit.id
    for ancestor_id in reversed([int(p) for p in unit.path.strip("/").split("/")[:-1]]):
        ancestor = units_by_id.get(ancestor_id)
        if ancestor is not None and ancestor.kind.level != Level.SCHOOL:
            return ancestor.id
    return unit.id


def round_members(user: ScopedUser, round_id: int) -> list[SetMember]:
    """Every expected unit of the round in the user's scope, with its response and certifying agency."""
    rows = db.session.execute(
        select(RoundUnit, OrgUnit, Response)
        .join(OrgUnit, OrgUnit.id == RoundUnit.org_unit_id)
        .outerjoin(
            Response,
            (Response.round_id == RoundUnit.round_id)
            & (Response.org_unit_id == RoundUnit.org_unit_id)
            & (Response.org_slot == ORG_SLOT),
        )
        .where(RoundUnit.round_id == round_id, scope_clause(user, OrgUnit.id, OrgUnit.path))
        .order_by(OrgUnit.path)
    ).all()
    ancestor_ids = {int(p) for _, unit, _ in rows for p in unit.path.strip("/").split("/") if p}
    units_by_id = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ancestor_ids)))}
    return [SetMember(ru, unit, response, certifying_agency(unit, units_by_id)) for ru, unit, response in rows]


def agency_members(user: ScopedUser, round_id: int, agency_id: int) -> list[SetMember]:
    """The members of one agency's set that the user may see."""
    return [m for m in round_members(user, round_id) if m.agency_id == agency_id]
