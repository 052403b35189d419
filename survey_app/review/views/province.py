"""The province's side: agencies × status, drill-down, accepting or returning an agency's set, letters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts import queries as account_queries
from survey_app.core.i18n import gettext, pick
from survey_app.core.permissions import PROVINCE, REVIEWERS, require_role
from survey_app.core.storage import storage_for
from survey_app.core.thai import now_bangkok
from survey_app.review import operations, queries
from survey_app.review.blueprint import bp
from survey_app.review.forms import EmptyForm, ReasonForm
from survey_app.review.models import AgencyCertification
from survey_app.review.sets import agency_members, round_members
from survey_app.review.views.agency import chase_offers, run_and_report
from survey_app.rounds import queries as round_queries


@bp.route("/rounds/<int:round_id>/province")
@login_required
def province_dashboard(round_id: int) -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    rnd = round_queries.get_round_or_404(round_id)
    now = now_bangkok()
    by_agency = defaultdict(list)
    members = round_members(current_user, round_id)
    for m in members:
        by_agency[m.agency_id].append(m)
    agencies = queries.agencies_by_id(set(by_agency))
    rows = sorted(
        ((agencies[aid], queries.summarise(ms, now)) for aid, ms in by_agency.items()), key=lambda r: r[0].path
    )
    total = queries.summarise(members, now)
    return render_template(
        "review/province.html",
        rnd=rnd,
        rows=rows,
        total=total,
        chase_lists=chase_offers(rnd, total, now),
        certs=queries.certifications(round_id),
        form=EmptyForm(),
        reason_form=ReasonForm(),
        now=now,
    )


def _cert_or_404(round_id: int, agency_id: int) -> AgencyCertification:
    agency = account_queries.get_unit_or_404(current_user, agency_id)
    cert = queries.certifications(round_id).get(agency.id)
    if cert is None:
        abort(404)
    return cert


@bp.route("/rounds/<int:round_id>/sets/<int:agency_id>/accept", methods=["POST"])
@login_required
def accept_set(round_id: int, agency_id: int) -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    cert = _cert_or_404(round_id, agency_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    members = agency_members(current_user, round_id, agency_id)
    return _decide(
        round_id,
        lambda: operations.accept_set(cert, members, current_user.id, now_bangkok(), current_user.role),
        gettext("รับข้อมูลของ {agency} แล้ว", agency=pick(cert.agency.name_th, cert.agency.name_en)),
    )


@bp.route("/rounds/<int:round_id>/sets/<int:agency_id>/return", methods=["POST"])
@login_required
def return_set(round_id: int, agency_id: int) -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    cert = _cert_or_404(round_id, agency_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(gettext("การส่งกลับต้องระบุเหตุผล"), "error")
        return redirect(url_for("review.province_dashboard", round_id=round_id))
    return _decide(
        round_id,
        lambda: operations.return_set(cert, form.reason.data, current_user.id, now_bangkok()),
        gettext("ส่งข้อมูลของ {agency} กลับแล้ว", agency=pick(cert.agency.name_th, cert.agency.name_en)),
    )


def _decide(round_id: int, action: Callable[[], object], message: str) -> ResponseReturnValue:
    return run_and_report(action, message, url_for("review.province_dashboard", round_id=round_id))


@bp.route("/letters/<int:cert_id>")
@login_required
def letter(cert_id: int) -> ResponseReturnValue:
    """The signed certification letter, for the agency itself and those above it."""
    require_role(current_user, REVIEWERS)
    cert = queries.get_certification_or_404(current_user, cert_id)
    response = send_file(
        storage_for(current_app).open(cert.letter_key),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=cert.letter_name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
