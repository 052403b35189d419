"""The one org-scope check: which org units a user may see and act on.

Every view and query that touches org-owned data goes through `scope_clause` (for SQL) or `ensure_in_scope`
(for one loaded object). Outside scope is a 404, so nobody learns that someone else's data exists; the
refusal is recorded in the audit trail (rate-limited), so an office can see someone probing.
"""

from enum import StrEnum
from typing import NoReturn, Protocol

from flask import abort
from sqlalchemy import ColumnElement, literal, or_
from sqlalchemy.orm import InstrumentedAttribute

from survey_app.core import audit
from survey_app.core.i18n import N_


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
    Role.RESPONDENT: N_("ผู้ตอบแบบสอบถาม"),
    Role.CERTIFIER: N_("ผู้รับรองข้อมูล"),
    Role.PROVINCE_ADMIN: N_("ผู้ดูแลระดับจังหวัด"),
    Role.SYSTEM_ADMIN: N_("ผู้ดูแลระบบ"),
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


def ensure_in_scope(
    user: ScopedUser, unit_id: int, unit_path: str, *, object_type: str = "org_unit", object_id: int | None = None
) -> None:
    """Abort with 404 when the unit is outside the user's scope; the object asked for (the unit itself unless
    `object_type`/`object_id` name one that belongs to it) is recorded as refused."""
    if not in_scope(user, unit_id, unit_path):
        refuse(user, object_type, unit_id if object_id is None else object_id, unit_id)


def ensure_role(user: ScopedUser, *roles: Role) -> None:
    """Abort with 403 when the user's role may not do this at all (scope is still checked separately)."""
    if user.role not in roles:
        refuse(user, "page", None, None, status=403)


def refuse(
    user: ScopedUser, object_type: str, object_id: int | None, unit_id: int | None, status: int = 404
) -> NoReturn:
    """Record the refused attempt (see `audit.record_refusal`) and abort: the one way a view says no to an
    object it found."""
    audit.record_refusal(getattr(user, "id", None), object_type, object_id, unit_id)
    abort(status)
