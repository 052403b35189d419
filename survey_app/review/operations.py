"""Certification operations. They drive the response status machine (never the reverse), flush, and
leave committing to the request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import FileStorage

from survey_app.accounts.models import OrgUnit
from survey_app.accounts.tree import certifying_agency
from survey_app.core import audit
from survey_app.core.db import utcnow
from survey_app.core.i18n import gettext, pick
from survey_app.core.scope import Role
from survey_app.core.storage import StorageError, storage_for
from survey_app.extensions import db
from survey_app.responses.filetypes import check_upload, safe_filename
from survey_app.responses.models import NOT_STARTED_LABEL, Response
from survey_app.responses.operations import ResponseError, transition
from survey_app.review.models import (
    SET_TRANSITIONS,
    AgencyCertification,
    AnswerSnapshot,
    ReviewComment,
    SetMove,
    SetStatus,
    SupersededLetter,
)
from survey_app.review.sets import SetMember

LETTER_MAX_BYTES = 20 * 1024 * 1024


class ReviewError(ResponseError):
    """A refused certification step; the message is Thai and shown to the user."""


COMMENT_MAX_CHARS = 2000


def return_response(
    response: Response,
    comment: str,
    question_comments: dict[str, str],
    actor_id: int | None,
    role: Role | None = None,
) -> None:
    """Send a submitted or certified response back for correction, with a required comment (and
    comments on the form's own questions; keys the form does not have are ignored)."""
    if not comment.strip():
        raise ReviewError(gettext("กรุณาระบุเหตุผลที่ส่งกลับ (ผู้ตอบจะเห็นข้อความนี้)"))
    _ensure_set_open(response)
    _send_back(response, "return", comment, question_comments, actor_id, role)


def certify_response(response: Response, actor_id: int | None, role: Role | None = None) -> None:
    """Certify one submitted response (รับรอง)."""
    _ensure_set_open(response)
    transition(response, "certify", actor_id, role=role)


def reopen_response(response: Response, reason: str, actor_id: int | None, role: Role | None = None) -> None:
    """Unlock a certified or accepted response for correction (accepted ones only by the province, as the
    status machine says); the reason is required and recorded, and the agency's set must be certified again."""
    if not reason.strip():
        raise ReviewError(gettext("การเปิดแก้ไขต้องระบุเหตุผล"))
    _send_back(response, "reopen", reason, {}, actor_id, role)
    cert = _set_of(response)
    if cert is not None and cert.status.allows("reopen"):
        transition_set(
            cert,
            "reopen",
            actor_id,
            role,
            comment=reason.strip(),
            details={"response_id": response.id},
            province_comment=f"เปิดแก้ไข {response.org_unit.name_th}: {reason.strip()}",
        )


def _send_back(
    response: Response,
    action: str,
    comment: str,
    question_comments: dict[str, str],
    actor_id: int | None,
    role: Role | None,
) -> None:
    """Snapshot the answers, move the response to "returned" by `action`, and keep the comments."""
    comment = comment.strip()
    known = response.round.form_version.parsed.question_map()
    notes = {key: text.strip() for key, text in question_comments.items() if key in known and text.strip()}
    if any(len(text) > COMMENT_MAX_CHARS for text in [comment, *notes.values()]):
        raise ReviewError(gettext("ความเห็นยาวได้ไม่เกิน {n} ตัวอักษร", n=f"{COMMENT_MAX_CHARS:,}"))
    snapshot = AnswerSnapshot(
        response_id=response.id, answers={k: [a.state.value, a.value] for k, a in response.answer_map().items()}
    )
    db.session.add(snapshot)
    db.session.flush()
    transition(response, action, actor_id, role=role, comment=comment, return_comment=comment)
    db.session.add(ReviewComment(response_id=response.id, snapshot_id=snapshot.id, comment=comment, author_id=actor_id))
    for key, text in notes.items():
        db.session.add(
            ReviewComment(
                response_id=response.id, snapshot_id=snapshot.id, question_key=key, comment=text, author_id=actor_id
            )
        )
    db.session.flush()


def _set_of(response: Response) -> AgencyCertification | None:
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(response.org_unit.path_ids)))}
    agency_id = certifying_agency(response.org_unit, units)
    return db.session.scalar(
        select(AgencyCertification).where(
            AgencyCertification.round_id == response.round_id, AgencyCertification.agency_id == agency_id
        )
    )


def _ensure_set_open(response: Response) -> None:
    """Once the agency's set is certified or accepted, single responses change only through a reopen."""
    cert = _set_of(response)
    if cert is not None and cert.status.closed:
        raise ReviewError(gettext("หน่วยงานรับรองข้อมูลทั้งชุดแล้ว ต้องเปิดแก้ไขพร้อมเหตุผลก่อน"))


def set_problems(members: list[SetMember]) -> list[str]:
    """Why an agency's set cannot be certified yet (empty when every expected unit is certified)."""
    problems = []
    for m in members:
        status = m.response.status if m.response else None
        if status is None or not status.certified_or_accepted:
            label = gettext(status.label_th if status else NOT_STARTED_LABEL)
            problems.append(f"{pick(m.unit.name_th, m.unit.name_en)}: {label}")
    return problems


def certify_set(
    round_id: int,
    agency: OrgUnit,
    members: list[SetMember],
    letter: FileStorage,
    actor_id: int,
    role: Role | None = None,
) -> AgencyCertification:
    """The head certifies the agency's whole set with the signed letter (PDF), kept with its hash: a new set
    is created certified, a returned one is certified again through the set's status machine."""
    problems = set_problems(members)
    if problems:
        raise ReviewError(gettext("ยังรับรองทั้งชุดไม่ได้: มีหน่วยงานที่ยังไม่ได้รับรอง {n} แห่ง", n=len(problems)))
    cert = db.session.scalar(
        select(AgencyCertification).where(
            AgencyCertification.round_id == round_id, AgencyCertification.agency_id == agency.id
        )
    )
    if cert is not None and not cert.status.allows("certify"):
        raise ReviewError(gettext("หน่วยงานรับรองข้อมูลชุดนี้แล้ว"))
    key, name, digest, size = _store_letter(letter)
    letter_values: dict[str, Any] = {
        "letter_key": key,
        "letter_name": name,
        "letter_sha256": digest,
        "letter_size": size,
        "certified_by_id": actor_id,
        "certified_at": utcnow(),
    }
    details = {"letter": name, "sha256": digest, "units": len(members)}
    if cert is None:  # the first certification creates the set (the unique constraint keeps it one)
        move = _set_move(None, "certify", role)
        cert = AgencyCertification(round_id=round_id, agency_id=agency.id, status=move.target, **letter_values)
        db.session.add(cert)
        db.session.flush()
        _record_set(cert, "certify", actor_id, None, move.target, details=details)
        return cert
    # certified again after a return: the earlier signed letter is kept, not overwritten
    db.session.add(
        SupersededLetter(
            certification_id=cert.id,
            letter_key=cert.letter_key,
            letter_name=cert.letter_name,
            letter_sha256=cert.letter_sha256,
            letter_size=cert.letter_size,
            certified_by_id=cert.certified_by_id,
            certified_at=cert.certified_at,
        )
    )
    transition_set(cert, "certify", actor_id, role, details=details, **letter_values)
    return cert


def _store_letter(letter: FileStorage) -> tuple[str, str, str, int]:
    storage = storage_for(current_app)
    try:
        received = storage.receive(letter.stream, LETTER_MAX_BYTES)
    except StorageError as exc:
        raise ReviewError(str(exc)) from exc
    kind, error = check_upload(received.path, ["pdf"])
    if error or kind is None:
        storage.discard(received)
        raise ReviewError(gettext("หนังสือรับรองต้องเป็นไฟล์ PDF: {error}", error=error))
    key = storage.commit(received)
    return key, safe_filename(letter.filename or "letter.pdf"), received.sha256, received.size


def accept_set(
    cert: AgencyCertification, members: list[SetMember], actor_id: int | None, now: datetime, role: Role | None = None
) -> None:
    """The province accepts the agency's certified set: every response in it becomes accepted. The set moves
    first, so when two people decide at once the one refused has changed nothing."""
    if not cert.status.allows("accept"):
        raise ReviewError(gettext("รับข้อมูลได้เฉพาะชุดที่หน่วยงานรับรองแล้ว"))
    transition_set(cert, "accept", actor_id, role, decided_by_id=actor_id, decided_at=now)
    for m in members:
        if m.response is not None and m.response.status.allows("accept"):
            transition(m.response, "accept", actor_id, role=role)


def return_set(cert: AgencyCertification, comment: str, actor_id: int, now: datetime, role: Role | None = None) -> None:
    """The province returns an agency's set with a comment; the agency reopens what needs fixing."""
    if not comment.strip():
        raise ReviewError(gettext("กรุณาระบุเหตุผลที่ส่งกลับ"))
    if not cert.status.allows("return"):
        raise ReviewError(gettext("ส่งกลับได้เฉพาะชุดที่หน่วยงานรับรองแล้วและจังหวัดยังไม่รับ"))
    transition_set(
        cert,
        "return",
        actor_id,
        role,
        comment=comment.strip(),
        province_comment=comment.strip(),
        decided_by_id=actor_id,
        decided_at=now,
    )


def transition_set(
    cert: AgencyCertification,
    action: str,
    actor_id: int | None,
    role: Role | None = None,
    *,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
    **values: Any,
) -> SetStatus:
    """Take `action` on the agency's set if SET_TRANSITIONS allows it from its status for this role (None: the
    system itself), with a conditional UPDATE so two people acting at once end in one state; set `values`
    with it; record it; return the new status."""
    source = cert.status
    move = _set_move(source, action, role)
    moved = db.session.scalar(
        update(AgencyCertification)
        .where(AgencyCertification.id == cert.id, AgencyCertification.status == source)
        .values(status=move.target, **values)
        .returning(AgencyCertification.id)
        .execution_options(synchronize_session=False)
    )
    if moved is None:
        db.session.refresh(cert)
        raise ReviewError(
            gettext("สถานะของข้อมูลทั้งชุดเปลี่ยนไปแล้วโดยผู้อื่น (ขณะนี้: {status})", status=gettext(cert.status.label_th))
        )
    for name, value in {"status": move.target, **values}.items():
        set_committed_value(cert, name, value)  # what the row now holds, without reading it again
    _record_set(cert, action, actor_id, source, move.target, comment=comment, details=details)
    return move.target


def _set_move(source: SetStatus | None, action: str, role: Role | None) -> SetMove:
    """The move SET_TRANSITIONS allows from `source` for this role, or a refusal."""
    move = SET_TRANSITIONS.get((source, action))
    status = gettext(source.label_th) if source else gettext("ยังไม่รับรอง")
    if move is None:
        raise ReviewError(gettext("ทำรายการนี้กับข้อมูลทั้งชุดไม่ได้ เพราะอยู่ในสถานะ {status}", status=status))
    if role is not None and role not in move.roles:
        raise ReviewError(gettext("บทบาทของคุณทำรายการนี้กับข้อมูลทั้งชุดที่{status}ไม่ได้", status=status))
    return move


def _record_set(
    cert: AgencyCertification,
    action: str,
    actor_id: int | None,
    source: SetStatus | None,
    target: SetStatus,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    audit.record(
        f"set.{action}",
        actor_id=actor_id,
        object_type="agency_certification",
        object_id=cert.id,
        org_unit_id=cert.agency_id,
        from_state=source.value if source else None,
        to_state=target.value,
        comment=comment,
        details=details,
    )
