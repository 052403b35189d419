"""Review comments, answer snapshots taken at a return, agency certification sets, reminders and their log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.accounts.models import OrgUnit
from survey_app.core.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from survey_app.core.i18n import N_
from survey_app.core.permissions import PROVINCE, REVIEWERS, Role


class ReviewComment(Base):
    """A certifier's comment on a returned response: on one question, or on the whole (question_key NULL)."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("answer_snapshot.id", ondelete="CASCADE"))
    question_key: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnswerSnapshot(Base):
    """The answers as they were when a response was returned, to show what changed on resubmission."""

    __tablename__ = "answer_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # key -> [state, value]


class SetStatus(StrEnum):
    """Where an agency's whole set of responses for a round stands. It changes only through
    `review.operations.transition_set`, by the moves in SET_TRANSITIONS."""

    CERTIFIED = "certified"  # the head certified it with a signed letter
    RETURNED = "returned"  # the province returned it, or one of its responses was reopened
    ACCEPTED = "accepted"  # the province accepted it

    @property
    def label_th(self) -> str:
        """The Thai label (a msgid: pass it through `gettext`/`_()` to show it)."""
        return _SET_LABELS[self]

    @property
    def closed(self) -> bool:
        """Certified or accepted: its responses change only through a reopen, and it is not certified again."""
        return self is not SetStatus.RETURNED

    @property
    def awaiting_decision(self) -> bool:
        """Certified by the agency and waiting for the province to accept or return it."""
        return self is SetStatus.CERTIFIED

    def allows(self, action: str) -> bool:
        """Whether SET_TRANSITIONS has `action` from this status, for some role."""
        return (self, action) in SET_TRANSITIONS


_SET_LABELS = {
    SetStatus.CERTIFIED: N_("หน่วยงานรับรองแล้ว"),
    SetStatus.RETURNED: N_("จังหวัดส่งกลับ"),
    SetStatus.ACCEPTED: N_("จังหวัดรับข้อมูลแล้ว"),
}


class SetMove(NamedTuple):
    """Where an action leads a set from a status, and which roles may take it."""

    target: SetStatus
    roles: frozenset[Role]


# Every allowed move of a set, by the status it starts from (None: no set yet, so the head's certification
# creates it) and the action asked for; anything else is refused. Reopening one of its responses sends the
# set back to "returned" (by whoever may reopen that response: the agency a certified one, only the province
# an accepted one), so it must be certified again.
SET_TRANSITIONS: dict[tuple[SetStatus | None, str], SetMove] = {
    (None, "certify"): SetMove(SetStatus.CERTIFIED, REVIEWERS),
    (SetStatus.RETURNED, "certify"): SetMove(SetStatus.CERTIFIED, REVIEWERS),
    (SetStatus.CERTIFIED, "accept"): SetMove(SetStatus.ACCEPTED, PROVINCE),
    (SetStatus.CERTIFIED, "return"): SetMove(SetStatus.RETURNED, PROVINCE),
    (SetStatus.CERTIFIED, "reopen"): SetMove(SetStatus.RETURNED, REVIEWERS),
    (SetStatus.ACCEPTED, "reopen"): SetMove(SetStatus.RETURNED, PROVINCE),
}


class AgencyCertification(TimestampMixin, Base):
    """The head's certification of an agency's set for a round, with the signed official letter."""

    __tablename__ = "agency_certification"
    __table_args__ = (UniqueConstraint("round_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[SetStatus] = mapped_column(str_enum(SetStatus, 20))
    letter_key: Mapped[str] = mapped_column(String(64))
    letter_name: Mapped[str] = mapped_column(String(255))
    letter_sha256: Mapped[str] = mapped_column(String(64))
    letter_size: Mapped[int]
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    province_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[OrgUnit] = relationship(lazy="joined")


class SupersededLetter(Base):
    """A signed letter replaced when a returned set was certified again: kept, never swept, because the
    audit trail names it and an office may have to show what was certified before."""

    __tablename__ = "superseded_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("agency_certification.id", ondelete="CASCADE"), index=True)
    letter_key: Mapped[str] = mapped_column(String(64))
    letter_name: Mapped[str] = mapped_column(String(255))
    letter_sha256: Mapped[str] = mapped_column(String(64))
    letter_size: Mapped[int]
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderStatus(StrEnum):
    """What became of one reminder e-mail."""

    SENT = "sent"  # the SMTP server took it
    BOUNCED = "bounced"  # the server refused the recipient (its reply is kept in `error`)
    FAILED = "failed"  # no server, a dropped connection, a refused message: nothing was taken

    @property
    def label_th(self) -> str:
        """The Thai label (a msgid: pass it through `gettext`/`_()` to show it)."""
        return _REMINDER_LABELS[self]


_REMINDER_LABELS = {
    ReminderStatus.SENT: N_("ส่งแล้ว"),
    ReminderStatus.BOUNCED: N_("ถูกตีกลับ"),
    ReminderStatus.FAILED: N_("ส่งไม่สำเร็จ"),
}


class ReminderMessage(Base):
    """One reminder e-mail to one address (or the attempt), for the log; a batch is one send."""

    __tablename__ = "reminder_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"), index=True)
    audience: Mapped[str] = mapped_column(String(20))  # a key of reminders.AUDIENCES
    address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    status: Mapped[ReminderStatus] = mapped_column(str_enum(ReminderStatus, 20))
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))  # None: schedule

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class ReminderSchedule(Base):
    """A round's "remind N days before the deadline". The first process whose due-check finds it due claims
    it with a conditional UPDATE (`claimed_at IS NULL`), so it is sent once however many processes look."""

    __tablename__ = "reminder_schedule"
    __table_args__ = (UniqueConstraint("round_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    days_before: Mapped[int]
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # "host:pid" of the process that sent it
    batch_id: Mapped[str | None] = mapped_column(String(32))  # the send it made (None: nothing to send)
