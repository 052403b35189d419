"""Thin views: the list of published forms and the preview (answers are never stored)."""

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts.kinds import OrgKind
from survey_app.core.permissions import PROVINCE, require_role
from survey_app.forms_engine import preview, queries
from survey_app.forms_engine.answers import progress
from survey_app.forms_engine.blueprint import bp
from survey_app.forms_engine.builder import (
    completeness,
    form_class,
    form_data,
    merge,
    page_helpers,
    read_section,
    section_of,
)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    require_role(current_user, PROVINCE)
    return render_template("forms_engine/index.html", versions=queries.all_versions())


@bp.route("/<int:version_id>/preview", methods=["GET", "POST"])
@login_required
def preview_form(version_id: int) -> ResponseReturnValue:
    """Walk a version section by section as a unit of the chosen kind would; nothing is saved."""
    require_role(current_user, PROVINCE)
    version = queries.get_version_or_404(version_id)
    defn = version.parsed
    kind = request.values.get("as_kind") or None
    kind = kind if kind in OrgKind.__members__.values() else None
    index = min(max(request.values.get("s", 0, type=int), 0), len(defn.sections) - 1)
    section = defn.sections[index]
    answers = preview.load(request.form.get("preview_state"))
    cls = form_class(defn, section, version.content_hash)
    form = cls()
    errors: dict[str, list[str]] = {}
    check = None
    if request.method == "POST" and form.validate_on_submit():
        read = read_section(defn, section, form, answers, kind)
        errors = read.errors
        answers = merge(answers, read)
        if not errors:
            target = request.form.get("go", type=int)
            if target is not None and 0 <= target < len(defn.sections):
                index, section = target, defn.sections[target]
                form = form_class(defn, section, version.content_hash)(
                    formdata=None, data=form_data(defn, section.all_questions(), answers)
                )
            if request.form.get("action") == "submit":
                check = completeness(defn, answers, kind)
    elif request.method == "GET":
        form = cls(formdata=None, data=form_data(defn, section.all_questions(), answers))
    answered, required = progress(defn, answers, kind)
    return render_template(
        "forms_engine/preview.html",
        version=version,
        defn=defn,
        section=section,
        index=index,
        form=form,
        errors=errors,
        answers=answers,
        as_kind=kind,
        kinds=list(OrgKind),
        answered=answered,
        required=required,
        check=check,
        section_of=lambda key: section_of(defn, key),
        state=preview.dump(answers),
        files_url=None,
        **page_helpers(answers, kind),
    ), (422 if errors or (check and not check.ok) else 200)
