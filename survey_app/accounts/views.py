"""Thin views: login, logout, password change, language, home page and the scoped directory."""

import time

from flask import current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.accounts import operations, queries, throttle
from survey_app.accounts.blueprint import bp
from survey_app.accounts.forms import ChangePasswordForm, DirectoryFilterForm, LoginForm, ResetPasswordForm
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import User
from survey_app.accounts.user_forms import PostForm
from survey_app.core.i18n import LANG_COOKIE, LANGUAGES, N_, gettext
from survey_app.core.permissions import (
    PROVINCE,
    REVIEWERS,
    has_role,
    may_edit_directory,
    may_manage_accounts,
    may_reset_password_of,
    require_role,
)
from survey_app.core.replay import replayable
from survey_app.core.security import is_safe_next
from survey_app.core.transactions import commit_now
from survey_app.core.web import home_panels, select_choices

GENERIC_LOGIN_ERROR = N_("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
WAIT_MESSAGE = N_(
    "ลองเข้าสู่ระบบไม่สำเร็จหลายครั้งจากเครื่องนี้ ระบบจึงหน่วงเวลาไว้ กรุณารอ {wait} แล้วลองใหม่ "
    "(หน่วงเฉพาะเครื่องที่ลองผิด บัญชีไม่ถูกล็อก เครื่องที่เคยเข้าสู่ระบบบัญชีนี้ยังเข้าได้ตามปกติ)"
)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    headers = {}
    if form.validate_on_submit():
        started = time.monotonic()
        username = form.username.data or ""
        client, known_device = throttle.client_of(username)
        outcome = operations.sign_in(username, form.password.data or "", client, known_device)
        commit_now()  # (b) the failure counts stand either way, and no lock is held while a failure is padded
        if outcome.user is not None:
            return _signed_in(outcome.user, username)
        form.password.errors = _failure_messages(outcome)
        _pad_failure(started)
        headers = {"Retry-After": str(outcome.wait_seconds)} if outcome.wait_seconds else {}
    replay = _carried_fields() if request.form.get("replay_to") else []
    status = 200 if not form.errors else 429 if headers else 422
    page = render_template("accounts/login.html", form=form, replay=replay, replay_to=request.form.get("replay_to"))
    return page, status, headers


def _signed_in(user: User, username: str) -> WerkzeugResponse:
    """Start the session; carry the user's own draft on when the sign-in interrupted a save."""
    _start_session(user)
    replay_to = request.form.get("replay_to")
    carried = _carried_fields()
    if replay_to and is_safe_next(replay_to) and replayable(carried, replay_to, user.id):
        response: WerkzeugResponse = make_response(
            render_template("replay.html", fields=carried, target=replay_to, expired=False)
        )
    else:
        target = request.args.get("next")
        response = redirect(target if is_safe_next(target) else url_for("accounts.home"))
    throttle.remember_device(response, username)
    return response


def _failure_messages(outcome: operations.SignIn) -> list[str]:
    """Wrong name or password, and plainly when (and for how long) this client is being slowed down."""
    messages = [gettext(GENERIC_LOGIN_ERROR)] if outcome.checked else []
    if outcome.wait_seconds:
        wait = outcome.wait_seconds
        amount = gettext("{n} นาที", n=-(-wait // 60)) if wait >= 60 else gettext("{n} วินาที", n=wait)
        messages.append(gettext(WAIT_MESSAGE, wait=amount))
    return messages


def _pad_failure(started: float) -> None:
    """Every failed sign-in takes the same time (unknown name, wrong password, disabled, slowed down), so
    timing tells an outsider nothing about which usernames exist."""
    floor = current_app.config["LOGIN_FAILURE_SECONDS"]
    time.sleep(max(0.0, floor - (time.monotonic() - started)))


def _carried_fields() -> list[tuple[str, str]]:
    """Fields a user typed before the session ended, carried through the login form as replay__NAME."""
    prefix = "replay__"
    return [(k[len(prefix) :], v) for k, values in request.form.lists() if k.startswith(prefix) for v in values]


def _start_session(user: User) -> None:
    """Rotate the cookie: a new session with a new server-side token (and a new CSRF token)."""
    session.clear()
    g.pop("csrf_token", None)
    record = operations.start_session(user, request.user_agent.string)
    user.session_token = record.token
    login_user(user)
    session.permanent = True


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    operations.end_session(current_user.session_token, current_user)
    logout_user()
    session.clear()
    flash(gettext("ออกจากระบบแล้ว"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        try:
            operations.change_password(user, form.current_password.data or "", form.new_password.data or "")
        except operations.PasswordRejected as refused:
            form[refused.field].errors = refused.messages
        else:
            _start_session(user)
            flash(gettext("เปลี่ยนรหัสผ่านเรียบร้อยแล้ว"), "success")
            return redirect(url_for("accounts.home"))
    return render_template("accounts/change_password.html", form=form), 200 if not form.errors else 422


@bp.route("/lang/<lang>")
def language(lang: str) -> ResponseReturnValue:
    """Switch the interface language (a preference cookie, no data changes)."""
    target = request.args.get("next")
    response = redirect(target if is_safe_next(target) else url_for("accounts.home"))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.route("/")
@login_required
def home() -> ResponseReturnValue:
    counts = queries.count_by_kind(current_user) if has_role(current_user, REVIEWERS) else []
    return render_template(
        "accounts/home.html",
        unit=current_user.org_unit,
        parents=queries.ancestors(current_user.org_unit),
        counts=counts,
        panels=home_panels(current_user),
    )


@bp.route("/directory")
@login_required
def directory() -> ResponseReturnValue:
    require_role(current_user, REVIEWERS)
    form = DirectoryFilterForm(request.args)
    form.kind.choices = select_choices([("", gettext("ทุกประเภท"))] + [(k.value, gettext(k.label_th)) for k in OrgKind])
    form.district.choices = select_choices(
        [("", gettext("ทุกอำเภอ"))] + [(d.code, d.name_th) for d in queries.districts()]
    )
    page = queries.search_units(
        current_user,
        q=form.q.data or "",
        kind=form.kind.data or "",
        district=form.district.data or "",
        page=request.args.get("page", 1, type=int),
    )
    return render_template("accounts/directory.html", form=form, page=page)


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int) -> ResponseReturnValue:
    unit = queries.get_unit_or_404(current_user, unit_id)
    can_manage = may_manage_accounts(current_user)
    return render_template(
        "accounts/unit.html",
        unit=unit,
        parents=queries.ancestors(unit),
        children=queries.children_in_scope(current_user, unit),
        users=queries.users_of_unit(unit) if can_manage else [],
        reset_form=ResetPasswordForm(),
        can_edit=may_edit_directory(current_user),
        post_form=PostForm(),
    )


@bp.route("/units/<int:unit_id>/users/<int:user_id>/reset", methods=["POST"])
@login_required
def reset_password(unit_id: int, user_id: int) -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    unit = queries.get_unit_or_404(current_user, unit_id)
    user = queries.user_of_unit(unit, user_id)
    if user is None or not ResetPasswordForm().validate_on_submit():
        return render_template("error.html", code=404, title=N_("ไม่พบผู้ใช้"), message=""), 404
    if not may_reset_password_of(current_user, user):
        return render_template("error.html", code=403, title=N_("ไม่มีสิทธิ์"), message=""), 403
    password = operations.reset_password(user, current_user.id)
    current_app.logger.info("password reset for user %s by %s", user.id, current_user.id)
    return render_template("accounts/reset_done.html", unit=unit, user=user, password=password)


from survey_app.accounts import unit_views, user_views  # noqa: E402, F401  (the people and unit pages attach to bp)
