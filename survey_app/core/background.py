"""A bounded pool of background workers inside one app process, with a heartbeat for the work it holds.

Background builds borrow the web workers' database pool. Unbounded (a thread per request), twenty exports from
one browser took every connection and pages failed with "QueuePool limit". Here at most `limit` items run at
once and the rest wait in order; threads start when work arrives and end when none is left, so an idle process
holds no connection. While it holds work, a heartbeat thread tells the database that this process is alive
(`beat`), so work left by a process that died can be told apart from work still running.

`PeriodicTask` is the small scheduler beside it: one thread per serving process that wakes every few minutes
and runs a check (scheduled reminders, review/reminder_schedule.py) that claims its work in the database.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0  # well inside the 60 s after which a job counts as abandoned


def process_owner() -> str:
    """This process, as recorded on the work it holds ("host:pid"); read again after a fork."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class BoundedRunner:
    """Run `work(app, item_id)` for submitted ids, at most `limit(app)` at once in this process."""

    def __init__(
        self,
        name: str,
        work: Callable[[Flask, int], None],
        beat: Callable[[Flask, list[int]], None],
        limit: Callable[[Flask], int],
    ) -> None:
        self.name = name
        self._work = work
        self._beat = beat
        self._limit = limit
        self._lock = threading.Lock()
        self._queue: deque[tuple[Flask, int]] = deque()
        self._held: dict[int, Flask] = {}  # queued or running here: what the heartbeat vouches for
        self._workers = 0
        self._beating = False
        self._wake = threading.Event()

    def submit(self, app: Flask, item_id: int) -> None:
        """Queue one item; a worker starts if fewer than the limit are busy."""
        with self._lock:
            self._queue.append((app, item_id))
            self._held[item_id] = app
            start_worker = self._workers < max(1, self._limit(app))
            if start_worker:
                self._workers += 1
            start_heartbeat = not self._beating
            self._beating = True
        if start_worker:
            threading.Thread(target=self._run_queue, name=f"{self.name}-worker", daemon=True).start()
        if start_heartbeat:
            threading.Thread(target=self._heartbeat, name=f"{self.name}-heartbeat", daemon=True).start()

    def _run_queue(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._workers -= 1
                    idle = self._workers == 0
                    break
                app, item_id = self._queue.popleft()
            try:
                self._work(app, item_id)
            except Exception:  # the work records its own failure; a worker never dies of one item
                log.exception("%s %s failed", self.name, item_id)
            finally:
                with self._lock:
                    self._held.pop(item_id, None)
        if idle:
            self._wake.set()  # the heartbeat has nothing left to vouch for

    def _heartbeat(self) -> None:
        while True:
            self._wake.clear()
            with self._lock:
                if self._workers == 0 and not self._queue:
                    self._beating = False
                    return
                by_app: dict[Flask, list[int]] = {}
                for item_id, app in self._held.items():
                    by_app.setdefault(app, []).append(item_id)
            for app, ids in by_app.items():
                try:
                    self._beat(app, ids)
                except Exception:  # a missed beat is retried; after 60 s the work shows as failed
                    log.exception("%s heartbeat failed", self.name)
            self._wake.wait(HEARTBEAT_SECONDS)


class PeriodicTask:
    """Call `work(app)` every `every(app)` seconds in one daemon thread of this process (a small scheduler).

    `start` is called from a before-request hook, so the thread starts in each serving process after any
    fork (gunicorn) and never in `flask db upgrade` or other commands; calling it again is cheap and does
    nothing. The work must be safe to run in several processes at once (it claims what it does in the
    database); a failure is logged and the next wake tries again."""

    def __init__(self, name: str, work: Callable[[Flask], None], every: Callable[[Flask], float]) -> None:
        self.name = name
        self._work = work
        self._every = every
        self._lock = threading.Lock()
        self._pid: int | None = None  # the process whose thread is running (a forked child starts its own)
        self._stop = threading.Event()

    def start(self, app: Flask) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._stop.clear()
        threading.Thread(target=self._loop, args=(app,), name=f"{self.name}-scheduler", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self, app: Flask) -> None:
        while not self._stop.wait(max(1.0, self._every(app))):
            try:
                self._work(app)
            except Exception:  # never let the scheduler die of one bad check
                log.exception("%s check failed", self.name)
