"""`flask review remind` and `flask review remind-due`: reminder e-mails through review/reminders.py, logged."""

from __future__ import annotations

import click
from flask import Flask

from survey_app.core.thai import now_bangkok
from survey_app.core.transactions import command_transaction
from survey_app.review import reminders
from survey_app.review.models import ReminderStatus
from survey_app.review.reminder_schedule import remind_due
from survey_app.rounds import queries as round_queries

review_cli = click.Group("review", help="การติดตามและรับรอง")


@review_cli.command("remind")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--days", default=3, show_default=True, help="เตือนเมื่อเหลือเวลาไม่เกินกี่วัน (รวมที่เลยกำหนด)")
@click.option("--all-unsent", is_flag=True, help="เตือนทุกหน่วยงานที่ยังไม่ส่ง ไม่ว่าจะเหลือเวลาเท่าใด")
def remind(round_id: int, days: int, all_unsent: bool) -> None:
    """E-mail units that have not sent (deadline within --days) and agencies with answers awaiting certification."""
    if not reminders.smtp_configured():
        raise click.ClickException("ยังไม่ได้ตั้งค่า SMTP_HOST: ใช้รายชื่อที่ยังไม่ส่ง (chase list) จากหน้าติดตามแทน")
    rnd = round_queries.get_round_or_404(round_id)
    now = now_bangkok()
    everyone = reminders.Everyone()
    with command_transaction():
        unsent = reminders.plan_reminder(everyone, rnd, "unsent" if all_unsent else "due_soon", days, now)
        waiting = reminders.plan_reminder(everyone, rnd, "awaiting", days, now)
        batches = [reminders.send(plan, None) for plan in (unsent, waiting) if plan.targets]
    sent = sum(b.count(ReminderStatus.SENT) for b in batches)
    bounced = sum(b.count(ReminderStatus.BOUNCED) + b.count(ReminderStatus.FAILED) for b in batches)
    click.echo(
        f"ส่งอีเมลเตือน {sent} ฉบับ, ไม่สำเร็จ {bounced} ฉบับ (ยังไม่ส่ง {len(unsent.targets)} หน่วยงาน,"
        f" รอการรับรอง {len(waiting.targets)} หน่วยงาน, ไม่มีอีเมล {len(unsent.unreachable) + len(waiting.unreachable)}"
        " หน่วยงาน)"
    )


@review_cli.command("remind-due")
def remind_due_command() -> None:
    """Send the scheduled reminders that are due now, once (what the app's scheduler does every few minutes)."""
    batches = remind_due()
    for batch in batches:
        click.echo(f"ส่งการแจ้งเตือนตามกำหนด: {batch.counts}")
    click.echo(f"ครบกำหนด {len(batches)} รายการ")


def register_cli(app: Flask) -> None:
    app.cli.add_command(review_cli)
