"""Forms of the certification pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from survey_app.core.text import clean_text


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        "เหตุผลที่ส่งกลับ (ผู้ตอบจะเห็นข้อความนี้)",
        validators=[DataRequired("กรุณาระบุเหตุผลที่ส่งกลับ"), Length(max=5000)],
        filters=[clean_text],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField("เหตุผล", validators=[DataRequired("กรุณาระบุเหตุผล"), Length(max=5000)], filters=[clean_text])


class CertifySetForm(FlaskForm):
    letter = FileField("หนังสือรับรองข้อมูล (PDF ที่ลงนามแล้ว)")
    confirm = BooleanField(
        "ข้าพเจ้าได้ตรวจสอบข้อมูลของหน่วยงานและสถานศึกษาในสังกัดแล้ว และรับรองว่าถูกต้อง",
        validators=[DataRequired("กรุณายืนยันการรับรอง")],
    )


class EmptyForm(FlaskForm):
    """Certify, accept, bulk certify: the POST and its CSRF token are the request."""
