"""Reading responses and uploads through the one scope check."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, func, select

from survey_app.accounts.models import OrgUnit
from survey_app.core.audit import AuditEvent
from survey_app.core.scope import ScopedUser, ensure_in_scope
from survey_app.extensions import db
from survey_app.responses.models import ORG_SLOT, Response, Upload
from survey_app.rounds.models import RoundUnit


def get_response_or_404(user: ScopedUser, response_id: int) -> Response:
    """A unit's response in the user's scope (its org unit), else 404. One person's answers to a person
    survey have no page for anyone (they are seen only as aggregates): 404 too."""
    response = db.session.get(Response, response_id)
    if response is None or response.is_person:
        abort(404)
    ensure_in_scope(user, response.org_unit.id, response.org_unit.path)
    return response


def round_unit_response() -> ColumnElement[bool]:
    """Join condition from an expected unit (RoundUnit) to its org response; outer-join it, since units
    that have not started have none."""
    return (
        (Response.round_id == RoundUnit.round_id)
        & (Response.org_unit_id == RoundUnit.org_unit_id)
        & (Response.org_slot == ORG_SLOT)
    )


def org_response(round_id: int, org_unit_id: int) -> Response | None:
    return db.session.scalar(
        select(Response).where(
            Response.round_id == round_id, Response.org_unit_id == org_unit_id, Response.org_slot == ORG_SLOT
        )
    )


def get_upload_or_404(user: ScopedUser, upload_id: int) -> Upload:
    """An upload whose response is in scope, else 404 (the same answer as a missing file)."""
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.response.is_person:
        abort(404)
    unit: OrgUnit = upload.response.org_unit
    ensure_in_scope(user, unit.id, unit.path)
    return upload


def person_response_count(round_id: int, org_unit_id: int) -> int:
    stmt = select(func.count()).where(
        Response.round_id == round_id, Response.org_unit_id == org_unit_id, Response.org_slot.is_(None)
    )
    return db.session.scalar(stmt) or 0


def history(response: Response) -> list[AuditEvent]:
    """The response's audit trail, oldest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "response", AuditEvent.object_id == response.id)
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(stmt))
