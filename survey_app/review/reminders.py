"""Reminder e-mails in one place: who is reminded (the audiences), the message, delivery over SMTP and the log.
`flask review remind`, the reminders page and the schedule (review/reminder_schedule.py) all come through here.

The mails are written in Thai whatever language the sender reads the page in: they go to Thai offices.
Delivery touches no database (`deliver` returns plain values), so a caller may send without holding a write
lock and log afterwards (`log_batch`): the schedule does; a page's POST logs in its own request transaction.
"""

from __future__ import annotations

import contextlib
import secrets
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_request_context
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit, User
from survey_app.core import audit
from survey_app.core.i18n import N_
from survey_app.core.permissions import RESPONDENTS, REVIEWERS, Role
from survey_app.core.scope import ScopedUser, scope_clause
from survey_app.core.thai import thai_date
from survey_app.core.web import public_url
from survey_app.extensions import db
from survey_app.review.models import ReminderMessage, ReminderStatus
from survey_app.review.queries import agencies_by_id, is_unsent
from survey_app.review.sets import SetMember, agency_members, round_members
from survey_app.rounds.models import Round

# Who a reminder goes to: units that have not sent; those of them whose deadline is within N days (or
# past); the certifying agencies with answers of their units waiting for certification.
AUDIENCES: dict[str, str] = {
    "unsent": N_("หน่วยงานที่ยังไม่ส่ง"),
    "due_soon": N_("หน่วยงานที่ยังไม่ส่งและใกล้ถึงกำหนดส่ง"),
    "awaiting": N_("หน่วยงานต้นสังกัดที่มีแบบสอบถามรอการรับรอง"),
}
LOG_LIMIT = 200  # the page shows the latest messages; the audit trail keeps every send's counts
ERROR_MAX = 500
SMTP_TIMEOUT_SECONDS = 10


class Everyone:
    """The scope of the command line and of the schedule: every unit."""

    role = Role.SYSTEM_ADMIN
    org_unit_id = 0
    org_path = "/"


@dataclass(frozen=True)
class Contact:
    """A person who may be reminded for a unit: an enabled account, with whatever contact it has."""

    name: str
    email: str | None
    phone: str | None


@dataclass
class Target:
    """A unit to remind, its deadline, the people reached for it, and the message they get."""

    unit: OrgUnit
    deadline: datetime
    contacts: list[Contact]
    subject: str = ""
    body: str = ""
    waiting: int = 0  # for an agency: its units' answers awaiting certification

    @property
    def addresses(self) -> list[str]:
        """The distinct addresses, in the order the accounts were made (one mail each)."""
        return list(dict.fromkeys(c.email for c in self.contacts if c.email))

    @property
    def phones(self) -> list[Contact]:
        return [c for c in self.contacts if c.phone]


@dataclass
class Plan:
    """What a send would do: the round, the audience (and N days), the units with and without an address."""

    rnd: Round
    audience: str
    days: int
    targets: list[Target] = field(default_factory=list)

    @property
    def reachable(self) -> list[Target]:
        return [t for t in self.targets if t.addresses]

    @property
    def unreachable(self) -> list[Target]:
        """Units nobody can be e-mailed for: the office phones them."""
        return [t for t in self.targets if not t.addresses]

    @property
    def address_count(self) -> int:
        return sum(len(t.addresses) for t in self.targets)


@dataclass(frozen=True)
class Delivery:
    """One mail's outcome, in plain values (no database object)."""

    unit_id: int
    address: str
    subject: str
    status: ReminderStatus
    error: str | None = None


@dataclass
class Batch:
    """One send: its id and counts."""

    batch_id: str
    deliveries: list[Delivery]
    no_address: int

    def count(self, status: ReminderStatus) -> int:
        return sum(d.status is status for d in self.deliveries)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in ReminderStatus} | {"no_address": self.no_address}


# -- who ---------------------------------------------------------------------------------------------------


def plan_reminder(
    user: ScopedUser, rnd: Round, audience: str, days: int, now: datetime, agency_id: int | None = None
) -> Plan:
    """The units of the round in the user's scope (and of one agency's set) to remind, with their contacts
    and messages. `days` matters only for 'due_soon': a deadline within that many days, or already past."""
    members = agency_members(user, rnd.id, agency_id) if agency_id else round_members(user, rnd.id)
    plan = Plan(rnd, audience, days)
    if audience == "awaiting":
        waiting: dict[int, int] = {}
        for m in members:
            if m.response is not None and m.response.status.awaiting_review:
                waiting[m.agency_id] = waiting.get(m.agency_id, 0) + 1
        agencies = agencies_by_id(set(waiting))
        contacts = contacts_of(waiting, REVIEWERS)
        for agency_id_, n in sorted(waiting.items(), key=lambda item: agencies[item[0]].path):
            plan.targets.append(Target(agencies[agency_id_], rnd.closes_at, contacts.get(agency_id_, []), waiting=n))
    else:
        chosen = [m for m in members if is_unsent(m) and (audience == "unsent" or _due_within(m, days, now))]
        contacts = contacts_of({m.unit.id for m in chosen}, RESPONDENTS)
        plan.targets = [Target(m.unit, m.round_unit.deadline(), contacts.get(m.unit.id, [])) for m in chosen]
    for target in plan.targets:
        target.subject, target.body = compose(plan, target, now)
    return plan


def _due_within(m: SetMember, days: int, now: datetime) -> bool:
    return (m.round_unit.deadline() - now).total_seconds() <= days * 86400


def contacts_of(unit_ids: Iterable[int], roles: frozenset[Role]) -> dict[int, list[Contact]]:
    """The enabled accounts with one of these roles, per unit, oldest first."""
    ids = list(unit_ids)
    stmt = (
        select(User)
        .where(User.org_unit_id.in_(ids), User.is_enabled.is_(True), User.role.in_(list(roles)))
        .order_by(User.id)
    )
    result: dict[int, list[Contact]] = {}
    for u in db.session.scalars(stmt) if ids else ():
        result.setdefault(u.org_unit_id, []).append(Contact(u.display_name or u.username, u.email, u.phone))
    return result


# -- what --------------------------------------------------------------------------------------------------


def compose(plan: Plan, target: Target, now: datetime) -> tuple[str, str]:
    """The Thai subject and body for one unit: the round, the deadline in the Buddhist Era, the link."""
    rnd = plan.rnd
    title = f"{rnd.form_version.title_th} ({rnd.title}) ปีงบประมาณ {rnd.fiscal_year}"
    deadline = thai_date(target.deadline, short=False, with_time=True)
    if plan.audience == "awaiting":
        subject = f"มีแบบสอบถามรอการรับรอง: {rnd.title}"
        lines = [
            f"เรียน {target.unit.name_th}",
            "",
            f"{title}",
            f"มีแบบสอบถามของหน่วยงานในสังกัด {target.waiting} แห่ง รอการตรวจสอบและรับรอง",
            f"กำหนดส่งของรอบ {deadline}",
            "",
            f"ตรวจสอบและรับรองได้ที่ {_link('review.dashboard', round_id=rnd.id)}",
        ]
    else:
        state = "เลยกำหนดส่งแล้ว" if now > target.deadline else f"เหลือเวลาอีก {_days_left(target.deadline, now)} วัน"
        subject = f"แจ้งเตือน: กรุณาส่งแบบสอบถาม {rnd.title} ภายใน {thai_date(target.deadline)}"
        lines = [
            f"เรียน {target.unit.name_th}",
            "",
            f"{title}",
            f"หน่วยงานของท่านยังไม่ได้ส่งแบบสอบถาม กำหนดส่ง {deadline} ({state})",
            "",
            f"กรุณาเข้าระบบเพื่อตอบและส่งได้ที่ {_link('responses.round_entry', round_id=rnd.id)}",
        ]
    lines += ["", "ข้อความนี้ส่งจากระบบติดตามแบบสอบถามโดยอัตโนมัติ กรุณาอย่าตอบกลับอีเมลนี้"]
    return subject[:255], "\n".join(lines)


def _days_left(deadline: datetime, now: datetime) -> int:
    """Whole days left, counting a part of a day as a day (so the last day says 1, not 0)."""
    seconds = (deadline - now).total_seconds()
    return max(1, int(-(-seconds // 86400)))


def _link(endpoint: str, **values: object) -> str:
    """An absolute link (PUBLIC_BASE_URL when set); outside a request (CLI, schedule) a request is made up."""
    if has_request_context():
        return public_url(endpoint, **values)
    with current_app.test_request_context("/"):
        return public_url(endpoint, **values)


# -- sending -----------------------------------------------------------------------------------------------


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def deliver(plan: Plan, config: Mapping[str, object]) -> list[Delivery]:
    """Mail every address of every reachable unit over one SMTP connection (opened again after a drop)."""
    mailer = _Mailer(config)
    try:
        return [
            Delivery(t.unit.id, address, t.subject, *mailer.send(address, t.subject, t.body))
            for t in plan.reachable
            for address in t.addresses
        ]
    finally:
        mailer.close()


def send(plan: Plan, actor: ScopedUser | None, *, scheduled_days: int | None = None) -> Batch:
    """Deliver and log the plan in the current transaction (flushes, never commits)."""
    deliveries = deliver(plan, current_app.config)
    return log_batch(plan.rnd.id, plan.audience, plan.days, deliveries, len(plan.unreachable), actor, scheduled_days)


def log_batch(
    round_id: int,
    audience: str,
    days: int,
    deliveries: list[Delivery],
    no_address: int,
    actor: ScopedUser | None,
    scheduled_days: int | None = None,
) -> Batch:
    """A log row per mail and one audit record (`reminder.send`) with the counts."""
    batch = Batch(secrets.token_hex(8), deliveries, no_address)
    actor_id = getattr(actor, "id", None)
    for d in deliveries:
        db.session.add(
            ReminderMessage(
                batch_id=batch.batch_id,
                round_id=round_id,
                org_unit_id=d.unit_id,
                audience=audience,
                address=d.address,
                subject=d.subject,
                status=d.status,
                error=d.error,
                sent_by_id=actor_id,
            )
        )
    details: dict[str, object] = {"batch": batch.batch_id, "audience": audience, **batch.counts}
    if audience == "due_soon":
        details["days"] = days
    if scheduled_days is not None:
        details["scheduled_days_before"] = scheduled_days
    audit.record(
        "reminder.send",
        actor_id=actor_id,
        object_type="round",
        object_id=round_id,
        org_unit_id=actor.org_unit_id if actor is not None and actor_id is not None else None,
        details=details,
    )
    return batch


class _Mailer:
    """One SMTP connection, opened at the first mail; a refused recipient is a bounce with the server's reply."""

    def __init__(self, config: Mapping[str, object]) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, address: str, subject: str, body: str) -> tuple[ReminderStatus, str | None]:
        try:
            if self.smtp is None:
                self.smtp = smtplib.SMTP(
                    str(self.config["SMTP_HOST"]), int(str(self.config["SMTP_PORT"])), timeout=SMTP_TIMEOUT_SECONDS
                )
            self.smtp.send_message(self._message(address, subject, body))
            return ReminderStatus.SENT, None
        except smtplib.SMTPRecipientsRefused as exc:
            return ReminderStatus.BOUNCED, _reply(*exc.recipients.get(address, (0, str(exc).encode())))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return ReminderStatus.FAILED, _reply(exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()  # a dropped or refused connection: the next mail opens a new one
            return ReminderStatus.FAILED, (str(exc) or type(exc).__name__)[:ERROR_MAX]

    def _message(self, address: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = str(self.config["SMTP_FROM"])
        message["To"] = address
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="survey.local")
        message.set_content(body)
        return message

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}"[:ERROR_MAX]


# -- the log -----------------------------------------------------------------------------------------------


def log_rows(user: ScopedUser, round_id: int, agency: OrgUnit | None = None) -> list[ReminderMessage]:
    """The latest reminder messages of the round to units in the user's scope (and under one agency)."""
    stmt = (
        select(ReminderMessage)
        .join(OrgUnit, OrgUnit.id == ReminderMessage.org_unit_id)
        .where(ReminderMessage.round_id == round_id, scope_clause(user, OrgUnit.id, OrgUnit.path))
        .order_by(ReminderMessage.id.desc())
        .limit(LOG_LIMIT)
    )
    if agency is not None:
        stmt = stmt.where(OrgUnit.path.startswith(agency.path, autoescape=True))
    return list(db.session.scalars(stmt))
