"""The accounts blueprint: login, home, directory pages; and how a cookie becomes a user."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from survey_app.accounts import queries
from survey_app.accounts.forms import LoginForm
from survey_app.accounts.models import User
from survey_app.core.i18n import N_
from survey_app.core.replay import fields_to_replay
from survey_app.core.security import is_safe_next
from survey_app.extensions import login_manager

bp = Blueprint("accounts", __name__, template_folder="templates")

login_manager.login_view = "accounts.login"
login_manager.login_message = N_("กรุณาเข้าสู่ระบบก่อน")  # flashed, translated where shown
login_manager.login_message_category = "info"

PASSWORD_CHANGE_EXEMPT = frozenset({"accounts.change_password", "accounts.logout", "accounts.language", "static"})


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The cookie holds a session token; a revoked token or a disabled user logs nobody in."""
    user = queries.user_of_session(token)
    if user is None:
        return None
    user.session_token = token
    return user


@login_manager.unauthorized_handler
def unauthorized() -> ResponseReturnValue:
    """Not logged in (or the session ended): a draft typed on the user's own page is carried through the
    login page (checked again against who signs in); anything else is not carried."""
    fields = fields_to_replay()
    if fields and is_safe_next(request.path):
        form = LoginForm(formdata=None)
        return render_template("accounts/login.html", form=form, replay=fields, replay_to=request.path), 401
    flash(login_manager.login_message, "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


@bp.before_app_request
def force_password_change() -> ResponseReturnValue | None:
    """Users with an initial or reset password must choose their own before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_EXEMPT
    ):
        return redirect(url_for("accounts.change_password"))
    return None


# the routes attach themselves to bp
from survey_app.accounts import directory_upload, views  # noqa: E402, F401
