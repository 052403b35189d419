"""Publishing definitions as immutable versions. Operations flush; the caller commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from survey_app.core import audit
from survey_app.extensions import db
from survey_app.forms_engine.loader import LoadResult, canonical_json, content_hash, load_file
from survey_app.forms_engine.models import FormVersion


@dataclass
class PublishOutcome:
    """What publishing one file did."""

    name: str
    version: FormVersion | None
    created: bool
    problems: list[str]


def publish_result(result: LoadResult, actor_id: int | None = None) -> PublishOutcome:
    """Store a checked definition as a new version unless the same content is already published."""
    if not result.ok or result.definition is None:
        return PublishOutcome(result.name, None, False, result.lines())
    defn = result.definition
    digest = content_hash(defn)
    existing = db.session.scalar(
        select(FormVersion).where(FormVersion.form_key == defn.key, FormVersion.content_hash == digest)
    )
    if existing is not None:
        return PublishOutcome(result.name, existing, False, [])
    latest = db.session.scalar(select(func.max(FormVersion.version)).where(FormVersion.form_key == defn.key)) or 0
    version = FormVersion(
        form_key=defn.key,
        version=latest + 1,
        content_hash=digest,
        title_th=defn.title.th[:500],
        respondent=defn.respondent,
        definition=json.loads(canonical_json(defn)),
        source_text=result.source,
        source_name=result.name,
        published_by_id=actor_id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "form.publish",
        actor_id=actor_id,
        object_type="form_version",
        object_id=version.id,
        details={"key": defn.key, "version": version.version, "hash": digest},
    )
    return PublishOutcome(result.name, version, True, [])


def publish_files(paths: list[Path], actor_id: int | None = None) -> list[PublishOutcome]:
    """Publish every file; a file with problems publishes nothing and reports its problems."""
    return [publish_result(load_file(path), actor_id) for path in paths]
