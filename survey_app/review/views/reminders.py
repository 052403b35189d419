"""The reminders page of a round: choose who, preview the message and the list, send, the schedule, the log.

The province reminds the whole round (or one agency's set, `?agency=`); a certifier its own subtree. Who is
listed comes from review/sets.round_members, which goes through the one scope check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts import queries as account_queries
from survey_app.accounts.models import OrgUnit
from survey_app.core.i18n import gettext
from survey_app.core.permissions import PROVINCE, REVIEWERS, has_role, require_role
from survey_app.core.thai import now_bangkok
from survey_app.review import reminders
from survey_app.review.blueprint import bp
from survey_app.review.models import ReminderStatus
from survey_app.review.reminder_forms import ReminderChoiceForm, ScheduleForm
from survey_app.review.reminder_schedule import schedule_of, set_schedule
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import Round


def _round_or_404(round_id: int) -> Round:
    rnd = round_queries.get_round_or_404(round_id)
    if rnd.per_person:  # person surveys are chased through their links, not by e-mail to a unit
        abort(404)
    return rnd


def _agency() -> OrgUnit | None:
    """One agency's set (`?agency=`, in scope or 404), else everything the user sees."""
    agency_id = request.args.get("agency", type=int)
    return account_queries.get_unit_or_404(current_user, agency_id) if agency_id is not None else None


def _here(rnd: Round, agency: OrgUnit | None, **args: Any) -> str:
    return url_for("review.reminders", round_id=rnd.id, agency=agency.id if agency else None, **args)


@bp.route("/rounds/<int:round_id>/reminders", endpoint="reminders")
@login_required
def reminders_page(round_id: int) -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    rnd = _round_or_404(round_id)
    agency = _agency()
    form = ReminderChoiceForm(request.args if "audience" in request.args else None, preview=True)
    return _page(rnd, agency, form, ScheduleForm(formdata=None, remind_days=_schedule_text(rnd)))


def _schedule_text(rnd: Round) -> str:
    return ", ".join(str(s.days_before) for s in schedule_of(rnd.id))


def _page(
    rnd: Round, agency: OrgUnit | None, form: ReminderChoiceForm, schedule_form: ScheduleForm, status: int = 200
) -> ResponseReturnValue:
    """The page; the preview only when the choice is valid (else the errors beside the fields, 422)."""
    valid = form.validate() if form.is_submitted() or "audience" in request.args else True
    now = now_bangkok()
    plan = None
    if valid:
        audience, days = form.audience.data or "unsent", form.days.data if form.days.data is not None else 3
        plan = reminders.plan_reminder(current_user, rnd, audience, days, now, agency.id if agency else None)
    send_form = ReminderChoiceForm(formdata=None, audience=form.audience.data, days=form.days.data)
    return render_template(
        "review/reminders.html",
        rnd=rnd,
        agency=agency,
        form=form,
        send_form=send_form,
        plan=plan,
        sample=plan.reachable[0] if plan and plan.reachable else (plan.targets[0] if plan and plan.targets else None),
        smtp_ready=reminders.smtp_configured(),
        schedule=[(s, rnd.closes_at - timedelta(days=s.days_before)) for s in schedule_of(rnd.id)],
        schedule_form=schedule_form if has_role(current_user, PROVINCE) else None,
        log=reminders.log_rows(current_user, rnd.id, agency),
        statuses=ReminderStatus,
        audiences=reminders.AUDIENCES,
        here=_here(rnd, agency),
        now=now,
    ), (status if valid else 422)


@bp.route("/rounds/<int:round_id>/reminders/send", methods=["POST"])
@login_required
def send_reminders(round_id: int) -> ResponseReturnValue:
    """Send what the preview showed: the same choice, planned again now, in the same scope."""
    require_role(current_user, REVIEWERS)
    rnd = _round_or_404(round_id)
    agency = _agency()
    form = ReminderChoiceForm()
    if not form.validate_on_submit():
        return _page(rnd, agency, form, ScheduleForm(formdata=None, remind_days=_schedule_text(rnd)), 422)
    args = {"audience": form.audience.data, "days": form.days.data}
    if not reminders.smtp_configured():
        flash(gettext("ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล (SMTP) จึงส่งอีเมลไม่ได้: ใช้รายชื่อเพื่อโทรศัพท์ติดตามแทน"), "error")
        return redirect(_here(rnd, agency, **args))
    plan = reminders.plan_reminder(
        current_user, rnd, form.audience.data, form.days.data or 0, now_bangkok(), agency.id if agency else None
    )
    if not plan.reachable:
        flash(gettext("ไม่มีหน่วยงานที่มีอีเมลให้ส่ง"), "warning")
        return redirect(_here(rnd, agency, **args))
    batch = reminders.send(plan, current_user)
    current_app.logger.info("reminders sent by user %s: %s", current_user.id, batch.counts)
    flash(
        gettext(
            "ส่งอีเมลเตือนแล้ว {sent} ฉบับ ถูกตีกลับ {bounced} ฉบับ ส่งไม่สำเร็จ {failed} ฉบับ (ไม่มีอีเมล {none} หน่วยงาน)",
            sent=batch.count(ReminderStatus.SENT),
            bounced=batch.count(ReminderStatus.BOUNCED),
            failed=batch.count(ReminderStatus.FAILED),
            none=batch.no_address,
        ),
        "success" if batch.count(ReminderStatus.SENT) == len(batch.deliveries) else "warning",
    )
    return redirect(_here(rnd, agency, **args))


@bp.route("/rounds/<int:round_id>/reminders/schedule", methods=["POST"])
@login_required
def reminder_schedule(round_id: int) -> ResponseReturnValue:
    """Set the round's 'remind N days before the deadline' (the province: a round is the province's)."""
    require_role(current_user, PROVINCE)
    rnd = _round_or_404(round_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _page(rnd, None, ReminderChoiceForm(formdata=None, preview=True), form, 422)
    set_schedule(rnd, form.parsed, current_user)
    flash(gettext("บันทึกการเตือนอัตโนมัติแล้ว"), "success")
    return redirect(url_for("review.reminders", round_id=rnd.id))
