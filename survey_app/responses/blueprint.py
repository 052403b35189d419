"""Answering pages: org responses (logged in), person surveys (public links), files."""

from flask import Blueprint

bp = Blueprint("responses", __name__, template_folder="templates")

from survey_app.responses import panels  # noqa: E402, F401  (home-page panel)
from survey_app.responses.views import files, person, picklist, respond  # noqa: E402, F401
