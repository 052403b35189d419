"""Thin views of the directory in a form: add a unit, edit or move one, deactivate and reactivate it.

The check is the directory import's (`unit_ops.check_unit`); its messages are shown beside the fields, with
what was typed kept."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts import queries, unit_ops
from survey_app.accounts.blueprint import bp
from survey_app.accounts.models import OrgUnit
from survey_app.accounts.unit_forms import UnitForm
from survey_app.accounts.user_forms import PostForm
from survey_app.core.i18n import gettext
from survey_app.core.permissions import DIRECTORY_EDITORS, require_role


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
def new_unit() -> ResponseReturnValue:
    """Add a unit under a parent in the editor's scope (`?parent=<id>` fills the parent in)."""
    require_role(current_user, DIRECTORY_EDITORS)
    form = UnitForm()
    form.fill_choices()
    if request.method == "GET" and (parent_id := request.args.get("parent", type=int)):
        form.parent_code.data = queries.get_unit_or_404(current_user, parent_id).code
    if form.validate_on_submit() and (check := _checked(form, None)).row is not None:
        unit = unit_ops.create_unit(current_user, check)
        flash(gettext("เพิ่มหน่วยงานแล้ว"), "success")
        return redirect(url_for("accounts.unit", unit_id=unit.id))
    return render_template("accounts/unit_form.html", form=form, unit=None), 422 if form.errors else 200


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_unit(unit_id: int) -> ResponseReturnValue:
    """Change a unit's names, kind and district, or move it to another parent; the old values go to its history."""
    require_role(current_user, DIRECTORY_EDITORS)
    unit = queries.get_unit_or_404(current_user, unit_id)
    form = UnitForm(data=_as_typed(unit) if request.method == "GET" else None)
    form.fill_choices()
    if form.validate_on_submit() and (check := _checked(form, unit)).row is not None:
        changed = unit_ops.update_unit(current_user, unit, check)
        flash(gettext("บันทึกแล้ว") if changed else gettext("ไม่มีข้อมูลที่เปลี่ยนแปลง"), "success")
        return redirect(url_for("accounts.unit", unit_id=unit_id))
    page = render_template("accounts/unit_form.html", form=form, unit=unit, parents=queries.ancestors(unit))
    return page, 422 if form.errors else 200


def _checked(form: UnitForm, unit: OrgUnit | None) -> unit_ops.UnitCheck:
    """The directory check of what was typed; its messages are put beside the fields."""
    check = unit_ops.check_unit(current_user, form.typed(), unit)
    if not form.district_known():
        check.errors.setdefault("district_code", []).append(gettext("กรุณาเลือกอำเภอจากรายการ"))
        check.row = None
    for name, messages in check.errors.items():
        form[name].errors = list(form[name].errors) + messages
    return check


def _as_typed(unit: OrgUnit) -> dict[str, str]:
    return {
        "code": unit.code,
        "parent_code": unit.parent.code if unit.parent else "",
        "kind": unit.kind.value,
        "name_th": unit.name_th,
        "name_en": unit.name_en or "",
        "district_code": unit.district_code or "",
    }


def _set_active(unit_id: int, active: bool) -> ResponseReturnValue:
    require_role(current_user, DIRECTORY_EDITORS)
    unit = queries.get_unit_or_404(current_user, unit_id)
    if not PostForm().validate_on_submit():
        abort(400)
    if unit_ops.set_active(current_user, unit, active):
        flash(gettext("เปิดใช้งานหน่วยงานอีกครั้งแล้ว") if active else gettext("ปิดใช้งานหน่วยงานแล้ว"), "success")
    return redirect(url_for("accounts.unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/deactivate", methods=["POST"])
@login_required
def deactivate_unit(unit_id: int) -> ResponseReturnValue:
    return _set_active(unit_id, False)


@bp.route("/units/<int:unit_id>/reactivate", methods=["POST"])
@login_required
def reactivate_unit(unit_id: int) -> ResponseReturnValue:
    return _set_active(unit_id, True)
