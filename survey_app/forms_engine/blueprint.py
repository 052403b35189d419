"""Form administration pages: the published forms and a preview of any version."""

from collections.abc import Callable, Iterable

from flask import Blueprint

from survey_app.core.i18n import N_
from survey_app.core.permissions import PROVINCE
from survey_app.core.web import register_nav
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.expression_page import expression_ast, page_expressions
from survey_app.forms_engine.types import question_type

bp = Blueprint("forms_engine", __name__, url_prefix="/forms", template_folder="templates")
register_nav(30, N_("แบบสอบถาม"), "forms_engine.index", PROVINCE)


@bp.app_template_filter("select_asked")
def select_asked(questions: Iterable[s.Question], asked: Callable[[s.Question], bool]) -> list[s.Question]:
    """Questions the unit is asked (audience), for the section page."""
    return [q for q in questions if asked(q)]


@bp.app_template_global("registry_display")
def registry_display(question: s.Question, answer: Answer | None) -> str:
    """An answer as text, by its question type ('-' when missing)."""
    return question_type(question).display(question, answer)


bp.add_app_template_global(question_type, "question_type")  # _questions.html includes the type's template
bp.add_app_template_filter(expression_ast, "expression_ast")  # expressions for static/js/expressions.js
bp.add_app_template_global(page_expressions, "page_expressions")


@bp.app_template_filter("add_dot")
def add_dot(extension: str) -> str:
    return f".{extension}"


from survey_app.forms_engine import views  # noqa: E402, F401
