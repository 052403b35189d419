"""People: the account changes an admin makes in the browser (and the import command), and the scoped reads
behind the users page. Operations flush and write the audit record; the request or command commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select, func, or_, select, update

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit, User, UserSession
from survey_app.accounts.operations import IssuedAccount, create_planned, create_user, plan_accounts
from survey_app.accounts.passwords import random_password
from survey_app.core import audit
from survey_app.core.db import utcnow
from survey_app.core.i18n import N_
from survey_app.core.permissions import ScopedUser, grantable_roles
from survey_app.core.scope import Role, ensure_in_scope, scope_clause
from survey_app.extensions import db

PAGE_SIZE = 50
WEB_BATCH_LIMIT = 200  # accounts per press of the bulk button: their hashing runs inside the request
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9](?:\s*(?:ต่อ|ext\.?|x)\s*[0-9]{1,6})?$")
BAD_EMAIL = N_("อีเมลไม่ถูกต้อง (ตัวอย่าง: name@example.go.th)")
BAD_PHONE = N_("เบอร์โทรศัพท์ไม่ถูกต้อง (ตัวเลข 9–10 หลัก เช่น 056-123456 หรือ 081-234-5678)")
CONTACT_FIELDS = ("display_name", "email", "phone")


def email_problem(value: str) -> str | None:
    """The Thai message (a msgid) when a non-empty e-mail address is not one; None when fine or empty."""
    return BAD_EMAIL if value and (len(value) > 255 or not EMAIL.match(value)) else None


def phone_problem(value: str) -> str | None:
    """The Thai message (a msgid) when a non-empty phone number is not one; None when fine or empty."""
    return BAD_PHONE if value and not PHONE.match(value) else None


# --- reads -------------------------------------------------------------------------------------------------


@dataclass
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int


def users_in_scope(actor: ScopedUser) -> Select[Any]:
    """A select of every user whose unit the actor may see; filters are added to it, never a second rule."""
    return (
        select(User).join(OrgUnit, User.org_unit_id == OrgUnit.id).where(scope_clause(actor, OrgUnit.id, OrgUnit.path))
    )


def search_users(actor: ScopedUser, *, q: str = "", role: str = "", active: str = "", page: int = 1) -> UserPage:
    """Users in scope, filtered by name / username / unit / e-mail, role and active flag, a page at a time."""
    stmt = users_in_scope(actor)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                User.username.ilike(like),
                User.display_name.ilike(like),
                User.email.ilike(like),
                OrgUnit.name_th.ilike(like),
                OrgUnit.code.ilike(like),
            )
        )
    if role in Role.__members__.values():
        stmt = stmt.where(User.role == Role(role))
    if active in ("1", "0"):
        stmt = stmt.where(User.is_enabled.is_(active == "1"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = stmt.order_by(OrgUnit.path, User.username).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return UserPage(list(db.session.scalars(ordered)), total, page, pages)


def get_user_or_404(actor: ScopedUser, user_id: int) -> User:
    """One user, or 404 when missing or when its unit is outside the actor's scope (recorded)."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    ensure_in_scope(actor, user.org_unit_id, user.org_unit.path, object_type="user", object_id=user.id)
    return user


def unit_by_code_in_scope(actor: ScopedUser, code: str) -> OrgUnit | None:
    """The active unit with this code when the actor may see it (None otherwise: the form says so)."""
    stmt = select(OrgUnit).where(
        OrgUnit.code == code.strip(), OrgUnit.active, scope_clause(actor, OrgUnit.id, OrgUnit.path)
    )
    return db.session.scalar(stmt)


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == username)) is not None


def units_without_accounts(actor: ScopedUser, kind: OrgKind | None = None) -> Select[Any]:
    """Active units in the actor's scope (of one kind, if given) that have no user at all."""
    stmt = select(OrgUnit).where(
        OrgUnit.active,
        scope_clause(actor, OrgUnit.id, OrgUnit.path),
        ~select(User.id).where(User.org_unit_id == OrgUnit.id).exists(),
    )
    return stmt.where(OrgUnit.kind == kind) if kind else stmt


def count_without_accounts(actor: ScopedUser) -> list[tuple[OrgKind, int]]:
    """How many units of each kind in scope still have no account, for the bulk page."""
    sub = units_without_accounts(actor).subquery()
    rows = db.session.execute(select(sub.c.kind, func.count()).group_by(sub.c.kind).order_by(sub.c.kind))
    return [(OrgKind(kind), n) for kind, n in rows]


# --- changes -------------------------------------------------------------------------------------------------


def create_account(
    actor: User, unit: OrgUnit, username: str, role: Role, *, display_name: str = "", email: str = "", phone: str = ""
) -> tuple[User, str]:
    """A new user for a unit with a one-time password (changed at first sign-in); returns both. The role must
    be one the actor may grant (the view offers only those; this refuses anything else)."""
    if role not in grantable_roles(actor):
        abort(403)
    password = random_password()
    user = create_user(username, password, role, unit, display_name=display_name, actor_id=actor.id)
    user.email, user.phone = email or None, phone or None
    db.session.flush()
    return user, password


def set_enabled(user: User, enabled: bool, actor_id: int) -> bool:
    """Deactivate (every session of the user ends at once) or reactivate; False when nothing changed."""
    if user.is_enabled == enabled:
        return False
    user.is_enabled = enabled
    if not enabled:
        end_all_sessions(user)
    db.session.flush()
    action = "user.reactivate" if enabled else "user.deactivate"
    audit.record(action, actor_id=actor_id, object_type="user", object_id=user.id, org_unit_id=user.org_unit_id)
    return True


def end_all_sessions(user: User) -> None:
    """Revoke every live session of the user, as a password reset does."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_role(user: User, role: Role, actor: User) -> bool:
    """Give the user another role the actor may grant; False when it already has it."""
    if role not in grantable_roles(actor) or user.role not in grantable_roles(actor):
        abort(403)
    if user.role == role:
        return False
    old = user.role
    user.role = role
    db.session.flush()
    audit.record(
        "user.role",
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        org_unit_id=user.org_unit_id,
        from_state=old.value,
        to_state=role.value,
    )
    return True


def set_contact(user: User, actor_id: int | None, **values: str) -> list[str]:
    """Set name, e-mail and phone (the ones given); audit which fields changed (not their values)."""
    changed = []
    for name in CONTACT_FIELDS:
        if name not in values:
            continue
        new = values[name].strip() or (user.org_unit.name_th if name == "display_name" else None)
        if getattr(user, name) != new:
            setattr(user, name, new)
            changed.append(name)
    if changed:
        db.session.flush()
        audit.record(
            "user.contact",
            actor_id=actor_id,
            object_type="user",
            object_id=user.id,
            org_unit_id=user.org_unit_id,
            details={"fields": changed},
        )
    return changed


def plan_batch(actor: User, kind: OrgKind | None) -> list[IssuedAccount]:
    """The accounts the units without any (of the kind, in scope) would get, up to WEB_BATCH_LIMIT; only roles
    the actor may grant. Nothing is written."""
    units = db.session.scalars(units_without_accounts(actor, kind).order_by(OrgUnit.path))
    return plan_accounts(units, grantable_roles(actor))[:WEB_BATCH_LIMIT]


def create_batch(
    planned: list[IssuedAccount], hashes: list[str], actor: User, kind: OrgKind | None
) -> list[IssuedAccount]:
    """Write the planned accounts (hashed beforehand), skipping any unit or name taken meanwhile; one
    `accounts.batch` record besides each `user.create`."""
    taken = set(db.session.scalars(select(User.username)))
    have_users = set(db.session.scalars(select(User.org_unit_id)))
    keep = [i for i, a in enumerate(planned) if a.username not in taken and a.unit.id not in have_users]
    kept = [planned[i] for i in keep]
    create_planned(kept, [hashes[i] for i in keep], actor.id)
    audit.record(
        "accounts.batch",
        actor_id=actor.id,
        object_type="org_unit",
        org_unit_id=actor.org_unit_id,
        details={"created": len(kept), "kind": kind.value if kind else None},
    )
    return kept
