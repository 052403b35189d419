"""Storing the files of file questions: size checked while streaming, type checked from the bytes,
stored under generated names, original name kept as metadata. Nothing partial is left behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from survey_app.core import audit
from survey_app.core.i18n import gettext
from survey_app.core.storage import Received, StorageError, TooLarge, storage_for
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer as AnswerValue
from survey_app.forms_engine.builder import SectionRead
from survey_app.responses.filetypes import MIME, check_upload, safe_filename
from survey_app.responses.models import Response, Upload
from survey_app.responses.operations import save_answers

UNIT_QUOTA_BYTES = 200 * 1024 * 1024  # per response: a school's evidence, not an archive
MB = 1024 * 1024

# Given the bytes and the number of files about to be added, the refusal message, or None when they fit.
Quota = Callable[[int, int], str | None]


@dataclass
class StoredFiles:
    """Files stored for one save: answer values to set, errors by question, keys to delete on rollback."""

    answers: dict[str, AnswerValue] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


def store_new_files(
    response: Response,
    defn: s.FormDefinition,
    pending: dict[str, list[FileStorage]],
    actor_id: int | None,
    quota: Quota | None = None,
) -> StoredFiles:
    """Receive, check and store every new file; a question with any bad file stores none of its files.
    `quota` defaults to the response's own (UNIT_QUOTA_BYTES); a public person link passes its link quota."""
    result = StoredFiles()
    quota = quota or _response_quota(response)
    existing = response.answer_map()
    questions = defn.question_map()
    for key, files in pending.items():
        question = questions[key]
        assert isinstance(question, s.FileQuestion)
        before = list(existing[key].value) if key in existing and existing[key].has_value else []
        if len(before) + len(files) > question.max_files:
            result.errors[key] = [
                gettext("แนบได้ไม่เกิน {n} ไฟล์ (มีแล้ว {have} ไฟล์)", n=question.max_files, have=len(before))
            ]
            continue
        records, errors = _store_question_files(response, question, files, actor_id, result.keys, quota)
        if errors:
            result.errors[key] = errors
        else:
            result.answers[key] = AnswerValue.of(before + records)
    return result


def _store_question_files(
    response: Response,
    question: s.FileQuestion,
    files: list[FileStorage],
    actor_id: int | None,
    keys: list[str],
    quota: Quota,
) -> tuple[list[dict], list[str]]:
    storage = storage_for(current_app)
    limit = int(question.max_size_mb * 1024 * 1024)
    received: list[tuple[FileStorage, Received, str]] = []
    try:
        for upload in files:
            item = storage.receive(upload.stream, limit)
            kind, error = check_upload(item.path, question.accept)
            if error or kind is None:
                storage.discard(item)
                return [], [f"{safe_filename(upload.filename or '')}: {error}"]
            received.append((upload, item, kind))
        refused = quota(sum(r.size for _, r, _ in received), len(received))
        if refused:
            return [], [refused]
        return [_commit(response, question, u, r, k, actor_id, keys) for u, r, k in received], []
    except TooLarge:
        return [], [gettext("ไฟล์ใหญ่เกินกำหนด (ไม่เกิน {mb} MB ต่อไฟล์)", mb=f"{question.max_size_mb:g}")]
    except StorageError as exc:
        return [], [str(exc)]
    finally:
        for _, item, _ in received:
            storage.discard(item)  # idempotent: committed files were moved away already


def _commit(
    response: Response,
    question: s.FileQuestion,
    upload: FileStorage,
    item: Received,
    kind: str,
    actor_id: int | None,
    keys: list[str],
) -> dict:
    key = storage_for(current_app).commit(item)
    keys.append(key)
    row = Upload(
        response_id=response.id,
        question_key=question.key,
        storage_key=key,
        original_name=safe_filename(upload.filename or ""),
        kind=kind,
        content_type=MIME[kind],
        size=item.size,
        sha256=item.sha256,
        uploaded_by_id=actor_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "upload.add",
        actor_id=actor_id,
        object_type="upload",
        object_id=row.id,
        org_unit_id=response.org_unit_id,
        details={"question": question.key, "size": item.size, "sha256": item.sha256},
    )
    return row.record()


def _response_quota(response: Response) -> Quota:
    """What one response may hold (a school's evidence, not an archive)."""

    def check(size: int, _count: int) -> str | None:
        if _used_bytes(response) + size > UNIT_QUOTA_BYTES:
            return gettext("พื้นที่แนบไฟล์ของแบบสอบถามนี้เต็ม (ไม่เกิน {mb} MB)", mb=UNIT_QUOTA_BYTES // MB)
        return None

    return check


def link_quota(round_id: int, org_unit_id: int, max_bytes: int, max_files: int) -> Quota:
    """What all the answers through one unit's public person link may hold together, so that a public link
    cannot fill the disk. Counted from the rows, this request's flushed ones included."""

    def check(size: int, count: int) -> str | None:
        used, files = _link_usage(round_id, org_unit_id)
        if used + size > max_bytes or files + count > max_files:
            return gettext(
                "พื้นที่แนบไฟล์ของลิงก์นี้เต็มแล้ว (รวมไม่เกิน {mb} MB หรือ {n} ไฟล์) ส่งไฟล์นี้ไม่ได้ กรุณาแจ้งหน่วยงานของท่าน",
                mb=max_bytes // MB,
                n=f"{max_files:,}",
            )
        return None

    return check


def _link_usage(round_id: int, org_unit_id: int) -> tuple[int, int]:
    """Bytes and files of the person answers of one unit in one round (flushed rows of this request included)."""
    stmt = (
        select(func.coalesce(func.sum(Upload.size), 0), func.count(Upload.id))
        .join(Response, Response.id == Upload.response_id)
        .where(Response.round_id == round_id, Response.org_unit_id == org_unit_id, Response.org_slot.is_(None))
    )
    used, files = db.session.execute(stmt).one()
    return int(used or 0), int(files or 0)


def _used_bytes(response: Response) -> int:
    return (
        db.session.scalar(select(func.coalesce(func.sum(Upload.size), 0)).where(Upload.response_id == response.id)) or 0
    )


def discard_keys(keys: list[str]) -> None:
    """Remove files stored during a request whose transaction did not commit."""
    storage = storage_for(current_app)
    for key in keys:
        storage.delete(key)


def remove_upload(upload: Upload, actor_id: int | None) -> str:
    """Take a file out of its draft answer and delete its row; returns the storage key to delete after commit."""
    response = upload.response
    answers = response.answer_map()
    current = answers.get(upload.question_key)
    remaining = [r for r in (current.value if current and current.has_value else []) if r.get("id") != upload.id]
    read = SectionRead()
    if remaining:
        read.answers[upload.question_key] = AnswerValue.of(remaining)
    else:
        read.cleared.add(upload.question_key)
    save_answers(response, response.round.form_version.parsed, read, response.row_version, actor_id)
    key = upload.storage_key
    audit.record(
        "upload.remove", actor_id=actor_id, object_type="upload", object_id=upload.id, org_unit_id=response.org_unit_id
    )
    db.session.delete(upload)
    db.session.flush()
    return key
