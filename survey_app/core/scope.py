"""The one org-scope check: which org units a user may see and act on.

Every view and query that touches org-owned data goes through `scope_clause` (for SQL) or `ensure_in_scope`
(for one loaded object). Outside scope is a 404, so nobody learns that someone else's data exists; the
refusal is recorded in the audit trail (rate-limited), so an office can see someone probing.
"""

from sqlalchemy import ColumnElement, literal, or_
from sqlalchemy.orm import InstrumentedAttribute

from survey_app.core.permissions import ADMINS, SUBTREE, Role, ScopedUser, refuse

# Role, ScopedUser and refuse live in core/permissions.py (who may do what); they are named here too because
# scope is where most callers met them first.
__all__ = ["Role", "ScopedUser", "ensure_in_scope", "in_scope", "refuse", "scope_clause"]


def scope_clause(
    user: ScopedUser, unit_id: InstrumentedAttribute[int], unit_path: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """A WHERE condition on an org unit's id and materialised path that keeps only units in scope."""
    if user.role in ADMINS:
        return literal(True)
    if user.role in SUBTREE:
        return or_(unit_id == user.org_unit_id, unit_path.startswith(user.org_path, autoescape=True))
    return unit_id == user.org_unit_id


def in_scope(user: ScopedUser, unit_id: int, unit_path: str) -> bool:
    """The same rule as `scope_clause`, for one unit already loaded."""
    if user.role in ADMINS:
        return True
    if unit_id == user.org_unit_id:
        return True
    return user.role in SUBTREE and unit_path.startswith(user.org_path)


def ensure_in_scope(
    user: ScopedUser, unit_id: int, unit_path: str, *, object_type: str = "org_unit", object_id: int | None = None
) -> None:
    """Abort with 404 when the unit is outside the user's scope; the object asked for (the unit itself unless
    `object_type`/`object_id` name one that belongs to it) is recorded as refused."""
    if not in_scope(user, unit_id, unit_path):
        refuse(user, object_type, unit_id if object_id is None else object_id, unit_id)
