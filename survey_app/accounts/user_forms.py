"""Forms of the people pages: the users list filters, a new user, a user's details, the bulk accounts and the
user's own profile (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from survey_app.accounts.users import email_problem, phone_problem
from survey_app.core.i18n import gettext, lazy_gettext
from survey_app.core.text import clean_line


def _email(_form: Any, field: Field) -> None:
    if problem := email_problem(field.data or ""):
        raise ValidationError(gettext(problem))


def _phone(_form: Any, field: Field) -> None:
    if problem := phone_problem(field.data or ""):
        raise ValidationError(gettext(problem))


class ContactFields(FlaskForm):
    """Name, e-mail and phone: the admin's user page and the user's own profile share them."""

    display_name = StringField(
        lazy_gettext("ชื่อที่แสดง"),
        validators=[Optional(), Length(max=255, message=lazy_gettext("ยาวเกิน 255 ตัวอักษร"))],
        filters=[clean_line],
    )
    email = StringField(lazy_gettext("อีเมล"), validators=[Optional(), _email], filters=[clean_line])
    phone = StringField(lazy_gettext("เบอร์โทรศัพท์"), validators=[Optional(), _phone], filters=[clean_line])


class ProfileForm(ContactFields):
    submit = SubmitField(lazy_gettext("บันทึก"))


class UserEditForm(ContactFields):
    role = SelectField(lazy_gettext("บทบาท"), choices=[])
    submit = SubmitField(lazy_gettext("บันทึก"))


class NewUserForm(ContactFields):
    unit_code = StringField(
        lazy_gettext("รหัสหน่วยงาน"),
        validators=[DataRequired(lazy_gettext("กรุณากรอกรหัสหน่วยงาน")), Length(max=20)],
        filters=[clean_line],
    )
    username = StringField(
        lazy_gettext("ชื่อผู้ใช้"),
        validators=[
            DataRequired(lazy_gettext("กรุณากรอกชื่อผู้ใช้")),
            Length(min=3, max=80, message=lazy_gettext("ชื่อผู้ใช้ยาว 3–80 ตัวอักษร")),
            Regexp(r"^[A-Za-z0-9._-]+$", message=lazy_gettext("ใช้ได้เฉพาะอักษรอังกฤษ ตัวเลข และ . _ -")),
        ],
        filters=[clean_line],
    )
    role = SelectField(lazy_gettext("บทบาท"), choices=[])
    submit = SubmitField(lazy_gettext("สร้างผู้ใช้"))


class UserFilterForm(FlaskForm):
    """GET filters of the users list; no CSRF needed for a read."""

    class Meta:
        csrf = False

    q = StringField(lazy_gettext("ค้นหา"), validators=[Optional(), Length(max=100)], filters=[clean_line])
    role = SelectField(lazy_gettext("บทบาท"), choices=[], validators=[Optional()], validate_choice=False)
    active = SelectField(lazy_gettext("สถานะ"), choices=[], validators=[Optional()], validate_choice=False)


class BatchForm(FlaskForm):
    kind = SelectField(lazy_gettext("ประเภทหน่วยงาน"), choices=[])
    submit = SubmitField(lazy_gettext("สร้างบัญชีให้หน่วยงานที่ยังไม่มีบัญชี"))


class PostForm(FlaskForm):
    """An empty form: the POST and its CSRF token are the whole request (deactivate, reactivate, download)."""

    submit = SubmitField(lazy_gettext("ยืนยัน"))
