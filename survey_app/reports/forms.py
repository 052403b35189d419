"""The export request form (POST with CSRF; the filters travel as hidden fields)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from survey_app.core.web import select_choices


class ExportForm(FlaskForm):
    format = SelectField(
        "รูปแบบ",
        choices=select_choices([("xlsx", "Excel (.xlsx)"), ("csv", "CSV"), ("zip", "ไฟล์แนบทั้งหมด (.zip)")]),
        default="xlsx",
    )
    codes = BooleanField("ใช้รหัสแทนข้อความ (สำหรับนำไปประมวลผลต่อ)")
