"""Which expected units belong to which agency's set: each unit goes to its nearest agency (or province)
ancestor-or-self, so a school goes to its ESA, an ESA to itself, a municipal school to its municipality."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from survey_app.accounts.kinds import Level
from survey_app.accounts.models import OrgUnit
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


def certifying_agency(unit: OrgUnit, units_by_id: dict[int, OrgUnit]) -> int:
    """The id of the agency (or province office) whose head certifies this unit's answers."""
    if unit.kind.level != Level.SCHOOL:
        return unit.id
    for ancestor_id in reversed([int(p) for p in unit.path.strip("/").split("/")[:-1]]):
        ancestor = units_by_id.get(ancestor_id)
        if ancestor is not None and ancestor.kind.level != Level.SCHOOL:
            return ancestor.id
    return unit.id


def certifying_agencies(unit_ids: Iterable[int]) -> dict[int, int]:
    """The certifying agency of each of these units. The directory is read once as (id, kind, path) rows:
    no ORM objects, and no IN list of every ancestor (tens of thousands of ids at national scale, past
    SQLite's limit on bound parameters)."""
    units = {u.id: u for u in db.session.execute(select(OrgUnit.id, OrgUnit.kind, OrgUnit.path))}
    return {uid: certifying_agency(units[uid], units) for uid in set(unit_ids)}  # type: ignore[arg-type]


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
