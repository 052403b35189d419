"""State changes of the directory and of accounts. Operations flush; the request or CLI command commits."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from survey_app.accounts import throttle
from survey_app.accounts.directory_import import DirectoryRow
from survey_app.accounts.kinds import Level
from survey_app.accounts.models import District, OrgUnit, OrgUnitChange, User, UserSession
from survey_app.accounts.passwords import hash_password, policy_problems, random_password, verify_password
from survey_app.core import audit
from survey_app.core.db import utcnow
from survey_app.core.i18n import gettext
from survey_app.core.scope import Role
from survey_app.extensions import db

TRACKED_FIELDS = ("name_th", "name_en", "kind", "district_code")


@dataclass
class ImportSummary:
    """What an import did, for the command's closing line."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def apply_directory(rows: list[DirectoryRow], source: str) -> ImportSummary:
    """Create or update units from checked rows, keeping every changed value in the history table."""
    summary = ImportSummary()
    units = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
    _ensure_districts(rows)
    for row in rows:
        unit = units.get(row.code)
        if unit is None:
            unit = OrgUnit(code=row.code, kind=row.kind, name_th=row.name_th, alt_codes={})
            db.session.add(unit)
            units[row.code] = unit
            summary.created += 1
            changed = True
        else:
            changed = _update_fields(unit, row, source)
        unit.name_en = row.name_en
        unit.district_code = row.district_code
        unit.alt_codes = {**(unit.alt_codes or {}), **row.alt_codes}
        if not changed:
            summary.unchanged += 1
        elif unit.id is not None:
            summary.updated += 1
    db.session.flush()
    _apply_parents(rows, units, source)
    recompute_paths()
    return summary


def _ensure_districts(rows: list[DirectoryRow]) -> None:
    known = set(db.session.scalars(select(District.code)))
    for row in rows:
        if row.district_code and row.district_code not in known:
            db.session.add(District(code=row.district_code, name_th=row.district_name or row.district_code))
            known.add(row.district_code)
    db.session.flush()


def _update_fields(unit: OrgUnit, row: DirectoryRow, source: str) -> bool:
    changed = False
    for name in TRACKED_FIELDS:
        old, new = getattr(unit, name), getattr(row, name)
        if old != new:
            db.session.add(
                OrgUnitChange(
                    org_unit_id=unit.id, field=name, old_value=_text(old), new_value=_text(new), source=source
                )
            )
            setattr(unit, name, new)
            changed = True
    return changed


def _apply_parents(rows: list[DirectoryRow], units: dict[str, OrgUnit], source: str) -> None:
    for row in rows:
        unit = units[row.code]
        parent = units.get(row.parent_code) if row.parent_code else None
        new_parent_id = parent.id if parent else None
        if unit.parent_id != new_parent_id:
            if unit.parent_id is not None:
                old_code = db.session.get_one(OrgUnit, unit.parent_id).code  # a foreign key: the parent exists
                db.session.add(
                    OrgUnitChange(
                        org_unit_id=unit.id,
                        field="parent",
                        old_value=old_code,
                        new_value=row.parent_code,
                        source=source,
                    )
                )
            unit.parent_id = new_parent_id
    db.session.flush()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def recompute_paths() -> None:
    """Rewrite every unit's materialised path from the parent links (one pass over the tree)."""
    pairs = db.session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.path)).all()
    parent_of = {unit_id: parent_id for unit_id, parent_id, _ in pairs}
    current = {unit_id: path for unit_id, _, path in pairs}
    cache: dict[int, str] = {}

    def path_of(unit_id: int) -> str:
        if unit_id not in cache:
            parent_id = parent_of[unit_id]
            cache[unit_id] = (path_of(parent_id) if parent_id else "/") + f"{unit_id}/"
        return cache[unit_id]

    changes = [{"id": uid, "path": path_of(uid)} for uid in parent_of if path_of(uid) != current[uid]]
    if changes:
        db.session.execute(update(OrgUnit), changes)
    db.session.flush()
    db.session.expire_all()


def create_user(
    username: str,
    password: str,
    role: Role,
    org_unit: OrgUnit,
    *,
    display_name: str = "",
    must_change_password: bool = True,
    actor_id: int | None = None,
    password_hash: str | None = None,
) -> User:
    """A new account for one org unit; `password_hash` when the caller hashed the password already
    (argon2 is slow: bulk creation hashes outside its write transaction)."""
    user = User(
        username=username,
        password_hash=password_hash or hash_password(password),
        role=role,
        org_unit_id=org_unit.id,
        display_name=display_name or org_unit.name_th,
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor_id=actor_id, object_type="user", object_id=user.id, org_unit_id=org_unit.id)
    return user


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt: the user, or none and how long this client must now wait."""

    user: User | None
    wait_seconds: int = 0
    checked: bool = True  # False: refused without looking at the password (the client must wait)


def sign_in(username: str, password: str, client: str, known_device: bool, now: datetime | None = None) -> SignIn:
    """Check a password unless this client must wait; count failures per (account, client) and per client,
    never locking the account itself (see accounts/throttle.py)."""
    now = now or utcnow()
    keys = throttle.keys_for(username, client, known_device)
    wait = throttle.wait_seconds(keys, now)
    if wait:
        return SignIn(None, wait, checked=False)
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if _password_opens(user, password) and user is not None:
        user.last_login_at = now
        throttle.forget(keys)
        db.session.flush()
        return SignIn(user)
    wait = throttle.count_failure(keys, now, user.id if user else None, user.org_unit_id if user else None)
    return SignIn(None, wait)


def _password_opens(user: User | None, password: str) -> bool:
    """True when the password is right and the account enabled. Every failure costs one password check
    (unknown names are checked against a dummy hash), so timing tells nothing."""
    if user is None:
        verify_password(None, password)
        return False
    return verify_password(user.password_hash, password) and user.is_enabled


def start_session(user: User, user_agent: str | None) -> UserSession:
    """A new server-side session record; its token goes into the (rotated) cookie."""
    record = UserSession(token=secrets.token_urlsafe(32), user_id=user.id, user_agent=(user_agent or "")[:255])
    db.session.add(record)
    db.session.flush()
    audit.record("user.login", actor_id=user.id, object_type="user", object_id=user.id, org_unit_id=user.org_unit_id)
    return record


def end_session(token: str, user: User) -> None:
    """Revoke one session, so its cookie no longer logs anybody in."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token == token, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.record("user.logout", actor_id=user.id, object_type="user", object_id=user.id, org_unit_id=user.org_unit_id)


class PasswordRejected(ValueError):
    """The user's own password change was refused: the form field it concerns and the messages (in the
    reader's language) to show under it."""

    def __init__(self, field: str, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.field = field
        self.messages = messages


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The user's own change: the current password must be right, and the new one must meet the policy and
    differ from it (the first rule broken raises PasswordRejected). Every session of the user is revoked;
    the caller starts a fresh one."""
    if not verify_password(user.password_hash, current_password):
        raise PasswordRejected("current_password", [gettext("รหัสผ่านปัจจุบันไม่ถูกต้อง")])
    if problems := policy_problems(new_password, user.username):
        raise PasswordRejected("new_password", problems)
    if new_password == current_password:
        raise PasswordRejected("new_password", [gettext("รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม")])
    _set_password(user, new_password)


def _set_password(user: User, new_password: str) -> None:
    """Set a new password and revoke every session of the user (recorded as a password change)."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.flush()
    audit.record("user.password_change", actor_id=user.id, object_type="user", object_id=user.id)


def reset_password(user: User, actor_id: int | None) -> str:
    """A new random password the user must change at first login; returns it once to hand out."""
    password = random_password()
    _set_password(user, password)
    user.must_change_password = True
    audit.record("user.password_reset", actor_id=actor_id, object_type="user", object_id=user.id)
    return password


@dataclass(frozen=True)
class IssuedAccount:
    """A created account and its initial password, for the hand-out workbook."""

    unit: OrgUnit
    username: str
    password: str
    role: Role


def plan_accounts_for_directory() -> list[IssuedAccount]:
    """The missing accounts, one respondent per unit and one certifier per agency, with usernames and
    initial passwords chosen and nothing written: the caller hashes and creates them in short batches."""
    return plan_accounts(db.session.scalars(select(OrgUnit).where(OrgUnit.active).order_by(OrgUnit.path)))


def plan_accounts(units: Iterable[OrgUnit], allowed: Collection[Role] = tuple(Role)) -> list[IssuedAccount]:
    """The accounts these units lack (of the roles `allowed`), with usernames and passwords chosen; nothing
    is written. Used by the command and by the browser's bulk creation alike."""
    have = {(uid, role) for uid, role in db.session.execute(select(User.org_unit_id, User.role))}
    taken = set(db.session.scalars(select(User.username)))
    planned: list[IssuedAccount] = []
    for unit in units:
        for role in _roles_for(unit):
            if (unit.id, role) not in have and role in allowed:
                planned.append(IssuedAccount(unit, _username(unit, role, taken), random_password(), role))
    return planned


def create_planned(planned: list[IssuedAccount], hashes: list[str], actor_id: int | None = None) -> None:
    """Write planned accounts whose passwords were hashed beforehand (outside any write transaction)."""
    for account, password_hash in zip(planned, hashes, strict=True):
        create_user(
            account.username,
            account.password,
            account.role,
            account.unit,
            password_hash=password_hash,
            actor_id=actor_id,
        )


def _roles_for(unit: OrgUnit) -> list[Role]:
    if unit.level == Level.SCHOOL:
        return [Role.RESPONDENT]
    if unit.level == Level.AGENCY:
        return [Role.RESPONDENT, Role.CERTIFIER]
    return [Role.RESPONDENT, Role.PROVINCE_ADMIN]


def _username(unit: OrgUnit, role: Role, taken: set[str]) -> str:
    suffix = {Role.RESPONDENT: "", Role.CERTIFIER: "-cert", Role.PROVINCE_ADMIN: "-admin"}.get(role, "")
    base = f"{unit.code}{suffix}".lower()
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name
