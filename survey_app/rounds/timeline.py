"""A round's story on its page: opened, deadlines, extensions, closed early, reopened, archived — read from the
audit trail (the one record of who changed what), worded by `core.audit.ACTION_LABELS`, dates in the Buddhist Era."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from survey_app.accounts.models import OrgUnit, User
from survey_app.core import audit
from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.thai import display_date
from survey_app.extensions import db
from survey_app.forms_engine.models import FormVersion
from survey_app.rounds.models import Round, RoundUnit

ROUND_ACTIONS = (
    "round.open",
    "round.edit",
    "round.extend",
    "round.close",
    "round.reopen",
    "round.archive",
    "round.unarchive",
)
UNIT_ACTIONS = ("round.extend", "round.extend_unit")  # "round.extend" on a unit: rows written before 2569-11-30
FIELD_LABELS = {
    "title": N_("ชื่อรอบ"),
    "period": N_("รอบของปีงบประมาณ"),
    "opens_at": N_("เปิดรับ"),
    "closes_at": N_("กำหนดส่ง"),
    "late_policy": N_("การส่งหลังกำหนด"),
    "notes": N_("หมายเหตุ"),
    "kinds": N_("ประเภทหน่วยงานที่ต้องตอบ"),
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    label: str
    detail: str = ""
    who: str = ""
    last: bool = False  # the round's own dates: after the events of the same moment


def timeline(rnd: Round) -> list[Entry]:
    """The round's events in time order, with its opening and its deadline as they stand now."""
    units = select(RoundUnit.id).where(RoundUnit.round_id == rnd.id)
    stmt = (
        select(audit.AuditEvent, User.display_name, User.username, OrgUnit.name_th, OrgUnit.name_en)
        .outerjoin(User, User.id == audit.AuditEvent.actor_id)
        .outerjoin(OrgUnit, OrgUnit.id == audit.AuditEvent.org_unit_id)
        .where(
            or_(
                and_(
                    audit.AuditEvent.object_type == "round",
                    audit.AuditEvent.object_id == rnd.id,
                    audit.AuditEvent.action.in_(ROUND_ACTIONS),
                ),
                and_(
                    audit.AuditEvent.object_type == "round_unit",
                    audit.AuditEvent.object_id.in_(units),
                    audit.AuditEvent.action.in_(UNIT_ACTIONS),
                ),
            )
        )
    )
    entries = [
        _entry(event, name or username or "", pick(th, en) if th else "")
        for event, name, username, th, en in db.session.execute(stmt)
    ]
    entries.append(Entry(rnd.opens_at, gettext("เริ่มรับคำตอบ"), last=True))
    entries.append(Entry(rnd.closes_at, gettext("กำหนดส่งของรอบ (ปัจจุบัน)"), last=True))
    return sorted(entries, key=lambda e: (e.at, e.last))  # at the same moment, what was done comes first


def _entry(event: audit.AuditEvent, who: str, unit: str) -> Entry:
    details = event.details or {}
    label = audit.action_label("round.extend_unit" if event.object_type == "round_unit" else event.action)
    if "from" in details and "to" in details:
        detail = gettext("กำหนดส่ง {old} → {new}", old=_moment(details["from"]), new=_moment(details["to"]))
        detail = f"{unit}: {detail}" if event.object_type == "round_unit" else detail
    elif event.action == "round.edit":
        changed = details.get("changed") or {}
        detail = gettext("แก้ไข: {fields}", fields=", ".join(gettext(FIELD_LABELS.get(k, k)) for k in changed))
    else:
        detail = ""
    if event.comment:
        detail = f"{detail} — {event.comment}" if detail else event.comment
    return Entry(event.created_at, label, detail, who)


def _moment(value: object) -> str:
    try:
        return display_date(datetime.fromisoformat(str(value)), with_time=True)
    except ValueError:
        return str(value)


def newer_version(rnd: Round) -> FormVersion | None:
    """A published version of the round's form newer than the one it pins (moving to it is issue 17's work)."""
    stmt = (
        select(FormVersion)
        .where(FormVersion.form_key == rnd.form_version.form_key, FormVersion.version > rnd.form_version.version)
        .order_by(FormVersion.version.desc())
    )
    return db.session.scalars(stmt.limit(1)).first()
