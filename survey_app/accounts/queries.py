"""Read-only queries of the directory, all filtered through the one scope check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select, bindparam, func, or_, select

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import District, OrgUnit, User, UserSession
from survey_app.core.scope import ScopedUser, ensure_in_scope, scope_clause
from survey_app.extensions import db

PAGE_SIZE = 50


def units_in_scope(user: ScopedUser) -> Select[Any]:
    """A select of every unit the user may see; add filters to it, never a second permission rule."""
    return select(OrgUnit).where(scope_clause(user, OrgUnit.id, OrgUnit.path))


def get_unit_or_404(user: ScopedUser, unit_id: int) -> OrgUnit:
    """One unit, or 404 when missing or outside scope."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        abort(404)
    ensure_in_scope(user, unit.id, unit.path)
    return unit


@dataclass
class UnitPage:
    units: list[OrgUnit]
    total: int
    page: int
    pages: int


def search_units(user: ScopedUser, *, q: str = "", kind: str = "", district: str = "", page: int = 1) -> UnitPage:
    """Filtered, paginated units in scope, ordered by tree position."""
    stmt = units_in_scope(user)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(OrgUnit.name_th.ilike(like), OrgUnit.code.ilike(like), OrgUnit.name_en.ilike(like)))
    if kind in OrgKind.__members__.values():
        stmt = stmt.where(OrgUnit.kind == OrgKind(kind))
    if district:
        stmt = stmt.where(OrgUnit.district_code == district)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    units = db.session.scalars(stmt.order_by(OrgUnit.path).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return UnitPage(list(units), total, page, pages)


def children_in_scope(user: ScopedUser, unit: OrgUnit) -> list[OrgUnit]:
    """Direct children of a unit that the user may see."""
    stmt = units_in_scope(user).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.kind, OrgUnit.code)
    return list(db.session.scalars(stmt))


def count_by_kind(user: ScopedUser) -> list[tuple[OrgKind, int]]:
    """How many units of each kind the user's scope holds."""
    sub = units_in_scope(user).subquery()
    rows = db.session.execute(select(sub.c.kind, func.count()).group_by(sub.c.kind).order_by(sub.c.kind))
    return [(OrgKind(kind), n) for kind, n in rows]


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.code)))


def users_of_unit(unit: OrgUnit) -> list[User]:
    return list(db.session.scalars(select(User).where(User.org_unit_id == unit.id).order_by(User.username)))


def user_of_session(token: str) -> User | None:
    """The enabled user a live (not revoked) session token belongs to."""
    return db.session.scalar(_USER_OF_SESSION, {"token": token})


# Built once: every request runs it, and the user (with its unit) is the only entity it loads.
_USER_OF_SESSION = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token == bindparam("token"), UserSession.revoked_at.is_(None), User.is_enabled.is_(True))
)


def user_of_unit(unit: OrgUnit, user_id: int) -> User | None:
    """One user of the unit (None when missing or belonging to another unit)."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.org_unit_id == unit.id else None


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the root down to the unit's parent, from its path."""
    ids = unit.path_ids[:-1]
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
