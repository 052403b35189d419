"""The unit form: add a unit, or edit and move one (Flask-WTF: every POST carries a CSRF token).

The fields only clean and bound what is typed; whether it makes a valid unit is the directory import's check
(`unit_ops.check_unit`), so its messages appear beside these fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from survey_app.accounts import queries
from survey_app.accounts.kinds import OrgKind
from survey_app.core.i18n import gettext, lazy_gettext
from survey_app.core.text import clean_line
from survey_app.core.web import select_choices

FIELDS = ("code", "parent_code", "kind", "name_th", "name_en", "district_code")


class UnitForm(FlaskForm):
    """Code (new units only), parent, kind, names and district. Kind and district are chosen from lists; a
    value outside them is still checked (and refused beside the field), never trusted."""

    code = StringField(lazy_gettext("รหัสหน่วยงาน"), filters=[clean_line])
    parent_code = StringField(lazy_gettext("รหัสต้นสังกัด"), filters=[clean_line])
    kind = SelectField(lazy_gettext("ประเภท"), choices=[], validate_choice=False)
    name_th = StringField(lazy_gettext("ชื่อหน่วยงาน"), filters=[clean_line])
    name_en = StringField(
        lazy_gettext("ชื่อภาษาอังกฤษ"),
        validators=[Length(max=255, message=lazy_gettext("ยาวเกิน 255 ตัวอักษร"))],
        filters=[clean_line],
    )
    district_code = SelectField(lazy_gettext("อำเภอ"), choices=[], validate_choice=False)
    submit = SubmitField(lazy_gettext("บันทึก"))

    def fill_choices(self) -> None:
        self.kind.choices = select_choices(
            [("", gettext("เลือกประเภท"))] + [(k.value, gettext(k.label_th)) for k in OrgKind]
        )
        self.district_code.choices = select_choices(
            [("", gettext("ไม่ระบุ"))] + [(d.code, f"{d.name_th} ({d.code})") for d in queries.districts()]
        )

    def typed(self) -> dict[str, str]:
        """What was typed, field by field, as the directory check reads a row."""
        return {name: (self[name].data or "") for name in FIELDS}

    def district_known(self) -> bool:
        value = self.district_code.data or ""
        return not value or value in {choice.value for choice in self.district_code.choices}
