"""Review comments, answer snapshots taken at a return, agency certification sets, notifications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.accounts.models import OrgUnit
from survey_app.core.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from survey_app.core.i18n import N_


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
    """An agency's whole set of responses for a round."""

    CERTIFIED = "certified"  # the head certified it with a signed letter
    RETURNED = "returned"  # the province returned it with a comment
    ACCEPTED = "accepted"  # the province accepted it

    @property
    def label_th(self) -> str:
        return {
            "certified": N_("หน่วยงานรับรองแล้ว"),
            "returned": N_("จังหวัดส่งกลับ"),
            "accepted": N_("จังหวัดรับข้อมูลแล้ว"),
        }[self.value]


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


class Notification(Base):
    """Every reminder sent (or that could not be sent), for the record."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))  # email
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))  # sent | failed
    error: Mapped[str | None] = mapped_column(Text)
