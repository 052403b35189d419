"""Saving one posted section: read it, store its new files, write the answers, and report what happened.

Valid answers are saved even when another field has an error, so nothing typed correctly is lost; the
invalid fields come back with their messages and what the user typed. Text that only says "none" ("ไม่มี",
"-") is saved as typed, with a warning that offers the "ไม่มี" switch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request
from flask_wtf import FlaskForm

from survey_app.core.db import busy_message, is_busy
from survey_app.core.i18n import gettext
from survey_app.extensions import db
from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answers
from survey_app.forms_engine.builder import (
    SectionRead,
    check_warnings,
    merge,
    read_section,
    refuse_na,
    typed_none_warnings,
)
from survey_app.responses import operations
from survey_app.responses.models import Response
from survey_app.responses.pages import section_form, split_pending_files
from survey_app.responses.uploads import StoredFiles, discard_keys, store_new_files


@dataclass
class SaveAttempt:
    form: FlaskForm
    read: SectionRead | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # saved anyway, e.g. "ไม่มี" typed as text
    checks: dict[str, list[str]] = field(default_factory=dict)  # failed cross-item checks, saved anyway
    conflict: operations.StaleSave | None = None
    saved: list[str] = field(default_factory=list)  # keys whose answers this save changed
    locked: bool = False  # submitted or certified before this save arrived: nothing was written
    row: repeats.RowOutcome | None = None  # a repeating group's add/remove button, applied with this save


def save_section(response: Response, index: int, actor_id: int | None) -> SaveAttempt:
    """Validate the CSRF token and the answers, store files, save (flushed here, so a lock that stays taken
    is caught here; the request commits)."""
    form = section_form(response, index, posted=True)
    attempt = SaveAttempt(form=form)
    if not form.validate_on_submit():
        attempt.errors = {"_form": [gettext("แบบฟอร์มหมดอายุ กรุณากดบันทึกอีกครั้ง")]}
        return attempt
    defn = response.round.form_version.parsed
    stored = response.answer_map()
    read = read_section(defn, defn.sections[index], form, stored, response.org_unit.kind.value)
    refuse_na(defn, read, response.round.final, gettext(response.round.period.na_refused))
    attempt.read = read
    expected = posted_version()
    if expected is None:  # a page always posts the version it was built from; without it nothing is known
        attempt.conflict = operations.StaleSave([], response.row_version)
        form.row_version.data = str(response.row_version)
        return attempt
    if not request.headers.get("X-Autosave"):
        attempt.row = _row_action(defn.sections[index], stored, read)
    pending = split_pending_files(read)
    stored_files = store_new_files(response, defn, pending, actor_id) if pending else None
    if stored_files:
        read.answers.update(stored_files.answers)
        read.errors.update(stored_files.errors)
    attempt.errors = dict(read.errors)
    kind = response.org_unit.kind.value
    attempt.warnings = typed_none_warnings(defn.sections[index], merge(stored, read), kind, read.errors)
    attempt.checks = check_warnings(defn, defn.sections[index], merge(stored, read), kind)
    try:
        attempt.saved = operations.save_answers(
            response, defn, read, expected, actor_id, None if stored_files else stored
        )
        db.session.flush()
        form.row_version.data = str(response.row_version)
    except operations.StaleSave as conflict:
        _undo(stored_files)
        attempt.conflict = conflict
        form.row_version.data = str(conflict.current_version)  # saving again now overwrites, knowingly
    except operations.Locked:  # submitted (e.g. from another tab) after this page was loaded
        _undo(stored_files)
        attempt.locked = True
    except Exception as exc:
        _undo(stored_files)
        if not is_busy(exc) or request.headers.get("X-Autosave"):
            raise  # autosave gets core.db's JSON "busy" reply (503); anything else is a real error
        attempt.errors["_form"] = [busy_message()]  # another writer kept the lock: typing kept, save again
    return attempt


def _row_action(section: s.Section, stored: Answers, read: SectionRead) -> repeats.RowOutcome | None:
    """The add/remove row button that sent this post, applied to the read; a refusal is the group's error."""
    outcome = repeats.apply_row_action(section.all_questions(), request.form.get("row_action"), stored, read)
    if outcome is not None and outcome.error:
        read.errors[outcome.group] = [outcome.error]
    return outcome


def posted_version() -> int | None:
    """The row version the posted page was built from, or None when it is missing or not a version.

    The stale-save check depends on it, so the server never falls back to the current version (that
    would let a client switch the check off by leaving the field out)."""
    raw = request.form.get("row_version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None


def _undo(stored: StoredFiles | None) -> None:
    """Roll back, and delete the files this request stored (their rows are gone with the rollback)."""
    db.session.rollback()
    if stored:
        discard_keys(stored.keys)
