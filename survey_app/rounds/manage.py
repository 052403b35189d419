"""Thin views for a round's life after it opens (province admins): edit, close early, extend, reopen, delete,
archive and unarchive; the round page with its timeline; the list of archived rounds. Every change is a POST
with a CSRF token; the checks and the audit records are in `lifecycle`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts.kinds import OrgKind
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import ROUND_MANAGERS, require_role
from survey_app.core.thai import now_bangkok
from survey_app.core.web import select_choices
from survey_app.rounds import lifecycle, queries, timeline
from survey_app.rounds.blueprint import bp
from survey_app.rounds.forms import (
    CloseForm,
    DeadlineForm,
    EditRoundForm,
    ExtendForm,
    ReasonForm,
    RemoveForm,
    RoundFieldsForm,
    required_date,
)
from survey_app.rounds.models import LatePolicy, Round, RoundPeriod
from survey_app.rounds.operations import RoundError


def round_choices(form: RoundFieldsForm) -> None:
    """The choices of the fields that opening and editing share."""
    form.late_policy.choices = select_choices([(p.value, gettext(p.label_th)) for p in LatePolicy])
    form.kinds.choices = select_choices([(k.value, gettext(k.label_th)) for k in OrgKind])
    form.period.choices = select_choices([(p.value, gettext(p.label_th)) for p in RoundPeriod])


def round_page(
    rnd: Round, *, unit_form: ExtendForm | None = None, deadline_form: DeadlineForm | None = None, status: int = 200
) -> ResponseReturnValue:
    """The round's page: its facts, timeline, version, the changes it allows now and the unit extensions."""
    now = now_bangkok()
    return render_template(
        "rounds/detail.html",
        rnd=rnd,
        form=unit_form or ExtendForm(formdata=None),
        deadline_form=deadline_form or DeadlineForm(formdata=None),
        close_form=CloseForm(formdata=None),
        remove_form=RemoveForm(formdata=None),
        by_kind=queries.expected_by_kind(rnd.id),
        total=queries.expected_count(rnd.id),
        extended=queries.extended_units(current_user, rnd.id),
        now=now,
        phase=rnd.phase(now),
        answered=queries.has_answers(rnd.id),
        timeline=timeline.timeline(rnd),
        newer=timeline.newer_version(rnd),
    ), status


def _manager_round(round_id: int) -> Round:
    require_role(current_user, ROUND_MANAGERS)
    return queries.get_round_or_404(round_id)


@bp.route("/archived")
@login_required
def archived() -> ResponseReturnValue:
    require_role(current_user, ROUND_MANAGERS)
    rounds = queries.all_rounds(archived=True)
    counts = {r.id: queries.expected_count(r.id) for r in rounds}
    return render_template("rounds/archived.html", rounds=rounds, counts=counts, form=ReasonForm(formdata=None))


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id: int) -> ResponseReturnValue:
    rnd = _manager_round(round_id)
    form = EditRoundForm(obj=rnd if request.method == "GET" else None)
    round_choices(form)
    if request.method == "GET":
        form.period.data, form.late_policy.data = rnd.period.value, rnd.late_policy.value
        form.kinds.data = sorted(k.value for k in queries.kinds_of(rnd.id))
    elif form.validate_on_submit():
        opens_at, closes_at = required_date(form.opens_at), required_date(form.closes_at)
        if opens_at is not None and closes_at is not None:
            try:
                lifecycle.edit_round(
                    rnd,
                    title=form.title.data,
                    period=RoundPeriod(form.period.data),
                    opens_at=opens_at,
                    closes_at=closes_at,
                    late_policy=LatePolicy(form.late_policy.data),
                    notes=form.notes.data,
                    kinds=[OrgKind(k) for k in form.kinds.data],
                    actor_id=current_user.id,
                )
            except lifecycle.RoundFieldError as exc:
                getattr(form, exc.field).errors = [str(exc)]
            else:
                flash(gettext("บันทึกการแก้ไขรอบแล้ว"), "success")
                return redirect(url_for("rounds.detail", round_id=rnd.id))
    return render_template("rounds/edit.html", form=form, rnd=rnd, answered=queries.has_answers(rnd.id)), (
        422 if form.errors else 200
    )


def _deadline_change(
    round_id: int, change: Callable[[Round, datetime, str | None, int, datetime], None], done: str
) -> ResponseReturnValue:
    """Extend or reopen: a new deadline for the whole round; a refusal is shown beside the field."""
    rnd = _manager_round(round_id)
    form = DeadlineForm()
    if form.validate_on_submit() and (new_deadline := required_date(form.new_deadline)) is not None:
        try:
            change(rnd, new_deadline, form.reason.data, current_user.id, now_bangkok())
        except lifecycle.RoundFieldError as exc:
            form.new_deadline.errors = [str(exc)]
        else:
            flash(gettext(done), "success")
            return redirect(url_for("rounds.detail", round_id=rnd.id))
    return round_page(rnd, deadline_form=form, status=422)


@bp.route("/<int:round_id>/extend", methods=["POST"])
@login_required
def extend(round_id: int) -> ResponseReturnValue:
    return _deadline_change(round_id, lifecycle.extend_round, N_("ขยายกำหนดส่งของทั้งรอบแล้ว"))


@bp.route("/<int:round_id>/reopen", methods=["POST"])
@login_required
def reopen(round_id: int) -> ResponseReturnValue:
    return _deadline_change(round_id, lifecycle.reopen_round, N_("เปิดรับคำตอบอีกครั้งแล้ว"))


def _action(round_id: int, act: Callable[[Round, str | None], None], done: str) -> ResponseReturnValue:
    """A button (close early, archive, unarchive): do it, or say in Thai why not, then back to the round."""
    rnd = _manager_round(round_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(gettext("แบบฟอร์มหมดอายุหรือข้อมูลไม่ถูกต้อง กรุณาลองอีกครั้ง"), "error")
    else:
        try:
            act(rnd, form.reason.data)
        except RoundError as exc:
            flash(str(exc), "error")
        else:
            flash(gettext(done), "success")
    back = "rounds.archived" if request.form.get("back") == "archived" else "rounds.detail"
    return redirect(url_for(back, round_id=rnd.id) if back == "rounds.detail" else url_for(back))


@bp.route("/<int:round_id>/close", methods=["POST"])
@login_required
def close(round_id: int) -> ResponseReturnValue:
    return _action(
        round_id, lambda r, why: lifecycle.close_early(r, now_bangkok(), why, current_user.id), N_("ปิดรอบแล้ว")
    )


@bp.route("/<int:round_id>/archive", methods=["POST"])
@login_required
def archive(round_id: int) -> ResponseReturnValue:
    return _action(
        round_id,
        lambda r, why: lifecycle.archive_round(r, why, current_user.id, now_bangkok()),
        N_("เก็บรอบเข้าคลังแล้ว ผู้ตอบจะไม่เห็นรอบนี้อีก"),
    )


@bp.route("/<int:round_id>/unarchive", methods=["POST"])
@login_required
def unarchive(round_id: int) -> ResponseReturnValue:
    return _action(round_id, lambda r, why: lifecycle.unarchive_round(r, why, current_user.id), N_("นำรอบออกจากคลังแล้ว"))


@bp.route("/<int:round_id>/delete", methods=["POST"])
@login_required
def delete(round_id: int) -> ResponseReturnValue:
    rnd = _manager_round(round_id)
    form = ReasonForm()
    if form.validate_on_submit():
        title = rnd.title
        try:
            lifecycle.delete_round(rnd, form.reason.data, current_user.id)
        except RoundError as exc:
            flash(str(exc), "error")
        else:
            flash(gettext('ลบรอบ "{title}" แล้ว', title=title), "success")
            return redirect(url_for("rounds.index"))
    return redirect(url_for("rounds.detail", round_id=round_id))
