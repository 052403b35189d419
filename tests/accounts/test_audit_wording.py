"""The audit page reads as Thai: a round's states, the details of a reminder, an account batch or a round, and
no link to a round that was deleted (the journey of issue 18 found English keys and dead links there)."""

from __future__ import annotations

from survey_app.admin.audit_queries import AuditFilter, page_of
from survey_app.core import audit
from tests.factories import province_with_users


def test_details_and_states_are_in_thai(db):
    audit.record("round.close", actor_id=None, object_type="round", object_id=987654, from_state="open",
                 to_state="closed", details={"from": "2026-12-01T09:30:00+00:00", "to": "2026-11-30T09:30:00+00:00"})  # fmt: skip
    audit.record("reminder.send", actor_id=None, object_type="round", object_id=987654,
                 details={"batch": "d6a3", "audience": "unsent", "sent": 1, "bounced": 0, "no_address": 4})  # fmt: skip
    audit.record(
        "accounts.batch", actor_id=None, object_type="directory", details={"created": 2, "kind": "basic_school"}
    )
    audit.record("user.contact", actor_id=None, object_type="user", object_id=1, details={"fields": ["email", "phone"]})
    db.session.commit()
    world = province_with_users()
    lines = {line.action: line for line in page_of(world["province"], AuditFilter()).lines}
    close = lines["round.close"]
    assert (close.from_label, close.to_label) == ("เปิดรับคำตอบ", "ปิดรับแล้ว")
    assert close.link is None  # round 987654 does not exist (deleted): no link to a missing page
    send = lines["reminder.send"].details
    assert send == "ผู้รับ: หน่วยงานที่ยังไม่ส่ง; ส่งแล้ว: 1; ตีกลับ: 0; ไม่มีอีเมล: 4"  # the batch id left out
    assert lines["accounts.batch"].details == "สร้าง: 2; ประเภทหน่วยงาน: โรงเรียนการศึกษาขั้นพื้นฐาน"
    assert lines["user.contact"].details == "ข้อมูลที่แก้ไข: อีเมล, โทรศัพท์"
