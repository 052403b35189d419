"""Starting, saving and submitting responses. Operations flush; the request commits once.

Concurrency: every change to a response is a conditional UPDATE on (status, row_version), so two tabs, two
people or twenty parallel requests end in one consistent state and nothing is silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import CursorResult, Insert, Result, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from survey_app.accounts.models import OrgUnit, User
from survey_app.core import audit
from survey_app.core.audit import AuditEvent
from survey_app.core.db import utcnow
from survey_app.core.i18n import gettext
from survey_app.core.scope import Role
from survey_app.extensions import db
from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer as AnswerValue
from survey_app.forms_engine.answers import Answers, progress, visible_questions
from survey_app.forms_engine.builder import Completeness, SectionRead, completeness, merge
from survey_app.forms_engine.types import question_type
from survey_app.responses.models import (
    ORG_SLOT,
    PERSON_TRANSITIONS,
    TRANSITIONS,
    Answer,
    Response,
    ResponseStatus,
)
from survey_app.rounds.models import LatePolicy, Round, RoundUnit


class ResponseError(Exception):
    """A refused action, with a Thai message for the user."""


class Locked(ResponseError):
    """The response is not editable in its current status."""


@dataclass(frozen=True)
class Change:
    """A question changed by someone else since the version the user loaded."""

    question_key: str
    actor: str
    at: datetime


class StaleSave(ResponseError):
    """Someone saved after this page was loaded; nothing was written."""

    def __init__(self, changes: list[Change], current_version: int) -> None:
        super().__init__(gettext("มีผู้อื่นบันทึกแบบสอบถามนี้หลังจากที่คุณเปิดหน้านี้ คำตอบของคุณยังไม่ถูกบันทึก"))
        self.changes = changes
        self.current_version = current_version


class Incomplete(ResponseError):
    def __init__(self, check: Completeness) -> None:
        super().__init__(
            gettext("ยังส่งไม่ได้ เหลือข้อที่ต้องตอบหรือแก้ไข {n} ข้อ", n=len(check.missing) + len(check.failed_checks))
        )
        self.check = check


class TooLate(ResponseError):
    """The deadline passed and the round refuses late answers."""


def start_org_response(rnd: Round, unit: OrgUnit, actor_id: int | None) -> Response:
    """The unit's response to the round, created once: a second start returns the same response."""
    existing = _org_response(rnd.id, unit.id)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            response = Response(round_id=rnd.id, org_unit_id=unit.id, org_slot=ORG_SLOT, created_by_id=actor_id)
            db.session.add(response)
    except IntegrityError:  # a parallel request created it first
        found = _org_response(rnd.id, unit.id)
        if found is None:
            raise
        return found
    audit.record(
        "response.create", actor_id=actor_id, object_type="response", object_id=response.id, org_unit_id=unit.id
    )
    return response


def _org_response(round_id: int, unit_id: int) -> Response | None:
    stmt = select(Response).where(
        Response.round_id == round_id, Response.org_unit_id == unit_id, Response.org_slot == ORG_SLOT
    )
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def save_answers(
    response: Response,
    defn: s.FormDefinition,
    read: SectionRead,
    expected_version: int,
    actor_id: int | None,
    stored: Answers | None = None,
) -> list[str]:
    """Apply a section's answers if nobody saved in between; returns the keys that changed.

    `stored` is the response's answers as the caller already read them (read again when not given)."""
    stored = response.answer_map() if stored is None else stored
    changed = _changed_keys(stored, read)
    if not changed:
        if response.row_version != expected_version:
            raise StaleSave(changes_since(response, expected_version), response.row_version)
        if not response.status.editable:
            raise Locked(gettext("แบบสอบถามนี้ส่งแล้ว แก้ไขไม่ได้"))
        return []
    counts = progress(defn, merge(stored, read), response.org_unit.kind.value)
    new_version = _bump_version(response, expected_version, actor_id, counts)
    _write_answers(response, defn, read, changed, new_version)
    audit.record(
        "response.save",
        actor_id=actor_id,
        object_type="response",
        object_id=response.id,
        org_unit_id=response.org_unit_id,
        details={"version": new_version, "changed": sorted(changed)},
    )
    return sorted(changed)


def _changed_keys(stored: Answers, read: SectionRead) -> set[str]:
    changed = {k for k in read.cleared if k in stored}
    changed |= {k for k, a in read.answers.items() if stored.get(k) != a}
    return changed


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. SQLAlchemy types every execute() as a Result; what a DML
    statement without RETURNING gives is a CursorResult, which has the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count on a {type(result).__name__}")
    return result.rowcount


def _bump_version(response: Response, expected_version: int, actor_id: int | None, counts: tuple[int, int]) -> int:
    """Take the next version with a conditional UPDATE; refuse when the status or version moved.

    The same statement keeps the progress counts (answered, required) for dashboards. On success the
    response object is told the values it now has (no reload); only a refusal reads the row again, to say
    what changed and by whom."""
    values = {
        "row_version": expected_version + 1,
        "last_saved_at": utcnow(),
        "updated_by_id": actor_id,
        "answered_count": counts[0],
        "required_count": counts[1],
    }
    result = db.session.execute(
        _BUMP_VERSION, {"response_id": response.id, "expected_version": expected_version, **values}
    )
    if rows_changed(result) == 1:
        for name, value in values.items():
            set_committed_value(response, name, value)
        return expected_version + 1
    db.session.refresh(response)
    if not response.status.editable:
        raise Locked(gettext("แบบสอบถามนี้ส่งแล้ว แก้ไขไม่ได้"))
    raise StaleSave(changes_since(response, expected_version), response.row_version)


# Built once (every save runs it); the values come as parameters named like the columns.
_BUMP_VERSION = (
    update(Response)
    .where(
        Response.id == bindparam("response_id"),
        Response.row_version == bindparam("expected_version"),
        Response.status.in_(ResponseStatus.EDITABLE),
    )
    .values(
        {
            name: bindparam(name)
            for name in ("row_version", "last_saved_at", "updated_by_id", "answered_count", "required_count")
        }
    )
    .execution_options(synchronize_session=False)
)


def _write_answers(
    response: Response, defn: s.FormDefinition, read: SectionRead, changed: set[str], version: int
) -> None:
    """Write only the changed answers: one upsert for the values, one DELETE for the cleared ones (no rows
    read first; on PostgreSQL every statement is a round trip)."""
    questions = repeats.question_finder(defn)  # a row field's key finds its field
    now = utcnow()
    rows = [
        {
            "response_id": response.id,
            "question_key": key,
            "state": value.state,
            "value": value.value,
            "value_num": numeric_value(questions(key), value),
            "changed_in_version": version,
            "updated_at": now,
        }
        for key in sorted(changed)
        if (value := read.answers.get(key)) is not None
    ]
    cleared = [key for key in changed if key not in read.answers]
    if rows:
        db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)
    _delete_answers(response, cleared)
    db.session.expire(response, ["answers"])  # a loaded collection would now be out of date


def _delete_answers(response: Response, keys: list[str]) -> None:
    """Delete these questions' answers in one statement (none read first)."""
    if keys:
        db.session.execute(
            delete(Answer).where(Answer.response_id == response.id, Answer.question_key.in_(keys)),
            execution_options={"synchronize_session": False},
        )


@cache
def _upsert(dialect: str) -> Insert:
    """INSERT … ON CONFLICT (response, question) DO UPDATE in the database's dialect, built once and run
    with the rows as parameters (on the answer table itself: no ORM bulk pass over the rows)."""
    table = Answer.metadata.tables[Answer.__tablename__]  # the Table (typed as one, unlike `__table__`)
    stmt = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(
        index_elements=["response_id", "question_key"],
        set_={
            name: stmt.excluded[name] for name in ("state", "value", "value_num", "changed_in_version", "updated_at")
        },
    )


def update_progress(response: Response, defn: s.FormDefinition) -> None:
    """Keep answered/required counts on the response, so dashboards need not load every answer."""
    response.answered_count, response.required_count = progress(
        defn, response.answer_map(), response.org_unit.kind.value
    )
    db.session.flush()


def numeric_value(question: s.Question | None, answer: AnswerValue) -> float | None:
    """The number kept beside the JSON value for aggregation (only real values, never none/N/A)."""
    if question is None or not question_type(question).numeric or not answer.has_value:
        return None
    return float(answer.value)


def changes_since(response: Response, version: int) -> list[Change]:
    """Who changed which question after `version` (read from the audit trail of saves)."""
    events = db.session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "response", AuditEvent.object_id == response.id)
        .where(AuditEvent.action == "response.save")
        .order_by(AuditEvent.id.desc())
        .limit(200)
    ).all()
    changes: dict[str, Change] = {}
    for event, name in events:
        details = event.details or {}
        if details.get("version", 0) <= version:
            continue
        for key in details.get("changed", []):
            changes.setdefault(key, Change(key, name or gettext("ผู้ใช้อื่น"), event.created_at))
    return list(changes.values())


def transition(
    response: Response,
    action: str,
    actor_id: int | None,
    *,
    role: Role | None = None,
    comment: str | None = None,
    checked_version: int | None = None,
    **values: Any,
) -> ResponseStatus:
    """Take `action` on the response (submit, return, certify, accept, reopen…) if the status machine allows
    it from the current status for this role, with a conditional UPDATE; record it; return the new status.

    `role` is the acting user's role (None only for the system itself: demo, tests, commands).
    `checked_version` ties the move to the answers the caller checked: a submit whose completeness was
    judged on version N goes through only if the row is still at version N (a save in between refuses it)."""
    source = response.status
    to = _allowed_move(response, action, role)
    new_version = _move_row(response, to, checked_version, values)
    for name, value in {"status": to, "row_version": new_version, **values}.items():
        set_committed_value(response, name, value)  # what the row now holds, without reading it again
    audit.record(
        f"response.{action}",
        actor_id=actor_id,
        object_type="response",
        object_id=response.id,
        org_unit_id=response.org_unit_id,
        from_state=source.value,
        to_state=to.value,
        comment=comment,
    )
    return to


def _allowed_move(response: Response, action: str, role: Role | None) -> ResponseStatus:
    """Where `action` leads from the response's status, or a Thai refusal (person responses, an action the
    status does not allow, a role the move does not allow)."""
    source = response.status
    move = TRANSITIONS.get((source, action))
    if response.is_person and (source, action) not in PERSON_TRANSITIONS:
        raise ResponseError(gettext("คำตอบของแบบสำรวจรายบุคคลไม่ผ่านการรับรอง จึงส่งกลับ รับรอง หรือเปิดแก้ไขไม่ได้"))
    if move is None:
        raise ResponseError(gettext("ทำรายการนี้ไม่ได้ เพราะแบบสอบถามอยู่ในสถานะ {status}", status=gettext(source.label_th)))
    if role is not None and role not in move.roles:
        raise ResponseError(gettext("บทบาทของคุณทำรายการนี้กับแบบสอบถามที่{status}ไม่ได้", status=gettext(source.label_th)))
    return move.target


def _move_row(response: Response, to: ResponseStatus, checked_version: int | None, values: dict[str, Any]) -> int:
    """The conditional UPDATE (still at the status read, and at the checked version when given); returns
    the new row version, or refuses saying whether the answers or the status moved meanwhile."""
    source = response.status
    condition = [Response.id == response.id, Response.status == source]
    if checked_version is not None:
        condition.append(Response.row_version == checked_version)
    new_version = db.session.scalar(
        update(Response)
        .where(*condition)
        .values(status=to, row_version=Response.row_version + 1, **values)
        .returning(Response.row_version)
        .execution_options(synchronize_session=False)
    )
    if new_version is not None:
        return int(new_version)
    db.session.refresh(response)
    if response.status == source:  # only the version moved: answers changed after they were checked
        raise ResponseError(gettext("มีการบันทึกคำตอบระหว่างที่กำลังส่ง กรุณาตรวจคำตอบแล้วกดส่งอีกครั้ง"))
    raise ResponseError(gettext("สถานะเปลี่ยนไปแล้วโดยผู้อื่น (ขณะนี้: {status})", status=gettext(response.status.label_th)))


@dataclass(frozen=True)
class SubmitOutcome:
    already: bool = False
    late: bool = False


def submit(response: Response, round_unit: RoundUnit, actor_id: int | None, now: datetime) -> SubmitOutcome:
    """Submit once: complete answers, the deadline on the server clock, the round's late rule."""
    if not response.status.editable:
        return SubmitOutcome(already=True)
    checked_version = response.row_version  # read before the answers: a later save moves it
    defn = response.round.form_version.parsed
    kind = response.org_unit.kind.value
    check = completeness(defn, _prune_hidden(response, defn, kind), kind, final=response.round.final)
    if not check.ok:
        raise Incomplete(check)
    late = now > round_unit.deadline()
    if late and response.round.late_policy == LatePolicy.REFUSE:
        raise TooLate("เลยกำหนดส่งแล้ว รอบนี้ไม่รับคำตอบหลังกำหนด คำตอบฉบับร่างยังบันทึกไว้ครบ กรุณาติดต่อหน่วยงานต้นสังกัดเพื่อขอขยายเวลา")
    first_late = response.is_late if response.submitted_at is not None else late  # on time = first sent in time
    try:
        transition(
            response,
            "resubmit" if response.status == ResponseStatus.RETURNED else "submit",
            actor_id,
            checked_version=checked_version,
            submitted_at=now,
            submitted_by_id=actor_id,
            is_late=first_late,
        )
    except ResponseError:
        if response.status == ResponseStatus.SUBMITTED:  # a parallel submit won: same result for the user
            return SubmitOutcome(already=True)
        raise
    if late:
        audit.record(
            "response.late",
            actor_id=actor_id,
            object_type="response",
            object_id=response.id,
            org_unit_id=response.org_unit_id,
        )
    return SubmitOutcome(late=late)


def _prune_hidden(response: Response, defn: s.FormDefinition, kind: str) -> Answers:
    """Answers to questions that are no longer asked (show_if turned false) do not count or get reported:
    they are deleted; returns the answers that remain."""
    answers = response.answer_map()
    visible = {q.key for q in visible_questions(defn, answers, kind)}
    hidden = [key for key in answers if key not in visible]
    if hidden:
        _delete_answers(response, hidden)
        db.session.expire(response, ["answers"])
    return {key: answer for key, answer in answers.items() if key in visible}
