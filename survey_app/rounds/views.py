"""Thin views for round management (province admins)."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts.kinds import OrgKind
from survey_app.core.i18n import gettext, pick
from survey_app.core.permissions import PROVINCE, ROUND_MANAGERS, require_role
from survey_app.core.thai import fiscal_year_of, now_bangkok
from survey_app.core.web import select_choices
from survey_app.forms_engine import queries as form_queries
from survey_app.forms_engine.audience import expand
from survey_app.rounds import operations, queries
from survey_app.rounds.blueprint import bp
from survey_app.rounds.forms import ExtendForm, OpenRoundForm, required_date
from survey_app.rounds.manage import round_choices, round_page
from survey_app.rounds.models import OFFERED_IDENTITIES, Identity, LatePolicy, RoundPeriod


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    rounds = queries.all_rounds()
    counts = {r.id: queries.expected_count(r.id) for r in rounds}
    return render_template("rounds/index.html", rounds=rounds, counts=counts, now=now_bangkok())


def _open_form() -> OpenRoundForm:
    form = OpenRoundForm()
    versions = form_queries.latest_versions()
    form.form_version.choices = select_choices([(str(v.id), v.label) for v in versions])
    round_choices(form)
    form.identity.choices = select_choices([(i.value, gettext(i.label_th)) for i in OFFERED_IDENTITIES])
    if request.method == "GET":
        now = now_bangkok().replace(second=0, microsecond=0)
        form.fiscal_year.data = fiscal_year_of(now.date())
        form.opens_at.data, form.closes_at.data = now, now + timedelta(days=30)
        chosen = next((v for v in versions if v.id == request.args.get("version", type=int)), None)
        if chosen is not None:
            form.form_version.data = chosen.id
            form.kinds.data = sorted(k.value for k in expand(chosen.parsed.audience))
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    form = _open_form()
    if form.validate_on_submit():
        opens_at, closes_at = required_date(form.opens_at), required_date(form.closes_at)
        if opens_at is not None and closes_at is not None:
            version = form_queries.get_version_or_404(form.form_version.data)
            try:
                rnd = operations.open_round(
                    version,
                    fiscal_year=form.fiscal_year.data,
                    title=form.title.data,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    late_policy=LatePolicy(form.late_policy.data),
                    kinds=[OrgKind(k) for k in form.kinds.data],
                    identity=Identity(form.identity.data) if version.respondent == "person" else Identity.ANONYMOUS,
                    period=RoundPeriod(form.period.data),
                    actor_id=current_user.id,
                )
            except operations.DuplicateRound as exc:
                form.period.errors = [str(exc)]
            except operations.RoundError as exc:
                form.form_version.errors = [str(exc)]
            else:
                flash(gettext("เปิดรอบแล้ว: มีหน่วยงานที่ต้องตอบ {n} หน่วยงาน", n=queries.expected_count(rnd.id)), "success")
                return redirect(url_for("rounds.detail", round_id=rnd.id))
    return render_template("rounds/new.html", form=form), 422 if form.errors else 200


@bp.route("/<int:round_id>", methods=["GET", "POST"])
@login_required
def detail(round_id: int) -> ResponseReturnValue:
    require_role(current_user, ROUND_MANAGERS if request.method == "POST" else PROVINCE)  # POST: extend one unit
    rnd = queries.get_round_or_404(round_id)
    form = ExtendForm()
    if form.validate_on_submit():
        ru = queries.round_unit_by_code(current_user, round_id, form.unit_code.data)
        new_deadline = required_date(form.new_deadline)
        if ru is None:
            form.unit_code.errors = [gettext("หน่วยงานนี้ไม่อยู่ในรายชื่อที่ต้องตอบรอบนี้")]
        elif new_deadline is not None:
            try:
                operations.extend_deadline(ru, new_deadline, form.reason.data, current_user.id)
                flash(gettext("ขยายเวลาให้ {unit} แล้ว", unit=pick(ru.org_unit.name_th, ru.org_unit.name_en)), "success")
                return redirect(url_for("rounds.detail", round_id=round_id))
            except operations.RoundError as exc:
                form.new_deadline.errors = [str(exc)]
    return round_page(rnd, unit_form=form, status=422 if form.errors else 200)
