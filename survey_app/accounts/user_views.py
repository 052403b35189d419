"""Thin views of the people pages: the users list, a new user, a user's page (contacts, role, active), bulk
accounts with their once-only hand-out workbook, and the user's own profile (ข้อมูลของฉัน)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from survey_app.accounts import handouts, queries, users
from survey_app.accounts.blueprint import bp
from survey_app.accounts.forms import ResetPasswordForm
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import User
from survey_app.accounts.passwords import hash_password
from survey_app.accounts.user_forms import BatchForm, NewUserForm, PostForm, ProfileForm, UserEditForm, UserFilterForm
from survey_app.core.db import write_intent
from survey_app.core.i18n import N_, gettext
from survey_app.core.permissions import PROVINCE, Role, grantable_roles, may_manage_user, require_role
from survey_app.core.transactions import rollback
from survey_app.core.web import register_nav, select_choices
from survey_app.extensions import db

register_nav(50, N_("ผู้ใช้"), "accounts.users", PROVINCE)


def _role_choices(actor: User) -> list[SelectChoice]:
    return select_choices([(r.value, gettext(r.label_th)) for r in grantable_roles(actor)])


@bp.route("/users/", endpoint="users")
@login_required
def users_list() -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    form = UserFilterForm(request.args)
    form.role.choices = select_choices([("", gettext("ทุกบทบาท"))] + [(r.value, gettext(r.label_th)) for r in Role])
    form.active.choices = select_choices(
        [("", gettext("ทุกสถานะ")), ("1", gettext("ใช้งานอยู่")), ("0", gettext("ปิดการใช้งาน"))]
    )
    page = users.search_users(
        current_user,
        q=form.q.data or "",
        role=form.role.data or "",
        active=form.active.data or "",
        page=request.args.get("page", 1, type=int),
    )
    return render_template("accounts/users.html", form=form, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user() -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    form = NewUserForm()
    form.role.choices = _role_choices(current_user)
    if request.method == "GET" and (unit_id := request.args.get("unit", type=int)):
        form.unit_code.data = queries.get_unit_or_404(current_user, unit_id).code
    if form.validate_on_submit():
        unit = users.unit_by_code_in_scope(current_user, form.unit_code.data or "")
        if unit is None:
            form.unit_code.errors = [gettext("ไม่พบหน่วยงานรหัสนี้ในขอบเขตของคุณ")]
        elif users.username_taken(form.username.data or ""):
            form.username.errors = [gettext("มีผู้ใช้ชื่อนี้แล้ว กรุณาเลือกชื่ออื่น")]
        else:
            user, password = users.create_account(
                current_user,
                unit,
                form.username.data or "",
                Role(form.role.data),
                display_name=form.display_name.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
            )
            return render_template("accounts/user_created.html", unit=unit, user=user, password=password)
    return render_template("accounts/user_new.html", form=form), 422 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id: int) -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    target = users.get_user_or_404(current_user, user_id)
    can_change = may_manage_user(current_user, target) and target.id != current_user.id
    form = UserEditForm(obj=target if request.method == "GET" else None)
    form.role.choices = (
        _role_choices(current_user)
        if can_change
        else select_choices([(target.role.value, gettext(target.role.label_th))])
    )
    if request.method == "GET":
        form.role.data = target.role.value
    if form.validate_on_submit():
        if not may_manage_user(current_user, target):
            abort(403)
        contact = {
            "display_name": form.display_name.data or "",
            "email": form.email.data or "",
            "phone": form.phone.data or "",
        }
        changed = users.set_contact(target, current_user.id, **contact)
        if can_change and users.change_role(target, Role(form.role.data), current_user):
            changed.append("role")
        flash(gettext("บันทึกแล้ว") if changed else gettext("ไม่มีข้อมูลที่เปลี่ยนแปลง"), "success")
        return redirect(url_for("accounts.user", user_id=target.id))
    return render_template(
        "accounts/user.html",
        target=target,
        form=form,
        can_change=can_change,
        may_manage=may_manage_user(current_user, target),
        post_form=PostForm(),
        reset_form=ResetPasswordForm(),
    ), 422 if form.errors else 200


def _set_enabled(user_id: int, enabled: bool) -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    target = users.get_user_or_404(current_user, user_id)
    if not PostForm().validate_on_submit():
        abort(400)
    if not may_manage_user(current_user, target) or target.id == current_user.id:
        abort(403)
    if users.set_enabled(target, enabled, current_user.id):
        flash(
            gettext("เปิดการใช้งานบัญชีแล้ว") if enabled else gettext("ปิดการใช้งานบัญชีแล้ว ผู้ใช้ถูกออกจากระบบทุกเครื่อง"), "success"
        )
    return redirect(url_for("accounts.user", user_id=target.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate_user(user_id: int) -> ResponseReturnValue:
    return _set_enabled(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate_user(user_id: int) -> ResponseReturnValue:
    return _set_enabled(user_id, True)


@bp.route("/users/batch", methods=["GET", "POST"])
@login_required
def batch_accounts() -> ResponseReturnValue:
    """Accounts for every unit (of a kind, in scope) that has none; the hand-out workbook is kept for its
    maker to download once. Passwords are hashed between transactions, so nobody waits for the lock."""
    require_role(current_user, PROVINCE)
    counts = users.count_without_accounts(current_user)
    form = BatchForm()
    form.kind.choices = select_choices([(k.value, f"{gettext(k.label_th)} ({n})") for k, n in counts])
    if not form.validate_on_submit():
        page = render_template("accounts/batch.html", form=form, counts=counts, limit=users.WEB_BATCH_LIMIT)
        return page, 422 if form.errors else 200
    actor_id, kind = current_user.id, OrgKind(form.kind.data)
    token = write_intent.set(False)  # choosing names only reads: no write lock while passwords are hashed
    try:
        planned = users.plan_batch(current_user, kind)
        rollback()
    finally:
        write_intent.reset(token)
    hashes = [hash_password(account.password) for account in planned]
    actor = db.session.get(User, actor_id)
    if actor is None:  # the account was removed while the passwords were hashed
        abort(403)
    created = users.create_batch(planned, hashes, actor, kind)
    handout = handouts.keep(actor_id, created) if created else None
    return render_template(
        "accounts/batch_done.html",
        created=created,
        handout=handout,
        kind=kind,
        post_form=PostForm(),
        lifetime=handouts.LIFETIME_SECONDS // 60,
    )


@bp.route("/users/handouts/<token>", methods=["POST"])
@login_required
def handout(token: str) -> ResponseReturnValue:
    """The hand-out workbook, once, to the admin who made it; then it is gone from the server."""
    require_role(current_user, PROVINCE)
    if not PostForm().validate_on_submit():
        abort(400)
    data = handouts.take(current_user.id, token)
    if data is None:
        title, message = N_("ไม่มีไฟล์นี้แล้ว"), N_("ไฟล์รายชื่อผู้ใช้ดาวน์โหลดได้ครั้งเดียวและหมดอายุใน 1 ชั่วโมง")
        return render_template("error.html", code=404, title=title, message=message), 404
    headers = {
        "Content-Disposition": 'attachment; filename="accounts.xlsx"',
        "Cache-Control": "no-store",
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return data, 200, headers


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    """The user's own name, e-mail and phone (ข้อมูลของฉัน)."""
    me: User = current_user._get_current_object()
    form = ProfileForm(obj=me if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = users.set_contact(
            me,
            me.id,
            display_name=form.display_name.data or "",
            email=form.email.data or "",
            phone=form.phone.data or "",
        )
        flash(gettext("บันทึกแล้ว") if changed else gettext("ไม่มีข้อมูลที่เปลี่ยนแปลง"), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, me=me), 422 if form.errors else 200
