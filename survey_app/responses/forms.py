"""Small forms of the responses feature."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class ActionForm(FlaskForm):
    """A POST with nothing but its CSRF token (start, submit, delete a file)."""


class PersonCodeForm(FlaskForm):
    respondent_code = StringField("รหัสผู้ตอบ", validators=[Optional(), Length(max=20)])
