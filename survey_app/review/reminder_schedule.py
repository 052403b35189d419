"""Scheduled reminders: "remind N days before the deadline", per round, sent once by whichever process looks first.

`remind_due` is the due-check, a plain function: the app's own scheduler (core/background.PeriodicTask, started
by `init_app` when the app serves requests) calls it every REMINDER_CHECK_SECONDS, `flask review remind-due`
calls it once, and a task queue can call it later. Each due (round, days) row is claimed with a conditional
UPDATE (`claimed_at IS NULL`) committed before any mail leaves, so two processes never send it twice; a
process that dies after its claim leaves that reminder unsent rather than sent twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select, update

from survey_app.core import audit
from survey_app.core.background import PeriodicTask, process_owner
from survey_app.core.db import write_intent
from survey_app.core.scope import ScopedUser
from survey_app.core.thai import now_bangkok
from survey_app.core.transactions import commit_now, rollback
from survey_app.extensions import db
from survey_app.review import reminders
from survey_app.review.models import ReminderSchedule
from survey_app.rounds.models import Round

DAYS_MAX = 90  # a reminder further ahead than a quarter is not a reminder


def schedule_of(round_id: int) -> list[ReminderSchedule]:
    """The round's scheduled reminders, furthest ahead first."""
    stmt = select(ReminderSchedule).where(ReminderSchedule.round_id == round_id)
    return list(db.session.scalars(stmt.order_by(ReminderSchedule.days_before.desc())))


def set_schedule(rnd: Round, days: list[int], actor: ScopedUser) -> None:
    """Keep exactly these days for the round (flushes). A day already sent stays recorded as sent and is not
    sent again; a day taken away that was not sent yet is removed."""
    wanted = set(days)
    existing = {s.days_before: s for s in schedule_of(rnd.id)}
    before = sorted(existing, reverse=True)
    for n, row in existing.items():
        if n not in wanted and row.claimed_at is None:
            db.session.delete(row)
    for n in wanted - set(existing):
        db.session.add(ReminderSchedule(round_id=rnd.id, days_before=n))
    db.session.flush()
    audit.record(
        "reminder.schedule",
        actor_id=getattr(actor, "id", None),
        object_type="round",
        object_id=rnd.id,
        org_unit_id=actor.org_unit_id,
        from_state=",".join(map(str, before)) or None,
        to_state=",".join(map(str, sorted(wanted, reverse=True))) or None,
    )


def due(now: datetime) -> dict[int, list[ReminderSchedule]]:
    """Unclaimed schedules of open (unarchived) rounds whose moment (deadline minus N days) has come, by round."""
    rows = db.session.execute(
        select(ReminderSchedule, Round)
        .join(Round, Round.id == ReminderSchedule.round_id)
        .where(
            ReminderSchedule.claimed_at.is_(None),
            Round.archived_at.is_(None),  # out of respondents' sight: nobody is asked to answer it
            Round.opens_at <= now,
            Round.closes_at > now,
        )
    ).all()
    by_round: dict[int, list[ReminderSchedule]] = defaultdict(list)
    for schedule, rnd in rows:
        if rnd.closes_at - timedelta(days=schedule.days_before) <= now and not rnd.per_person:
            by_round[rnd.id].append(schedule)
    return by_round


def claim(schedule_id: int, now: datetime) -> bool:
    """Take one schedule for this process: True when this UPDATE changed the row (nobody had it)."""
    result = db.session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.id == schedule_id, ReminderSchedule.claimed_at.is_(None))
        .values(claimed_at=now, claimed_by=process_owner())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def remind_due(now: datetime | None = None) -> list[reminders.Batch]:
    """Send every due scheduled reminder once; returns the batches sent. Without SMTP nothing is claimed, so
    the reminders wait for a server to be configured (while their moment lasts, i.e. until the deadline)."""
    if not reminders.smtp_configured():
        return []
    now = now or now_bangkok()
    batches = []
    for round_id, schedules in due(now).items():
        claimed = {s.id: s.days_before for s in schedules if claim(s.id, now)}
        commit_now()  # (a) the claim must be seen by every other process before a mail leaves
        if claimed:
            batch = _send_scheduled(round_id, claimed, now)  # two due at once (after a pause): one mail
            if batch is not None:
                batches.append(batch)
    return batches


def _send_scheduled(round_id: int, claimed: dict[int, int], now: datetime) -> reminders.Batch | None:
    """Plan and deliver without a write lock (SQLite), then log and commit; the claim keeps it from repeating.
    `claimed`: schedule id -> days; the nearest day decides who is due."""
    days = min(claimed.values())
    write_intent.set(False)
    try:
        rnd = db.session.get(Round, round_id)
        if rnd is None:
            return None
        plan = reminders.plan_reminder(reminders.Everyone(), rnd, "due_soon", days, now)
        deliveries = reminders.deliver(plan, current_app.config)
        no_address = len(plan.unreachable)
        rollback()  # end the read before the writes below take the lock
    finally:
        write_intent.set(True)
    batch = reminders.log_batch(round_id, "due_soon", days, deliveries, no_address, None, scheduled_days=days)
    db.session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.id.in_(list(claimed)))
        .values(batch_id=batch.batch_id)
        .execution_options(synchronize_session=False)
    )
    commit_now()  # (c) each round's log stands on its own
    return batch


# -- the app's own scheduler ---------------------------------------------------------------------------------


def _check(app: Flask) -> None:
    with app.app_context():
        try:
            for batch in remind_due():
                app.logger.info("scheduled reminders sent: %s", batch.counts)
        finally:
            db.session.remove()


def init_app(app: Flask) -> None:
    """Start the periodic due-check when the app serves requests (`flask run`, gunicorn), not in the test
    suite nor in other `flask` commands; REMINDER_SCHEDULER=0 turns it off (e.g. when `remind-due` runs)."""
    app.config.setdefault("REMINDER_SCHEDULER", not app.testing)
    if app.config["REMINDER_SCHEDULER"]:
        task = PeriodicTask("reminders", _check, lambda a: float(a.config.get("REMINDER_CHECK_SECONDS", 300)))
        app.extensions["reminder_scheduler"] = task
        app.before_request(lambda: task.start(app))
