"""Answering for an org unit: start once, save drafts section by section (and by autosave), submit once."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from survey_app.core.scope import Role
from survey_app.core.thai import now_bangkok, thai_date
from survey_app.extensions import db
from survey_app.forms_engine.builder import completeness, merge, section_of
from survey_app.responses import operations, queries
from survey_app.responses.blueprint import bp
from survey_app.responses.forms import ActionForm
from survey_app.responses.models import Response
from survey_app.responses.pages import applicable_sections, display_rows, page_context, section_form
from survey_app.responses.saving import SaveAttempt, save_section
from survey_app.rounds import queries as round_queries


def _own_editable(response: Response) -> bool:
    """Only the unit's own respondents edit its answers, and only while it is a draft or returned."""
    return (
        current_user.role == Role.RESPONDENT
        and current_user.org_unit_id == response.org_unit_id
        and response.status.editable
    )


@bp.route("/rounds/<int:round_id>/respond")
@login_required
def round_entry(round_id: int):  # type: ignore[no-untyped-def]
    ru = round_queries.get_round_unit_or_404(current_user, round_id, current_user.org_unit_id)
    if ru.round.per_person:
        return redirect(url_for("responses.share", round_id=round_id))
    response = queries.org_response(round_id, current_user.org_unit_id)
    if response is not None:
        return redirect(url_for("responses.section", response_id=response.id, index=0))
    return render_template("responses/start.html", ru=ru, form=ActionForm(), now=now_bangkok())


@bp.route("/rounds/<int:round_id>/respond/start", methods=["POST"])
@login_required
def start(round_id: int):  # type: ignore[no-untyped-def]
    ru = round_queries.get_round_unit_or_404(current_user, round_id, current_user.org_unit_id)
    if current_user.role != Role.RESPONDENT or ru.round.per_person or not ActionForm().validate_on_submit():
        abort(403)
    response = operations.start_org_response(ru.round, ru.org_unit, current_user.id)
    db.session.commit()
    return redirect(url_for("responses.section", response_id=response.id, index=0))


@bp.route("/responses/<int:response_id>/s/<int:index>", methods=["GET", "POST"])
@login_required
def section(response_id: int, index: int):  # type: ignore[no-untyped-def]
    response = queries.get_response_or_404(current_user, response_id)
    defn = response.round.form_version.parsed
    if not 0 <= index < len(defn.sections):
        abort(404)
    if not _own_editable(response):
        return redirect(url_for("responses.view", response_id=response.id))
    if request.method == "GET":
        answers = response.answer_map()
        form = section_form(response, index, posted=False, answers=answers)
        return render_template("responses/section.html", **page_context(response, index, form, answers, {}))
    attempt = save_section(response, index, current_user.id)
    if request.headers.get("X-Autosave"):
        return _autosave_reply(response, attempt)
    if attempt.conflict is None and not attempt.errors:
        return _after_save(response_id, index, len(defn.sections))
    answers = merge(response.answer_map(), attempt.read) if attempt.read else response.answer_map()
    context = page_context(response, index, attempt.form, answers, attempt.errors)
    return render_template(
        "responses/section.html", conflict=attempt.conflict, **context
    ), 409 if attempt.conflict else 422


def _after_save(response_id: int, index: int, sections: int):  # type: ignore[no-untyped-def]
    """Where a successful save goes. Uses nothing of the committed response (it would be read again)."""
    target = request.form.get("go", type=int)
    if request.form.get("action") == "submit":
        return redirect(url_for("responses.review_submit", response_id=response_id))
    if target is not None and 0 <= target < sections:
        return redirect(url_for("responses.section", response_id=response_id, index=target))
    flash(f"บันทึกแล้ว เมื่อ {thai_date(now_bangkok(), with_time=True)}", "success")
    return redirect(url_for("responses.section", response_id=response_id, index=index))


def _autosave_reply(response: Response, attempt: SaveAttempt):  # type: ignore[no-untyped-def]
    if attempt.conflict is not None:
        changes = [{"question": c.question_key, "actor": c.actor} for c in attempt.conflict.changes]
        return jsonify(saved=False, conflict=True, changes=changes, version=attempt.conflict.current_version), 409
    return jsonify(
        saved=True,
        version=response.row_version,
        errors=attempt.errors,
        warnings=attempt.warnings,
        saved_at=thai_date(response.last_saved_at, with_time=True) if response.last_saved_at else None,
    )


@bp.route("/responses/<int:response_id>/submit", methods=["GET", "POST"])
@login_required
def review_submit(response_id: int):  # type: ignore[no-untyped-def]
    """Check everything, then submit once; a repeated POST says 'already submitted'."""
    response = queries.get_response_or_404(current_user, response_id)
    if current_user.role != Role.RESPONDENT or current_user.org_unit_id != response.org_unit_id:
        abort(403)
    ru = round_queries.get_round_unit_or_404(current_user, response.round_id, response.org_unit_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        return _submit(response, ru)
    defn = response.round.form_version.parsed
    check = completeness(defn, response.answer_map(), response.org_unit.kind.value)
    return render_template(
        "responses/submit.html", response=response, ru=ru, check=check, form=form, now=now_bangkok(),
        section_of=lambda key: section_of(defn, key),
    )  # fmt: skip


def _submit(response: Response, ru):  # type: ignore[no-untyped-def]
    response_id = response.id  # the committed response is not read again for the redirect
    try:
        outcome = operations.submit(response, ru, current_user.id, now_bangkok())
    except operations.Incomplete as exc:
        db.session.commit()  # keeps the pruning of hidden answers
        flash(str(exc), "error")
        return redirect(url_for("responses.review_submit", response_id=response.id))
    except operations.ResponseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("responses.review_submit", response_id=response.id))
    db.session.commit()
    if outcome.already:
        flash("แบบสอบถามนี้ส่งแล้ว ไม่มีการส่งซ้ำ", "info")
    elif outcome.late:
        flash("ส่งแล้ว (หลังกำหนด ระบบบันทึกว่าส่งช้า)", "warning")
    else:
        flash("ส่งแบบสอบถามเรียบร้อยแล้ว ขอบคุณครับ/ค่ะ", "success")
    return redirect(url_for("responses.view", response_id=response_id))


@bp.route("/responses/<int:response_id>")
@login_required
def view(response_id: int):  # type: ignore[no-untyped-def]
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
        can_edit=_own_editable(response),
        first_section=(applicable_sections(defn, kind) or [0])[0],
    )
