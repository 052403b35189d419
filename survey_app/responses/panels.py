"""The respondent's home-page block: what my unit must answer this year, its status and deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template

from survey_app.core.permissions import ScopedUser
from survey_app.core.thai import now_bangkok
from survey_app.core.web import register_home_panel
from survey_app.forms_engine.answers import progress
from survey_app.responses import queries
from survey_app.responses.models import Response
from survey_app.rounds import queries as round_queries
from survey_app.rounds.models import RoundUnit


@dataclass
class Task:
    ru: RoundUnit
    response: Response | None
    answered: int
    required: int
    deadline: datetime
    days_left: float
    answered_people: int


def _tasks(user: ScopedUser) -> list[Task]:
    now = now_bangkok()
    tasks = []
    for ru in round_queries.rounds_for_unit(user.org_unit_id):
        response = None if ru.round.per_person else queries.org_response(ru.round_id, ru.org_unit_id)
        answered, required = (0, 0)
        if response is not None:
            answered, required = progress(ru.round.form_version.parsed, response.answer_map(), ru.org_unit.kind.value)
        people = queries.person_response_count(ru.round_id, ru.org_unit_id) if ru.round.per_person else 0
        deadline = ru.deadline()
        tasks.append(Task(ru, response, answered, required, deadline, (deadline - now).total_seconds() / 86400, people))
    return tasks


def render_tasks(user: ScopedUser) -> str | None:
    tasks = _tasks(user)
    if not tasks:
        return None
    return render_template("responses/_home_tasks.html", tasks=tasks, now=now_bangkok())


register_home_panel(10, render_tasks)
