"""A definition section becomes a WTForms form; a posted form becomes answers and Thai errors.

Form classes are built once per (definition hash, section) and cached: definitions are immutable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField

from survey_app.core.i18n import N_, gettext, pick
from survey_app.forms_engine import repeats, rules
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import (
    Answer,
    Answers,
    AnswerState,
    check_errors,
    missing_questions,
    na_allowed,
    na_refused,
    question_visible,
    section_applies,
    section_shown,
    shown_by,
    visible_questions,
)
from survey_app.forms_engine.audience import includes
from survey_app.forms_engine.qtypes.base import NA_VALUE
from survey_app.forms_engine.qtypes.calculate import recompute
from survey_app.forms_engine.types import ReadResult, question_type

_CLASS_CACHE: dict[tuple[str, str, str], type[FlaskForm]] = {}
_CACHE_LIMIT = 512


class AnswerForm(FlaskForm):
    """Base of generated forms: CSRF token plus the response's version, for lost-update detection."""

    row_version = HiddenField()
    round_defn: s.FormDefinition | None = None  # set by in_round: the page answers a round of this definition
    final_round = False  # ... and the round is a final one (12 months, annual)

    def in_round(self, defn: s.FormDefinition, final: bool) -> AnswerForm:
        """Tell the form which round it answers, so its page offers N/A only where the round accepts it."""
        self.round_defn, self.final_round = defn, final
        for name, bound in self._fields.items():  # drop-downs and rating scales list N/A among their choices
            choices = getattr(bound, "choices", None)
            q = question_for_key(defn, name) if final and isinstance(choices, list) else None
            if q is not None and isinstance(choices, list) and not na_allowed(q, defn, final):
                bound.choices = [c for c in choices if _choice_value(c) != NA_VALUE]
        return self

    def na_offered(self, q: s.Question) -> bool:
        """Whether the page shows the question's N/A control (templates ask; outside a round: `allow_na`)."""
        return bool(q.allow_na) if self.round_defn is None else na_allowed(q, self.round_defn, self.final_round)


def _choice_value(choice: Any) -> Any:
    """A WTForms choice's value: a SelectChoice, or a (value, label) pair."""
    return getattr(choice, "value", choice[0] if isinstance(choice, tuple) else choice)


def form_class(
    defn: s.FormDefinition, section: s.Section, cache_key: str = "", answers: Answers | None = None
) -> type[FlaskForm]:
    """The WTForms class for one section (cached when a cache key, the definition hash, is given); with the
    answers, a repeating group's fields are those of the rows they hold (the rows are part of the key)."""
    questions = repeats.expanded(section, answers or {})
    key = (cache_key, section.key, repeats.rows_signature(section.all_questions(), answers or {}))
    if cache_key and key in _CLASS_CACHE:
        return _CLASS_CACHE[key]
    fields: dict[str, Any] = {}
    for q in questions:
        fields.update(question_type(q).make_fields(q, defn))
    cls = type(f"Form_{section.key}", (AnswerForm,), fields)
    if cache_key:
        if len(_CLASS_CACHE) > _CACHE_LIMIT:
            _CLASS_CACHE.clear()
        _CLASS_CACHE[key] = cls
    return cls


def form_data(defn: s.FormDefinition, questions: Iterable[s.Question], answers: Answers) -> dict[str, Any]:
    """Field values that show stored answers in a fresh form."""
    data: dict[str, Any] = {}
    for q in questions:
        data.update(question_type(q).form_data(q, answers.get(q.key)))
    return data


@dataclass
class SectionRead:
    """What one posted section said: answers to set, keys to clear, and errors by field name."""

    answers: dict[str, Answer] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_section(
    defn: s.FormDefinition, section: s.Section, form: FlaskForm, stored: Answers, org_kind: str | None
) -> SectionRead:
    """Read every question of a posted section; questions hidden by audience or show_if are cleared and
    their errors dropped (the user cannot see them)."""
    result = SectionRead()
    data = form.data
    questions = repeats.expanded(section, stored)  # a group's rows as the page showed them
    for q in questions:
        if q.key not in data and repeats.parse_row_key(q.key):
            continue  # a row the form was built without (another tab added it): not read
        if not question_type(q).has_input:
            continue
        read: ReadResult = question_type(q).read(q, data, defn)
        if read.errors:
            result.errors[q.key] = read.errors
        elif read.answer is not None:
            result.answers[q.key] = read.answer
        elif not read.unchanged:
            result.cleared.add(q.key)
    repeats.settle(questions, stored, result)
    merged = {k: v for k, v in stored.items() if k not in result.cleared} | result.answers
    for q in questions:
        if not question_visible(q, merged, org_kind):
            result.errors.pop(q.key, None)
            if q.key in merged:
                result.answers.pop(q.key, None)
                result.cleared.add(q.key)
    repeats.drop_orphans(questions, stored, result)
    recompute(defn, stored, result, org_kind)  # calculations: from the merged answers, never from the post
    return result


def merge(stored: Answers, read: SectionRead) -> dict[str, Answer]:
    """The response's answers after applying a section read."""
    return {k: v for k, v in stored.items() if k not in read.cleared} | read.answers


TYPED_NONE_WARNING = N_(
    'คุณพิมพ์ว่า "{typed}" — ถ้าหน่วยงานไม่มีการดำเนินการในข้อนี้ ให้ติ๊กช่อง "ไม่มี" แทนการพิมพ์ (รายงานจะนับเป็น "ไม่มี" ได้ถูกต้อง)'
)
_TYPED_SHOWN = 40  # characters of the typed word quoted back (without its own quotes)


def typed_none_warnings(
    section: s.Section, answers: Answers, org_kind: str | None, errors: Mapping[str, object] | None = None
) -> dict[str, list[str]]:
    """Warnings by question key for shown text answers that only say "none" in words ("ไม่มี", "-", ...).

    A warning, not an error: the text is saved as typed, but reports count only the switch as "none", so the
    page asks for the switch. Computed from the answers, not from a save, so it stays until the user fixes it;
    the one place the section page (GET and POST) and the autosave reply take it from. A field with an error
    gets none: its answer here is the stored one, not what the user has just typed."""
    warnings: dict[str, list[str]] = {}
    for q in section.all_questions():
        answer = answers.get(q.key)
        if answer is None or q.key in (errors or {}):
            continue
        if question_type(q).typed_none(q, answer) and question_visible(q, answers, org_kind):
            typed = str(answer.value).strip().strip("\"'“”‘’")[:_TYPED_SHOWN]
            warnings[q.key] = [gettext(TYPED_NONE_WARNING, typed=typed)]
    return warnings


CHECK_WARNING = N_("{message} (บันทึกคำตอบไว้แล้ว แต่ต้องแก้ให้ถูกต้องก่อนส่ง)")
CHECK_OTHER_WARNING = N_("ไม่สอดคล้องกับข้อ {label}: {message}")


def question_title(q: s.Question) -> str:
    """How a page names a question to a person: its code and label ("4.1.3 จำนวนเด็ก…"), never its key."""
    label = pick(q.label.th, q.label.en)
    return f"{q.code} {label}" if q.code else label


def check_warnings(
    defn: s.FormDefinition, section: s.Section, answers: Answers, org_kind: str | None
) -> dict[str, list[str]]:
    """Failed cross-item checks (e.g. 4.1.3 ≤ 4.1.2), by question key, for the questions of this section.

    Shown beside both fields of a failed check while answering: answers are saved anyway (the user may be
    half-way through typing the pair), and submission refuses them (completeness). The same message as at
    submit, named by the question's code and label."""
    questions = defn.question_map()
    on_page = {q.key for q in section.all_questions()}
    warnings: dict[str, list[str]] = {}
    for key, messages in check_errors(defn, answers, org_kind).items():
        q = questions[key]
        for message in messages:
            if key in on_page:
                warnings.setdefault(key, []).append(gettext(CHECK_WARNING, message=message))
            for other in {c.other for c in q.checks if c.other in on_page and c.other in answers}:
                text = gettext(CHECK_OTHER_WARNING, label=question_title(q), message=message)
                warnings.setdefault(other, []).append(text)
    for key, messages in expression_warnings(defn, section, answers, org_kind).items():
        warnings.setdefault(key, []).extend(gettext(CHECK_WARNING, message=m) for m in messages)
    return warnings


def expression_warnings(
    defn: s.FormDefinition, section: s.Section, answers: Answers, org_kind: str | None
) -> dict[str, list[str]]:
    """Failed constraints of this page's questions, and failed form rules beside each of their fields here."""
    shown = repeats.expanded(section, answers)
    warnings = rules.failed_constraints(shown, defn, answers, org_kind)
    on_page = {q.key for q in shown}
    for rule in rules.failed_rules(defn, answers, org_kind):
        for key in rule.fields:
            if key in on_page:
                warnings.setdefault(key, []).append(rule.message)
    return warnings


@dataclass
class Completeness:
    """Why a response cannot be submitted yet: missing questions and failed cross-item checks."""

    missing: list[s.Question]
    failed_checks: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.failed_checks


def completeness(
    defn: s.FormDefinition, answers: Answers, org_kind: str | None, *, final: bool = False
) -> Completeness:
    """Everything a submission must satisfy, evaluated on the whole response; in a final round a stored N/A
    the round refuses (`allow_na: interim`) needs an answer too."""
    missing = missing_questions(defn, answers, org_kind) + na_refused(defn, answers, org_kind, final)
    failed = check_errors(defn, answers, org_kind)
    shown = visible_questions(defn, answers, org_kind)
    for key, messages in rules.rule_errors(defn, answers, org_kind, shown).items():
        failed.setdefault(key, []).extend(messages)
    return Completeness(missing, failed)


def refuse_na(defn: s.FormDefinition, read: SectionRead, final: bool, message: str) -> None:
    """A posted N/A that this round does not accept (a final round, `allow_na: interim`) becomes `message`
    beside its field; the stored answer and the section's other answers are kept and saved as usual."""
    if not final:
        return
    for key, answer in list(read.answers.items()):
        q = question_for_key(defn, key)
        if answer.state == AnswerState.NA and q is not None and not na_allowed(q, defn, final):
            del read.answers[key]
            read.errors[key] = [message]


def question_for_key(defn: s.FormDefinition, key: str) -> s.Question | None:
    """The question an answer key belongs to: a question's own key, or a repeat row's field."""
    parsed = repeats.parse_row_key(key)
    group = defn.question_map().get(parsed[0] if parsed else key)
    if parsed is None or group is None:
        return group
    return next((f for f in getattr(group, "questions", ()) if f.key == parsed[2]), None)


def section_of(defn: s.FormDefinition, question_key: str) -> int:
    """Index of the section that holds a question (for 'go to the missing item' links); a row field's is its
    group's."""
    question_key = (repeats.parse_row_key(question_key) or (question_key,))[0]
    for index, section in enumerate(defn.sections):
        if any(q.key == question_key for q in section.all_questions()):
            return index
    return 0


def page_helpers(answers: Answers, org_kind: str | None) -> dict[str, Any]:
    """Template helpers for _section_page.html: which sections/questions are asked and shown."""
    return {
        "asked": lambda q: includes(q.audience, org_kind),
        "visible": lambda q: question_visible(q, answers, org_kind),
        "sec_applies": lambda sec: section_applies(sec, org_kind) and section_shown(sec, answers),
        "shown": lambda holder: holder.show_if is None or shown_by(holder.show_if, answers),  # an indicator
    }
