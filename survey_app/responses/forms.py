"""Small forms of the responses feature."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A POST with nothing but its CSRF token (start, submit, delete a file)."""
