"""A directory file uploaded in the browser: checked against the database and the uploader's scope, shown as
a preview of what would be added, changed and moved, and applied (audited) only for the very file previewed.

The preview and the apply are two requests. The file is kept in the storage between them under a random key,
and the page carries a signed ticket naming that key, the file's SHA-256, the uploader and a digest of the
previewed plan: the apply reads that file back, checks its hash, checks it again against the database, and
refuses (showing the new preview) when the plan is no longer the one the user saw.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from survey_app.accounts import operations
from survey_app.accounts.directory_import import COLUMN_LABELS, DirectoryRow, RowError, check_rows, read_table
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit, OrgUnitChange
from survey_app.core import audit
from survey_app.core.permissions import ADMINS, ScopedUser
from survey_app.core.scope import in_scope
from survey_app.core.storage import storage_for
from survey_app.extensions import db

MAX_FILE_BYTES = 5 * 1024 * 1024  # a directory of every unit in a province is a few hundred KB
TICKET_MAX_AGE_SECONDS = 3600  # the storage sweep removes a previewed file nobody applied after an hour
COMPARED_FIELDS = ("name_th", "name_en", "kind", "district_code")
FIELD_LABELS = {name: COLUMN_LABELS[name] for name in COMPARED_FIELDS} | {"parent": COLUMN_LABELS["parent_code"]}
_SALT = "directory-preview"


@dataclass(frozen=True)
class Existing:
    """A unit already in the directory, as the check and the preview need it."""

    id: int
    path: str
    name_th: str
    name_en: str | None
    kind: OrgKind
    district_code: str | None
    parent_code: str | None


@dataclass(frozen=True)
class FieldChange:
    label: str  # msgid of the column
    old: str | None
    new: str | None


@dataclass
class UnitChange:
    """An existing unit whose name, kind or district the file changes, or which it moves to another parent."""

    code: str
    name: str
    changes: list[FieldChange]


@dataclass
class DirectoryPlan:
    """What applying the file would do."""

    added: list[DirectoryRow] = field(default_factory=list)
    changed: list[UnitChange] = field(default_factory=list)
    moved: list[UnitChange] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "moved": len(self.moved),
            "unchanged": self.unchanged,
        }

    @property
    def digest(self) -> str:
        """A fingerprint of the plan, so an apply can tell that the database moved on since the preview."""
        items: list[list[object]] = [
            ["add", r.code, r.parent_code, r.kind.value, r.name_th, r.name_en, r.district_code] for r in self.added
        ]
        items += [
            [kind, c.code, [[f.label, f.old, f.new] for f in c.changes]]
            for kind, group in (("change", self.changed), ("move", self.moved))
            for c in group
        ]
        return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass
class CheckedFile:
    """An uploaded file after the check: its rows as typed, the checked rows, every error, and the plan."""

    raw: list[dict[str, str]]
    rows: list[DirectoryRow]
    errors: list[RowError]
    plan: DirectoryPlan | None

    def typed(self, error: RowError) -> str:
        """What the file holds in the cell an error is about."""
        index = error.row - 2
        return self.raw[index].get(error.column, "") if 0 <= index < len(self.raw) else ""


def rows_of_upload(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or XLSX, read by the same reader as `flask directory import`
    (raises DirectoryFileError with a Thai message)."""
    suffix = Path(filename).suffix.lower()[:8]
    with tempfile.TemporaryDirectory(prefix="directory-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return read_table(path)


def check_upload(user: ScopedUser, raw: list[dict[str, str]]) -> CheckedFile:
    """Check the rows against the database and the uploader's scope; plan the changes when all is well."""
    existing = snapshot()
    kinds = {code: unit.kind for code, unit in existing.items()}
    parents = {code: unit.parent_code for code, unit in existing.items()}
    rows, errors = check_rows(raw, kinds, parents)
    errors = sorted(errors + _scope_errors(user, rows, existing), key=lambda e: e.row)
    return CheckedFile(raw, rows, errors, None if errors else plan_changes(rows, existing))


def snapshot() -> dict[str, Existing]:
    """Every unit by code, with its parent's code."""
    found = db.session.execute(
        select(
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.path,
            OrgUnit.name_th,
            OrgUnit.name_en,
            OrgUnit.kind,
            OrgUnit.district_code,
            OrgUnit.parent_id,
        )
    ).all()
    code_of = {row.id: row.code for row in found}
    return {
        row.code: Existing(
            row.id, row.path, row.name_th, row.name_en, row.kind, row.district_code, code_of.get(row.parent_id)
        )
        for row in found
    }


def _scope_errors(user: ScopedUser, rows: list[DirectoryRow], existing: dict[str, Existing]) -> list[RowError]:
    """A province admin changes only units in its own subtree, and adds units only under them; a unit at the
    top of the tree is added by a system admin."""
    errors = []
    for row in rows:
        unit = existing.get(row.code)
        if unit is not None and not in_scope(user, unit.id, unit.path):
            errors.append(RowError(row.row, "code", f"หน่วยงานรหัส {row.code} อยู่นอกขอบเขตที่คุณดูแล"))
            continue
        parent = existing.get(row.parent_code) if row.parent_code else None
        if row.parent_code is None and unit is None and user.role not in ADMINS:
            errors.append(RowError(row.row, "parent_code", "หน่วยงานระดับบนสุดเพิ่มได้เฉพาะผู้ดูแลระบบ"))
        elif parent is not None and not in_scope(user, parent.id, parent.path):
            errors.append(RowError(row.row, "parent_code", f"ต้นสังกัดรหัส {row.parent_code} อยู่นอกขอบเขตที่คุณดูแล"))
    return errors


def plan_changes(rows: list[DirectoryRow], existing: dict[str, Existing]) -> DirectoryPlan:
    """Which rows add a unit, which change an existing one's fields, which move one to another parent."""
    plan = DirectoryPlan()
    for row in rows:
        unit = existing.get(row.code)
        if unit is None:
            plan.added.append(row)
            continue
        changes = [
            FieldChange(FIELD_LABELS[name], _text(getattr(unit, name)), _text(getattr(row, name)))
            for name in COMPARED_FIELDS
            if getattr(unit, name) != getattr(row, name)
        ]
        if changes:
            plan.changed.append(UnitChange(row.code, row.name_th, changes))
        if unit.parent_code != row.parent_code:
            move = FieldChange(FIELD_LABELS["parent"], unit.parent_code, row.parent_code)
            plan.moved.append(UnitChange(row.code, row.name_th, [move]))
        if not changes and unit.parent_code == row.parent_code:
            plan.unchanged += 1
    return plan


def _text(value: object) -> str | None:
    if isinstance(value, OrgKind):
        return value.label_th
    return None if value is None else str(value)


def apply_checked(checked: CheckedFile, source: str, sha256: str, actor: Any) -> DirectoryPlan:
    """Apply a checked file (no errors) and record the import with its counts; flushes, never commits."""
    assert checked.plan is not None and not checked.errors
    operations.apply_directory(checked.rows, source)
    audit.record(
        "directory.import",
        actor_id=actor.id,
        object_type="directory",
        org_unit_id=actor.org_unit_id,
        details={"file": source, "sha256": sha256, "rows": len(checked.rows), **checked.plan.counts()},
    )
    return checked.plan


@dataclass(frozen=True)
class Ticket:
    """What a preview page hands to the apply: the stored file, its hash and name, the plan it showed."""

    key: str
    sha256: str
    filename: str
    plan: str


def keep_for_apply(data: bytes, filename: str, plan: DirectoryPlan, user_id: int) -> str:
    """Store the previewed file and return the signed ticket the preview page posts back."""
    storage = storage_for(current_app)
    received = storage.receive(io.BytesIO(data), MAX_FILE_BYTES)
    key = storage.commit(received)
    payload = {"k": key, "h": received.sha256, "n": filename, "p": plan.digest, "u": user_id}
    return _serializer().dumps(payload)


def read_ticket(token: str, user_id: int) -> Ticket | None:
    """The ticket if it is genuine, recent and the user's own; None otherwise."""
    try:
        payload = _serializer().loads(token, max_age=TICKET_MAX_AGE_SECONDS)
    except BadData:
        return None
    if not isinstance(payload, dict) or payload.get("u") != user_id:
        return None
    return Ticket(str(payload["k"]), str(payload["h"]), str(payload["n"]), str(payload["p"]))


def file_of(ticket: Ticket) -> bytes | None:
    """The stored file, only if it is still there and is byte for byte the one previewed."""
    try:
        with storage_for(current_app).open(ticket.key) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except (FileNotFoundError, ValueError, OSError):
        return None
    return data if hashlib.sha256(data).hexdigest() == ticket.sha256 else None


def forget(ticket: Ticket) -> None:
    """Delete the stored file once it has been applied."""
    storage_for(current_app).delete(ticket.key)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    label: str
    old: str | None
    new: str | None
    source: str | None


def history_of(unit: OrgUnit) -> list[HistoryLine]:
    """The unit's earlier names, parents, kinds and districts, newest first (kept by every import)."""
    stmt = (
        select(OrgUnitChange)
        .where(OrgUnitChange.org_unit_id == unit.id)
        .order_by(OrgUnitChange.changed_at.desc(), OrgUnitChange.id.desc())
    )
    labels = FIELD_LABELS | {"parent": COLUMN_LABELS["parent_code"]}
    return [
        HistoryLine(
            c.changed_at, labels.get(c.field, c.field), _kind_text(c.old_value), _kind_text(c.new_value), c.source
        )
        for c in db.session.scalars(stmt)
    ]


def _kind_text(value: str | None) -> str | None:
    """A kind is kept as its code ("basic_school"); show its Thai name."""
    if value is not None and value in OrgKind.__members__.values():
        return OrgKind(value).label_th
    return value
