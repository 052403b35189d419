"""Building the answering page of one section: the form, the helpers the templates need, the progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from survey_app.core.web import provided
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, Answers, progress, question_visible, section_applies
from survey_app.forms_engine.builder import SectionRead, form_class, form_data, page_helpers, typed_none_warnings
from survey_app.forms_engine.types import question_type
from survey_app.responses.models import Response


def section_form(response: Response, index: int, *, posted: bool, answers: Answers | None = None) -> FlaskForm:
    """The section's form: bound to the POST, or filled from the stored answers (read here unless given)."""
    version = response.round.form_version
    defn = version.parsed
    cls = form_class(defn, defn.sections[index], version.content_hash)
    if posted:
        return cls()
    data = form_data(defn, defn.sections[index].all_questions(), response.answer_map() if answers is None else answers)
    return cls(formdata=None, data=data | {"row_version": str(response.row_version)})


def page_context(
    response: Response, index: int, form: FlaskForm, answers: Answers, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Everything _section_page.html needs; the typed-"none" warnings come from the answers shown, so a page
    opened later still warns until the text is replaced by the switch."""
    defn = response.round.form_version.parsed
    kind = response.org_unit.kind.value
    answered, required = progress(defn, answers, kind)
    return {
        "response": response,
        "defn": defn,
        "section": defn.sections[index],
        "index": index,
        "form": form,
        "errors": errors,
        "warnings": typed_none_warnings(defn.sections[index], answers, kind, errors),
        "answers": answers,
        "answered": answered,
        "required": required,
        "files_url": lambda upload_id: url_for("responses.download", upload_id=upload_id),
        "review_comments": provided("review_comments", response, default={}),
        **page_helpers(answers, kind),
    }


def split_pending_files(read: SectionRead) -> dict[str, list[FileStorage]]:
    """Take newly uploaded files out of a section read; they are stored separately, then merged back."""
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


@dataclass
class SectionAnswers:
    """One section of a read-only page: (question, shown text, stored answer) entries."""

    section: s.Section
    entries: list[tuple[s.Question, str, Answer | None]]


def display_rows(defn: s.FormDefinition, answers: dict[str, Answer], kind: str) -> list[SectionAnswers]:
    """Sections with their questions and shown answers, for read-only pages."""
    rows = []
    for section in defn.sections:
        if not section_applies(section, kind):
            continue
        entries = [
            (q, question_type(q).display(q, answers.get(q.key)), answers.get(q.key))
            for q in section.all_questions()
            if q.type != "info" and question_visible(q, answers, kind)
        ]
        rows.append(SectionAnswers(section, entries))
    return rows
