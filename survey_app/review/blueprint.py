"""Certification pages for agencies and the province."""

from typing import Any

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.permissions import REVIEWERS
from survey_app.core.web import provide, register_nav
from survey_app.responses.models import Response

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")
register_nav(10, N_("ติดตามและรับรอง"), "review.index", REVIEWERS)

from survey_app.review.views import agency, province, reminders  # noqa: E402, F401


def _comments_for_respondent(response: Response) -> dict[str | None, list[Any]]:
    """Comments of the latest return, shown beside the fields while the response is returned."""
    from survey_app.review.queries import latest_comments

    return latest_comments(response) if response.status.sent_back else {}


provide("review_comments", _comments_for_respondent)
