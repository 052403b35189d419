"""Reading what the reports feature stores itself: export jobs, each seen only by the user who asked for it."""

from __future__ import annotations

from flask import abort

from survey_app.accounts.models import User
from survey_app.core.permissions import refuse
from survey_app.extensions import db
from survey_app.reports.exports import ExportJob


def get_own_job_or_404(user: User, job_id: int) -> ExportJob:
    """An export job of the user's own, else 404 (someone else's is refused and recorded)."""
    job = db.session.get(ExportJob, job_id)
    if job is None:
        abort(404)
    if job.user_id != user.id:
        refuse(user, "export_job", job.id, None)
    return job
