"""Export jobs: a workbook, CSV or ZIP is built off the request by a bounded pool of workers in the app
process (core/background.py), its progress kept in the database and the file in storage, so any app process
can show the progress and serve the file. The same builder serves the `flask report export` command.

A user asking again for an export already queued or running gets that job; a user with
EXPORT_JOBS_PER_USER jobs waiting is asked to wait. A job carries the process building it and a heartbeat:
one whose heartbeat stopped (the process died) is shown as failed, with a way to try again. Users see Thai
messages only; what went wrong in detail goes to the log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask, current_app
from sqlalchemy import JSON, ForeignKey, String, Text, select, update
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.accounts.models import OrgUnit, User
from survey_app.core.background import BoundedRunner, process_owner
from survey_app.core.db import Base, UTCDateTime, is_busy, str_enum, utcnow, write_intent
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import PROVINCE
from survey_app.core.scope import ScopedUser
from survey_app.core.storage import storage_for
from survey_app.extensions import db
from survey_app.reports import writers
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters
from survey_app.reports.repeats import repeat_groups
from survey_app.responses.models import Upload
from survey_app.rounds.models import Round

FORMATS = {"xlsx": ".xlsx", "csv": ".csv", "zip": ".zip"}
STALE_AFTER = timedelta(seconds=60)  # four missed heartbeats (core/background.py beats every 15 s)
FAILED = N_("สร้างรายงานไม่สำเร็จ เนื่องจากระบบขัดข้อง กรุณาลองอีกครั้ง")
BUSY = N_("สร้างรายงานไม่สำเร็จ เนื่องจากระบบมีงานมากในขณะนี้ กรุณาลองอีกครั้ง")
STOPPED = N_("การสร้างรายงานหยุดกลางคัน (ระบบเริ่มทำงานใหม่) กรุณาลองอีกครั้ง")


class ExportStatus(StrEnum):
    """Where an export job stands (the progress page's script reads these values too: static/js/export.js)."""

    QUEUED = "queued"  # waiting for a free export worker
    RUNNING = "running"  # a worker is building it
    DONE = "done"  # the file is in storage
    FAILED = "failed"  # it failed, or the process building it stopped beating

    ACTIVE: ClassVar[tuple[ExportStatus, ...]]  # queued or running: a worker holds it or will

    @property
    def active(self) -> bool:
        return self in ExportStatus.ACTIVE

    @property
    def waiting(self) -> bool:
        return self is ExportStatus.QUEUED

    @property
    def finished(self) -> bool:
        return self is ExportStatus.DONE

    @property
    def failed(self) -> bool:
        return self is ExportStatus.FAILED


ExportStatus.ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class TooManyExports(Exception):
    """The user already has as many exports waiting as one person may have."""


class ExportJob(Base):
    """One requested export and where it stands."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[ExportStatus] = mapped_column(str_enum(ExportStatus, 20), default=ExportStatus.QUEUED)
    progress: Mapped[str] = mapped_column(String(255), default="")
    storage_key: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)  # a Thai message id (FAILED, BUSY), never a driver's text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    owner: Mapped[str | None] = mapped_column(String(64))  # "host:pid" of the process that holds the job
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def effective_status(self, now: datetime) -> ExportStatus:
        """A job left queued or running by a process that stopped beating (it died) is reported as failed."""
        status = ExportStatus(self.status)
        if status.active and now - (self.heartbeat_at or self.created_at) > STALE_AFTER:
            return ExportStatus.FAILED
        return status

    def message(self, now: datetime) -> str | None:
        """What a failed job tells its user, in their language; None unless it failed."""
        if not self.effective_status(now).failed:
            return None
        if self.status in ExportStatus.ACTIVE:
            return gettext(STOPPED)
        return gettext(self.error if self.error in (FAILED, BUSY) else FAILED)  # older rows kept raw text


def export_filename(rnd: Round, fmt: str, filters: Filters, scope_code: str | None = None) -> str:
    """`phetchabun_plan-2563-round3-X0000001-certified.xlsx`: the form, the fiscal year (B.E.), the round,
    whose data (an agency's or a unit's code, the user's own unit when the report is limited to it, or "all")
    and which responses."""
    codes = [
        db.session.get_one(OrgUnit, unit_id).code
        for unit_id in (filters.agency_id, filters.unit_id)
        if unit_id is not None
    ]
    parts = [rnd.form_version.form_key, str(rnd.fiscal_year), f"round{rnd.id}"]
    parts += codes or [scope_code or "all"]  # "all": the whole province
    parts += [p for p in (filters.kind, filters.district) if p] + [filters.status]
    return "-".join(parts) + extension(rnd, fmt)


def extension(rnd: Round, fmt: str) -> str:
    """The file's extension: a CSV of a form with repeat groups is a ZIP of CSVs (the wide table and one long
    table per group, writers.write_csv_bundle)."""
    if fmt == "csv" and repeat_groups(rnd.form_version.parsed):
        return ".csv.zip"
    return FORMATS[fmt]


def build_export(
    user: ScopedUser,
    rnd: Round,
    filters: Filters,
    fmt: str,
    codes: bool,
    target: Path,
    by: str,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write the export to `target`; returns the number of responses (or files, for ZIP) it holds."""
    say = progress or (lambda _msg: None)
    say("รวบรวมข้อมูล")
    report = build_report(user, rnd, filters)
    if fmt == "xlsx":
        writers.write_workbook(report, str(target), generated_by=by, codes=codes, progress=say)
        return report.respondents
    if fmt == "csv" and repeat_groups(report.data.defn):
        writers.write_csv_bundle(report, str(target), codes=codes)
        return report.respondents
    if fmt == "csv":
        writers.write_csv(report, str(target), codes=codes)
        return report.respondents
    uploads = dict(
        db.session.execute(
            select(Upload.id, Upload.storage_key).where(
                Upload.response_id.in_([int(i) for i in report.data.responses["response_id"]])
            )
        ).all()
    )
    storage = storage_for(current_app)
    return writers.write_uploads_zip(report.data, str(target), report.agencies, uploads, storage.open)


def request_job(user: User, rnd: Round, filters: Filters, fmt: str, codes: bool) -> tuple[ExportJob, bool]:
    """The user's identical export if one is queued or running (and False), else a new queued job (and True).

    Raises TooManyExports when the user already has EXPORT_JOBS_PER_USER jobs waiting. The caller commits,
    then hands a new job to `run_in_background`."""
    params = {"filters": filters.__dict__, "format": fmt, "codes": codes}
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())  # a user's starts in turn
    now = utcnow()
    waiting = [
        job
        for job in db.session.scalars(
            select(ExportJob).where(ExportJob.user_id == user.id, ExportJob.status.in_(ExportStatus.ACTIVE))
        )
        if job.effective_status(now).active
    ]
    for job in waiting:
        if job.round_id == rnd.id and job.params == params:
            return job, False
    if len(waiting) >= current_app.config["EXPORT_JOBS_PER_USER"]:
        raise TooManyExports(len(waiting))
    job = ExportJob(user_id=user.id, round_id=rnd.id, params=params, owner=process_owner(), heartbeat_at=now)
    db.session.add(job)
    db.session.flush()
    return job, True


def run_in_background(app: Flask, job_id: int) -> None:
    """Queue a committed job for this process's export workers."""
    _runner.submit(app, job_id)


def run_job(app: Flask, job_id: int) -> None:
    """Build one job inside its own app context and database session.

    The build only reads, so on SQLite it must not hold the write lock for minutes: its transactions
    begin deferred, and progress is written in short transactions of its own.
    """
    write_intent.set(False)
    with app.app_context():
        if not _claim(job_id):
            return
        try:
            _run(db.session.get_one(ExportJob, job_id))
        except Exception as exc:  # the user sees a Thai message on the progress page; the log has the rest
            db.session.rollback()
            current_app.logger.exception("export %s failed", job_id)
            busy = isinstance(exc, PoolTimeoutError) or is_busy(exc)
            _update_job(job_id, status=ExportStatus.FAILED, error=BUSY if busy else FAILED, finished_at=utcnow())
        finally:
            db.session.remove()


def _claim(job_id: int) -> bool:
    """Mark a queued job running under this process; False when it is no longer queued."""
    token = write_intent.set(True)
    try:
        with db.engine.begin() as connection:
            claimed = connection.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED)
                .values(status=ExportStatus.RUNNING, owner=process_owner(), heartbeat_at=utcnow())
            )
        return claimed.rowcount == 1
    finally:
        write_intent.reset(token)


def _update_job(job_id: int, **values: Any) -> None:
    """Write job fields in a short transaction of their own (never inside the long read)."""
    token = write_intent.set(True)
    try:
        with db.engine.begin() as connection:
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))
    finally:
        write_intent.reset(token)


def _beat(app: Flask, job_ids: list[int]) -> None:
    """This process still holds these jobs (called by the runner's heartbeat thread)."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            update(ExportJob)
            .where(ExportJob.id.in_(job_ids), ExportJob.status.in_(ExportStatus.ACTIVE))
            .values(heartbeat_at=utcnow(), owner=process_owner())
        )


def _run(job: ExportJob) -> None:
    user = db.session.get(User, job.user_id)
    rnd = db.session.get(Round, job.round_id)
    if user is None or rnd is None:  # deleted since the job was queued: the job fails (run_job says so)
        raise LookupError(f"export {job.id}: its user or round no longer exists")
    filters = Filters(**job.params["filters"])
    fmt = job.params["format"]

    def say(message: str) -> None:
        _update_job(job.id, status=ExportStatus.RUNNING, progress=message[:255], heartbeat_at=utcnow())

    storage = storage_for(current_app)
    with storage.scratch_dir() as tmp:  # inside storage, so what a killed build leaves is swept
        target = tmp / f"export{extension(rnd, fmt)}"
        build_export(user, rnd, filters, fmt, job.params["codes"], target, user.display_name, say)
        say("บันทึกไฟล์")
        with target.open("rb") as stream:
            received = storage.receive(stream, 2 * 1024**3)
        key = storage.commit(received)
    filename = export_filename(rnd, fmt, filters, _scope_code(user))
    db.session.rollback()
    _update_job(
        job.id, storage_key=key, filename=filename, status=ExportStatus.DONE, progress="เสร็จแล้ว", finished_at=utcnow()
    )


def _scope_code(user: User) -> str | None:
    """The code of the unit a non-province user's reports are limited to, for the file's name."""
    if user.role in PROVINCE:
        return None
    unit = db.session.get(OrgUnit, user.org_unit_id)
    return unit.code if unit else None


_runner = BoundedRunner("export", run_job, _beat, lambda app: int(app.config["EXPORT_WORKERS"]))
