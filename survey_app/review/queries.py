"""Dashboard figures, comments and what changed since a return."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer, AnswerState
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review.models import AgencyCertification, AnswerSnapshot, ReviewComment
from survey_app.review.sets import SetMember

STATUS_ORDER = ("not_started", "draft", "submitted", "returned", "certified", "accepted")
STATUS_FILTER_LABELS = {
    "not_started": "ยังไม่เริ่ม",
    "draft": "ฉบับร่าง",
    "submitted": "รอการรับรอง",
    "returned": "ส่งกลับแก้ไข",
    "certified": "รับรองแล้ว",
    "accepted": "จังหวัดรับแล้ว",
    "late": "ยังไม่ส่ง (เลยกำหนด)",
}


RECEIVED_STATUSES = (ResponseStatus.SUBMITTED, ResponseStatus.CERTIFIED, ResponseStatus.ACCEPTED)


def member_status(m: SetMember) -> str:
    return m.response.status.value if m.response else "not_started"


def on_time(m: SetMember) -> bool | None:
    """True/False while sent (submitted, certified or accepted): first sent by its deadline or not; None
    while not sent (a returned unit is not sent until it sends again), so on time is never more than sent."""
    if m.response is None or m.response.submitted_at is None or m.response.status not in RECEIVED_STATUSES:
        return None
    return not m.response.is_late


def is_overdue(m: SetMember, now: datetime) -> bool:
    """Not submitted and past its own deadline: who the chase list is about."""
    unsent = m.response is None or m.response.status in (ResponseStatus.DRAFT, ResponseStatus.RETURNED)
    return unsent and now > m.round_unit.deadline()


@dataclass
class Summary:
    """Counts and rates over a list of members; percentages are of `expected`."""

    expected: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    on_time: int = 0
    overdue: int = 0

    @property
    def received(self) -> int:
        return sum(self.counts[s] for s in ("submitted", "certified", "accepted"))

    @property
    def certified(self) -> int:
        return self.counts["certified"] + self.counts["accepted"]

    def pct(self, n: int) -> Fraction:
        """Exact: the page rounds it once, half-up (see core/figures.py)."""
        return Fraction(100 * n, self.expected) if self.expected else Fraction(0)


def summarise(members: list[SetMember], now: datetime) -> Summary:
    summary = Summary(expected=len(members))
    for m in members:
        summary.counts[member_status(m)] += 1
        summary.on_time += on_time(m) is True
        summary.overdue += is_overdue(m, now)
    return summary


def filter_members(members: list[SetMember], status: str, kind: str, district: str, now: datetime) -> list[SetMember]:
    """The dashboard's filters: status (or 'late'), org kind, district."""
    result = members
    if status == "late":
        result = [m for m in result if is_overdue(m, now)]
    elif status:
        result = [m for m in result if member_status(m) == status]
    if kind:
        result = [m for m in result if m.unit.kind.value == kind]
    if district:
        result = [m for m in result if m.unit.district_code == district]
    return result


def certifications(round_id: int) -> dict[int, AgencyCertification]:
    rows = db.session.scalars(select(AgencyCertification).where(AgencyCertification.round_id == round_id))
    return {c.agency_id: c for c in rows}


def latest_comments(response: Response) -> dict[str | None, list[ReviewComment]]:
    """Comments of the latest return, by question key (None: the whole response)."""
    snapshot = latest_snapshot(response)
    if snapshot is None:
        return {}
    comments: dict[str | None, list[ReviewComment]] = {}
    for c in db.session.scalars(
        select(ReviewComment).where(ReviewComment.snapshot_id == snapshot.id).order_by(ReviewComment.id)
    ):
        comments.setdefault(c.question_key, []).append(c)
    return comments


def latest_snapshot(response: Response) -> AnswerSnapshot | None:
    stmt = select(AnswerSnapshot).where(AnswerSnapshot.response_id == response.id).order_by(AnswerSnapshot.id.desc())
    return db.session.scalars(stmt.limit(1)).first()


def changes_since_return(response: Response) -> dict[str, tuple[Answer | None, Answer | None]]:
    """Per question: (answer at the last return, answer now), for the questions that differ."""
    snapshot = latest_snapshot(response)
    if snapshot is None:
        return {}
    before = {k: Answer(AnswerState(state), value) for k, (state, value) in snapshot.answers.items()}
    now = response.answer_map()
    return {k: (before.get(k), now.get(k)) for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)}
