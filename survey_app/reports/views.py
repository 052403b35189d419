"""Thin views: the list of rounds, a round's report with filters and drill-down, export jobs."""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts import queries as account_queries
from survey_app.accounts.kinds import OrgKind
from survey_app.core.db import utcnow
from survey_app.core.figures import figure_text
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import REVIEWERS, require_role, sees_every_agency
from survey_app.core.storage import storage_for
from survey_app.core.transactions import commit_now
from survey_app.core.web import select_choices
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.results import Table
from survey_app.reports import compare, exports, queries
from survey_app.reports.blueprint import bp
from survey_app.reports.build import Report, breakdown, build_report, school_names
from survey_app.reports.charts import chart_json
from survey_app.reports.data import STATUS_FILTER_LABELS, Filters, default_status
from survey_app.reports.forms import ExportForm
from survey_app.reports.privacy import privacy_minimum
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import Round


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    return render_template("reports/index.html", rounds=round_queries.all_rounds())


def filters_from_request(rnd: Round) -> Filters:
    """Filters from the query string; agency and unit are checked against the user's scope (404 outside)."""
    status = request.args.get("status") or default_status(rnd)
    agency_id = request.args.get("agency", type=int)
    unit_id = request.args.get("unit", type=int)
    if agency_id is not None:
        account_queries.get_unit_or_404(current_user, agency_id)
    if unit_id is not None:
        account_queries.get_unit_or_404(current_user, unit_id)
    kind = request.args.get("kind", "")
    return Filters(
        status=status if status in STATUS_FILTER_LABELS else default_status(rnd),
        kind=kind if kind in OrgKind.__members__.values() else "",
        district=request.args.get("district", "")[:8],
        agency_id=agency_id,
        unit_id=unit_id,
    )


@bp.route("/rounds/<int:round_id>")
@login_required
def round_report(round_id: int) -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    filters = filters_from_request(rnd)
    report = build_report(current_user, rnd, filters)
    agency_options = (
        sorted(report.agencies.items(), key=lambda item: item[1]) if sees_every_agency(current_user) else []
    )
    return render_template(
        "reports/round.html",
        rnd=rnd,
        report=report,
        filters=filters,
        status_labels=STATUS_FILTER_LABELS,
        kinds=select_choices([(k.value, k.label_th) for k in OrgKind]),
        districts=account_queries.districts(),
        agency_options=agency_options,
        chart_json=chart_json,
        breakdown=_breakdowns(report, filters),
        export_form=ExportForm(),
        privacy_minimum=privacy_minimum(),
        query=request.args.to_dict(),
        compare_url=url_for("reports.compare_year", round_id=rnd.id) if len(compare.sibling_rounds(rnd)) > 1 else None,
    )


@bp.route("/rounds/<int:round_id>/compare")
@login_required
def compare_year(round_id: int) -> ResponseReturnValue:
    """The rounds of this round's form and fiscal year side by side (6 / 9 / 12 months), in total and for one
    unit in the user's scope (404 outside it)."""
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    unit_id = request.args.get("unit", type=int)
    unit = account_queries.get_unit_or_404(current_user, unit_id) if unit_id is not None else None
    rounds = compare.sibling_rounds(rnd)
    return render_template(
        "reports/compare.html",
        rnd=rnd,
        unit=unit,
        units=round_queries.units_to_share(current_user, rnd.id),
        total=compare.compare_rounds(current_user, rounds),
        for_unit=compare.compare_rounds(current_user, rounds, unit.id) if unit else None,
        privacy_minimum=privacy_minimum(),
    )


@bp.route("/rounds/<int:round_id>/compare.xlsx")
@login_required
def compare_year_xlsx(round_id: int) -> ResponseReturnValue:
    """The same comparison as a workbook: a sheet for the total and one for the chosen unit."""
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    unit_id = request.args.get("unit", type=int)
    unit = account_queries.get_unit_or_404(current_user, unit_id) if unit_id is not None else None
    rounds = compare.sibling_rounds(rnd)
    sheets = [(gettext("ภาพรวมทั้งหมด"), compare.compare_rounds(current_user, rounds))]
    if unit is not None:
        sheets.append((unit.name_th, compare.compare_rounds(current_user, rounds, unit.id)))
    buffer = io.BytesIO()
    compare.write_comparison(buffer, sheets)
    buffer.seek(0)
    name = f"compare-{rnd.form_version.form_key}-{rnd.fiscal_year}.xlsx"
    response = send_file(buffer, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _breakdowns(report: Report, filters: Filters) -> Callable[[s.Question], tuple[str, Table | None]]:
    """The page's per-group tables: per agency, each agency linking down to its schools; per school in a person
    survey once the selection is one agency (an agency filter, or a certifier's own scope)."""
    per_school = report.data.rnd.per_person and (
        filters.agency_id is not None or report.data.responses["agency_id"].nunique() == 1
    )
    if per_school:
        names = school_names(report.data)
        return lambda q: (N_("แยกรายสถานศึกษา"), breakdown(report.data, q, by="org_unit_id", names=names))
    query: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("agency", "unit")}
    links = {
        a: url_for("reports.round_report", round_id=report.data.rnd.id, agency=a, **query) for a in report.agencies
    }
    return lambda q: (N_("แยกรายหน่วยงาน"), breakdown(report.data, q, names=report.agencies, links=links))


@bp.app_template_filter("cell")
def cell(value: object) -> str:
    """A table cell as shown on a page: 2 decimals (half-up) for fractions, thousands separators, '-' for nothing."""
    if value is None or value == "":
        return "-"
    if isinstance(value, int | float | Fraction) and not isinstance(value, bool):
        return figure_text(value)  # the one rounding rule (core/figures.py)
    return str(value)


@bp.route("/rounds/<int:round_id>/export", methods=["POST"])
@login_required
def start_export(round_id: int) -> ResponseReturnValue:
    """Queue an export of what the page shows (same filters, same scope) and go to its progress page; the
    same export asked again while it is queued or running goes to that job's page."""
    require_role(current_user, REVIEWERS)
    rnd = round_queries.get_round_or_404(round_id)
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job, new = exports.request_job(
            current_user, rnd, filters_from_request(rnd), form.format.data, bool(form.codes.data)
        )
    except exports.TooManyExports as waiting:
        db.session.rollback()
        flash(gettext("มีรายงานที่กำลังสร้างอยู่ {n} รายการ กรุณารอให้เสร็จก่อนแล้วจึงสั่งใหม่", n=waiting.args[0]), "warning")
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("reports.round_report", round_id=round_id, **args))
    commit_now()  # (a) the worker thread reads the job row in a session of its own
    if new:
        exports.run_in_background(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]  # a LocalProxy, typed as Flask
    return redirect(url_for("reports.export_status", job_id=job.id))


def _filter_query(job: exports.ExportJob) -> dict[str, Any]:
    """The report page's query string for the job's filters (to try the same export again)."""
    filters = job.params.get("filters", {})
    names = {"status": "status", "kind": "kind", "district": "district", "agency_id": "agency", "unit_id": "unit"}
    return {arg: filters[key] for key, arg in names.items() if filters.get(key) not in (None, "")}


@bp.route("/exports/<int:job_id>")
@login_required
def export_status(job_id: int) -> ResponseReturnValue:
    job = queries.get_own_job_or_404(current_user, job_id)
    now = utcnow()
    retry = ExportForm(formdata=None, format=job.params.get("format", "xlsx"), codes=job.params.get("codes", False))
    return render_template(
        "reports/export.html",
        job=job,
        status=job.effective_status(now),
        message=job.message(now),
        retry_form=retry,
        retry_url=url_for("reports.start_export", round_id=job.round_id, **_filter_query(job)),
    )


@bp.route("/exports/<int:job_id>.json")
@login_required
def export_status_json(job_id: int) -> ResponseReturnValue:
    """What the progress page's script shows: status, progress, and the file's link and name when done."""
    job = queries.get_own_job_or_404(current_user, job_id)
    now = utcnow()
    status = job.effective_status(now)
    url = url_for("reports.export_file", job_id=job.id) if status.finished else None
    return jsonify(
        status=status, progress=job.progress, url=url, filename=job.filename if url else None, error=job.message(now)
    )


@bp.route("/exports/<int:job_id>/file")
@login_required
def export_file(job_id: int) -> ResponseReturnValue:
    job = queries.get_own_job_or_404(current_user, job_id)
    if job.status != exports.ExportStatus.DONE or not job.storage_key:
        abort(404)
    response = send_file(storage_for(current_app).open(job.storage_key), as_attachment=True, download_name=job.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
