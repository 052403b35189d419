"""Preview state: answers typed in a preview travel in a signed hidden field, never in the database."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from survey_app.forms_engine.answers import Answer, AnswerState

_SALT = "form-preview"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def dump(answers: dict[str, Answer]) -> str:
    """Answers as a signed token (files keep only their names)."""
    data = {k: [a.state.value, _jsonable(a.value)] for k, a in answers.items()}
    return _serializer().dumps(data)


def load(token: str | None) -> dict[str, Answer]:
    """Answers from a token; a tampered or missing token is an empty preview."""
    if not token:
        return {}
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return {}
    return {k: Answer(AnswerState(state), value) for k, (state, value) in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, list) and value and hasattr(value[0], "filename"):
        return [{"id": 0, "name": f.filename, "size": 0} for f in value]
    return value
