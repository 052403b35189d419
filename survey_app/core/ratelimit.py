"""Fixed-window rate limits kept in the database, so every app process and machine shares the counts."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.core.db import Base, db


class RateLimitHit(Base):
    """How many requests one key made in one time window."""

    __tablename__ = "rate_limit_hit"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class Limit:
    """At most `limit` requests for `key` in each window of `window_seconds`."""

    key: str
    limit: int
    window_seconds: int


def allow(key: str, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one request for `key`; False once more than `limit` arrived in the current window."""
    return count(key, window_seconds, now) <= limit


def count(key: str, window_seconds: int, now: float | None = None) -> int:
    """Count one request for `key` in the current window; returns how many arrived in it so far (this one too)."""
    window = int((now if now is not None else time.time()) // window_seconds) * window_seconds
    key = key[:128]
    bumped = db.session.execute(
        update(RateLimitHit)
        .where(RateLimitHit.key == key, RateLimitHit.window_start == window)
        .values(count=RateLimitHit.count + 1)
        .returning(RateLimitHit.count)
    ).scalar()
    if bumped is None:
        try:
            with db.session.begin_nested():
                db.session.add(RateLimitHit(key=key, window_start=window, count=1))
            bumped = 1
        except IntegrityError:  # another request created the row first
            return count(key, window_seconds, now)
    return bumped


def allow_all(limits: Iterable[Limit], now: float | None = None) -> bool:
    """Count one request against every limit; False when any of them is exceeded.

    Every limit is counted even when an earlier one refuses, so a client that keeps trying while refused
    keeps using up each of its budgets (it cannot reset one by tripping another)."""
    moment = now if now is not None else time.time()
    results = [allow(lim.key, lim.limit, lim.window_seconds, moment) for lim in limits]
    return all(results)
