"""Slowing password guessing down without handing anyone a way to lock a user out.

Usernames are public unit codes, so a lock on the account itself is a weapon: anyone could keep a school
out on deadline day. Failures are counted per (account, client) instead, and per client across all
accounts (one client spraying one password over many usernames). Past a few free failures each key must
wait, and the wait doubles with every further failure. A client is the browser's signed "signed in here
before" cookie when it has one for this account, otherwise its address: the real user, on their own
device, is never slowed by someone guessing elsewhere, even behind the same school router.
Unknown and real usernames are counted alike, so the throttle tells nobody which names exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from werkzeug.wrappers import Response

from survey_app.accounts.models import LoginThrottle
from survey_app.core import audit
from survey_app.extensions import db

FREE_PER_ACCOUNT = 5  # failures of one client on one account before waits begin
FREE_PER_CLIENT = 20  # failures of one client across all accounts
FIRST_WAIT = timedelta(seconds=15)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)  # a key with no failure for this long starts again from zero


@dataclass(frozen=True)
class Keys:
    """The counters one attempt is judged by, each with its number of free failures."""

    free: dict[str, int]

    @property
    def account(self) -> str:
        return next(iter(self.free))


def keys_for(username: str, client: str, known_device: bool) -> Keys:
    """The (account, client) key, plus the client-wide key unless the browser signed in to this account
    before (a known device is judged on its own: a shared address cannot slow it)."""
    account = f"acct:{username.strip().lower()[:80]}|{client}"
    free = {account: FREE_PER_ACCOUNT}
    if not known_device:
        free[f"client:{client}"] = FREE_PER_CLIENT
    return Keys(free)


def wait_seconds(keys: Keys, now: datetime) -> int:
    """How long this client must wait before its next try (0: go ahead)."""
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys.free))))
    waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until and row.blocked_until > now]
    return int(max(waits, default=0) + 0.999)


def count_failure(keys: Keys, now: datetime, user_id: int | None, unit_id: int | None) -> int:
    """Count one failed try on every key; returns the wait it now imposes (0 while failures are free).

    The first time a key starts making its client wait is written to the audit trail."""
    wait = 0
    for key, free in keys.free.items():
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            db.session.add(row)
        elif row.last_failure_at < now - FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= free:
            delay = min(FIRST_WAIT * 2 ** (row.failures - free), LONGEST_WAIT)
            row.blocked_until = now + delay
            wait = max(wait, int(delay.total_seconds()))
            if row.failures == free:
                audit.record(
                    "login.throttled",
                    actor_id=None,
                    object_type="user",
                    object_id=user_id,
                    org_unit_id=unit_id,
                    details={"key": key.split("|")[-1]},
                )
    db.session.flush()
    return wait


def forget(keys: Keys) -> None:
    """A successful sign-in clears this client's count for the account (not the client-wide count: an
    attacker must not reset it by signing in to an account of their own)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.account))


DEVICE_COOKIE = "signed_in_before"
DEVICE_MAX_AGE = 365 * 24 * 3600
DEVICE_MAX_ACCOUNTS = 8


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt="login-device")


def _device() -> dict[str, Any]:
    """The browser's signed record of the accounts that signed in from it (empty when absent or forged)."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    try:
        data = _device_serializer().loads(raw) if raw else {}
    except BadSignature:
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("n"), str) else {}


def client_of(username: str) -> tuple[str, bool]:
    """Who is trying: this browser when it signed in to this account before (a known device), else its
    network address."""
    device = _device()
    if username.strip().lower() in device.get("u", []):
        return f"device:{device['n']}", True
    return f"ip:{request.remote_addr or 'unknown'}", False


def remember_device(response: Response, username: str) -> None:
    """After a successful sign-in: this browser is a known device for this account from now on."""
    device = _device()
    accounts = [u for u in device.get("u", []) if u != username.lower()] + [username.strip().lower()]
    value = {"n": device.get("n") or secrets.token_urlsafe(16), "u": accounts[-DEVICE_MAX_ACCOUNTS:]}
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(value),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
