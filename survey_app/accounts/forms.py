"""Login and password forms (Flask-WTF: every POST carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from survey_app.core.text import clean_line


class LoginForm(FlaskForm):
    username = StringField("ชื่อผู้ใช้", validators=[DataRequired("กรุณากรอกชื่อผู้ใช้"), Length(max=80)], filters=[clean_line])
    password = PasswordField("รหัสผ่าน", validators=[DataRequired("กรุณากรอกรหัสผ่าน"), Length(max=200)])
    submit = SubmitField("เข้าสู่ระบบ")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("รหัสผ่านปัจจุบัน", validators=[DataRequired("กรุณากรอกรหัสผ่านปัจจุบัน")])
    new_password = PasswordField("รหัสผ่านใหม่", validators=[DataRequired("กรุณากรอกรหัสผ่านใหม่"), Length(max=200)])
    confirm = PasswordField(
        "ยืนยันรหัสผ่านใหม่",
        validators=[DataRequired("กรุณายืนยันรหัสผ่านใหม่"), EqualTo("new_password", "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน")],
    )
    submit = SubmitField("เปลี่ยนรหัสผ่าน")


class DirectoryFilterForm(FlaskForm):
    """GET filters of the directory list; no CSRF needed for a read."""

    class Meta:
        csrf = False

    q = StringField("ค้นหา", validators=[Optional(), Length(max=100)], filters=[clean_line])
    kind = SelectField("ประเภท", choices=[], validators=[Optional()], validate_choice=False)
    district = SelectField("อำเภอ", choices=[], validators=[Optional()], validate_choice=False)


class ResetPasswordForm(FlaskForm):
    """An empty form: the POST and its CSRF token are the whole request."""

    submit = SubmitField("ตั้งรหัสผ่านใหม่")
