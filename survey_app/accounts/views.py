"""Thin views: login, logout, password change, language, home page and the scoped directory."""

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from survey_app.accounts import operations, queries
from survey_app.accounts.blueprint import bp
from survey_app.accounts.forms import ChangePasswordForm, DirectoryFilterForm, LoginForm, ResetPasswordForm
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import User
from survey_app.accounts.passwords import policy_problems, verify_password
from survey_app.core.i18n import LANG_COOKIE, LANGUAGES
from survey_app.core.replay import replayable
from survey_app.core.scope import Role, ensure_role
from survey_app.core.security import is_safe_next
from survey_app.core.web import home_panels, select_choices
from survey_app.extensions import db

GENERIC_LOGIN_ERROR = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (ผิดเกิน 5 ครั้ง บัญชีจะถูกพักการใช้งาน 15 นาที)"


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            db.session.commit()  # keep the failure count
            form.password.errors = [GENERIC_LOGIN_ERROR]
        else:
            _start_session(user)
            db.session.commit()
            replay_to = request.form.get("replay_to")
            carried = _carried_fields()
            if replay_to and is_safe_next(replay_to) and replayable(carried, replay_to, user.id):
                return render_template("replay.html", fields=carried, target=replay_to, expired=False)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("accounts.home"))
    replay = _carried_fields() if request.form.get("replay_to") else []
    return render_template(
        "accounts/login.html", form=form, replay=replay, replay_to=request.form.get("replay_to")
    ), 200 if not form.errors else 422


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
def logout():  # type: ignore[no-untyped-def]
    operations.end_session(current_user.session_token, current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("ออกจากระบบแล้ว", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors = ["รหัสผ่านปัจจุบันไม่ถูกต้อง"]
        elif problems := policy_problems(form.new_password.data or "", user.username):
            form.new_password.errors = problems
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors = ["รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม"]
        else:
            operations.change_password(user, form.new_password.data or "")
            _start_session(user)
            db.session.commit()
            flash("เปลี่ยนรหัสผ่านเรียบร้อยแล้ว", "success")
            return redirect(url_for("accounts.home"))
    return render_template("accounts/change_password.html", form=form), 200 if not form.errors else 422


@bp.route("/lang/<lang>")
def language(lang: str):  # type: ignore[no-untyped-def]
    """Switch the interface language (a preference cookie, no data changes)."""
    target = request.args.get("next")
    response = redirect(target if is_safe_next(target) else url_for("accounts.home"))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.route("/")
@login_required
def home():  # type: ignore[no-untyped-def]
    counts = queries.count_by_kind(current_user) if current_user.role != Role.RESPONDENT else []
    return render_template(
        "accounts/home.html",
        unit=current_user.org_unit,
        parents=queries.ancestors(current_user.org_unit),
        counts=counts,
        panels=home_panels(current_user),
    )


@bp.route("/directory")
@login_required
def directory():  # type: ignore[no-untyped-def]
    ensure_role(current_user, Role.CERTIFIER, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN)
    form = DirectoryFilterForm(request.args)
    form.kind.choices = select_choices([("", "ทุกประเภท")] + [(k.value, k.label_th) for k in OrgKind])
    form.district.choices = select_choices([("", "ทุกอำเภอ")] + [(d.code, d.name_th) for d in queries.districts()])
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
def unit(unit_id: int):  # type: ignore[no-untyped-def]
    unit = queries.get_unit_or_404(current_user, unit_id)
    can_manage = current_user.role in (Role.SYSTEM_ADMIN, Role.PROVINCE_ADMIN)
    return render_template(
        "accounts/unit.html",
        unit=unit,
        parents=queries.ancestors(unit),
        children=queries.children_in_scope(current_user, unit),
        users=queries.users_of_unit(unit) if can_manage else [],
        reset_form=ResetPasswordForm(),
    )


@bp.route("/units/<int:unit_id>/users/<int:user_id>/reset", methods=["POST"])
@login_required
def reset_password(unit_id: int, user_id: int):  # type: ignore[no-untyped-def]
    ensure_role(current_user, Role.PROVINCE_ADMIN, Role.SYSTEM_ADMIN)
    unit = queries.get_unit_or_404(current_user, unit_id)
    user = db.session.get(User, user_id)
    if user is None or user.org_unit_id != unit.id or not ResetPasswordForm().validate_on_submit():
        return render_template("error.html", code=404, title="ไม่พบผู้ใช้", message=""), 404
    if user.role == Role.SYSTEM_ADMIN and current_user.role != Role.SYSTEM_ADMIN:
        return render_template("error.html", code=403, title="ไม่มีสิทธิ์", message=""), 403
    password = operations.reset_password(user, current_user.id)
    db.session.commit()
    current_app.logger.info("password reset for user %s by %s", user.id, current_user.id)
    return render_template("accounts/reset_done.html", unit=unit, user=user, password=password)
