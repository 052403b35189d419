"""The one org-scope check: which org units a user may see and act on.

Every view and query that touches org-owned data goes through `scope_clause` (for SQL) or `ensure_in_scope`
(for one loaded object). Outside scope is a 404, so nobody learns that someone else's data exists.
"""

from enum import StrEnum
from typing import Protocol

from flask import abort
from sqlalchemy import ColumnElement, literal, or_
from sqlalchemy.orm import InstrumentedAttribute


class Role(StrEnum):
    """What a user may do for its org unit."""

    RESPONDENT = "respondent"  # answers for its own unit
    CERTIFIER = "certifier"  # agency head/officer: its unit and every unit below it
    PROVINCE_ADMIN = "province_admin"  # the provincial office: its whole subtree, opens rounds, reports
    SYSTEM_ADMIN = "system_admin"  # everything, including accounts

    @property
    def label_th(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RESPONDENT: "ผู้ตอบแบบสอบถาม",
    Role.CERTIFIER: "ผู้รับรองข้อมูล",
    Role.PROVINCE_ADMIN: "ผู้ดูแลระดับจังหวัด",
    Role.SYSTEM_ADMIN: "ผู้ดูแลระบบ",
}
SUBTREE_ROLES = frozenset({Role.CERTIFIER, Role.PROVINCE_ADMIN})


class ScopedUser(Protocol):
    """What the scope check needs to know about a user."""

    role: Role
    org_unit_id: int

    @property
    def org_path(self) -> str: ...


def scope_clause(
    user: ScopedUser, unit_id: InstrumentedAttribute[int], unit_path: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """A WHERE condition on an org unit's id and materialised path that keeps only units in scope."""
    if user.role == Role.SYSTEM_ADMIN:
        return literal(True)
    if user.role in SUBTREE_ROLES:
        return or_(unit_id == user.org_unit_id, unit_path.startswith(user.org_path, autoescape=True))
    return unit_id == user.org_unit_id


def in_scope(user: ScopedUser, unit_id: int, unit_path: str) -> bool:
    """The same rule as `scope_clause`, for one unit already loaded."""
    if user.role == Role.SYSTEM_ADMIN:
        return True
    if unit_id == user.org_unit_id:
        return True
    return user.role in SUBTREE_ROLES and unit_path.startswith(user.org_path)


def ensure_in_scope(user: ScopedUser, unit_id: int, unit_path: str) -> None:
    """Abort with 404 when the unit is outside the user's scope."""
    if not in_scope(user, unit_id, unit_path):
        abort(404)


def ensure_role(user: ScopedUser, *roles: Role) -> None:
    """Abort with 403 when the user's role may not do this at all (scope is still checked separately)."""
    if user.role not in roles:
        abort(403)
