"""Who certifies whom in the directory tree: each unit's answers are certified by its nearest agency (or
province office) ancestor-or-self, so a school goes to its ESA, an ESA to itself, a municipal school to its
municipality. Reports group by it and review builds agency sets from it, so it lives with the directory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from sqlalchemy import select

from survey_app.accounts.kinds import Level, OrgKind
from survey_app.accounts.models import OrgUnit, path_ids
from survey_app.extensions import db


class UnitLike(Protocol):
    """An OrgUnit, or a row of its (id, kind, path) columns."""

    id: int
    kind: OrgKind
    path: str


def certifying_agency(unit: UnitLike, units_by_id: Mapping[int, UnitLike]) -> int:
    """The id of the agency (or province office) whose head certifies this unit's answers."""
    if unit.kind.level != Level.SCHOOL:
        return unit.id
    for ancestor_id in reversed(path_ids(unit.path)[:-1]):
        ancestor = units_by_id.get(ancestor_id)
        if ancestor is not None and ancestor.kind.level != Level.SCHOOL:
            return ancestor.id
    return unit.id


def certifying_agencies(unit_ids: Iterable[int]) -> dict[int, int]:
    """The certifying agency of each of these units. The directory is read once as (id, kind, path) rows:
    no ORM objects, and no IN list of every ancestor (tens of thousands of ids at national scale, past
    SQLite's limit on bound parameters)."""
    units: dict[int, UnitLike] = {u.id: u for u in db.session.execute(select(OrgUnit.id, OrgUnit.kind, OrgUnit.path))}
    return {uid: certifying_agency(units[uid], units) for uid in set(unit_ids)}
