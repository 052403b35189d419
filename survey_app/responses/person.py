"""Person-level surveys (OD, tablet, member registration): answers through a unit's public link, tied to the
unit only; anonymous unless the form collects names (`identity: name`). Files sent through the link are
checked and stored like a signed-in upload, within the link's quota."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from survey_app.core import audit
from survey_app.core.db import utcnow
from survey_app.core.i18n import gettext
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.builder import SectionRead, completeness, form_class, read_section
from survey_app.responses.models import Answer as AnswerRow
from survey_app.responses.models import PersonCode, Response
from survey_app.responses.operations import numeric_value, rows_changed, transition, update_progress
from survey_app.responses.uploads import StoredFiles, link_quota, store_new_files
from survey_app.rounds.models import Identity, Round, RoundUnit

NAME_MAX_LENGTH = 120  # fits Response.respondent_label (255) with room; a person's name and title


def whole_form_class(defn: s.FormDefinition, cache_key: str) -> type[FlaskForm]:
    """One form with every section's fields: person surveys are answered on one page."""
    merged = s.Section(key="whole_form", title=s.LocalText(th="all"), questions=defn.questions())
    return form_class(defn, merged, f"{cache_key}:all")


@dataclass
class PersonRead:
    answers: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def read_whole(defn: s.FormDefinition, form: FlaskForm, kind: str) -> PersonRead:
    """Read every section of the posted one-page survey, then check completeness."""
    result = PersonRead()
    for section in defn.sections:
        read: SectionRead = read_section(defn, section, form, result.answers, kind)
        result.answers.update(read.answers)
        result.errors.update(read.errors)
    check = completeness(defn, result.answers, kind)
    for q in check.missing:
        result.errors.setdefault(q.key, [gettext("กรุณาตอบข้อนี้")])
    for key, messages in check.failed_checks.items():
        result.errors.setdefault(key, messages)
    return result


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a slip of paper
CODE_LENGTH = 8
MAX_CODES_AT_ONCE = 500


def issue_codes(round_unit: RoundUnit, count: int, actor_id: int | None) -> int:
    """Add one-time respondent codes to a unit's link (1 to MAX_CODES_AT_ONCE at a time) and record how many
    were made, for which unit and by whom; the codes themselves are never written to the audit trail."""
    count = min(max(count, 1), MAX_CODES_AT_ONCE)
    db.session.add_all(PersonCode(round_unit_id=round_unit.id, code=_new_code()) for _ in range(count))
    db.session.flush()
    audit.record(
        "person_codes.create",
        actor_id=actor_id,
        object_type="round_unit",
        object_id=round_unit.id,
        org_unit_id=round_unit.org_unit_id,
        details={"count": count},
    )
    return count


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def claim_code(round_unit: RoundUnit, code: str) -> PersonCode | None:
    """Use a one-time code (conditional update: two people with one code cannot both get in)."""
    cleaned = code.strip().upper()
    row = db.session.scalar(
        select(PersonCode).where(PersonCode.round_unit_id == round_unit.id, PersonCode.code == cleaned)
    )
    if row is None:
        return None
    result = db.session.execute(
        update(PersonCode).where(PersonCode.id == row.id, PersonCode.used_at.is_(None)).values(used_at=utcnow())
    )
    return row if rows_changed(result) == 1 else None


def round_identity(rnd: Round) -> Identity:
    """How a person round knows who answered: a form that collects names (`identity: name`) always asks for
    one, whatever the round was opened with; otherwise the round's own choice (anonymous or one-time codes)."""
    return Identity.NAME if rnd.form_version.parsed.collects_names else rnd.identity


def read_name(typed: str | None) -> tuple[str, str | None]:
    """The respondent's name as typed (spaces tidied) and the message beside the field when it is refused."""
    name = " ".join((typed or "").split())
    if not name:
        return name, gettext("กรุณากรอกชื่อ-นามสกุลของผู้ตอบ")
    if len(name) > NAME_MAX_LENGTH:
        return name, gettext("ชื่อยาวเกินไป (ไม่เกิน {n} ตัวอักษร)", n=NAME_MAX_LENGTH)
    return name, None


class FilesRefused(Exception):
    """A file of the posted answer was refused (type, size, count or the link's quota): nothing is kept."""

    def __init__(self, stored: StoredFiles) -> None:
        super().__init__("files refused")
        self.stored = stored


def store_person_files(
    round_unit: RoundUnit, response: Response, defn: s.FormDefinition, pending: dict[str, list[FileStorage]]
) -> StoredFiles:
    """Check and store the files of one public answer under the link's quota (flushed, not committed: the
    caller deletes `keys` when the transaction does not commit)."""
    config = current_app.config
    quota = link_quota(
        round_unit.round_id,
        round_unit.org_unit_id,
        int(config.get("UPLOAD_QUOTA_PER_LINK_MB", 500)) * 1024 * 1024,
        int(config.get("UPLOAD_QUOTA_PER_LINK_FILES", 2000)),
    )
    return store_new_files(response, defn, pending, None, quota=quota)


def check_person_files(
    round_unit: RoundUnit, defn: s.FormDefinition, pending: dict[str, list[FileStorage]]
) -> StoredFiles:
    """Check the files of an answer that cannot be sent yet (another field is wrong), so a refused file is
    named beside its field at once. They are stored under a placeholder response the caller rolls back (and
    deletes `keys`): nothing of an answer that was not sent is kept."""
    placeholder = Response(round_id=round_unit.round_id, org_unit_id=round_unit.org_unit_id, org_slot=None)
    db.session.add(placeholder)
    db.session.flush()
    return store_person_files(round_unit, placeholder, defn, pending)


def record_person_response(
    round_unit: RoundUnit,
    defn: s.FormDefinition,
    answers: dict[str, Answer],
    now: datetime,
    code: PersonCode | None,
    device_hash: str | None = None,
    files: dict[str, list[FileStorage]] | None = None,
    name: str | None = None,
) -> Response:
    """Store one person's complete answers as a submitted response of the unit (no user attached); its files
    are stored first, and FilesRefused (with the keys already stored, to delete) is raised when one is refused."""
    questions = defn.question_map()
    response = Response(
        round_id=round_unit.round_id,
        org_unit_id=round_unit.org_unit_id,
        org_slot=None,
        device_hash=device_hash,
        respondent_label=name,
    )
    db.session.add(response)
    db.session.flush()
    if files:
        stored = store_person_files(round_unit, response, defn, files)
        if stored.errors:
            raise FilesRefused(stored)
        answers = {**answers, **stored.answers}
    for key, value in answers.items():
        response.answers.append(
            AnswerRow(
                question_key=key,
                state=value.state,
                value=value.value,
                value_num=numeric_value(questions.get(key), value),
            )
        )
    update_progress(response, defn)
    audit.record(
        "response.create",
        actor_id=None,
        object_type="response",
        object_id=response.id,
        org_unit_id=round_unit.org_unit_id,
        details={"person": True},
    )
    late = now > round_unit.deadline()
    transition(response, "submit", None, submitted_at=now, is_late=late)
    if code is not None:
        code.response_id = response.id
        db.session.flush()
    return response


# A browser's device id: random, made here, never tied to a person; only its per-round hash is stored.
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{22}")
AGAIN_MAX_AGE = 7 * 24 * 3600  # a form left open on a shared tablet still sends; one answer spends the choice


def new_device_id() -> str:
    """A random id for a browser that has none (128 bits, the shape of secrets.token_urlsafe(16))."""
    return secrets.token_urlsafe(16)


def valid_device_id(value: str | None) -> TypeGuard[str]:
    """Only ids we could have made are used; anything else is replaced by a fresh one."""
    return value is not None and _DEVICE_ID.fullmatch(value) is not None


def device_hash(round_id: int, device_id: str) -> str:
    """HMAC-SHA256 of the device id, keyed with the app's secret and salted with the round (64 hex).

    One-way, so the stored value cannot be turned back into the cookie; per round, so one tablet's answers
    to different surveys cannot be linked to each other through it."""
    key = _secret_key()
    key_bytes = key if isinstance(key, bytes) else key.encode()
    return hmac.new(key_bytes, f"device:{round_id}:{device_id}".encode(), hashlib.sha256).hexdigest()


def new_answered_mark() -> str:
    """The "already answered" cookie's value: new at each answer, so an "again" choice is spent by one answer."""
    return secrets.token_urlsafe(9)


def _secret_key() -> str | bytes:
    """The app's secret; refuses to sign or hash with none (never with the text "None" or an empty key)."""
    key = current_app.secret_key
    if not key:
        raise RuntimeError("SECRET_KEY is not set")
    return key


def _again_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret_key(), salt="person-answer-again")


def _mark_digest(mark: str) -> str:
    return hashlib.sha256(mark.encode()).hexdigest()[:16]


def again_token(round_unit_id: int, answered_mark: str) -> str:
    """Signed proof that this browser, after answering, chose "another person answers on this device"."""
    return _again_signer().dumps({"ru": round_unit_id, "mark": _mark_digest(answered_mark)})


def again_allowed(token: str | None, round_unit_id: int, answered_mark: str) -> bool:
    """True when the posted choice was offered to this browser, for this unit, since its last answer."""
    if not token:
        return False
    try:
        data = _again_signer().loads(token, max_age=AGAIN_MAX_AGE)
    except BadData:
        return False
    return isinstance(data, dict) and data == {"ru": round_unit_id, "mark": _mark_digest(answered_mark)}
