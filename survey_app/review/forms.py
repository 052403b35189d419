"""Forms of the certification pages."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from survey_app.core.i18n import gettext, lazy_gettext
from survey_app.core.text import clean_text

COMMENT_MAX = 5000
QUESTION_COMMENT_PREFIX = "qc_"


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        lazy_gettext("เหตุผลที่ส่งกลับ (ผู้ตอบจะเห็นข้อความนี้)"),
        validators=[DataRequired(lazy_gettext("กรุณาระบุเหตุผลที่ส่งกลับ")), Length(max=COMMENT_MAX)],
        filters=[clean_text],
    )


def question_comments(formdata: Mapping[str, str], codes: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The per-question comments typed on the review page (`qc_<key>`), read only for the form's own question
    keys (`codes`: key -> the code people see; anything else posted is ignored), cleaned; and what is wrong
    with them (too long)."""
    comments: dict[str, str] = {}
    errors: list[str] = []
    for key, code in codes.items():
        text = clean_text(formdata.get(QUESTION_COMMENT_PREFIX + key)) or ""
        if text:
            comments[key] = text
        if len(text) > COMMENT_MAX:
            errors.append(gettext("ความเห็นต่อข้อ {key} ยาวเกิน {n} ตัวอักษร", key=code, n=f"{COMMENT_MAX:,}"))
    return comments, errors


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("เหตุผล"),
        validators=[DataRequired(lazy_gettext("กรุณาระบุเหตุผล")), Length(max=COMMENT_MAX)],
        filters=[clean_text],
    )


class CertifySetForm(FlaskForm):
    letter = FileField(
        lazy_gettext("หนังสือรับรองข้อมูล (PDF ที่ลงนามแล้ว)"),
        # The chooser offers PDF files only; the server still checks the content (operations._store_letter).
        render_kw={"accept": "application/pdf,.pdf"},
    )
    confirm = BooleanField(
        lazy_gettext("ข้าพเจ้าได้ตรวจสอบข้อมูลของหน่วยงานและสถานศึกษาในสังกัดแล้ว และรับรองว่าถูกต้อง"),
        validators=[DataRequired(lazy_gettext("กรุณายืนยันการรับรอง"))],
    )


class EmptyForm(FlaskForm):
    """Certify, accept, bulk certify: the POST and its CSRF token are the request."""
