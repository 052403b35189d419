"""The storage sweep: what a killed worker left in storage is removed once nobody can still be writing it.

A worker killed during an upload leaves a temp file (killed while spooling or checking) or a stored object
that no row points to (killed after `commit` moved the file into place, before the transaction committed).
The sweep removes both, but only once they are older than a grace period, so an upload or an export still in
flight is never touched. It runs shortly after the app starts serving (in the background, at most once an
hour for all the processes sharing one storage) and as `flask storage sweep [--dry-run]`.

Uploads through a public person link take the same path (responses/uploads.py): a refused or
incomplete answer deletes what it stored at once, and what a crash leaves behind is found here like any other.

It lives here, above the feature packages, because it must know every column that holds a storage key (as
`backup.py` knows every table); `core/` knows none of them. Files in EXPORT_DIR (`flask report export`,
backups, initial-password workbooks) are written by operators' commands, no row points to them, and the
sweep never looks there.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select, union

from survey_app.core.db import write_intent
from survey_app.core.storage import Storage, storage_for
from survey_app.extensions import db
from survey_app.reports.exports import ExportJob
from survey_app.responses.models import Upload
from survey_app.review.models import AgencyCertification, SupersededLetter

# Every column whose values are storage keys. A new one must be added here, or the sweep deletes its files:
# tests/core/test_storage_sweep.py fails when a column named like a storage key is missing from this list.
KEY_COLUMNS = (Upload.storage_key, AgencyCertification.letter_key, SupersededLetter.letter_key, ExportJob.storage_key)

GRACE = timedelta(hours=1)  # far longer than any upload or export takes between its file and its row
EVERY_SECONDS = 3600  # the automatic sweep runs at most this often for one storage
STAMP_NAME = "last-sweep"
# More unreferenced objects than this looks like a database and a folder that do not belong together (a
# restore half done, a wrong DATABASE_URL), not like crashed uploads: the sweep then deletes no object.
SUSPICIOUS_MIN = 20
SUSPICIOUS_SHARE = 0.1


@dataclass
class SweepReport:
    """What one sweep removed (or, in a dry run, would remove)."""

    temps: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    held_back: int = 0  # unreferenced objects kept because there were suspiciously many
    stored: int = 0


def referenced_keys() -> set[str]:
    """Every storage key some row points to."""
    stmt = union(*(select(column.label("key")).where(column.is_not(None)) for column in KEY_COLUMNS))
    return set(db.session.scalars(select(stmt.subquery().c.key)))


def sweep(
    storage: Storage,
    *,
    grace: timedelta = GRACE,
    dry_run: bool = False,
    force: bool = False,
    now: float | None = None,
) -> SweepReport:
    """Remove temp files and unreferenced objects older than `grace`.

    The files are listed before the keys are read: a file old enough to be listed has had its row committed
    (or lost) long before, so a row committed during the sweep never points at a file it removes."""
    cutoff = (now if now is not None else time.time()) - grace.total_seconds()
    temps = storage.leftover_temps(cutoff)
    stored = list(storage.stored_keys())
    old = [key for key, mtime in stored if mtime < cutoff]
    referenced = referenced_keys() if old else set()
    orphans = sorted(key for key in old if key not in referenced)
    report = SweepReport(temps=[path.name for path in temps], stored=len(stored))
    if orphans and not force and len(orphans) > max(SUSPICIOUS_MIN, SUSPICIOUS_SHARE * len(stored)):
        report.held_back, orphans = len(orphans), []
    report.orphans = orphans
    if not dry_run:
        for path in temps:
            storage.remove_temp(path)
        for key in orphans:
            storage.delete(key)
    return report


# -- on start: in the background, at most hourly per storage ------------------------------------------------


def init_app(app: Flask) -> None:
    """Register the command, and the automatic sweep for apps that serve requests (not the test suite)."""
    app.cli.add_command(storage_cli)
    app.config.setdefault("STORAGE_SWEEP_ON_START", not app.testing)
    if app.config["STORAGE_SWEEP_ON_START"]:
        app.extensions["storage_sweep"] = _AutoSweep(app)
        app.before_request(app.extensions["storage_sweep"].maybe_start)


class _AutoSweep:
    """Starts a background sweep at the first request after start, then at most hourly. The request pays for
    one clock read (and once an hour a stat of the stamp file); the sweep itself runs in its own thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.next_check = 0.0
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def maybe_start(self) -> None:
        if time.monotonic() < self.next_check or not self.lock.acquire(blocking=False):
            return
        try:
            if time.monotonic() >= self.next_check:
                self.next_check = time.monotonic() + EVERY_SECONDS
                if _claim(Path(self.app.config["UPLOAD_DIR"]) / STAMP_NAME):
                    self.thread = threading.Thread(target=self._run, daemon=True, name="storage-sweep")
                    self.thread.start()
        finally:
            self.lock.release()

    def _run(self) -> None:
        write_intent.set(False)  # it only reads the database: never hold SQLite's write lock
        with self.app.app_context():
            try:
                report = sweep(storage_for(current_app))
                _log(report)
            except Exception:  # a failed sweep must never take the app down; it is tried again in an hour
                current_app.logger.exception("storage sweep failed")
            finally:
                db.session.remove()


def _claim(stamp: Path) -> bool:
    """True when no process sharing this storage swept within the hour; then the stamp is renewed."""
    try:
        if time.time() - stamp.stat().st_mtime < EVERY_SECONDS:
            return False
    except FileNotFoundError:
        pass
    stamp.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp.touch()
    return True


def _log(report: SweepReport) -> None:
    if report.temps or report.orphans:
        current_app.logger.warning(
            "storage sweep removed %d temp files and %d unreferenced files", len(report.temps), len(report.orphans)
        )
    if report.held_back:
        current_app.logger.error(
            "storage sweep kept %d unreferenced files: too many for crashed uploads; check UPLOAD_DIR and "
            "DATABASE_URL belong together, then run `flask storage sweep --force`",
            report.held_back,
        )


# -- flask storage sweep ---------------------------------------------------------------------------------------

storage_cli = click.Group("storage", help="ไฟล์ที่เก็บไว้ (ไฟล์แนบ หนังสือรับรอง ไฟล์ส่งออก)")


@storage_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="แสดงรายการที่จะลบ โดยไม่ลบจริง")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=1),
    default=int(GRACE.total_seconds() // 60),
    show_default=True,
    help="ลบเฉพาะไฟล์ที่เก่ากว่านี้ (นาที) เพื่อไม่ให้ลบไฟล์ที่กำลังอัปโหลด",
)
@click.option("--force", is_flag=True, help="ลบแม้ไฟล์ที่ไม่มีข้อมูลอ้างถึงจะมีจำนวนมากผิดปกติ")
def sweep_command(dry_run: bool, grace_minutes: int, force: bool) -> None:
    """Remove temp files and stored files no row points to (left by killed workers); print what went."""
    write_intent.set(False)
    report = sweep(storage_for(current_app), grace=timedelta(minutes=grace_minutes), dry_run=dry_run, force=force)
    verb = "จะลบ" if dry_run else "ลบแล้ว"
    for name in report.temps:
        click.echo(f"{verb} ไฟล์ชั่วคราว tmp/{name}")
    for key in report.orphans:
        click.echo(f"{verb} ไฟล์ที่ไม่มีข้อมูลอ้างถึง objects/{key[:2]}/{key[2:4]}/{key}")
    click.echo(f"{verb}: ไฟล์ชั่วคราว {len(report.temps)} ไฟล์, ไฟล์ที่ไม่มีข้อมูลอ้างถึง {len(report.orphans)} ไฟล์")
    if report.held_back:
        raise click.ClickException(
            f"ไม่ได้ลบไฟล์ที่ไม่มีข้อมูลอ้างถึง {report.held_back} ไฟล์ เพราะมีมากผิดปกติ: ตรวจว่า UPLOAD_DIR กับ"
            " DATABASE_URL เป็นของระบบเดียวกัน แล้วสั่งอีกครั้งพร้อม --force"
        )
