"""Uploaded files: downloads only through this view, which checks scope; removal from a draft answer."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.core.i18n import gettext
from survey_app.core.permissions import may_edit, require_answers_for
from survey_app.core.storage import storage_for
from survey_app.core.transactions import commit_now
from survey_app.forms_engine.builder import section_of
from survey_app.responses import queries
from survey_app.responses.blueprint import bp
from survey_app.responses.forms import ActionForm
from survey_app.responses.uploads import discard_keys, remove_upload

PREVIEWABLE = ("pdf", "png", "jpg")


@bp.route("/uploads/<int:upload_id>")
@login_required
def download(upload_id: int) -> ResponseReturnValue:
    """Send the file as an attachment under its original name, with the type found from its bytes."""
    upload = queries.get_upload_or_404(current_user, upload_id)
    try:
        stream = storage_for(current_app).open(upload.storage_key)
    except FileNotFoundError:
        abort(404)
    response = send_file(
        stream,
        mimetype=upload.content_type,
        as_attachment=True,
        download_name=upload.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/uploads/<int:upload_id>/preview")
@login_required
def preview_upload(upload_id: int) -> ResponseReturnValue:
    """PDFs and images shown in the browser for review, sandboxed; other kinds only download."""
    upload = queries.get_upload_or_404(current_user, upload_id)
    if upload.kind not in PREVIEWABLE:
        abort(404)
    try:
        stream = storage_for(current_app).open(upload.storage_key)
    except FileNotFoundError:
        abort(404)
    response = send_file(stream, mimetype=upload.content_type, as_attachment=False, download_name=upload.original_name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; plugin-types application/pdf; sandbox"
    )
    return response


@bp.route("/uploads/<int:upload_id>/remove", methods=["POST"])
@login_required
def remove(upload_id: int) -> ResponseReturnValue:
    """Take a file out of a draft answer (the respondent's own unit only)."""
    upload = queries.get_upload_or_404(current_user, upload_id)
    response = upload.response
    require_answers_for(current_user, response.org_unit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not may_edit(current_user, response):
        flash(gettext("แบบสอบถามนี้ส่งแล้ว ลบไฟล์ไม่ได้"), "error")
    else:
        key = remove_upload(upload, current_user.id)
        commit_now()  # the file is deleted only once no committed row points to it
        discard_keys([key])
        flash(gettext("ลบไฟล์ {name} แล้ว", name=upload.original_name), "info")
    defn = response.round.form_version.parsed
    return redirect(url_for("responses.section", response_id=response.id, index=section_of(defn, upload.question_key)))
