"""Password guessing is slowed per (account, client) and per client; nobody can lock a real user out.

Before: five wrong passwords from anywhere locked the account for 15 minutes (the real user with the right
password was told it was wrong), one client could spray one password over 40 usernames, and a locked
account answered in 6 ms while an unknown one took 130 ms.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.accounts import operations, throttle
from survey_app.accounts.kinds import OrgKind
from survey_app.core.audit import AuditEvent
from survey_app.core.db import utcnow
from survey_app.core.scope import Role
from survey_app.extensions import db
from tests.factories import make_unit, make_user
from tests.fixtures.app import csrf_token

RIGHT = "Secret-pass-123"
WRONG = "wrong-password-1"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    province = make_unit(OrgKind.PROVINCIAL_OFFICE)
    unit = make_unit(OrgKind.BASIC_SCHOOL, province, "โรงเรียนทดสอบ")
    make_user(unit, Role.RESPONDENT, "school")
    db.session.commit()
    return unit


@pytest.fixture
def quick(app):  # type: ignore[no-untyped-def]
    """Failures answer after 50 ms here (0.4 s in production), to keep the suite quick."""
    before = app.config["LOGIN_FAILURE_SECONDS"]
    app.config["LOGIN_FAILURE_SECONDS"] = 0.05
    yield
    app.config["LOGIN_FAILURE_SECONDS"] = before


def sign_in(client: FlaskClient, username: str, password: str, address: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data, environ_overrides={"REMOTE_ADDR": address})


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(app, school, quick):
    attacker, user = app.test_client(), app.test_client()
    for _ in range(6):
        sign_in(attacker, "school", WRONG, "203.0.113.9")
    slowed = sign_in(attacker, "school", RIGHT, "203.0.113.9")
    assert slowed.status_code == 429 and "กรุณารอ" in slowed.get_data(as_text=True)
    assert int(slowed.headers["Retry-After"]) > 0
    assert sign_in(user, "school", RIGHT, "198.51.100.20").status_code == 302  # the real user, elsewhere


def test_a_known_device_behind_the_attackers_address_still_signs_in(app, school, quick):
    """A school router: the attacker and the real user share one address; the user's browser signed in
    to this account before, so it is judged on its own."""
    user, attacker = app.test_client(), app.test_client()
    assert sign_in(user, "school", RIGHT, "192.0.2.1").status_code == 302
    user.post("/logout", data={"csrf_token": csrf_token(user, "/")})
    for _ in range(25):
        sign_in(attacker, "school", WRONG, "192.0.2.1")
    assert sign_in(attacker, "school", RIGHT, "192.0.2.1").status_code == 429
    assert sign_in(user, "school", RIGHT, "192.0.2.1").status_code == 302


def test_one_client_spraying_one_password_over_many_usernames_is_slowed(app, school, quick):
    sprayer = app.test_client()
    answers = [sign_in(sprayer, f"school{i:03d}", WRONG, "203.0.113.50").status_code for i in range(22)]
    assert answers[:19] == [422] * 19 and answers[-1] == 429  # 20 free failures, then waits
    assert sign_in(sprayer, "school", RIGHT, "203.0.113.50").status_code == 429  # even a right password waits


def test_waits_grow_with_each_further_failure_and_success_clears_the_account_count(school):
    start = utcnow()
    waits = []
    moment = start
    for _ in range(7):
        outcome = operations.sign_in("school", WRONG, "ip:203.0.113.7", False, moment)
        waits.append(outcome.wait_seconds)
        moment += timedelta(seconds=outcome.wait_seconds + 1)
    assert waits == [0, 0, 0, 0, 15, 30, 60]
    refused = operations.sign_in("school", RIGHT, "ip:203.0.113.7", False, moment - timedelta(seconds=30))
    assert refused.user is None and not refused.checked and 0 < refused.wait_seconds <= 30
    assert operations.sign_in("school", RIGHT, "ip:203.0.113.7", False, moment).user is not None
    fresh = operations.sign_in("school", WRONG, "ip:203.0.113.7", False, moment)
    assert fresh.wait_seconds == 0  # the account count started again; the client-wide count is not reset
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.throttled")) is not None


def test_every_kind_of_failure_takes_at_least_the_same_floor(app, school):
    """Unknown name, wrong password and a slowed client all answer after the floor (longer than a password
    check), so an outsider cannot tell which usernames exist or which are being slowed."""
    app.config["LOGIN_FAILURE_SECONDS"] = 0.6
    client = app.test_client()
    try:
        timings = {}
        for label, name in (("unknown", "nobody-here"), ("wrong", "school")):
            started = time.monotonic()
            sign_in(client, name, WRONG, "203.0.113.80")
            timings[label] = time.monotonic() - started
        for _ in range(5):
            sign_in(client, "school", WRONG, "203.0.113.80")
        started = time.monotonic()
        assert sign_in(client, "school", WRONG, "203.0.113.80").status_code == 429
        timings["slowed"] = time.monotonic() - started
    finally:
        app.config["LOGIN_FAILURE_SECONDS"] = 0.4
    assert all(seconds >= 0.6 for seconds in timings.values()), timings


def test_the_device_cookie_cannot_be_forged(app, school, quick):
    attacker = app.test_client()
    attacker.set_cookie(throttle.DEVICE_COOKIE, "eyJuIjoieCIsInUiOlsic2Nob29sIl19.forged")
    for _ in range(6):
        sign_in(attacker, "school", WRONG, "203.0.113.90")
    assert sign_in(attacker, "school", RIGHT, "203.0.113.90").status_code == 429
