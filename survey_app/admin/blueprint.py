"""The admin blueprint: /admin/audit and /admin/settings."""

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.permissions import ADMINS, AUDIT_READERS
from survey_app.core.web import register_nav

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
register_nav(50, N_("บันทึกการใช้งาน"), "admin.audit", AUDIT_READERS)
register_nav(60, N_("การตั้งค่า"), "admin.settings", ADMINS)

from survey_app.admin import views  # noqa: E402, F401  (routes attach to bp)
