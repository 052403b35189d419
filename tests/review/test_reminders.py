"""Reminders go through a real SMTP server (aiosmtpd on 127.0.0.1) and every one is logged."""

import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from survey_app.accounts.models import User
from survey_app.extensions import db
from survey_app.review.models import Notification
from tests.fixtures.review import submitted


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(app):  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    yield inbox
    app.config.update(SMTP_HOST=None)
    controller.stop()


def test_reminders_reach_late_units_and_waiting_agencies(runner, world, plan_round, smtp):
    submitted(world, plan_round, "a")  # A waits for X's certification; B and C have not submitted
    for username in ("school_b", "school_c", "cert_x", "school_a"):
        db.session.scalar(select(User).where(User.username == username)).email = f"{username}@example.test"
    db.session.commit()
    result = runner.invoke(args=["review", "remind", "--round", str(plan_round.id), "--days", "60"])
    assert result.exit_code == 0, result.output
    recipients = {r for rcpts, _ in smtp.messages for r in rcpts}
    assert {"school_b@example.test", "school_c@example.test", "cert_x@example.test"} <= recipients
    assert "school_a@example.test" not in recipients
    logged = db.session.scalars(select(Notification)).all()
    assert len(logged) == len(smtp.messages) and all(n.status == "sent" for n in logged)


def test_without_smtp_the_chase_list_is_the_reminder(runner, world, plan_round):
    result = runner.invoke(args=["review", "remind", "--round", str(plan_round.id)])
    assert result.exit_code != 0 and "chase list" in result.output
