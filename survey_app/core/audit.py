"""The audit trail: who did what, when, to which object, from which state to which; and who was refused."""

import logging
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.core import ratelimit
from survey_app.core.db import Base, UTCDateTime, db, utcnow, write_intent
from survey_app.core.i18n import N_, gettext
from survey_app.core.transactions import commit_now

REFUSED = "access.refused"
REFUSAL_WINDOW_SECONDS = 60
log = logging.getLogger(__name__)

# What every recorded action means to a reader, in one place (the rows keep the codes). A new action needs
# its line here: tests/accounts/test_audit_page.py finds every `record(` in the code and fails without one.
ACTION_LABELS: dict[str, str] = {
    REFUSED: N_("ถูกปฏิเสธการเข้าถึง"),
    "login.throttled": N_("ระงับการเข้าสู่ระบบชั่วคราว (รหัสผ่านผิดหลายครั้ง)"),
    "user.login": N_("เข้าสู่ระบบ"),
    "user.logout": N_("ออกจากระบบ"),
    "user.create": N_("สร้างบัญชีผู้ใช้"),
    "user.deactivate": N_("ระงับบัญชีผู้ใช้"),
    "user.reactivate": N_("เปิดใช้บัญชีผู้ใช้อีกครั้ง"),
    "user.role": N_("เปลี่ยนบทบาทผู้ใช้"),
    "user.contact": N_("แก้ไขอีเมลหรือโทรศัพท์ของผู้ใช้"),
    "accounts.batch": N_("สร้างบัญชีให้หน่วยงานใหม่หลายบัญชี"),
    "user.password_change": N_("เปลี่ยนรหัสผ่าน"),
    "user.password_reset": N_("ตั้งรหัสผ่านใหม่ให้ผู้ใช้"),
    "directory.import": N_("นำเข้าทำเนียบหน่วยงาน"),
    "unit.create": N_("เพิ่มหน่วยงาน"),
    "unit.edit": N_("แก้ไขข้อมูลหน่วยงาน"),
    "unit.move": N_("ย้ายต้นสังกัดของหน่วยงาน"),
    "unit.deactivate": N_("ปิดใช้งานหน่วยงาน"),
    "unit.reactivate": N_("เปิดใช้งานหน่วยงานอีกครั้ง"),
    "form.publish": N_("เผยแพร่แบบสอบถาม"),
    "round.open": N_("เปิดรอบการรายงาน"),
    "round.extend": N_("ขยายกำหนดส่งของรอบ"),
    "round.extend_unit": N_("ขยายกำหนดส่งของหน่วยงาน"),
    "round.edit": N_("แก้ไขรอบการรายงาน"),
    "round.close": N_("ปิดรอบก่อนกำหนด"),
    "round.reopen": N_("เปิดรับคำตอบอีกครั้ง"),
    "round.delete": N_("ลบรอบการรายงาน"),
    "round.archive": N_("เก็บรอบเข้าคลัง"),
    "round.unarchive": N_("นำรอบออกจากคลัง"),
    "person_codes.create": N_("สร้างรหัสผู้ตอบรายบุคคล"),
    "response.create": N_("เริ่มตอบแบบสอบถาม"),
    "response.save": N_("บันทึกร่าง"),
    "response.submit": N_("ส่งแบบสอบถาม"),
    "response.resubmit": N_("ส่งอีกครั้งหลังแก้ไข"),
    "response.late": N_("ส่งหลังกำหนด"),
    "response.return": N_("ส่งกลับให้แก้ไข"),
    "response.certify": N_("รับรองข้อมูล"),
    "response.accept": N_("จังหวัดรับข้อมูล"),
    "response.reopen": N_("เปิดให้แก้ไข"),
    "upload.add": N_("แนบไฟล์"),
    "upload.remove": N_("ลบไฟล์แนบ"),
    "set.certify": N_("รับรองข้อมูลชุดของหน่วยงาน"),
    "set.accept": N_("จังหวัดรับชุดข้อมูลของหน่วยงาน"),
    "set.return": N_("จังหวัดส่งชุดข้อมูลกลับให้หน่วยงาน"),
    "set.reopen": N_("เปิดชุดข้อมูลของหน่วยงานให้แก้ไข"),
    "reminder.send": N_("ส่งอีเมลแจ้งเตือน"),
    "reminder.schedule": N_("ตั้งการเตือนอัตโนมัติก่อนกำหนดส่ง"),
}

# What kind of thing an event is about, for the "what" column.
OBJECT_LABELS: dict[str, str] = {
    "page": N_("หน้าเว็บ"),
    "user": N_("บัญชีผู้ใช้"),
    "org_unit": N_("หน่วยงาน"),
    "directory": N_("ทำเนียบหน่วยงาน"),
    "form_version": N_("แบบสอบถาม"),
    "round": N_("รอบการรายงาน"),
    "round_unit": N_("หน่วยงานในรอบการรายงาน"),
    "response": N_("คำตอบของหน่วยงาน"),
    "upload": N_("ไฟล์แนบ"),
    "agency_certification": N_("ชุดข้อมูลรับรองของหน่วยงาน"),
    "letter": N_("หนังสือรับรอง"),
    "export": N_("ไฟล์ส่งออก"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown code is shown as it is rather than hidden."""
    label = ACTION_LABELS.get(action)
    return gettext(label) if label else action


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return gettext(label) if label else object_type


class AuditEvent(Base):
    """One recorded action; rows are only ever inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


def record(
    action: str,
    *,
    actor_id: int | None,
    object_type: str,
    object_id: int | None = None,
    org_unit_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction (flushes, never commits)."""
    event = AuditEvent(
        actor_id=actor_id,
        org_unit_id=org_unit_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        details=details,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    db.session.flush()
    return event


def record_refusal(actor_id: int | None, object_type: str, object_id: int | None, org_unit_id: int | None) -> None:
    """Record that a user was refused an object (or a page), in a transaction of its own that is committed now.

    The request is about to end in a 403/404 and its session would be rolled back with it, so whatever the
    request did so far is rolled back first and only the record is committed. Nothing of the object is
    written: its type and id, the unit it belongs to, the path asked for. Probing must not flood the table:
    per user and object type, the refusals of each minute are counted, and only the 1st, 10th, 100th, …
    is recorded, carrying that count (so ≤ 1 + log10(n) rows a minute, and a record says how hard someone
    tried). If the database cannot take the record, the refusal still happens; the failure is logged."""
    try:
        db.session.rollback()
        write_intent.set(True)  # SQLite: take the write lock up front (the request may have begun read-only)
        attempts = ratelimit.count(f"refused:{actor_id}:{object_type}", REFUSAL_WINDOW_SECONDS)
        if _is_power_of_ten(attempts):
            details: dict[str, Any] = {"attempts_this_minute": attempts}
            if has_request_context():
                details |= {"method": request.method, "path": request.path[:500]}
            record(
                REFUSED,
                actor_id=actor_id,
                object_type=object_type,
                object_id=object_id,
                org_unit_id=org_unit_id,
                details=details,
            )
        commit_now()  # (b) the record stands although the request ends in a refusal
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("could not record a refused access by user %s to %s %s", actor_id, object_type, object_id)


def _is_power_of_ten(n: int) -> bool:
    while n >= 10 and n % 10 == 0:
        n //= 10
    return n == 1
