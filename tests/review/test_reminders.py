"""Reminders go through a real SMTP server (aiosmtpd on 127.0.0.1) and every mail is logged: the page's preview
(who is e-mailed, who must be phoned), the send, bounces, the agency's scope, and scheduled reminders sent once."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from survey_app.accounts.models import User
from survey_app.core.audit import AuditEvent
from survey_app.core.thai import BANGKOK
from survey_app.extensions import db
from survey_app.review.models import ReminderMessage, ReminderSchedule, ReminderStatus
from survey_app.review.reminder_schedule import remind_due
from survey_app.rounds.models import Round
from tests.fixtures.answering import make_round
from tests.fixtures.app import csrf_token
from tests.fixtures.review import submitted
from tests.fixtures.smtp import REFUSED, smtp_server

# 15 March 2030 16:30 Bangkok = "15 มีนาคม 2573 16:30 น." (2030 + 543), written out by hand.
CLOSES = datetime(2030, 3, 15, 16, 30, tzinfo=BANGKOK)
CLOSES_TH = "15 มีนาคม 2573 16:30 น."


@pytest.fixture
def smtp(app):  # type: ignore[no-untyped-def]
    with smtp_server(app) as inbox:
        yield inbox


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def contacts(world):  # type: ignore[no-untyped-def]
    """A has two clerks with addresses; B has no address but a phone; C has neither; X's certifier has one."""
    from tests.factories import make_user

    _user("school_a").email = "a1@example.test"
    second = make_user(world["a"], username="school_a2")
    second.email, second.display_name = "a2@example.test", "ธุรการ เอ"
    _user("school_b").phone = "056-111-222"
    _user("cert_x").email = "x@example.test"
    db.session.commit()
    return world


@pytest.fixture
def rnd(contacts):  # type: ignore[no-untyped-def]
    return make_round(contacts, closes=CLOSES)


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    client.post("/login", data={"username": username, "password": "Secret-pass-123", "csrf_token": token})


def _send(client, rnd, query: str = "", **data):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/review/rounds/{rnd.id}/reminders{query}")
    payload = {"csrf_token": token, "audience": "unsent", "days": "3", **data}
    return client.post(f"/review/rounds/{rnd.id}/reminders/send{query}", data=payload)


def _expected_codes(rnd) -> set[str]:  # type: ignore[no-untyped-def]
    from survey_app.accounts.models import OrgUnit
    from survey_app.rounds.models import RoundUnit

    stmt = select(OrgUnit.code).join(RoundUnit, RoundUnit.org_unit_id == OrgUnit.id).where(RoundUnit.round_id == rnd.id)
    return set(db.session.scalars(stmt))


# -- the preview ----------------------------------------------------------------------------------------------


def test_the_preview_lists_who_gets_mail_and_whom_to_phone(client, rnd):
    assert {"A0000001", "B0000001", "C0000001"} <= _expected_codes(rnd)
    _login(client, "province")
    html = client.get(f"/review/rounds/{rnd.id}/reminders?audience=unsent&days=3").get_data(as_text=True)
    reach = html.split('data-testid="reachable"')[1].split("</table>")[0]
    assert "A0000001" in reach and "a1@example.test" in reach and "a2@example.test" in reach
    assert "B0000001" not in reach and "C0000001" not in reach
    phones = html.split('data-testid="unreachable"')[1].split("</table>")[0]
    assert 'href="tel:056-111-222"' in phones and "B0000001" in phones and "C0000001" in phones
    assert "ไม่มีเบอร์โทรศัพท์" in phones.split('data-testid="phone-C0000001"')[1].split("</tr>")[0]
    # the message: subject and body with the round title, the Buddhist-Era deadline and the link to the round
    assert f"แจ้งเตือน: กรุณาส่งแบบสอบถาม {rnd.title} ภายใน 15 มี.ค. 2573" in html
    assert f"กำหนดส่ง {CLOSES_TH}" in html
    assert f"/rounds/{rnd.id}/respond" in html
    assert "ส่งอีเมลเตือน 2 ฉบับ" in html  # one mail per address: A's two clerks


def test_sending_mails_each_address_once_and_logs_it(client, rnd, smtp):
    submitted(rnd_world(rnd), rnd, "b")  # B has sent: not reminded
    _login(client, "province")
    response = _send(client, rnd)
    assert response.status_code == 302
    mails = smtp.mails()
    assert set(mails) == {"a1@example.test", "a2@example.test"}
    subject, body = mails["a1@example.test"]
    assert subject == f"แจ้งเตือน: กรุณาส่งแบบสอบถาม {rnd.title} ภายใน 15 มี.ค. 2573"
    assert "เรียน โรงเรียนเอ" in body and f"กำหนดส่ง {CLOSES_TH}" in body
    assert re.search(rf"http://localhost/rounds/{rnd.id}/respond\b", body)
    rows = db.session.scalars(select(ReminderMessage).order_by(ReminderMessage.address)).all()
    assert [(r.address, r.status) for r in rows] == [
        ("a1@example.test", ReminderStatus.SENT),
        ("a2@example.test", ReminderStatus.SENT),
    ]
    assert rows[0].sent_by_id == _user("province").id and rows[0].batch_id == rows[1].batch_id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reminder.send"))
    no_address = len(_expected_codes(rnd)) - 2  # every expected unit but A (mailed) and B (sent)
    assert event.details["sent"] == 2 and event.details["bounced"] == 0 and event.details["no_address"] == no_address
    page = client.get(f"/review/rounds/{rnd.id}/reminders").get_data(as_text=True)
    assert page.count('data-testid="log-sent"') == 2


def rnd_world(rnd):  # type: ignore[no-untyped-def]
    """The units by key, as `submitted` wants them."""
    from survey_app.accounts.models import OrgUnit

    return {k: db.session.scalar(select(OrgUnit).where(OrgUnit.code == c)) for k, c in {"b": "B0000001"}.items()}


def test_a_refused_recipient_is_logged_as_bounced_with_the_reply(client, rnd, smtp):
    _user("school_a").email = "gone@bounce.test"
    db.session.commit()
    _login(client, "province")
    _send(client, rnd)
    assert set(smtp.mails()) == {"a2@example.test"}
    bounced = db.session.scalar(select(ReminderMessage).where(ReminderMessage.address == "gone@bounce.test"))
    assert bounced.status is ReminderStatus.BOUNCED and bounced.error == f"550 {REFUSED}"
    html = client.get(f"/review/rounds/{rnd.id}/reminders").get_data(as_text=True)
    assert 'data-testid="log-bounced"' in html and "ถูกตีกลับ" in html and REFUSED in html


def test_no_smtp_server_sends_nothing_and_says_to_phone(client, rnd):
    _login(client, "province")
    response = _send(client, rnd)
    assert response.status_code == 302
    assert "SMTP" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(ReminderMessage)).all() == []


def test_agencies_with_answers_waiting_get_the_certification_reminder(client, contacts, smtp):
    rnd = make_round(contacts, closes=CLOSES)
    submitted(contacts, rnd, "a")
    _login(client, "province")
    _send(client, rnd, audience="awaiting")
    subject, body = smtp.mails()["x@example.test"]
    assert set(smtp.mails()) == {"x@example.test"}
    assert subject == f"มีแบบสอบถามรอการรับรอง: {rnd.title}" and "รอการตรวจสอบและรับรอง" in body


# -- scope ------------------------------------------------------------------------------------------------------


def test_an_agency_sees_and_reminds_only_its_own_units(client, rnd, smtp):
    _user("school_c").email = "c@example.test"
    db.session.commit()
    _login(client, "cert_x")
    html = client.get(f"/review/rounds/{rnd.id}/reminders?audience=unsent&days=3").get_data(as_text=True)
    assert "A0000001" in html and "B0000001" in html and "C0000001" not in html
    y = rnd_y(rnd)
    assert client.get(f"/review/rounds/{rnd.id}/reminders?agency={y}").status_code == 404
    assert _send(client, rnd, f"?agency={y}").status_code == 404
    _send(client, rnd)
    assert set(smtp.mails()) == {"a1@example.test", "a2@example.test"}  # not C, under the other agency


def rnd_y(rnd) -> int:  # type: ignore[no-untyped-def]
    from survey_app.accounts.models import OrgUnit

    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "Y0000001"))


def test_a_school_may_not_use_the_page(client, rnd):
    _login(client, "school_a")
    assert client.get(f"/review/rounds/{rnd.id}/reminders").status_code == 403


# -- hostile input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [("audience=everyone&days=3", "กรุณาเลือกว่าจะเตือนใคร"), ("audience=due_soon&days=abc", "กรุณาใส่จำนวนวันเป็นตัวเลข"),
     ("audience=due_soon&days=400", "จำนวนวันต้องอยู่ระหว่าง 0 ถึง 90")],
)  # fmt: skip
def test_a_bad_choice_is_answered_beside_the_field(client, rnd, query, message):
    _login(client, "province")
    response = client.get(f"/review/rounds/{rnd.id}/reminders?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="preview-section"' not in html and message in html


def test_a_bad_schedule_keeps_what_was_typed(client, rnd):
    _login(client, "province")
    token = csrf_token(client, f"/review/rounds/{rnd.id}/reminders")
    response = client.post(
        f"/review/rounds/{rnd.id}/reminders/schedule", data={"csrf_token": token, "remind_days": "7, สาม"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "พิมพ์จำนวนวันเป็นตัวเลข" in html and 'value="7, สาม"' in html
    assert db.session.scalars(select(ReminderSchedule)).all() == []


# -- the schedule ----------------------------------------------------------------------------------------------


def _schedule(client, rnd, days: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/review/rounds/{rnd.id}/reminders")
    return client.post(f"/review/rounds/{rnd.id}/reminders/schedule", data={"csrf_token": token, "remind_days": days})


def test_scheduled_reminders_are_sent_once_even_when_two_checks_race(app, client, rnd, smtp):
    _login(client, "province")
    assert _schedule(client, rnd, "๗, 1").status_code == 302  # Thai digits too
    days = sorted(s.days_before for s in db.session.scalars(select(ReminderSchedule)))
    assert days == [1, 7]
    six_days_before = CLOSES - timedelta(days=6)  # the 7-day reminder is due, the 1-day one is not
    db.session.commit()
    results: list[int] = []

    def check() -> None:
        with app.app_context():
            results.append(len(remind_due(six_days_before)))

    threads = [threading.Thread(target=check) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 1]
    assert set(smtp.mails()) == {"a1@example.test", "a2@example.test"}  # smtp.mails() fails on a second mail
    assert remind_due(six_days_before + timedelta(hours=1)) == []  # and a later check does not send it again
    seven = db.session.scalar(select(ReminderSchedule).where(ReminderSchedule.days_before == 7))
    assert seven.claimed_at is not None and seven.batch_id
    logged = db.session.scalars(select(ReminderMessage)).all()
    assert len(logged) == 2 and all(m.sent_by_id is None for m in logged)
    # the 1-day reminder, 12 hours before the deadline, by the command
    smtp.messages.clear()
    rnd_row = db.session.get(Round, rnd.id)
    assert remind_due(rnd_row.closes_at - timedelta(hours=12))
    assert set(smtp.mails()) == {"a1@example.test", "a2@example.test"}


def test_remind_due_command_sends_what_is_due(runner, client, rnd, smtp):
    _login(client, "province")
    _schedule(client, rnd, "100")
    assert db.session.scalars(select(ReminderSchedule)).all() == []  # refused: more than 90 days
    _schedule(client, rnd, "90")
    assert runner.invoke(args=["review", "remind-due"]).exit_code == 0
    # 15 March 2030 is more than 90 days away while this suite is young: nothing due yet, nothing claimed
    assert smtp.messages == [] and db.session.scalar(select(ReminderSchedule)).claimed_at is None


def test_a_closed_or_archived_round_is_not_reminded_by_the_schedule(client, contacts, smtp):
    rnd = make_round(contacts, closes=CLOSES)
    _login(client, "province")
    _schedule(client, rnd, "7")
    assert remind_due(CLOSES + timedelta(minutes=1)) == []  # the deadline passed before anyone looked
    db.session.get(Round, rnd.id).archived_at = CLOSES - timedelta(days=30)
    db.session.commit()
    assert remind_due(CLOSES - timedelta(days=3)) == []
    assert smtp.messages == []


# -- the command line ---------------------------------------------------------------------------------------------


def test_the_command_reminds_late_units_and_waiting_agencies(runner, contacts, smtp):
    rnd = make_round(contacts, closes=CLOSES)
    submitted(contacts, rnd, "b")  # B waits for X's certification
    _user("school_b").email = "b@example.test"
    _user("school_c").email = "c@example.test"
    db.session.commit()
    result = runner.invoke(args=["review", "remind", "--round", str(rnd.id), "--all-unsent"])
    assert result.exit_code == 0, result.output
    assert set(smtp.mails()) == {"a1@example.test", "a2@example.test", "c@example.test", "x@example.test"}
    logged = db.session.scalars(select(ReminderMessage)).all()
    assert len(logged) == 4 and all(n.status is ReminderStatus.SENT for n in logged)


def test_without_smtp_the_chase_list_is_the_reminder(runner, world, plan_round):
    result = runner.invoke(args=["review", "remind", "--round", str(plan_round.id)])
    assert result.exit_code != 0 and "chase list" in result.output


# -- the app's own scheduler ----------------------------------------------------------------------------------


def test_the_scheduler_wakes_periodically_and_starts_once_per_process(app):
    from survey_app.core.background import PeriodicTask

    woke = threading.Event()
    calls: list[object] = []

    def work(a) -> None:  # type: ignore[no-untyped-def]
        calls.append(a)
        woke.set()

    task = PeriodicTask("test-reminders", work, lambda a: 0.01)  # waits at least a second between checks
    task.start(app)
    task.start(app)  # a second request in the same process starts nothing more
    try:
        assert woke.wait(10) and calls[0] is app
        assert sum(t.name == "test-reminders-scheduler" for t in threading.enumerate()) == 1
    finally:
        task.stop()


def test_the_test_app_runs_no_scheduler_and_a_serving_app_does(app):
    from survey_app import create_app

    assert "reminder_scheduler" not in app.extensions  # the suite's app: TESTING
    serving = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert "reminder_scheduler" in serving.extensions
