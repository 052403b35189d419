"""A round opens one form version for a fiscal year; round units are the org units expected to answer."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.accounts.models import OrgUnit
from survey_app.core.db import Base, TimestampMixin, UTCDateTime, str_enum
from survey_app.core.i18n import N_, gettext
from survey_app.core.thai import FiscalYear
from survey_app.forms_engine.models import FormVersion


class LatePolicy(StrEnum):
    """What a submission after the deadline does."""

    REFUSE = "refuse"  # refused with a message; the draft is kept
    ACCEPT = "accept"  # accepted and marked late

    @property
    def label_th(self) -> str:
        return {"refuse": N_("ไม่รับคำตอบหลังกำหนด"), "accept": N_("รับคำตอบหลังกำหนด และระบุว่าส่งช้า")}[self.value]


class RoundPhase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label_th(self) -> str:
        return {"upcoming": N_("ยังไม่เปิด"), "open": N_("เปิดรับคำตอบ"), "closed": N_("ปิดรับแล้ว")}[self.value]


class RoundPeriod(StrEnum):
    """Which report of the fiscal year a round is: the annual report, or the 6-, 9- or 12-month report."""

    ANNUAL = "annual"
    MONTH6 = "month6"
    MONTH9 = "month9"
    MONTH12 = "month12"

    @property
    def label_th(self) -> str:
        """The Thai label (a msgid: pass it through `gettext`/`_()` to show it)."""
        return _PERIOD_LABELS[self]

    @property
    def final(self) -> bool:
        """The year's final report (annual or 12 months): N/A allowed only in interim rounds is refused."""
        return self in (RoundPeriod.ANNUAL, RoundPeriod.MONTH12)

    @property
    def months(self) -> int:
        """Months of the fiscal year the report covers, counted from 1 October."""
        return {"month6": 6, "month9": 9}.get(self.value, 12)

    @property
    def na_refused(self) -> str:
        """Why N/A is refused in this final round (a msgid), shown beside the field."""
        return _NA_REFUSED.get(self, _NA_REFUSED[RoundPeriod.MONTH12])

    def end_in(self, fy: FiscalYear) -> date:
        """The last day the report covers: 31 March (6 months), 30 June (9), 30 September (12, annual)."""
        first_after = fy.start.month - 1 + self.months  # months after January of the start year
        year, month = fy.start.year + first_after // 12, first_after % 12 + 1
        return date(year, month, 1) - timedelta(days=1)


_PERIOD_LABELS = {
    RoundPeriod.ANNUAL: N_("รายงานประจำปี"),
    RoundPeriod.MONTH6: N_("รอบ 6 เดือน"),
    RoundPeriod.MONTH9: N_("รอบ 9 เดือน"),
    RoundPeriod.MONTH12: N_("รอบ 12 เดือน"),
}
_NA_REFUSED = {
    RoundPeriod.ANNUAL: N_("รายงานประจำปีต้องตอบข้อนี้ ไม่สามารถตอบ N/A ได้"),
    RoundPeriod.MONTH12: N_("รอบรายงาน 12 เดือนต้องตอบข้อนี้ ไม่สามารถตอบ N/A ได้"),
}


class Identity(StrEnum):
    """How a person round knows who answered (an org round answers for its unit and ignores this)."""

    ANONYMOUS = "anonymous"  # nobody is named: answers are seen only as aggregates
    CODE = "code"  # a one-time code per person, so each person answers exactly once
    NAME = "name"  # the respondent gives a name (in the definition language; not offered when opening a round)

    @property
    def label_th(self) -> str:
        """The Thai label (a msgid: pass it through `gettext`/`_()` to show it)."""
        return _IDENTITY_LABELS[self]

    @property
    def uses_codes(self) -> bool:
        """Each person enters a one-time code the unit hands out."""
        return self is Identity.CODE

    @property
    def asks_name(self) -> bool:
        return self is Identity.NAME


_IDENTITY_LABELS = {
    Identity.ANONYMOUS: N_("ไม่ระบุตัวตน"),
    Identity.CODE: N_("รหัสผู้ตอบใช้ครั้งเดียว (คนละ 1 ชุดพอดี)"),
    Identity.NAME: N_("ระบุชื่อผู้ตอบ"),
}
OFFERED_IDENTITIES = (Identity.ANONYMOUS, Identity.CODE)  # what the province picks from when opening a round


class Round(TimestampMixin, Base):
    """One reporting round: which form version, which fiscal year, when it opens and closes."""

    __tablename__ = "survey_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(255))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late_policy: Mapped[LatePolicy] = mapped_column(str_enum(LatePolicy, 20), default=LatePolicy.ACCEPT)
    identity: Mapped[Identity] = mapped_column(str_enum(Identity, 20), default=Identity.ANONYMOUS)
    period: Mapped[RoundPeriod] = mapped_column(
        str_enum(RoundPeriod, 20), default=RoundPeriod.ANNUAL, server_default=RoundPeriod.ANNUAL.value
    )
    notes: Mapped[str | None] = mapped_column(Text)
    # Out of respondents' sight (home page, round lists, person links answer "closed"); the province still sees it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    form_version: Mapped[FormVersion] = relationship(lazy="joined")

    @property
    def fy(self) -> FiscalYear:
        return FiscalYear(self.fiscal_year)

    @property
    def per_person(self) -> bool:
        return self.form_version.respondent == "person"

    @property
    def final(self) -> bool:
        """The year's final report: `allow_na: interim` questions do not offer N/A."""
        return self.period.final

    @property
    def period_end(self) -> date:
        """The last day of the fiscal year this round reports on."""
        return self.period.end_in(self.fy)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def phase(self, now: datetime) -> RoundPhase:
        """Upcoming, open or closed on the server clock; an archived round is closed whatever its dates say."""
        if self.archived:
            return RoundPhase.CLOSED
        if now < self.opens_at:
            return RoundPhase.UPCOMING
        return RoundPhase.OPEN if now <= self.closes_at else RoundPhase.CLOSED

    @property
    def label(self) -> str:
        return gettext(
            "{title} · {period} · ปีงบประมาณ {year}",
            title=self.title,
            period=gettext(self.period.label_th),
            year=self.fiscal_year,
        )


def new_link_token() -> str:
    """An unguessable token for a unit's person-survey link (128 bits)."""
    return secrets.token_urlsafe(16)


class RoundUnit(Base):
    """An org unit expected to answer a round, with its own deadline extension and survey link."""

    __tablename__ = "round_unit"
    __table_args__ = (UniqueConstraint("round_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    deadline_override: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    round: Mapped[Round] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    def deadline(self) -> datetime:
        """The unit's deadline: its extension when it has one, else the round's closing time (an extension
        never shortens: once the whole round is extended past it, the round's deadline counts)."""
        if self.deadline_override is None:
            return self.round.closes_at
        return max(self.deadline_override, self.round.closes_at)
