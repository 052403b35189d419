"""Reading published versions."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.forms_engine.models import FormVersion


def all_versions() -> list[FormVersion]:
    return list(db.session.scalars(select(FormVersion).order_by(FormVersion.form_key, FormVersion.version.desc())))


def latest_versions() -> list[FormVersion]:
    """The newest version of each form."""
    newest = (
        select(FormVersion.form_key, func.max(FormVersion.version).label("v")).group_by(FormVersion.form_key).subquery()
    )
    stmt = select(FormVersion).join(
        newest, (FormVersion.form_key == newest.c.form_key) & (FormVersion.version == newest.c.v)
    )
    return list(db.session.scalars(stmt.order_by(FormVersion.form_key)))


def latest_version(form_key: str) -> FormVersion | None:
    stmt = select(FormVersion).where(FormVersion.form_key == form_key).order_by(FormVersion.version.desc())
    return db.session.scalars(stmt.limit(1)).first()


def get_version_or_404(version_id: int) -> FormVersion:
    version = db.session.get(FormVersion, version_id)
    if version is None:
        abort(404)
    return version
