"""Turning answers into what a browser would post for one section."""

from __future__ import annotations

from typing import Any

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.builder import form_data


def post_data(defn: s.FormDefinition, section: s.Section, answers: dict[str, Answer]) -> dict[str, Any]:
    """Form fields for a section as a browser sends them (checkboxes 'y', lists as repeated values)."""
    data: dict[str, Any] = {}
    for name, value in form_data(defn, section.all_questions(), answers).items():
        if value is True:
            data[name] = "y"
        elif value in (None, False, "", []):
            continue
        else:
            data[name] = value
    return data
