"""Report pages and downloads for agencies (their units) and the province."""

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.scope import Role
from survey_app.core.web import register_nav

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
REPORT_ROLES = (Role.CERTIFIER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN)
register_nav(40, N_("รายงาน"), "reports.index", set(REPORT_ROLES))

from survey_app.reports import views  # noqa: E402, F401
