"""Round management for the province: open rounds, see who is expected, extend deadlines."""

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.scope import Role
from survey_app.core.web import register_nav

bp = Blueprint("rounds", __name__, url_prefix="/rounds", template_folder="templates")
MANAGER_ROLES = (Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN)
register_nav(20, N_("รอบการรายงาน"), "rounds.index", set(MANAGER_ROLES))

from survey_app.rounds import views  # noqa: E402, F401
