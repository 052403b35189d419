"""Building the answering page of one section: the form, the helpers the templates need, the progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from survey_app.accounts.models import User
from survey_app.core.audit import AuditEvent
from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.thai import display_date
from survey_app.core.web import provided
from survey_app.extensions import db
from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, Answers, progress, question_visible, section_applies
from survey_app.forms_engine.builder import (
    check_warnings,
    form_class,
    form_data,
    page_helpers,
    question_title,
    section_of,
    typed_none_warnings,
)
from survey_app.forms_engine.types import question_type
from survey_app.responses.models import Response, ResponseStatus


def section_form(response: Response, index: int, *, posted: bool, answers: Answers | None = None) -> FlaskForm:
    """The section's form: bound to the POST, or filled from the stored answers (read here unless given).

    A repeating group's fields are those of the rows in the answers (the stored ones for a POST)."""
    version = response.round.form_version
    defn = version.parsed
    answers = response.answer_map() if answers is None else answers
    section = defn.sections[index]
    cls = form_class(defn, section, version.content_hash, answers)
    if posted:
        form = cls()
    else:
        data = form_data(defn, repeats.expanded(section, answers), answers)
        form = cls(formdata=None, data=data | {"row_version": str(response.row_version)})
    return form.in_round(defn, response.round.final)  # a final round hides `allow_na: interim` N/A


def key_title(defn: s.FormDefinition, key: str, answers: Answers | None = None) -> str:
    """How a page names a stored answer's key to a person: the question's code and label, or for a row
    field "<group label> · รายการที่ 2 · <field label>"; never the bare key unless the form lost it."""
    row = repeats.row_title(defn, key, answers)
    if row is not None:
        return row
    q = defn.question_map().get(key)
    return question_title(q) if q is not None else key


def page_context(
    response: Response, index: int, form: FlaskForm, answers: Answers, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Everything _section_page.html needs; the typed-"none" warnings come from the answers shown, so a page
    opened later still warns until the text is replaced by the switch."""
    defn = response.round.form_version.parsed
    kind = response.org_unit.kind.value
    answered, required = progress(defn, answers, kind)
    comments = review_comments(response)
    return {
        "response": response,
        "defn": defn,
        "section": defn.sections[index],
        "index": index,
        "form": form,
        "errors": errors,
        "warnings": typed_none_warnings(defn.sections[index], answers, kind, errors),
        "check_warnings": check_warnings(defn, defn.sections[index], answers, kind),
        "answers": answers,
        "answered": answered,
        "required": required,
        "files_url": lambda upload_id: url_for("responses.download", upload_id=upload_id),
        "review_comments": comments,
        "comment_sections": {section_of(defn, key) for key in comments if key},
        "key_title": lambda key: key_title(defn, key, answers),
        **page_helpers(answers, kind),
    }


def review_comments(response: Response) -> dict[str | None, list[Any]]:
    """The certifier's comments of the latest return, by question key (None: the whole response); empty
    unless the response is returned. Provided by the review package, so imports keep flowing one way."""
    comments = provided("review_comments", response)
    return comments if isinstance(comments, dict) else {}


@dataclass(frozen=True)
class CommentEntry:
    """One certifier comment on a question, as the submit page lists it."""

    question: s.Question
    section: int
    comments: list[str]


def comment_entries(defn: s.FormDefinition, comments: dict[str | None, list[Any]]) -> list[CommentEntry]:
    """The commented questions in form order (the first one is where a returned response resumes)."""
    entries = []
    for index, section in enumerate(defn.sections):
        for q in section.all_questions():
            if comments.get(q.key):
                entries.append(CommentEntry(q, index, [c.comment for c in comments[q.key]]))
    return entries


_STATUS_STORY = {
    ResponseStatus.SUBMITTED: N_("แบบสอบถามนี้ส่งแล้ว โดย {who} เมื่อ {when}"),
    ResponseStatus.CERTIFIED: N_("แบบสอบถามนี้ได้รับการรับรองแล้ว โดย {who} เมื่อ {when}"),
    ResponseStatus.ACCEPTED: N_("จังหวัดรับข้อมูลของแบบสอบถามนี้แล้ว โดย {who} เมื่อ {when}"),
    ResponseStatus.RETURNED: N_("แบบสอบถามนี้ถูกส่งกลับให้แก้ไข โดย {who} เมื่อ {when}"),
    ResponseStatus.DRAFT: N_("แบบสอบถามนี้เปลี่ยนสถานะเป็นฉบับร่าง โดย {who} เมื่อ {when}"),
}


def status_story(response: Response) -> str:
    """What happened to the response, by whom and when ("ส่งแล้ว โดย … (โรงเรียน…) เมื่อ …"), read from the
    audit record of the move into its current status; told to a save that arrives after it."""
    row = db.session.execute(
        select(AuditEvent.created_at, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "response", AuditEvent.object_id == response.id)
        .where(AuditEvent.to_state == response.status.value)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    at, user = (row[0], row[1]) if row else (response.submitted_at, None)
    return gettext(_STATUS_STORY[response.status], who=_who(user), when=display_date(at, with_time=True))


def _who(user: User | None) -> str:
    """A person as a clerk recognises them: name and unit, or the user name when the name is the unit's."""
    if user is None:
        return gettext("ผู้ใช้อื่น")
    unit = pick(user.org_unit.name_th, user.org_unit.name_en)
    name = user.display_name or user.username
    if name in (user.org_unit.name_th, user.org_unit.name_en):
        return gettext("{unit} (ชื่อผู้ใช้ {username})", unit=unit, username=user.username)
    return f"{name} ({unit})"


class _Read(Protocol):  # a section's read (builder.SectionRead) or a person's whole read (person.PersonRead)
    answers: dict[str, Answer]


def split_pending_files(read: _Read) -> dict[str, list[FileStorage]]:
    """Take newly uploaded files out of a read; they are stored separately, then merged back."""
    pending: dict[str, list[FileStorage]] = {}
    for key, answer in list(read.answers.items()):
        if (
            answer.has_value
            and isinstance(answer.value, list)
            and answer.value
            and isinstance(answer.value[0], FileStorage)
        ):
            pending[key] = read.answers.pop(key).value
    return pending


def applicable_sections(defn: s.FormDefinition, kind: str) -> list[int]:
    """Indexes of the sections this unit is asked (audience)."""
    return [i for i, sec in enumerate(defn.sections) if section_applies(sec, kind)]


Entry = tuple[s.Question, str, Answer | None]


@dataclass
class SectionAnswers:
    """One section of a read-only page: (question, shown text, stored answer) entries, and for each
    repeating group its rows as (heading, entries)."""

    section: s.Section
    entries: list[Entry]
    rows: dict[str, list[tuple[str, list[Entry]]]] = field(default_factory=dict)


def display_rows(defn: s.FormDefinition, answers: dict[str, Answer], kind: str) -> list[SectionAnswers]:
    """Sections with their questions and shown answers, for read-only pages."""
    rows = []
    for section in defn.sections:
        if not section_applies(section, kind):
            continue
        shown = [q for q in section.all_questions() if q.type != "info" and question_visible(q, answers, kind)]
        block = SectionAnswers(section, [_entry(q, answers) for q in shown])
        for group in (q for q in shown if isinstance(q, s.RepeatGroup)):
            block.rows[group.key] = [
                (repeats.row_heading(group, n), [_entry(rq, answers) for rq in fields if _row_field_shown(rq, answers)])
                for n, (_, fields) in enumerate(_stored_rows(group, answers), start=1)
            ]
        rows.append(block)
    return rows


def _entry(q: s.Question, answers: Answers) -> Entry:
    return (q, question_type(q).display(q, answers.get(q.key)), answers.get(q.key))


def _stored_rows(group: s.RepeatGroup, answers: Answers) -> list[tuple[str, list[s.Question]]]:
    return [(rid, repeats.row_questions(group, rid)) for rid in repeats.row_ids(answers, group.key)]


def _row_field_shown(q: s.Question, answers: Answers) -> bool:
    return q.type != "info" and question_visible(q, answers, None)
