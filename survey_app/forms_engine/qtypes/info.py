"""Display-only items: a heading or explanation between questions; no field, no answer, no column."""

from __future__ import annotations

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.qtypes.base import QuestionType, register


@register
class InfoType(QuestionType[s.InfoBlock]):
    name = "info"
    has_input = False
