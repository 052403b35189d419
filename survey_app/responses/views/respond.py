"""Answering for an org unit: start once, save drafts section by section (and by autosave), submit once."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.core.i18n import gettext
from survey_app.core.permissions import answers_for, may_edit, require_answers_for
from survey_app.core.thai import display_date, now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, Answers, section_to_open
from survey_app.forms_engine.builder import completeness, merge, question_title, read_section, section_of
from survey_app.forms_engine.types import question_type
from survey_app.responses import operations, queries
from survey_app.responses.blueprint import bp
from survey_app.responses.forms import ActionForm
from survey_app.responses.models import Response
from survey_app.responses.pages import (
    applicable_sections,
    comment_entries,
    display_rows,
    key_title,
    page_context,
    review_comments,
    section_form,
    status_story,
)
from survey_app.responses.saving import SaveAttempt, save_section
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import RoundUnit


@bp.route("/rounds/<int:round_id>/respond")
@login_required
def round_entry(round_id: int) -> ResponseReturnValue:
    ru = round_queries.get_round_unit_or_404(current_user, round_id, current_user.org_unit_id)
    if ru.round.per_person:
        return redirect(url_for("responses.share", round_id=round_id))
    response = queries.org_response(round_id, current_user.org_unit_id)
    if response is not None:
        return redirect(_resume_url(response))
    return render_template("responses/start.html", ru=ru, form=ActionForm(), now=now_bangkok())


@bp.route("/rounds/<int:round_id>/respond/start", methods=["POST"])
@login_required
def start(round_id: int) -> ResponseReturnValue:
    ru = round_queries.get_round_unit_or_404(current_user, round_id, current_user.org_unit_id)
    if not answers_for(current_user, ru.org_unit_id) or ru.round.per_person or not ActionForm().validate_on_submit():
        abort(403)
    response = operations.start_org_response(ru.round, ru.org_unit, current_user.id)
    return redirect(url_for("responses.section", response_id=response.id, index=0))


@bp.route("/responses/<int:response_id>/s/<int:index>", methods=["GET", "POST"])
@login_required
def section(response_id: int, index: int) -> ResponseReturnValue:
    response = queries.get_response_or_404(current_user, response_id)
    defn = response.round.form_version.parsed
    if not 0 <= index < len(defn.sections):
        abort(404)
    if not may_edit(current_user, response):
        if request.method == "POST" and answers_for(current_user, response.org_unit_id):
            return _too_late(response, index, SaveAttempt(form=section_form(response, index, posted=True)))
        return redirect(url_for("responses.view", response_id=response.id))
    if request.method == "GET":
        answers = response.answer_map()
        form = section_form(response, index, posted=False, answers=answers)
        return render_template("responses/section.html", **page_context(response, index, form, answers, {}))
    attempt = save_section(response, index, current_user.id)
    if attempt.locked:
        return _too_late(response, index, attempt)
    if request.headers.get("X-Autosave"):
        return _autosave_reply(response, attempt)
    if attempt.conflict is None and not attempt.errors:
        if attempt.row is not None:  # an add/remove row button: back to the group, at the new row
            anchor = f"row-{attempt.row.group}-{attempt.row.row}" if attempt.row.row else f"q-{attempt.row.group}"
            return redirect(url_for("responses.section", response_id=response_id, index=index, _anchor=anchor))
        return _after_save(response, index)
    answers = merge(response.answer_map(), attempt.read) if attempt.read else response.answer_map()
    form = attempt.form
    if attempt.row is not None and attempt.conflict is None:  # the rows changed: what was typed stays bound
        form = section_form(response, index, posted=True, answers=answers)
        form.row_version.data = attempt.form.row_version.data
    context = page_context(response, index, form, answers, attempt.errors)
    saved_at = response.last_saved_at if attempt.saved else None
    return render_template(
        "responses/section.html", conflict=attempt.conflict, saved_keys=attempt.saved, saved_at=saved_at, **context
    ), 409 if attempt.conflict else 422


def _resume_url(response: Response) -> str:
    """Where the unit goes on: a returned response opens on the first question the certifier commented
    on (marked on arrival), anything else on its first section."""
    defn = response.round.form_version.parsed
    entries = comment_entries(defn, review_comments(response)) if response.status.editable else []
    if entries:
        first = entries[0]
        return url_for(
            "responses.section", response_id=response.id, index=first.section, _anchor=f"q-{first.question.key}"
        )
    return url_for("responses.section", response_id=response.id, index=0)


def _too_late(response: Response, index: int, attempt: SaveAttempt) -> ResponseReturnValue:
    """A save that arrives after the response was submitted, certified or accepted (another tab, another
    person): nothing is written; say what happened, by whom and when, and keep what was typed in view."""
    story = status_story(response)
    message = gettext("{story} คำตอบที่คุณพิมพ์ไว้จึงยังไม่ได้บันทึก", story=story)
    if request.headers.get("X-Autosave"):
        view_url = url_for("responses.view", response_id=response.id)
        return jsonify(saved=False, locked=True, message=message, status=response.status.value, view_url=view_url), 409
    defn = response.round.form_version.parsed
    stored = response.answer_map()
    read = attempt.read or read_section(defn, defn.sections[index], attempt.form, stored, response.org_unit.kind.value)
    typed = _typed_unsaved(defn, stored, read.answers)
    context = page_context(response, index, attempt.form, merge(stored, read), read.errors)
    return render_template("responses/section.html", locked=message, typed=typed, **context), 409


def _typed_unsaved(defn: s.FormDefinition, stored: Answers, answers: dict[str, Answer]) -> list[tuple[str, str]]:
    """(question, what was typed) for the posted answers that differ from the stored ones (files and a
    group's row list left out); a row field is named with its group and row."""
    typed = []
    for key, answer in answers.items():
        q = repeats.question_lookup(defn, key)
        if q is not None and q.type not in ("file", "repeat") and stored.get(key) != answer:
            typed.append((key_title(defn, key, {**stored, **answers}), question_type(q).display(q, answer)))
    return typed


def _after_save(response: Response, index: int) -> ResponseReturnValue:
    """Where a successful save goes: the submit page, the section asked for ("next"/"previous" step over
    sections this unit is not shown, given the answers just saved), or this section again."""
    response_id = response.id
    target = request.form.get("go", type=int)
    if request.form.get("action") == "submit":
        return redirect(url_for("responses.review_submit", response_id=response_id))
    defn = response.round.form_version.parsed
    if target is not None and 0 <= target < len(defn.sections):
        kind = response.org_unit.kind.value
        target = section_to_open(defn, response.answer_map(), kind, target, index)
        return redirect(url_for("responses.section", response_id=response_id, index=target))
    flash(gettext("บันทึกแล้ว เมื่อ {when}", when=display_date(now_bangkok(), with_time=True)), "success")
    return redirect(url_for("responses.section", response_id=response_id, index=index))


def _autosave_reply(response: Response, attempt: SaveAttempt) -> ResponseReturnValue:
    """JSON for form.js: saved or not, the new version, and the messages to show beside each field."""
    if attempt.conflict is not None:
        changes = [{"question": c.question_key, "actor": c.actor} for c in attempt.conflict.changes]
        return jsonify(
            saved=False, conflict=True, stale=not changes, changes=changes, version=attempt.conflict.current_version
        ), 409
    if "_form" in attempt.errors:  # e.g. the CSRF token expired: nothing was saved
        return jsonify(saved=False, errors=attempt.errors, message=" ".join(attempt.errors["_form"])), 400
    return jsonify(
        saved=True,
        version=response.row_version,
        changed=len(attempt.saved),
        errors=attempt.errors,
        warnings=attempt.warnings,
        checks=attempt.checks,
        saved_at=display_date(response.last_saved_at, with_time=True) if response.last_saved_at else None,
    )


@bp.route("/responses/<int:response_id>/submit", methods=["GET", "POST"])
@login_required
def review_submit(response_id: int) -> ResponseReturnValue:
    """Check everything, then submit once; a repeated POST says 'already submitted'."""
    response = queries.get_response_or_404(current_user, response_id)
    require_answers_for(current_user, response.org_unit_id)
    ru = round_queries.get_round_unit_or_404(current_user, response.round_id, response.org_unit_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        return _submit(response, ru)
    defn = response.round.form_version.parsed
    answers = response.answer_map()
    check = completeness(defn, answers, response.org_unit.kind.value, final=response.round.final)
    comments = review_comments(response)
    return render_template(
        "responses/submit.html",
        response=response,
        ru=ru,
        check=check,
        form=form,
        now=now_bangkok(),
        section_of=lambda key: section_of(defn, key),
        questions=defn.question_map(),
        title=question_title,
        key_title=lambda key: key_title(defn, key, answers),
        comments=comment_entries(defn, comments),
        general_comments=comments.get(None, []),
    )


def _submit(response: Response, ru: RoundUnit) -> ResponseReturnValue:
    response_id = response.id  # the committed response is not read again for the redirect
    try:
        outcome = operations.submit(response, ru, current_user.id, now_bangkok())
    except operations.Incomplete as exc:
        # nothing rolled back: the request commits the pruning of hidden answers
        flash(str(exc), "error")
        return redirect(url_for("responses.review_submit", response_id=response.id))
    except operations.ResponseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("responses.review_submit", response_id=response.id))
    if outcome.already:
        flash(gettext("แบบสอบถามนี้ส่งแล้ว ไม่มีการส่งซ้ำ"), "info")
    elif outcome.late:
        flash(gettext("ส่งแล้ว (หลังกำหนด ระบบบันทึกว่าส่งช้า)"), "warning")
    else:
        flash(gettext("ส่งแบบสอบถามเรียบร้อยแล้ว ขอบคุณครับ/ค่ะ"), "success")
    return redirect(url_for("responses.view", response_id=response_id))


@bp.route("/responses/<int:response_id>")
@login_required
def view(response_id: int) -> ResponseReturnValue:
    """Read-only: the answers laid out like the form, with status and history."""
    response = queries.get_response_or_404(current_user, response_id)
    defn = response.round.form_version.parsed
    kind = response.org_unit.kind.value
    return render_template(
        "responses/view.html",
        response=response,
        defn=defn,
        rows=display_rows(defn, response.answer_map(), kind),
        history=queries.history(response),
        can_edit=may_edit(current_user, response),
        first_section=_first_section(response, defn, kind),
    )


def _first_section(response: Response, defn: s.FormDefinition, kind: str) -> int:
    """Where "แก้ไขคำตอบ" opens: the first commented section of a returned response, else the first asked."""
    entries = comment_entries(defn, review_comments(response)) if response.status.editable else []
    return entries[0].section if entries else (applicable_sections(defn, kind) or [0])[0]
