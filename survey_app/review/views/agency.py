"""The agency's side: the dashboard of its units, the review page, certify/return, the set's letter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import IO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts import queries as account_queries
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.core.i18n import gettext, pick
from survey_app.core.permissions import PROVINCE, REVIEWERS, require_role, sees_every_agency
from survey_app.core.thai import now_bangkok
from survey_app.core.web import select_choices
from survey_app.extensions import db
from survey_app.forms_engine import repeats
from survey_app.responses import queries as response_queries
from survey_app.responses.models import Response
from survey_app.responses.operations import ResponseError
from survey_app.responses.pages import display_rows, key_title
from survey_app.review import operations, queries
from survey_app.review.blueprint import bp
from survey_app.review.chase import ChaseList, chase_workbook
from survey_app.review.forms import CertifySetForm, EmptyForm, ReasonForm, ReturnForm, question_comments
from survey_app.review.sets import agency_members, round_members
from survey_app.rounds import queries as round_queries


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    rounds = round_queries.all_rounds()
    return render_template(
        "review/index.html",
        rounds=[r for r in rounds if not r.per_person],
        person_rounds=[r for r in rounds if r.per_person],
        now=now_bangkok(),
    )


def _agency_for_view() -> OrgUnit:
    """Certifiers look at their own agency; the province may pick any agency (in scope)."""
    agency_id = request.args.get("agency", type=int)
    if agency_id is None or not sees_every_agency(current_user):
        return current_user.org_unit
    return account_queries.get_unit_or_404(current_user, agency_id)


@bp.route("/rounds/<int:round_id>")
@login_required
def dashboard(round_id: int) -> ResponseReturnValue:
    """The agency's units: figures, search and filters, 50 to a page, chase lists, the set's certification."""
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    if sees_every_agency(current_user) and "agency" not in request.args:
        return redirect(url_for("review.province_dashboard", round_id=round_id))
    agency = _agency_for_view()
    now = now_bangkok()
    members = agency_members(current_user, round_id, agency.id)
    filters = {k: request.args.get(k, "").strip() for k in ("q", "status", "kind", "district")}
    shown = queries.filter_members(members, filters["status"], filters["kind"], filters["district"], now, filters["q"])
    cert = queries.certifications(round_id).get(agency.id)
    summary = queries.summarise(members, now)
    return render_template(
        "review/dashboard.html",
        rnd=rnd,
        agency=agency,
        page=queries.paginate(shown, request.args.get("page", 1, type=int)),
        summary=summary,
        cert=cert,
        now=now,
        form=EmptyForm(),
        filters=filters,
        status_labels=queries.STATUS_FILTER_LABELS,
        kinds=select_choices([(k.value, k.label_th) for k in OrgKind]),
        districts=account_queries.districts(),
        member_status=queries.member_status,
        is_overdue=queries.is_overdue,
        chase_lists=chase_offers(rnd, summary, now),
        own_set=current_user.org_unit_id == agency.id,
        can_certify_set=queries.set_can_be_certified(operations.set_problems(members), cert),
    )


def chase_offers(rnd, summary: queries.Summary, now: datetime) -> dict[str, int]:
    """Which chase lists to offer, with their sizes: 'not sent' at any time, 'overdue' once a deadline passed."""
    offers = {"unsent": summary.unsent}
    if now > rnd.closes_at or summary.overdue:
        offers["overdue"] = summary.overdue
    return offers


@bp.route("/rounds/<int:round_id>/bulk-certify", methods=["POST"])
@login_required
def bulk_certify(round_id: int) -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    if not EmptyForm().validate_on_submit():
        abort(400)
    done, refused = 0, []
    for response_id in request.form.getlist("response_id", type=int):
        response = response_queries.get_response_or_404(current_user, response_id)
        try:
            with db.session.begin_nested():
                operations.certify_response(response, current_user.id, current_user.role)
            done += 1
        except ResponseError as exc:
            refused.append(f"{pick(response.org_unit.name_th, response.org_unit.name_en)}: {exc}")
    flash(
        gettext("รับรองแล้ว {n} แห่ง", n=done)
        + (gettext("; ไม่สำเร็จ {n} แห่ง: ", n=len(refused)) + "; ".join(refused[:5]) if refused else ""),
        "success" if not refused else "warning",
    )
    return redirect(
        request.referrer
        if request.referrer and "/review/" in request.referrer
        else url_for("review.dashboard", round_id=round_id)
    )


@bp.route("/rounds/<int:round_id>/chase.xlsx")
@login_required
def chase_list(round_id: int) -> ResponseReturnValue:
    """One agency's chase list: `which` is 'unsent' (the default, any time) or 'overdue'."""
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    agency = _agency_for_view()
    which = _which()
    now = now_bangkok()
    members = queries.chase_members(agency_members(current_user, round_id, agency.id), which, now)
    chase = ChaseList(which, agency.name_th, members)
    return _send_workbook(
        chase_workbook(rnd, chase, now, current_user.display_name), f"chase-{which}-{rnd.id}-{agency.code}.xlsx"
    )


@bp.route("/rounds/<int:round_id>/chase-province.xlsx")
@login_required
def chase_list_province(round_id: int) -> ResponseReturnValue:
    """Every agency's units in one file, with a column naming each unit's agency (for the province)."""
    require_role(current_user, PROVINCE)
    rnd = round_queries.get_round_or_404(round_id)
    which = _which()
    now = now_bangkok()
    members = queries.chase_members(round_members(current_user, round_id), which, now)
    agencies = queries.agencies_by_id({m.agency_id for m in members})
    members.sort(key=lambda m: (agencies[m.agency_id].path, m.unit.path))
    chase = ChaseList(which, current_user.org_unit.name_th, members, {i: u.name_th for i, u in agencies.items()})
    return _send_workbook(
        chase_workbook(rnd, chase, now, current_user.display_name), f"chase-{which}-{rnd.id}-province.xlsx"
    )


def _which() -> str:
    which = request.args.get("which", "unsent")
    if which not in queries.CHASE_LISTS:
        abort(404)
    return which


def _send_workbook(data: IO[bytes], name: str) -> ResponseReturnValue:
    response = send_file(
        data,
        as_attachment=True,
        download_name=name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/responses/<int:response_id>")
@login_required
def review(response_id: int) -> ResponseReturnValue:
    """Read-only answers laid out like the form, uploads to preview, history, comments, and the actions."""
    require_role(current_user, REVIEWERS)
    response = response_queries.get_response_or_404(current_user, response_id)
    return _review_page(response, ReturnForm(formdata=None))


def _review_page(
    response: Response, return_form: ReturnForm, typed: dict[str, str] | None = None, status: int = 200
) -> ResponseReturnValue:
    """The review page; after a refused return it keeps what the certifier typed (`typed`: per question)."""
    defn = response.round.form_version.parsed
    answers = response.answer_map()
    return render_template(
        "review/review.html",
        response=response,
        defn=defn,
        rows=display_rows(defn, answers, response.org_unit.kind.value),
        key_title=lambda key: key_title(defn, key, answers),  # a row field: "<group> · รายการที่ 2 · <field>"
        question_of=lambda key: repeats.question_lookup(defn, key),
        history=response_queries.history(response),
        comments=queries.latest_comments(response),
        changes=queries.changes_since_return(response) if response.status.awaiting_review else {},
        return_form=return_form,
        typed_comments=typed or {},
        reason_form=ReasonForm(formdata=None),
        form=EmptyForm(),
    ), status


@bp.route("/responses/<int:response_id>/certify", methods=["POST"])
@login_required
def certify(response_id: int) -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    response = response_queries.get_response_or_404(current_user, response_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(
        response,
        lambda: operations.certify_response(response, current_user.id, current_user.role),
        gettext("รับรองข้อมูลแล้ว"),
    )


@bp.route("/responses/<int:response_id>/return", methods=["POST"])
@login_required
def return_(response_id: int) -> ResponseReturnValue:
    """Return with a general reason and comments on the form's own questions. A refusal shows the page
    again with everything typed still in its field and the error beside the reason (422)."""
    require_role(current_user, REVIEWERS)
    response = response_queries.get_response_or_404(current_user, response_id)
    form = ReturnForm()
    codes = {q.key: q.code or q.key for q in response.round.form_version.parsed.questions()}
    per_question, errors = question_comments(request.form, codes)
    if not form.validate_on_submit() or errors:
        form.comment.errors = [*form.comment.errors, *errors]
        return _review_page(response, form, per_question, 422)
    return _act(
        response,
        lambda: operations.return_response(
            response, form.comment.data, per_question, current_user.id, current_user.role
        ),
        gettext("ส่งกลับให้แก้ไขแล้ว"),
    )


@bp.route("/responses/<int:response_id>/reopen", methods=["POST"])
@login_required
def reopen(response_id: int) -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    response = response_queries.get_response_or_404(current_user, response_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(gettext("การเปิดแก้ไขต้องระบุเหตุผล"), "error")
        return redirect(url_for("review.review", response_id=response.id))
    return _act(
        response,
        lambda: operations.reopen_response(response, form.reason.data, current_user.id, current_user.role),
        gettext("เปิดให้แก้ไขแล้ว"),
    )


def _act(response: Response, action: Callable[[], object], done_message: str) -> ResponseReturnValue:
    return run_and_report(action, done_message, url_for("review.review", response_id=response.id))


def run_and_report(action: Callable[[], object], done_message: str, back_to: str) -> ResponseReturnValue:
    """Run one certification step: say so (the request commits it), or roll back and show why it was refused."""
    try:
        action()
        flash(done_message, "success")
    except ResponseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(back_to)


@bp.route("/rounds/<int:round_id>/certify-set", methods=["GET", "POST"])
@login_required
def certify_set(round_id: int) -> ResponseReturnValue:
    """The head certifies the whole set with the signed official letter."""
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    agency = current_user.org_unit
    members = agency_members(current_user, round_id, agency.id)
    form = CertifySetForm()
    if form.validate_on_submit():
        if not form.letter.data:
            form.letter.errors = [gettext("กรุณาแนบหนังสือรับรอง (PDF)")]
        else:
            try:
                operations.certify_set(round_id, agency, members, form.letter.data, current_user.id)
                flash(gettext("รับรองข้อมูลทั้งชุดแล้ว จังหวัดจะตรวจรับต่อไป"), "success")
                return redirect(url_for("review.dashboard", round_id=round_id))
            except ResponseError as exc:
                db.session.rollback()
                form.letter.errors = [str(exc)]
    return render_template(
        "review/certify_set.html",
        rnd=rnd,
        agency=agency,
        members=members,
        form=form,
        problems=operations.set_problems(members),
        cert=queries.certifications(round_id).get(agency.id),
    ), 422 if form.errors else 200
