"""The question types, one module per family (choice, text, number, date, file, scale, info).

Every module in this package is imported here, and each type class registers itself with @register, so
adding a type is its schema class (schema.py), one module here and one template under
templates/forms_engine/qtypes/ (see docs/question_types.md).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.qtypes.base import REGISTRY, QuestionType, ReadResult, register

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def question_type(q: s.Question) -> QuestionType[Any]:
    """The registered type of a question (typed Any: which class it handles is known only at run time)."""
    return REGISTRY[q.type]


__all__ = ["REGISTRY", "QuestionType", "ReadResult", "question_type", "register"]
