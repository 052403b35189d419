"""Reading the audit trail: the events a user may see (the one scope check on the event's unit), filtered,
paginated, and turned into lines a person reads (who, what, when, from → to) or a CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import aliased

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit, User
from survey_app.core import audit
from survey_app.core.audit import AuditEvent
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import ADMINS, PROVINCE, ScopedUser
from survey_app.core.scope import scope_clause
from survey_app.core.spreadsheets import csv_text
from survey_app.core.thai import BANGKOK, be_date_text, display_date, to_bangkok
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus, Upload
from survey_app.review.models import AgencyCertification, SetStatus
from survey_app.rounds.models import Round, RoundPeriod, RoundPhase, RoundUnit

PAGE_SIZE = 50
CSV_MAX_ROWS = 50_000
MATCHED_UNITS_MAX = 200  # a unit filter that matches more than this is too vague to be useful
Actor = aliased(User, name="actor")
ActorUnit = aliased(OrgUnit, name="actor_unit")
EventUnit = aliased(OrgUnit, name="event_unit")


@dataclass
class AuditFilter:
    """What the reader asked for; every part optional."""

    unit: str = ""
    subtree: bool = False
    user: str = ""
    action: str = ""
    round_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def visible_events(user: ScopedUser) -> Select[AuditEvent, User, OrgUnit, OrgUnit]:
    """Every event the user may see, with its actor, the actor's unit and the event's unit. The province and
    system admins see all; others (agencies) the events of units in their scope, through the one scope check."""
    stmt = (
        select(AuditEvent, Actor, ActorUnit, EventUnit)
        .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
        .outerjoin(ActorUnit, ActorUnit.id == Actor.org_unit_id)
        .outerjoin(EventUnit, EventUnit.id == AuditEvent.org_unit_id)
    )
    if user.role in ADMINS:
        return stmt
    in_scope = scope_clause(user, EventUnit.id, EventUnit.path)
    if user.role in PROVINCE:
        return stmt.where(or_(AuditEvent.org_unit_id.is_(None), in_scope))
    return stmt.where(AuditEvent.org_unit_id.is_not(None), in_scope)


def filtered(user: ScopedUser, wanted: AuditFilter) -> Select[AuditEvent, User, OrgUnit, OrgUnit]:
    """The visible events narrowed by the filter, newest first."""
    stmt = visible_events(user)
    for condition in _conditions(user, wanted):
        stmt = stmt.where(condition)
    return stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _conditions(user: ScopedUser, wanted: AuditFilter) -> Iterator[ColumnElement[bool]]:
    if wanted.unit:
        yield _unit_condition(user, wanted.unit, wanted.subtree)
    if wanted.user:
        like = f"%{_escape_like(wanted.user)}%"
        yield or_(Actor.username.ilike(like, escape="\\"), Actor.display_name.ilike(like, escape="\\"))
    if wanted.action:
        yield AuditEvent.action == wanted.action
    if wanted.round_id is not None:
        yield _round_condition(wanted.round_id)
    if wanted.date_from:
        yield AuditEvent.created_at >= _bangkok_midnight(wanted.date_from)
    if wanted.date_to:
        yield AuditEvent.created_at < _bangkok_midnight(wanted.date_to + timedelta(days=1))


def _unit_condition(user: ScopedUser, text: str, subtree: bool) -> ColumnElement[bool]:
    """Events of the units (in scope) whose code is the text or whose name contains it; with `subtree`,
    of the units below them too."""
    like = f"%{_escape_like(text)}%"
    matched = db.session.execute(
        select(OrgUnit.id, OrgUnit.path)
        .where(scope_clause(user, OrgUnit.id, OrgUnit.path))
        .where(or_(func.lower(OrgUnit.code) == text.lower(), OrgUnit.name_th.ilike(like, escape="\\")))
        .limit(MATCHED_UNITS_MAX)
    ).all()
    if not matched:
        return false()
    if subtree:
        return or_(*(EventUnit.path.startswith(path, autoescape=True) for _, path in matched))
    return AuditEvent.org_unit_id.in_([unit_id for unit_id, _ in matched])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _round_condition(round_id: int) -> ColumnElement[bool]:
    """Events about the round itself or anything belonging to it: its units, responses, uploads, agency sets."""
    owned = {
        "round_unit": select(RoundUnit.id).where(RoundUnit.round_id == round_id),
        "response": select(Response.id).where(Response.round_id == round_id),
        "upload": select(Upload.id)
        .join(Response, Response.id == Upload.response_id)
        .where(Response.round_id == round_id),
        "agency_certification": select(AgencyCertification.id).where(AgencyCertification.round_id == round_id),
    }
    return or_(
        and_(AuditEvent.object_type == "round", AuditEvent.object_id == round_id),
        *(and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids)) for kind, ids in owned.items()),
    )


def _bangkok_midnight(day: date) -> datetime:
    """The start of a Bangkok day, as the UTC instant the rows store."""
    return datetime.combine(day, time.min, tzinfo=BANGKOK)


@dataclass
class EventLine:
    """One event as the page and the CSV show it."""

    id: int
    at: datetime
    action: str
    action_label: str
    who: str
    who_username: str | None
    who_unit: str | None
    unit: str | None
    unit_code: str | None
    unit_id: int | None
    what: str
    object_id: int | None
    link: tuple[str, dict[str, int]] | None
    from_label: str | None
    to_label: str | None
    comment: str | None
    details: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class EventPage:
    lines: list[EventLine]
    total: int
    page: int
    pages: int


def page_of(user: ScopedUser, wanted: AuditFilter, page: int = 1) -> EventPage:
    """One page of the filtered events."""
    stmt = filtered(user, wanted)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    gone = _deleted_rounds([row[0] for row in rows])
    return EventPage([line_of(user, *row, gone=gone) for row in rows], total, page, pages)


def _deleted_rounds(events: list[AuditEvent]) -> frozenset[int]:
    """Rounds the events name that no longer exist (deleted): their lines get no link to a missing page."""
    ids = {e.object_id for e in events if e.object_type == "round" and e.object_id is not None}
    if not ids:
        return frozenset()
    return frozenset(ids - set(db.session.scalars(select(Round.id).where(Round.id.in_(ids)))))


def line_of(
    user: ScopedUser,
    event: AuditEvent,
    actor: User | None,
    actor_unit: OrgUnit | None,
    unit: OrgUnit | None,
    gone: frozenset[int] = frozenset(),
) -> EventLine:
    """Who (name, unit), what (action, object and its page), when, from → to, comment."""
    return EventLine(
        id=event.id,
        at=event.created_at,
        action=event.action,
        action_label=audit.action_label(event.action),
        who=(actor.display_name or actor.username) if actor else gettext("ระบบ / ไม่ระบุผู้ใช้"),
        who_username=actor.username if actor else None,
        who_unit=actor_unit.name_th if actor_unit else None,
        unit=unit.name_th if unit else None,
        unit_code=unit.code if unit else None,
        unit_id=unit.id if unit else None,
        what=audit.object_label(event.object_type),
        object_id=event.object_id,
        link=None if event.object_type == "round" and event.object_id in gone else _link(user, event),
        from_label=_state_label(event.object_type, event.from_state),
        to_label=_state_label(event.object_type, event.to_state),
        comment=event.comment,
        details=details_text(event),
    )


def _link(user: ScopedUser, event: AuditEvent) -> tuple[str, dict[str, int]] | None:
    """The page of the object, where there is one (that page checks scope again)."""
    if event.object_id is None:
        return ("accounts.directory", {}) if event.object_type == "directory" else None
    if event.object_type == "response":
        return "responses.view", {"response_id": event.object_id}
    if event.object_type == "round" and user.role in PROVINCE:
        return "rounds.detail", {"round_id": event.object_id}
    if event.object_type == "org_unit":
        return "accounts.unit", {"unit_id": event.object_id}
    if event.object_type == "user" and event.org_unit_id is not None:
        return "accounts.unit", {"unit_id": event.org_unit_id}
    return None


def _state_label(object_type: str, state: str | None) -> str | None:
    if state is None:
        return None
    enum: Any = {"agency_certification": SetStatus, "round": RoundPhase}.get(object_type, ResponseStatus)
    try:
        return gettext(enum(state).label_th)
    except ValueError:
        return state


def details_text(event: AuditEvent) -> str:
    """The event's details in a line a person reads; hashes and keys are left out."""
    details = event.details or {}
    if event.action == "directory.import":
        return gettext(
            "ไฟล์ {file}: เพิ่ม {added} แก้ไข {changed} ย้ายต้นสังกัด {moved} ไม่เปลี่ยนแปลง {unchanged}",
            **{k: details.get(k, 0) for k in ("added", "changed", "moved", "unchanged")},
            file=details.get("file", "-"),
        )
    if event.action == audit.REFUSED:
        return gettext(
            "{method} {path} (ครั้งที่ {n} ในนาทีนั้น)",
            method=details.get("method", ""),
            path=details.get("path", ""),
            n=details.get("attempts_this_minute", 1),
        )
    if event.action in ("round.extend", "round.extend_unit", "round.close", "round.reopen"):
        return gettext("กำหนดส่ง {old} → {new}", old=_moment(details.get("from")), new=_moment(details.get("to")))
    return "; ".join(
        f"{gettext(DETAIL_LABELS[k]) if k in DETAIL_LABELS else k}: {_detail_value(k, v)}"
        for k, v in details.items()
        if k not in HIDDEN_DETAILS
    )


HIDDEN_DETAILS = frozenset({"sha256", "hash", "key", "batch", "storage_key"})  # machine keys nobody reads
DETAIL_LABELS = {
    "title": N_("ชื่อรอบ"),
    "form": N_("แบบสอบถาม"),
    "version": N_("ฉบับที่"),
    "fiscal_year": N_("ปีงบประมาณ"),
    "period": N_("รอบรายงาน"),
    "audience": N_("ผู้รับ"),
    "sent": N_("ส่งแล้ว"),
    "bounced": N_("ตีกลับ"),
    "failed": N_("ส่งไม่สำเร็จ"),
    "no_address": N_("ไม่มีอีเมล"),
    "created": N_("สร้าง"),
    "updated": N_("แก้ไข"),
    "kind": N_("ประเภทหน่วยงาน"),
    "fields": N_("ข้อมูลที่แก้ไข"),
    "file": N_("ไฟล์"),
    "via": N_("ผ่าน"),
    "reason": N_("เหตุผล"),
    "response_id": N_("แบบสอบถามเลขที่"),
    "days": N_("จำนวนวัน"),
    "rows": N_("จำนวนแถว"),
    "cancelled_extensions": N_("ยกเลิกการขยายเวลา"),
}
FIELD_LABELS = {
    "email": N_("อีเมล"),
    "phone": N_("โทรศัพท์"),
    "display_name": N_("ชื่อที่แสดง"),
    "role": N_("บทบาท"),
}
AUDIENCE_LABELS = {
    "unsent": N_("หน่วยงานที่ยังไม่ส่ง"),
    "due": N_("หน่วยงานที่ใกล้ถึงกำหนดส่ง"),
    "certify": N_("หน่วยงานที่มีแบบสอบถามรอรับรอง"),
    "cli": N_("คำสั่งในระบบ"),
}


def _detail_value(key: str, value: object) -> str:
    """A detail's value in Thai where the code names something with a Thai label (kind, period, fields…)."""
    if key == "kind" and value in set(OrgKind):
        return gettext(OrgKind(str(value)).label_th)
    if key == "period" and value in set(RoundPeriod):
        return gettext(RoundPeriod(str(value)).label_th)
    if key == "fields" and isinstance(value, list):
        return ", ".join(gettext(FIELD_LABELS[f]) if f in FIELD_LABELS else str(f) for f in value)
    if key in ("audience", "via") and value in AUDIENCE_LABELS:
        return gettext(AUDIENCE_LABELS[str(value)])
    return _short(value)


def _moment(value: object) -> str:
    try:
        return display_date(datetime.fromisoformat(str(value)), with_time=True)
    except ValueError:
        return str(value or "-")


def _short(value: object) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


CSV_HEADER = (
    N_("วันเวลา (พ.ศ. เวลาไทย)"),
    N_("การกระทำ"),
    N_("รหัสการกระทำ"),
    N_("ผู้กระทำ"),
    N_("ชื่อผู้ใช้"),
    N_("หน่วยงานของผู้กระทำ"),
    N_("หน่วยงานที่เกี่ยวข้อง"),
    N_("รหัสหน่วยงาน"),
    N_("สิ่งที่เกี่ยวข้อง"),
    N_("เลขอ้างอิง"),
    N_("จาก"),
    N_("เป็น"),
    N_("หมายเหตุ"),
    N_("รายละเอียด"),
)


def csv_of(user: ScopedUser, wanted: AuditFilter) -> str:
    """The filtered events as CSV (formula-looking cells neutralised by the shared writer)."""
    rows = db.session.execute(filtered(user, wanted).limit(CSV_MAX_ROWS)).all()
    gone = _deleted_rounds([row[0] for row in rows])
    lines = (line_of(user, *row, gone=gone) for row in rows)
    return csv_text([gettext(h) for h in CSV_HEADER], (_csv_row(line) for line in lines))


def _csv_row(line: EventLine) -> list[object]:
    local = to_bangkok(line.at)
    return [
        f"{be_date_text(local.date())} {local:%H:%M:%S}",
        line.action_label,
        line.action,
        line.who,
        line.who_username,
        line.who_unit,
        line.unit,
        line.unit_code,
        line.what,
        line.object_id,
        line.from_label,
        line.to_label,
        line.comment,
        line.details,
    ]


def round_choices() -> list[tuple[str, str]]:
    """Every round, newest first, for the filter."""
    rounds = db.session.scalars(select(Round).order_by(Round.fiscal_year.desc(), Round.id.desc()))
    return [(str(r.id), r.label) for r in rounds]
