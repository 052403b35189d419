"""Reading responses and uploads through the one scope check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import ColumnElement, func, select

from survey_app.accounts.models import OrgUnit, User
from survey_app.core.audit import ACTION_LABELS, REFUSED, AuditEvent
from survey_app.core.i18n import N_
from survey_app.core.permissions import RESPONDENTS
from survey_app.core.scope import ScopedUser, ensure_in_scope
from survey_app.extensions import db
from survey_app.responses.models import ORG_SLOT, PersonCode, Response, ResponseStatus, Upload
from survey_app.rounds.models import RoundUnit


def get_response_or_404(user: ScopedUser, response_id: int) -> Response:
    """A unit's response in the user's scope (its org unit), else 404. One person's answers to a person
    survey have no page for anyone (they are seen only as aggregates): 404 too. A round the province archived
    is out of respondents' sight: its drafts too (reviewers still read what was sent)."""
    response = db.session.get(Response, response_id)
    if response is None or response.is_person:
        abort(404)
    ensure_in_scope(user, response.org_unit.id, response.org_unit.path, object_type="response", object_id=response.id)
    if response.round.archived and user.role in RESPONDENTS:
        abort(404)
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
    ensure_in_scope(user, unit.id, unit.path, object_type="upload", object_id=upload.id)
    return upload


def person_response_count(round_id: int, org_unit_id: int) -> int:
    stmt = select(func.count()).where(
        Response.round_id == round_id, Response.org_unit_id == org_unit_id, Response.org_slot.is_(None)
    )
    return db.session.scalar(stmt) or 0


def person_codes(round_unit_id: int) -> list[PersonCode]:
    """A unit's one-time respondent codes, in the order they were made (used ones included)."""
    stmt = select(PersonCode).where(PersonCode.round_unit_id == round_unit_id).order_by(PersonCode.id)
    return list(db.session.scalars(stmt))


# What each recorded action on a response means to its readers: the audit trail's own wording (core/audit.py),
# the one place an action's Thai words live (the audit rows keep the codes).
HISTORY_LABELS = {action: label for action, label in ACTION_LABELS.items() if action.startswith("response.")}
COLLAPSED_ACTIONS = frozenset({"response.save"})  # a run of these by one person is one line


@dataclass
class HistoryEntry:
    """One line of a response's history: what (Thai), who (name and unit), when; `count` > 1 for a run of
    saves by the same person, `first_at` its start and `at` the latest."""

    action: str
    label: str
    who: str | None
    unit: str | None
    at: datetime
    first_at: datetime
    comment: str | None = None
    count: int = 1
    actor_id: int | None = None


def history(response: Response) -> list[HistoryEntry]:
    """The response's audit trail in words, oldest first, with consecutive saves by one person collapsed."""
    stmt = (
        select(AuditEvent, User.display_name, User.username, OrgUnit.name_th)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(AuditEvent.object_type == "response", AuditEvent.object_id == response.id)
        .where(AuditEvent.action != REFUSED)  # someone refused this response did nothing to it
        .order_by(AuditEvent.id)
    )
    entries: list[HistoryEntry] = []
    for event, display_name, username, unit_name in db.session.execute(stmt):
        last = entries[-1] if entries else None
        if (
            last
            and event.action in COLLAPSED_ACTIONS
            and last.action == event.action
            and last.actor_id == event.actor_id
        ):
            last.count, last.at = last.count + 1, event.created_at
            continue
        entries.append(
            HistoryEntry(
                event.action,
                history_label(event),
                display_name or username,
                unit_name,
                event.created_at,
                event.created_at,
                event.comment,
                actor_id=event.actor_id,
            )
        )
    return entries


def history_label(event: AuditEvent) -> str:
    """The Thai words for an action; one not in HISTORY_LABELS is told by its status change, never by its code."""
    if event.action in HISTORY_LABELS:
        return HISTORY_LABELS[event.action]
    states = [ResponseStatus(s).label_th for s in (event.from_state, event.to_state) if s in set(ResponseStatus)]
    return N_("เปลี่ยนสถานะ") + (" " + " → ".join(states) if states else "")
