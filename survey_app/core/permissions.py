"""Who may do what: the roles, the named sets of roles each kind of page or action allows, and the checks
every view, blueprint and status move uses. Adding a role, or changing what a role may do, happens here.

Which org units a user may see is the org-scope check (`core/scope.py`); this module says what the user's
role lets it do there. Modelled on Redash's permissions.py: named sets, `require_…` helpers that refuse
(recorded, see `refuse`), and `may_…` predicates for pages that only show or hide an action.
"""

from enum import StrEnum
from typing import NoReturn, Protocol

from flask import abort

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

# The named sets. A page or an action names one of these, never a tuple of its own.
RESPONDENTS = frozenset({Role.RESPONDENT})  # answer (start, save, submit) for their own unit
# Review, certify and return answers; reports; the directory; other units' person-survey links (all in scope).
REVIEWERS = frozenset({Role.CERTIFIER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
# The province's work: rounds, forms, accepting sets, accounts, every agency at once.
PROVINCE = frozenset({Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
# A round's life after it opens: edit, close early, extend (the round or one unit), reopen, delete, archive.
ROUND_MANAGERS = frozenset({Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
# The directory in the browser: add a unit, edit or move one, deactivate and reactivate it (in scope).
DIRECTORY_EDITORS = frozenset({Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
ADMINS = frozenset({Role.SYSTEM_ADMIN})  # everything, including the accounts of other system admins
# The audit trail: each reader sees the events of the units in its scope (a school has no audit page: 404).
AUDIT_READERS = frozenset({Role.CERTIFIER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN})
# Who sees its own unit and every unit below it (the scope check; a system admin sees every unit anyway).
SUBTREE = frozenset({Role.CERTIFIER, Role.PROVINCE_ADMIN})


class ScopedUser(Protocol):
    """What the permission and scope checks need to know about a user."""

    role: Role
    org_unit_id: int

    @property
    def org_path(self) -> str: ...


class _Status(Protocol):
    @property
    def editable(self) -> bool: ...


class UnitAnswers(Protocol):
    """A unit's answers (a response): whose unit, and whether its status still lets the unit change them."""

    @property
    def org_unit_id(self) -> int: ...

    @property
    def status(self) -> _Status: ...


def has_role(user: ScopedUser, allowed: frozenset[Role]) -> bool:
    return user.role in allowed


def require_role(user: ScopedUser, allowed: frozenset[Role]) -> None:
    """Refuse with 403 (recorded) when the user's role may not use this page at all; scope is checked
    separately, on what the page loads."""
    if user.role not in allowed:
        refuse(user, "page", None, None, status=403)


def answers_for(user: ScopedUser, unit_id: int) -> bool:
    """Only the unit's own respondents answer for it: not its agency, not the province."""
    return user.role in RESPONDENTS and user.org_unit_id == unit_id


def require_answers_for(user: ScopedUser, unit_id: int) -> None:
    """403 for anyone who may see the unit's answers but not answer for it."""
    if not answers_for(user, unit_id):
        abort(403)


def may_edit(user: ScopedUser, response: UnitAnswers) -> bool:
    """The unit's own respondents change its answers, and only while they are a draft or returned."""
    return answers_for(user, response.org_unit_id) and response.status.editable


def sees_every_agency(user: ScopedUser) -> bool:
    """The province picks any agency (in scope) on review and report pages; a certifier sees its own."""
    return user.role in PROVINCE


def may_manage_accounts(user: ScopedUser) -> bool:
    """Lists a unit's users and resets their passwords."""
    return user.role in PROVINCE


def may_edit_directory(user: ScopedUser) -> bool:
    """Shows the add, edit, move and deactivate buttons of the directory pages."""
    return user.role in DIRECTORY_EDITORS


def may_reset_password_of(user: ScopedUser, target: ScopedUser) -> bool:
    """Account managers reset passwords; a system admin's only by another system admin."""
    return may_manage_user(user, target)


# The roles, lowest first: an account manager grants its own role and the ones below it, never one above.
ROLE_RANK = (Role.RESPONDENT, Role.CERTIFIER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN)


def grantable_roles(user: ScopedUser) -> list[Role]:
    """The roles an account manager may give (to a new user or by a change of role): never above its own."""
    if not may_manage_accounts(user):
        return []
    return list(ROLE_RANK[: ROLE_RANK.index(user.role) + 1])


def may_manage_user(user: ScopedUser, target: ScopedUser) -> bool:
    """Deactivate, reactivate, change the role, contacts or password of a user (in scope, checked apart):
    only an account manager, and only of a user whose role it could have granted itself."""
    return target.role in grantable_roles(user)


def refuse(
    user: ScopedUser, object_type: str, object_id: int | None, unit_id: int | None, status: int = 404
) -> NoReturn:
    """Record the refused attempt (see `audit.record_refusal`) and abort: the one way a view says no to an
    object it found."""
    audit.record_refusal(getattr(user, "id", None), object_type, object_id, unit_id)
    abort(status)
