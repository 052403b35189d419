"""Login and password forms (Flask-WTF: every POST carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from survey_app.core.i18n import lazy_gettext
from survey_app.core.text import clean_line


class LoginForm(FlaskForm):
    username = StringField(
        lazy_gettext("ชื่อผู้ใช้"),
        validators=[DataRequired(lazy_gettext("กรุณากรอกชื่อผู้ใช้")), Length(max=80)],
        filters=[clean_line],
    )
    password = PasswordField(
        lazy_gettext("รหัสผ่าน"), validators=[DataRequired(lazy_gettext("กรุณากรอกรหัสผ่าน")), Length(max=200)]
    )
    submit = SubmitField(lazy_gettext("เข้าสู่ระบบ"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        lazy_gettext("รหัสผ่านปัจจุบัน"), validators=[DataRequired(lazy_gettext("กรุณากรอกรหัสผ่านปัจจุบัน"))]
    )
    new_password = PasswordField(
        lazy_gettext("รหัสผ่านใหม่"), validators=[DataRequired(lazy_gettext("กรุณากรอกรหัสผ่านใหม่")), Length(max=200)]
    )
    confirm = PasswordField(
        lazy_gettext("ยืนยันรหัสผ่านใหม่"),
        validators=[
            DataRequired(lazy_gettext("กรุณายืนยันรหัสผ่านใหม่")),
            EqualTo("new_password", lazy_gettext("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน")),
        ],
    )
    submit = SubmitField(lazy_gettext("เปลี่ยนรหัสผ่าน"))


class DirectoryFilterForm(FlaskForm):
    """GET filters of the directory list; no CSRF needed for a read."""

    class Meta:
        csrf = False

    q = StringField(lazy_gettext("ค้นหา"), validators=[Optional(), Length(max=100)], filters=[clean_line])
    kind = SelectField(lazy_gettext("ประเภท"), choices=[], validators=[Optional()], validate_choice=False)
    district = SelectField(lazy_gettext("อำเภอ"), choices=[], validators=[Optional()], validate_choice=False)


class ResetPasswordForm(FlaskForm):
    """An empty form: the POST and its CSRF token are the whole request."""

    submit = SubmitField(lazy_gettext("ตั้งรหัสผ่านใหม่"))
