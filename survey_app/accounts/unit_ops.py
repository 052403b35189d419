"""One unit added, edited, moved, deactivated or reactivated in the browser.

What a valid unit is (code format, kind, a parent of a kind that may hold it, district, names, no cycle, the
editor's scope) is the directory import's rule: the form is checked as a one-row import against the directory
(`directory_changes.check_upload`) and applied by the import's own `apply_directory`, which keeps the history.
An edit also re-checks the unit's children as unchanged rows, so a change of kind cannot strand them under a
parent that may not hold them. Operations flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from survey_app.accounts import directory_changes as changes
from survey_app.accounts import operations
from survey_app.accounts.directory_import import DirectoryRow
from survey_app.accounts.models import OrgUnit, OrgUnitChange, User
from survey_app.core import audit
from survey_app.core.i18n import N_, gettext
from survey_app.extensions import db

FORM_FIELDS = ("code", "parent_code", "kind", "name_th", "name_en", "district_code")
DUPLICATE_CODE = N_("มีหน่วยงานรหัสนี้อยู่แล้ว กรุณาใช้รหัสอื่น หรือแก้ไขหน่วยงานเดิม")
CHILD_PROBLEM = N_("หน่วยงานในสังกัดรหัส {code}: {problem}")


@dataclass
class UnitCheck:
    """The outcome of checking a form: errors by form field (Thai, shown beside it), or the row to apply."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    row: DirectoryRow | None = None
    edited: list[changes.FieldChange] = field(default_factory=list)
    moved: changes.FieldChange | None = None


def check_unit(actor: User, typed: dict[str, str], unit: OrgUnit | None) -> UnitCheck:
    """Check the typed fields as a one-row directory import: a new unit (`unit` None) or an edit of `unit`."""
    row = {name: typed.get(name, "") for name in FORM_FIELDS}
    raw = [row]
    if unit is not None:
        row["code"] = unit.code
        raw += [_row_of(child, unit.code) for child in unit.children]
    checked = changes.check_upload(actor, raw)
    result = UnitCheck()
    for error in checked.errors:
        if error.row == 2:
            result.errors.setdefault(_field_of(error.column), []).append(error.message)
        else:  # a child row: the edit's kind (or parent) no longer fits it
            problem = gettext(CHILD_PROBLEM, code=raw[error.row - 2]["code"], problem=error.message)
            result.errors.setdefault("kind", []).append(problem)
    if unit is None and row["code"] and _code_taken(row["code"]):
        result.errors.setdefault("code", []).insert(0, gettext(DUPLICATE_CODE))
    if result.errors or checked.plan is None:
        return result
    result.row = next(r for r in checked.rows if r.code == row["code"])
    result.edited = [f for c in checked.plan.changed if c.code == row["code"] for f in c.changes]
    result.moved = next((c.changes[0] for c in checked.plan.moved if c.code == row["code"]), None)
    return result


def _row_of(unit: OrgUnit, parent_code: str) -> dict[str, str]:
    """A unit as it stands, as an import row (so the check sees it unchanged)."""
    return {
        "code": unit.code,
        "parent_code": parent_code,
        "kind": unit.kind.value,
        "name_th": unit.name_th,
        "name_en": unit.name_en or "",
        "district_code": unit.district_code or "",
    }


def _field_of(column: str) -> str:
    """The form field an import column's error belongs beside (alternative codes are not on the form)."""
    return column if column in FORM_FIELDS else "code"


def _code_taken(code: str) -> bool:
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None


def source_of(actor: User) -> str:
    """What the history's "source" column says for a change made in the browser (stored text)."""
    return f"แบบฟอร์มบนเว็บ ({actor.username})"[:255]


def create_unit(actor: User, check: UnitCheck) -> OrgUnit:
    """Add the checked unit (its path computed), write its first name into its history, audit it."""
    assert check.row is not None and not check.errors
    row, source = check.row, source_of(actor)
    operations.apply_directory([row], source)
    unit = db.session.scalars(select(OrgUnit).where(OrgUnit.code == row.code)).one()
    db.session.add(OrgUnitChange(org_unit_id=unit.id, field="name_th", new_value=row.name_th, source=source))
    audit.record(
        "unit.create",
        actor_id=actor.id,
        object_type="org_unit",
        object_id=unit.id,
        org_unit_id=unit.id,
        details={"code": row.code, "kind": row.kind.value, "parent": row.parent_code, "name_th": row.name_th},
    )
    db.session.flush()
    return unit


def update_unit(actor: User, unit: OrgUnit, check: UnitCheck) -> bool:
    """Apply a checked edit (names, kind, district) and move (parent); the import keeps the old values in the
    history. Audited `unit.edit` and/or `unit.move`; False when nothing changed."""
    assert check.row is not None and not check.errors
    if not check.edited and check.moved is None:
        return False
    unit_id = unit.id
    operations.apply_directory([check.row], source_of(actor))
    if check.edited:
        details = {str(f.label): [f.old, f.new] for f in check.edited}
        audit.record(
            "unit.edit", actor_id=actor.id, object_type="org_unit", object_id=unit_id, org_unit_id=unit_id,
            details=details,
        )  # fmt: skip
    if check.moved is not None:
        audit.record(
            "unit.move", actor_id=actor.id, object_type="org_unit", object_id=unit_id, org_unit_id=unit_id,
            from_state=check.moved.old, to_state=check.moved.new,
        )  # fmt: skip
    return True


def set_active(actor: User, unit: OrgUnit, active: bool) -> bool:
    """Deactivate or reactivate a unit (audited); False when it already was so. An inactive unit is left out
    of new rounds, unit-choice questions and new accounts; its users, answers and children are untouched."""
    if unit.active == active:
        return False
    unit.active = active
    db.session.flush()
    audit.record(
        "unit.reactivate" if active else "unit.deactivate",
        actor_id=actor.id,
        object_type="org_unit",
        object_id=unit.id,
        org_unit_id=unit.id,
    )
    return True
