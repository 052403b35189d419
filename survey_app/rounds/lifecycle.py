"""A round's life after it opens: edit, close early, extend, reopen, delete, archive. Each change is checked
here (a refusal is a RoundFieldError with a Thai message for the field it concerns), audited, and flushed; the
request commits.

Audience (the kinds of units expected) may grow at any time, and may shrink only while nobody has answered:
removing a kind from a round with answers would leave those answers belonging to no expected unit, so the
completeness and late counts would silently drop them. Adding a kind only adds expected units, which is what
an office means when it forgot one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.core import audit
from survey_app.core.i18n import gettext
from survey_app.core.thai import display_date
from survey_app.extensions import db
from survey_app.rounds import queries
from survey_app.rounds.models import LatePolicy, Round, RoundPeriod, RoundPhase, RoundUnit, new_link_token
from survey_app.rounds.operations import RoundError, _refuse_duplicate


class RoundFieldError(RoundError):
    """A refusal that belongs beside one field of the form (`field` is the form field's name)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _moment(value: datetime) -> str:
    return display_date(value, with_time=True)


def edit_round(
    rnd: Round,
    *,
    title: str,
    period: RoundPeriod,
    opens_at: datetime,
    closes_at: datetime,
    late_policy: LatePolicy,
    notes: str | None,
    kinds: Iterable[OrgKind],
    actor_id: int,
) -> None:
    """Change what the province typed when opening the round; what changed is kept in the audit details."""
    if closes_at <= opens_at:
        raise RoundFieldError("closes_at", gettext("กำหนดส่งต้องอยู่หลังวันเปิดรับ"))
    answered = queries.has_answers(rnd.id)
    period = RoundPeriod(period)
    if period != rnd.period:
        if answered and period.final != rnd.period.final:
            raise RoundFieldError(
                "period", gettext("รอบนี้มีผู้ตอบแล้ว เปลี่ยนระหว่างรอบระหว่างปีกับรอบสุดท้ายของปีไม่ได้ เพราะกติกาการตอบ N/A ต่างกัน")
            )
        try:
            _refuse_duplicate(rnd.form_version.form_key, rnd.fiscal_year, period)
        except RoundError as exc:
            raise RoundFieldError("period", str(exc)) from None
    kind_change = _change_audience(rnd, set(kinds), answered)
    new = {
        "title": title,
        "period": period,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "late_policy": LatePolicy(late_policy),
        "notes": notes or None,
    }
    changed: dict[str, list[object]] = {
        k: [_plain(getattr(rnd, k)), _plain(v)] for k, v in new.items() if getattr(rnd, k) != v
    }
    for key, value in new.items():
        setattr(rnd, key, value)
    if kind_change:
        changed["kinds"] = list(kind_change)
    db.session.flush()
    audit.record("round.edit", actor_id=actor_id, object_type="round", object_id=rnd.id, details={"changed": changed})


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)


def _change_audience(rnd: Round, wanted: set[OrgKind], answered: bool) -> list[list[str]] | None:
    """Add the units of added kinds; drop those of removed kinds (refused once anyone answered)."""
    current = queries.kinds_of(rnd.id)
    added, removed = wanted - current, current - wanted
    if removed and answered:
        raise RoundFieldError(
            "kinds",
            gettext(
                "รอบนี้มีผู้ตอบแล้ว จึงนำประเภทหน่วยงานออกไม่ได้ ({kinds}) เพิ่มประเภทได้อย่างเดียว ถ้ารอบนี้เปิดผิด ให้ปิดรอบหรือเก็บเข้าคลัง",
                kinds=", ".join(gettext(k.label_th) for k in sorted(removed)),
            ),
        )
    if removed:
        unit_ids = select(OrgUnit.id).where(OrgUnit.kind.in_(list(removed)))
        db.session.execute(delete(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id.in_(unit_ids)))
    if added:
        units = db.session.scalars(select(OrgUnit).where(OrgUnit.active, OrgUnit.kind.in_(list(added))))
        db.session.add_all(
            RoundUnit(round_id=rnd.id, org_unit_id=u.id, link_token=new_link_token() if rnd.per_person else None)
            for u in units
        )
    if not (added or removed):
        return None
    return [sorted(k.value for k in current), sorted(k.value for k in wanted)]


def close_early(rnd: Round, now: datetime, reason: str | None, actor_id: int) -> None:
    """The deadline becomes now, for every unit: extensions that reach past now end now too, so "closed"
    means nobody can still send on time; units that have not sent are then late (or refused) per the policy."""
    if rnd.phase(now) != RoundPhase.OPEN:
        raise RoundError(gettext("ปิดรอบก่อนกำหนดได้เฉพาะรอบที่เปิดรับคำตอบอยู่"))
    old = rnd.closes_at
    ended = list(
        db.session.scalars(select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.deadline_override > now))
    )
    for ru in ended:
        ru.deadline_override = None
    rnd.closes_at = now
    db.session.flush()
    details = {"from": old.isoformat(), "to": now.isoformat(), "extensions_ended": len(ended)}
    audit.record(
        "round.close",
        actor_id=actor_id,
        object_type="round",
        object_id=rnd.id,
        from_state="open",
        to_state="closed",
        comment=reason or None,
        details=details,
    )


def extend_round(rnd: Round, new_deadline: datetime, reason: str | None, actor_id: int, now: datetime) -> None:
    """A later deadline for the whole round while it is still open (a closed round is reopened instead)."""
    if rnd.archived or rnd.phase(now) == RoundPhase.CLOSED:
        raise RoundFieldError("new_deadline", gettext('รอบนี้ปิดรับแล้ว ใช้ "เปิดรับอีกครั้ง" แทน'))
    if new_deadline <= rnd.closes_at:
        raise RoundFieldError(
            "new_deadline", gettext("กำหนดส่งใหม่ต้องอยู่หลังกำหนดส่งเดิม ({day})", day=_moment(rnd.closes_at))
        )
    old, rnd.closes_at = rnd.closes_at, new_deadline
    db.session.flush()
    details = {"from": old.isoformat(), "to": new_deadline.isoformat()}
    audit.record(
        "round.extend",
        actor_id=actor_id,
        object_type="round",
        object_id=rnd.id,
        comment=reason or None,
        details=details,
    )


def reopen_round(rnd: Round, new_deadline: datetime, reason: str | None, actor_id: int, now: datetime) -> None:
    """A closed round takes answers again until a new deadline in the future; late answers stay marked late."""
    if rnd.archived or rnd.phase(now) != RoundPhase.CLOSED:
        raise RoundFieldError("new_deadline", gettext("เปิดรับอีกครั้งได้เฉพาะรอบที่ปิดรับแล้วและไม่อยู่ในคลัง"))
    if new_deadline <= now:
        raise RoundFieldError("new_deadline", gettext("กำหนดส่งใหม่ต้องอยู่ในอนาคต (หลัง {now})", now=_moment(now)))
    old, rnd.closes_at = rnd.closes_at, new_deadline
    db.session.flush()
    audit.record(
        "round.reopen",
        actor_id=actor_id,
        object_type="round",
        object_id=rnd.id,
        from_state="closed",
        to_state="open",
        comment=reason or None,
        details={"from": old.isoformat(), "to": new_deadline.isoformat()},
    )


def delete_round(rnd: Round, reason: str | None, actor_id: int) -> None:
    """Remove a round nobody has answered (its expected units, links and codes go with it); once anyone has
    answered, the answers are the office's record and the round can only be archived."""
    if queries.has_answers(rnd.id):
        raise RoundError(gettext("รอบนี้มีผู้ตอบแล้ว ลบไม่ได้ เก็บเข้าคลังแทนได้ (ซ่อนจากผู้ตอบ แต่จังหวัดยังเห็นข้อมูล)"))
    version = rnd.form_version
    what = {
        "title": rnd.title,
        "form": version.form_key,
        "version": version.version,
        "fiscal_year": rnd.fiscal_year,
        "period": rnd.period.value,
    }
    audit.record(
        "round.delete", actor_id=actor_id, object_type="round", object_id=rnd.id, comment=reason or None, details=what
    )
    round_id = rnd.id
    db.session.expunge(rnd)
    db.session.execute(delete(RoundUnit).where(RoundUnit.round_id == round_id))
    db.session.execute(delete(Round).where(Round.id == round_id))
    db.session.flush()


def archive_round(rnd: Round, reason: str | None, actor_id: int, now: datetime) -> None:
    """Out of respondents' sight: gone from home pages and round lists, its person links answer "closed"."""
    if rnd.archived:
        raise RoundError(gettext("รอบนี้อยู่ในคลังแล้ว"))
    rnd.archived_at = now
    db.session.flush()
    audit.record("round.archive", actor_id=actor_id, object_type="round", object_id=rnd.id, comment=reason or None)


def unarchive_round(rnd: Round, reason: str | None, actor_id: int) -> None:
    """Back in sight with its dates as they were (a round whose deadline passed stays closed)."""
    if not rnd.archived:
        raise RoundError(gettext("รอบนี้ไม่ได้อยู่ในคลัง"))
    rnd.archived_at = None
    db.session.flush()
    audit.record("round.unarchive", actor_id=actor_id, object_type="round", object_id=rnd.id, comment=reason or None)
