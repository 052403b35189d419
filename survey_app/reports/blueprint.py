"""Report pages and downloads for agencies (their units) and the province."""

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.permissions import REVIEWERS
from survey_app.core.web import register_nav

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
register_nav(40, N_("รายงาน"), "reports.index", REVIEWERS)

from survey_app.reports import views  # noqa: E402, F401
