"""Small forms of the responses feature."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from survey_app.core.i18n import lazy_gettext


class ActionForm(FlaskForm):
    """A POST with nothing but its CSRF token (start, submit, delete a file)."""


class PersonCodeForm(FlaskForm):
    respondent_code = StringField(lazy_gettext("รหัสผู้ตอบ"), validators=[Optional(), Length(max=20)])
