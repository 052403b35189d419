"""Dashboard figures, comments and what changed since a return."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from math import ceil
from typing import Generic, TypeVar

from flask import abort
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.i18n import N_
from survey_app.core.scope import ScopedUser, ensure_in_scope
from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer, AnswerState
from survey_app.responses.models import NOT_STARTED_LABEL, Response, ResponseStatus
from survey_app.review.models import AgencyCertification, AnswerSnapshot, ReviewComment
from survey_app.review.sets import SetMember

NOT_STARTED = "not_started"  # a member with no response: shown and filtered beside the statuses
# The summary's columns and the status filter, in the status machine's order; labels come from the enum.
STATUS_COLUMNS: dict[str, str] = {NOT_STARTED: NOT_STARTED_LABEL, **{s.value: s.label_th for s in ResponseStatus}}
STATUS_FILTER_LABELS = {
    **STATUS_COLUMNS,
    "unsent": N_("ยังไม่ส่ง (ทั้งหมด)"),
    "late": N_("ยังไม่ส่ง (เลยกำหนด)"),
}
# The chase lists an officer can download: who has not sent at all (any time), and who is past the deadline.
CHASE_LISTS = {"unsent": N_("ยังไม่ส่ง"), "overdue": N_("เลยกำหนดยังไม่ส่ง")}
PER_PAGE = 50


def member_status(m: SetMember) -> str:
    """The member's status value, or NOT_STARTED."""
    return m.response.status.value if m.response else NOT_STARTED


def on_time(m: SetMember) -> bool | None:
    """True/False while sent (submitted, certified or accepted): first sent by its deadline or not; None
    while not sent (a returned unit is not sent until it sends again), so on time is never more than sent."""
    if m.response is None or m.response.submitted_at is None or not m.response.status.sent:
        return None
    return not m.response.is_late


def is_unsent(m: SetMember) -> bool:
    """Not sent: not started, a draft, or returned and not sent again (whatever the time)."""
    return m.response is None or m.response.status.editable


def is_overdue(m: SetMember, now: datetime) -> bool:
    """Not sent and past its own deadline (extensions included)."""
    return is_unsent(m) and now > m.round_unit.deadline()


def chase_members(members: list[SetMember], which: str, now: datetime) -> list[SetMember]:
    """The members of one chase list (CHASE_LISTS): 'unsent' before or after the deadline, or 'overdue'."""
    if which == "overdue":
        return [m for m in members if is_overdue(m, now)]
    return [m for m in members if is_unsent(m)]


@dataclass
class Summary:
    """Counts and rates over a list of members; percentages are of `expected`."""

    expected: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    on_time: int = 0
    overdue: int = 0

    columns = STATUS_COLUMNS  # what the summary shows: key -> Thai label

    @property
    def received(self) -> int:
        return sum(self.counts[s] for s in ResponseStatus.SENT)

    @property
    def unsent(self) -> int:
        return self.counts[NOT_STARTED] + sum(self.counts[s] for s in ResponseStatus.EDITABLE)

    @property
    def certified(self) -> int:
        return sum(self.counts[s] for s in ResponseStatus.CERTIFIED_OR_ACCEPTED)

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


def filter_members(
    members: list[SetMember], status: str, kind: str, district: str, now: datetime, search: str = ""
) -> list[SetMember]:
    """The dashboard's filters: status (or 'unsent', 'late'), org kind, district, and a code or name search."""
    result = members
    if search:
        result = [m for m in result if matches(m, search)]
    if status == "late":
        result = [m for m in result if is_overdue(m, now)]
    elif status == "unsent":
        result = [m for m in result if is_unsent(m)]
    elif status:
        result = [m for m in result if member_status(m) == status]
    if kind:
        result = [m for m in result if m.unit.kind.value == kind]
    if district:
        result = [m for m in result if m.unit.district_code == district]
    return result


def matches(m: SetMember, search: str) -> bool:
    """A unit matches by any part of its code (or other codes) or of its Thai or English name, ignoring case
    and runs of spaces ("รร.บ้าน  นา" finds "รร.บ้าน นา")."""
    needle = " ".join(search.split()).casefold()
    unit = m.unit
    haystack = [unit.code, unit.name_th, unit.name_en or "", *(unit.alt_codes or {}).values()]
    return any(needle in " ".join(str(h).split()).casefold() for h in haystack)


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list: its items, its number (from 1), how many pages and items there are in all."""

    items: Sequence[T]
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def first(self) -> int:
        """The 1-based position of the first item shown (0 when the list is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.total else 0


def paginate(items: Sequence[T], number: int, per_page: int = PER_PAGE) -> Page[T]:
    """The page `number` of the items; a number out of range shows the nearest page."""
    pages = max(1, ceil(len(items) / per_page))
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, pages, len(items), per_page)


def set_can_be_certified(problems: list[str], cert: AgencyCertification | None) -> bool:
    """Whether the head can certify the set now: every unit certified, and the set not certified already (or
    returned by the province). The same rules operations.certify_set enforces; this only decides what to offer."""
    return not problems and (cert is None or cert.status.allows("certify"))


def agencies_by_id(ids: set[int]) -> dict[int, OrgUnit]:
    """The certifying agencies of a set of members (a handful of rows: one per agency)."""
    return {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(list(ids))))}


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


def get_certification_or_404(user: ScopedUser, cert_id: int) -> AgencyCertification:
    """An agency's set certification (and its letter) when the agency is in the user's scope, else 404."""
    cert = db.session.get(AgencyCertification, cert_id)
    if cert is None:
        abort(404)
    ensure_in_scope(user, cert.agency.id, cert.agency.path)
    return cert
