"""Export jobs: a workbook, CSV or ZIP is built off the request (a background thread here, any worker
in a larger deployment), its progress kept in the database and the file in storage, so any app process
can show the progress and serve the file. The same builder serves the `flask report export` command."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import JSON, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.accounts.models import User
from survey_app.core.db import Base, UTCDateTime, utcnow, write_intent
from survey_app.core.scope import ScopedUser
from survey_app.core.storage import storage_for
from survey_app.extensions import db
from survey_app.reports import writers
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters
from survey_app.responses.models import Upload
from survey_app.rounds.models import Round

FORMATS = {"xlsx": ".xlsx", "csv": ".csv", "zip": ".zip"}
STALE_AFTER = timedelta(minutes=30)


class ExportJob(Base):
    """One requested export and where it stands."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    progress: Mapped[str] = mapped_column(String(255), default="")
    storage_key: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def effective_status(self, now: datetime) -> str:
        """A job left 'running' by a process that died is reported as failed."""
        if self.status in ("queued", "running") and now - self.created_at > STALE_AFTER:
            return "failed"
        return self.status


def export_filename(rnd: Round, fmt: str, filters: Filters) -> str:
    scope = f"-agency{filters.agency_id}" if filters.agency_id else ""
    return f"{rnd.form_version.form_key}-{rnd.fiscal_year}-round{rnd.id}{scope}-{filters.status}{FORMATS[fmt]}"


def build_export(
    user: ScopedUser, rnd: Round, filters: Filters, fmt: str, codes: bool, target: Path, by: str,
    progress: Callable[[str], None] | None = None,
) -> int:  # fmt: skip
    """Write the export to `target`; returns the number of responses (or files, for ZIP) it holds."""
    say = progress or (lambda _msg: None)
    say("รวบรวมข้อมูล")
    report = build_report(user, rnd, filters)
    if fmt == "xlsx":
        writers.write_workbook(report, str(target), generated_by=by, codes=codes, progress=say)
        return report.respondents
    if fmt == "csv":
        writers.write_csv(report, str(target), codes=codes)
        return report.respondents
    uploads = dict(db.session.execute(select(Upload.id, Upload.storage_key).where(
        Upload.response_id.in_([int(i) for i in report.data.responses["response_id"]]))).all())  # fmt: skip
    storage = storage_for(current_app)
    return writers.write_uploads_zip(report.data, str(target), report.agencies, uploads, storage.open)


def start_job(app: Flask, user: User, rnd: Round, filters: Filters, fmt: str, codes: bool) -> ExportJob:
    """Record the job and build it in a background thread (the request returns at once)."""
    job = ExportJob(
        user_id=user.id, round_id=rnd.id, params={"filters": filters.__dict__, "format": fmt, "codes": codes}
    )
    db.session.add(job)
    db.session.commit()
    thread = threading.Thread(target=run_job, args=(app, job.id), daemon=True, name=f"export-{job.id}")
    thread.start()
    return job


def run_job(app: Flask, job_id: int) -> None:
    """Build one job inside its own app context and database session.

    The build only reads, so on SQLite it must not hold the write lock for minutes: its transactions
    begin deferred, and progress is written in short transactions of its own.
    """
    write_intent.set(False)
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        if job is None:
            return
        try:
            _run(job)
        except Exception as exc:  # the job records the failure; the user sees it on the progress page
            db.session.rollback()
            _update_job(job_id, status="failed", error=str(exc)[:2000], finished_at=utcnow())
            current_app.logger.exception("export %s failed", job_id)
        finally:
            db.session.remove()


def _update_job(job_id: int, **values: Any) -> None:
    """Write job fields in a short transaction of their own (never inside the long read)."""
    token = write_intent.set(True)
    try:
        with db.engine.begin() as connection:
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))
    finally:
        write_intent.reset(token)


def _run(job: ExportJob) -> None:
    user = db.session.get(User, job.user_id)
    rnd = db.session.get(Round, job.round_id)
    filters = Filters(**job.params["filters"])
    fmt = job.params["format"]

    def say(message: str) -> None:
        _update_job(job.id, status="running", progress=message[:255])

    storage = storage_for(current_app)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"export{FORMATS[fmt]}"
        build_export(user, rnd, filters, fmt, job.params["codes"], target, user.display_name, say)
        say("บันทึกไฟล์")
        with target.open("rb") as stream:
            received = storage.receive(stream, 2 * 1024**3)
        key = storage.commit(received)
    db.session.rollback()
    _update_job(job.id, storage_key=key, filename=export_filename(rnd, fmt, filters), status="done",
                progress="เสร็จแล้ว", finished_at=utcnow())  # fmt: skip
