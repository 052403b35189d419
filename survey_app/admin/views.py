"""The audit trail page (and its CSV) and the settings page: reads only, so GETs that change nothing."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.admin import audit_queries
from survey_app.admin.blueprint import bp
from survey_app.admin.forms import AuditFilterForm
from survey_app.admin.settings import settings_of
from survey_app.core.audit import ACTION_LABELS
from survey_app.core.i18n import gettext
from survey_app.core.permissions import ADMINS, AUDIT_READERS, has_role, refuse, require_role
from survey_app.core.thai import BE_DATE_HINT, today_bangkok
from survey_app.core.web import select_choices


def _require_reader() -> None:
    """A school has no audit trail to read: the page does not exist for it (404, recorded)."""
    if not has_role(current_user, AUDIT_READERS):
        refuse(current_user, "page", None, None)


def _filter_form() -> tuple[AuditFilterForm, audit_queries.AuditFilter]:
    """The filter form from the query string, and what it asks for (nothing of a field that is wrong)."""
    form = AuditFilterForm(request.args)
    actions = sorted(ACTION_LABELS.items(), key=lambda item: gettext(item[1]))
    form.action.choices = select_choices([("", gettext("ทุกการกระทำ"))] + [(k, gettext(v)) for k, v in actions])
    form.round.choices = select_choices([("", gettext("ทุกรอบ")), *audit_queries.round_choices()])
    form.validate()
    round_id = form.round.data if form.round.data and str(form.round.data).isdigit() else None
    wanted = audit_queries.AuditFilter(
        unit="" if form.unit.errors else form.unit.data or "",
        subtree=bool(form.subtree.data),
        user="" if form.user.errors else form.user.data or "",
        action=form.action.data if form.action.data in ACTION_LABELS else "",
        round_id=int(round_id) if round_id and len(str(round_id)) < 10 else None,
        date_from=form.date_from.date if not form.date_from.errors else None,
        date_to=form.date_to.date if not form.date_to.errors else None,
    )
    return form, wanted


@bp.route("/audit")
@login_required
def audit() -> ResponseReturnValue:
    """Who did what, when, from which state to which: filtered, paginated, scoped."""
    _require_reader()
    form, wanted = _filter_form()
    page = audit_queries.page_of(current_user, wanted, request.args.get("page", 1, type=int) or 1)
    return render_template("admin/audit.html", form=form, page=page, date_hint=BE_DATE_HINT)


@bp.route("/audit.csv")
@login_required
def audit_csv() -> ResponseReturnValue:
    """The filtered list as CSV (UTF-8 with BOM; cells a spreadsheet would run are neutralised)."""
    _require_reader()
    _form, wanted = _filter_form()
    body = audit_queries.csv_of(current_user, wanted)
    name = f"audit-{today_bangkok():%Y%m%d}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )


@bp.route("/settings")
@login_required
def settings() -> ResponseReturnValue:
    """The configuration that matters and where each value comes from; secrets never shown."""
    require_role(current_user, ADMINS)
    return render_template("admin/settings.html", settings=settings_of(current_app))
