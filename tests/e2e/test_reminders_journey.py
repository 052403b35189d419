"""A province admin previews and sends reminders that arrive at a local SMTP server (one refused: a bounce in the
log), sets "remind 7 and 1 days before"; an agency reminds its own units on a phone. Screenshots in
/tmp/shots/reminders/."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.accounts.models import User
from survey_app.core.thai import BANGKOK
from survey_app.extensions import db
from tests.e2e.helpers import login, logout
from tests.fixtures.answering import make_round, published_world
from tests.fixtures.smtp import smtp_server

SHOTS = Path("/tmp/shots/reminders")
CLOSES = datetime(2030, 3, 15, 16, 30, tzinfo=BANGKOK)

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _contacts() -> None:
    users = {u.username: u for u in db.session.scalars(select(User))}
    users["school_a"].email, users["school_a"].display_name = "a@example.test", "ครูเอ ใจดี"
    users["school_b"].email = "b@bounce.test"
    users["school_c"].phone = "056-123-456"
    db.session.commit()


def test_province_sends_reminders_and_an_agency_reminds_its_own(app, desktop, phone, live_server):  # type: ignore[no-untyped-def]
    world = published_world()
    _contacts()
    rnd = make_round(world, closes=CLOSES)
    with smtp_server(app) as inbox:
        login(desktop, live_server, "province")
        desktop.goto(f"{live_server}/review/rounds/{rnd.id}/province")
        desktop.get_by_test_id("reminders-link").click()
        desktop.get_by_test_id("audience-unsent").check()
        desktop.get_by_test_id("preview").click()
        preview = desktop.get_by_test_id("mail-preview").inner_text()
        assert "15 มีนาคม 2573 16:30 น." in preview and rnd.title in preview
        assert "056-123-456" in desktop.get_by_test_id("unreachable").inner_text()
        _shot(desktop, "1-preview-desktop")
        desktop.get_by_test_id("send").click()
        assert "ส่งอีเมลเตือนแล้ว 1 ฉบับ ถูกตีกลับ 1 ฉบับ" in desktop.content()
        assert set(inbox.mails()) == {"a@example.test"}
        log = desktop.get_by_test_id("log").inner_text()
        assert "ถูกตีกลับ" in log and "550" in log and "ส่งแล้ว" in log
        desktop.get_by_label("เตือนอัตโนมัติก่อนกำหนดส่ง (วัน)").fill("7, 1")
        desktop.get_by_test_id("save-schedule").click()
        schedule = desktop.get_by_test_id("schedule").inner_text()
        assert "7 วันก่อนกำหนดส่ง" in schedule and "8 มี.ค. 2573" in schedule  # 15 March minus 7 days
        _shot(desktop, "2-sent-log-schedule-desktop")
        logout(desktop, live_server)

        login(phone, live_server, "cert_y")
        phone.goto(f"{live_server}/review/rounds/{rnd.id}")
        phone.get_by_test_id("reminders-link").click()
        phone.get_by_test_id("preview").click()
        listed = phone.get_by_test_id("preview-section").inner_text()
        assert "C0000001" in listed and "A0000001" not in listed and "B0000001" not in listed
        assert "b@bounce.test" not in phone.content()  # X's log is not Y's
        _shot(phone, "3-agency-preview-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
