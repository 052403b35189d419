"""Directory pages for the province: upload a directory file, see its row errors or a preview, apply it with
one POST; and a unit's history (names, parents, kinds over time). The check is the CLI's (directory_import)."""

from __future__ import annotations

from pathlib import PurePath

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from survey_app.accounts import directory_changes as changes
from survey_app.accounts import queries
from survey_app.accounts.blueprint import bp
from survey_app.accounts.directory_import import COLUMN_LABELS, DirectoryFileError
from survey_app.core.i18n import gettext, lazy_gettext
from survey_app.core.permissions import PROVINCE, require_role
from survey_app.core.storage import StorageError


class DirectoryUploadForm(FlaskForm):
    file = FileField(
        lazy_gettext("ไฟล์ทำเนียบหน่วยงาน (.csv หรือ .xlsx)"),
        validators=[FileRequired(lazy_gettext("กรุณาเลือกไฟล์"))],
    )


class DirectoryApplyForm(FlaskForm):
    ticket = HiddenField(validators=[DataRequired()])


@bp.route("/directory/import", methods=["GET", "POST"])
@login_required
def directory_upload() -> ResponseReturnValue:
    """Upload a file: its row errors, or a preview of what it would add, change and move."""
    require_role(current_user, PROVINCE)
    form = DirectoryUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    upload = form.file.data
    filename = PurePath(upload.filename or "directory").name[:120]
    data = upload.stream.read(changes.MAX_FILE_BYTES + 1)
    if len(data) > changes.MAX_FILE_BYTES:
        form.file.errors.append(gettext("ไฟล์ใหญ่เกิน {mb} MB", mb=changes.MAX_FILE_BYTES // (1024 * 1024)))
        return _upload_page(form, filename=filename), 422
    try:
        checked = changes.check_upload(current_user, changes.rows_of_upload(data, filename))
    except DirectoryFileError as exc:
        form.file.errors.append(str(exc))
        return _upload_page(form, filename=filename), 422
    if checked.errors or checked.plan is None:
        return _upload_page(form, filename=filename, checked=checked), 422
    return _preview(checked.plan, data, filename)


def _preview(plan: changes.DirectoryPlan, data: bytes, filename: str, notice: str | None = None) -> ResponseReturnValue:
    try:
        ticket = changes.keep_for_apply(data, filename, plan, current_user.id)
    except StorageError as exc:
        form = DirectoryUploadForm(formdata=None)
        form.file.errors = [str(exc)]
        return _upload_page(form, filename=filename), 503
    apply_form = DirectoryApplyForm(formdata=None, ticket=ticket)
    return render_template(
        "accounts/directory_preview.html",
        plan=plan,
        filename=filename,
        apply_form=apply_form,
        notice=notice,
        columns=COLUMN_LABELS,
    )


def _upload_page(
    form: DirectoryUploadForm, *, filename: str | None = None, checked: changes.CheckedFile | None = None
) -> str:
    return render_template(
        "accounts/directory_upload.html",
        form=form,
        filename=filename,
        checked=checked,
        columns=COLUMN_LABELS,
        max_mb=changes.MAX_FILE_BYTES // (1024 * 1024),
    )


@bp.route("/directory/import/apply", methods=["POST"])
@login_required
def directory_apply() -> ResponseReturnValue:
    """Apply the previewed file: exactly that file, and only while it would still do what the preview said."""
    require_role(current_user, PROVINCE)
    form = DirectoryApplyForm()
    ticket = changes.read_ticket(form.ticket.data or "", current_user.id) if form.validate_on_submit() else None
    data = changes.file_of(ticket) if ticket else None
    if ticket is None or data is None:
        flash(gettext("ตัวอย่างการนำเข้านี้หมดอายุหรือไม่ถูกต้อง กรุณาอัปโหลดไฟล์อีกครั้ง"), "error")
        return redirect(url_for("accounts.directory_upload"))
    try:
        checked = changes.check_upload(current_user, changes.rows_of_upload(data, ticket.filename))
    except DirectoryFileError:
        checked = None
    if checked is None or checked.errors or checked.plan is None or checked.plan.digest != ticket.plan:
        changes.forget(ticket)
        if checked is None or checked.errors or checked.plan is None:
            flash(gettext("ทำเนียบหน่วยงานเปลี่ยนไปหลังจากแสดงตัวอย่าง กรุณาอัปโหลดไฟล์อีกครั้ง"), "error")
            return redirect(url_for("accounts.directory_upload"))
        notice = gettext("ทำเนียบหน่วยงานเปลี่ยนไปหลังจากแสดงตัวอย่าง นี่คือตัวอย่างใหม่ กรุณาตรวจสอบอีกครั้ง")
        return _preview(checked.plan, data, ticket.filename, notice)
    plan = changes.apply_checked(checked, ticket.filename, ticket.sha256, current_user)
    changes.forget(ticket)
    counts = plan.counts()
    flash(
        gettext(
            "นำเข้าแล้ว: เพิ่ม {added} แก้ไข {changed} ย้ายต้นสังกัด {moved} ไม่เปลี่ยนแปลง {unchanged} หน่วยงาน",
            **counts,
        ),
        "success",
    )
    return redirect(url_for("accounts.directory"))


@bp.route("/units/<int:unit_id>/history")
@login_required
def unit_history(unit_id: int) -> ResponseReturnValue:
    """A unit's names, parents, kinds and districts over time."""
    unit = queries.get_unit_or_404(current_user, unit_id)
    return render_template(
        "accounts/unit_history.html", unit=unit, lines=changes.history_of(unit), parents=queries.ancestors(unit)
    )
