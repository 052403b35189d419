"""The question-type registry, as the rest of the app imports it; the types are in qtypes/, one module per
family, each class registering itself."""

from survey_app.forms_engine.qtypes import REGISTRY, QuestionType, ReadResult, question_type, register

__all__ = ["REGISTRY", "QuestionType", "ReadResult", "question_type", "register"]
