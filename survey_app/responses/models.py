"""Responses, their answers and uploads, and the response status machine.

A response's status only changes through `transition()` in operations.py, which runs a conditional UPDATE
(safe when two people act at once) and writes the audit record. Nobody assigns a status by hand.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from survey_app.accounts.models import OrgUnit
from survey_app.core.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from survey_app.core.i18n import N_
from survey_app.core.permissions import PROVINCE, RESPONDENTS, REVIEWERS, Role
from survey_app.forms_engine.answers import Answer as AnswerValue
from survey_app.forms_engine.answers import AnswerState
from survey_app.rounds.models import Round

ORG_SLOT = 0  # org responses use slot 0, so (round, unit, slot) is unique; person responses use NULL


class ResponseStatus(StrEnum):
    """Where a response stands. Its Thai label and the groups it belongs to are here and nowhere else: code
    and templates ask `status.editable`, `status.sent`…, queries use the class groups (`ResponseStatus.SENT`)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"  # sent, waiting for the agency to certify it
    RETURNED = "returned"  # sent back for correction (not certified)
    CERTIFIED = "certified"  # the agency certified it
    ACCEPTED = "accepted"  # the province accepted the agency's certified set

    # Named groups, filled in below once the members exist.
    EDITABLE: ClassVar[tuple[ResponseStatus, ...]]
    SENT: ClassVar[tuple[ResponseStatus, ...]]
    CERTIFIED_OR_ACCEPTED: ClassVar[tuple[ResponseStatus, ...]]

    @property
    def label_th(self) -> str:
        """The Thai label (a msgid: pass it through `gettext`/`_()` to show it)."""
        return _LABELS[self]

    @property
    def editable(self) -> bool:
        """The respondent may change answers only in a draft or a returned response."""
        return self in ResponseStatus.EDITABLE

    @property
    def sent(self) -> bool:
        """Sent and not returned since: submitted, certified or accepted (what counts as received)."""
        return self in ResponseStatus.SENT

    @property
    def certified_or_accepted(self) -> bool:
        """Certified by the agency (and perhaps accepted by the province since)."""
        return self in ResponseStatus.CERTIFIED_OR_ACCEPTED

    @property
    def sent_back(self) -> bool:
        """Returned for correction: the respondent sees the reviewer's comments until sending it again."""
        return self is ResponseStatus.RETURNED

    @property
    def awaiting_review(self) -> bool:
        """Sent and waiting for the agency: the reviewer may certify it (or return it)."""
        return self is ResponseStatus.SUBMITTED

    def allows(self, action: str) -> bool:
        """Whether the status machine (TRANSITIONS) has `action` from this status, for some role."""
        return (self, action) in TRANSITIONS


ResponseStatus.EDITABLE = (ResponseStatus.DRAFT, ResponseStatus.RETURNED)
ResponseStatus.SENT = (ResponseStatus.SUBMITTED, ResponseStatus.CERTIFIED, ResponseStatus.ACCEPTED)
ResponseStatus.CERTIFIED_OR_ACCEPTED = (ResponseStatus.CERTIFIED, ResponseStatus.ACCEPTED)

_LABELS = {
    ResponseStatus.DRAFT: N_("ฉบับร่าง"),
    ResponseStatus.SUBMITTED: N_("ส่งแล้ว รอการรับรอง"),
    ResponseStatus.RETURNED: N_("ส่งกลับให้แก้ไข"),
    ResponseStatus.CERTIFIED: N_("รับรองแล้ว"),
    ResponseStatus.ACCEPTED: N_("จังหวัดรับข้อมูลแล้ว"),
}
NOT_STARTED_LABEL = N_("ยังไม่เริ่มตอบ")  # an expected unit with no response yet: not a status, but listed beside them


class Move(NamedTuple):
    """Where an action leads from a status, and which roles may take it."""

    target: ResponseStatus
    roles: frozenset[Role]


_RESPONDENT, _REVIEWERS, _PROVINCE = RESPONDENTS, REVIEWERS, PROVINCE  # named in core/permissions.py

# Every allowed move of the status machine, by the status it starts from and the action asked for; anything
# else is refused, whichever route asks. Accepted answers change only through the province's reopen: an
# agency can never "return" them. A person response only ever moves from draft to submitted
# (PERSON_TRANSITIONS): it is outside certification.
TRANSITIONS: dict[tuple[ResponseStatus, str], Move] = {
    (ResponseStatus.DRAFT, "submit"): Move(ResponseStatus.SUBMITTED, _RESPONDENT),
    (ResponseStatus.RETURNED, "resubmit"): Move(ResponseStatus.SUBMITTED, _RESPONDENT),
    (ResponseStatus.SUBMITTED, "return"): Move(ResponseStatus.RETURNED, _REVIEWERS),
    (ResponseStatus.CERTIFIED, "return"): Move(ResponseStatus.RETURNED, _REVIEWERS),
    (ResponseStatus.SUBMITTED, "certify"): Move(ResponseStatus.CERTIFIED, _REVIEWERS),
    (ResponseStatus.CERTIFIED, "accept"): Move(ResponseStatus.ACCEPTED, _PROVINCE),
    (ResponseStatus.CERTIFIED, "reopen"): Move(ResponseStatus.RETURNED, _REVIEWERS),
    (ResponseStatus.ACCEPTED, "reopen"): Move(ResponseStatus.RETURNED, _PROVINCE),
}


PERSON_TRANSITIONS = frozenset({(ResponseStatus.DRAFT, "submit")})


class Response(TimestampMixin, Base):
    """One unit's (or one person's) answers to a round."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("round_id", "org_unit_id", "org_slot"),
        Index("ix_response_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_slot: Mapped[int | None]  # ORG_SLOT for org responses, NULL for person responses (set explicitly)
    status: Mapped[ResponseStatus] = mapped_column(str_enum(ResponseStatus, 20), default=ResponseStatus.DRAFT)
    row_version: Mapped[int] = mapped_column(default=1)
    is_late: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    respondent_label: Mapped[str | None] = mapped_column(String(255))  # person rounds that ask for a name/code
    return_comment: Mapped[str | None] = mapped_column(Text)
    answered_count: Mapped[int] = mapped_column(default=0)  # kept at each save, for dashboards
    required_count: Mapped[int] = mapped_column(default=0)
    # person responses: HMAC of the browser's random device id (see responses/person.py), to flag duplicates
    device_hash: Mapped[str | None] = mapped_column(String(64))

    round: Mapped[Round] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")

    @property
    def is_person(self) -> bool:
        """One person's answers to a person survey (OD, tablet): anonymous, seen only as aggregates, never
        certified, returned or edited by anyone but its respondent while answering."""
        return self.org_slot is None

    def answer_map(self) -> dict[str, AnswerValue]:
        """Answers as the form engine's values, by question key.

        Pages that only read (most requests) get three columns in one query, no Answer objects; once the
        answers are loaded as objects (a save is changing them), those are the truth and are used."""
        session = object_session(self)
        if session is None or "answers" in self.__dict__:  # loaded relationships live in the instance dict
            return {a.question_key: a.as_value() for a in self.answers}
        rows = session.execute(_ANSWERS_OF, {"response_id": self.id})
        return {key: AnswerValue(state, value) for key, state, value in rows}


class Answer(Base):
    """One question's answer: a value, an explicit none, or N/A (a missing answer has no row)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[AnswerState] = mapped_column(str_enum(AnswerState, 10))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    value_num: Mapped[float | None] = mapped_column(Float)  # numbers and ratings, for fast aggregation
    changed_in_version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")

    def as_value(self) -> AnswerValue:
        return AnswerValue(self.state, self.value)


class Upload(Base):
    """A stored file of a file question. The original (Thai) name is metadata; the stored name is generated."""

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    response: Mapped[Response] = relationship()

    def record(self) -> dict[str, Any]:
        """What the answer stores about this file."""
        return {"id": self.id, "name": self.original_name, "size": self.size, "kind": self.kind}


# Built once: most pages read a response's answers, so the statement is not rebuilt per request.
_ANSWERS_OF = select(Answer.question_key, Answer.state, Answer.value).where(
    Answer.response_id == bindparam("response_id")
)


class PersonCode(Base):
    """A one-time code for person rounds that want exactly one answer per person."""

    __tablename__ = "person_code"
    __table_args__ = (UniqueConstraint("round_unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_unit_id: Mapped[int] = mapped_column(ForeignKey("round_unit.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"))
