"""Round management for the province: open rounds, see who is expected, extend deadlines."""

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.permissions import PROVINCE
from survey_app.core.web import register_nav

bp = Blueprint("rounds", __name__, url_prefix="/rounds", template_folder="templates")
register_nav(20, N_("รอบการรายงาน"), "rounds.index", PROVINCE)

from survey_app.rounds import manage, views  # noqa: E402, F401
