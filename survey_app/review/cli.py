"""`flask review remind`: e-mail reminders when SMTP is configured; every notification is logged."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage

import click
from flask import Flask, current_app
from sqlalchemy import select

from survey_app.accounts.models import User
from survey_app.core.scope import Role
from survey_app.core.thai import now_bangkok, thai_date
from survey_app.core.transactions import command_transaction
from survey_app.extensions import db
from survey_app.review.models import Notification
from survey_app.review.queries import is_overdue
from survey_app.review.sets import round_members
from survey_app.rounds import queries as round_queries

review_cli = click.Group("review", help="การติดตามและรับรอง")


class _Everyone:
    """The scope of the command line: every unit."""

    role = Role.SYSTEM_ADMIN
    org_unit_id = 0
    org_path = "/"


@review_cli.command("remind")
@click.option("--round", "round_id", type=int, required=True)
@click.option("--days", default=3, show_default=True, help="เตือนเมื่อเหลือเวลาไม่เกินกี่วัน (รวมที่เลยกำหนด)")
def remind(round_id: int, days: int) -> None:
    """E-mail units that have not submitted and agencies with answers waiting for certification."""
    if not current_app.config.get("SMTP_HOST"):
        raise click.ClickException("ยังไม่ได้ตั้งค่า SMTP_HOST: ใช้รายชื่อที่ยังไม่ส่ง (chase list) จากหน้าติดตามแทน")
    rnd = round_queries.get_round_or_404(round_id)
    now = now_bangkok()
    members = round_members(_Everyone(), round_id)
    unsent = [
        m
        for m in members
        if (m.response is None or m.response.status.editable) and m.round_unit.deadline() - now <= timedelta(days=days)
    ]
    waiting = {m.agency_id for m in members if m.response is not None and m.response.status.awaiting_review}
    with command_transaction():
        sent = sum(
            _notify_unit(rnd, m.unit.id, f"กรุณาส่ง {rnd.form_version.title_th}", _unit_text(rnd, m, now)) for m in unsent
        )
        sent += sum(_notify_unit(rnd, agency_id, "มีแบบสอบถามรอการรับรอง", _agency_text(rnd)) for agency_id in waiting)
    click.echo(f"ส่งอีเมลเตือน {sent} ฉบับ (ยังไม่ส่ง {len(unsent)} หน่วยงาน, รอการรับรอง {len(waiting)} หน่วยงาน)")


def _unit_text(rnd, m, now) -> str:
    state = "เลยกำหนดแล้ว" if is_overdue(m, now) else "ใกล้ถึงกำหนด"
    return (
        f"{m.unit.name_th}\n\n{rnd.form_version.title_th} ({rnd.title}) {state}\n"
        f"กำหนดส่ง {thai_date(m.round_unit.deadline(), with_time=True)}\nกรุณาเข้าระบบเพื่อตอบและส่ง"
    )


def _agency_text(rnd) -> str:
    return f"{rnd.form_version.title_th} ({rnd.title}): มีแบบสอบถามของหน่วยงานในสังกัดรอการรับรอง กรุณาเข้าระบบเพื่อตรวจสอบ"


def _notify_unit(rnd, unit_id: int, subject: str, body: str) -> int:
    """Mail every account of the unit that has an address; log each attempt. Returns the number sent."""
    addresses: Iterable[str] = db.session.scalars(
        select(User.email).where(User.org_unit_id == unit_id, User.email.is_not(None))
    )
    sent = 0
    for address in addresses:
        status, error = "sent", None
        try:
            _send(address, subject, body)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            status, error = "failed", str(exc)[:500]
        db.session.add(
            Notification(
                round_id=rnd.id,
                org_unit_id=unit_id,
                channel="email",
                recipient=address,
                subject=subject,
                status=status,
                error=error,
            )
        )
    return sent


def _send(address: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = address
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"], timeout=10) as smtp:
        smtp.send_message(message)


def register_cli(app: Flask) -> None:
    app.cli.add_command(review_cli)
