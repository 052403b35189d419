"""The directory search behind unit_choice questions (static/js/picklist.js), and the answering context the
unit_choice type reads (forms_engine/qtypes/unit.py): which unit answers, and where its page searches.

The search answers only someone who may answer the response (a signed-in respondent of its unit, after the
one scope check) or who holds the round's public link, only for a unit_choice question of that round's form,
and only with units that question allows to that unit: at most MAX_RESULTS per query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask import abort, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from survey_app.accounts.models import OrgUnit
from survey_app.core.permissions import answers_for
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.qtypes.unit import MAX_QUERY, search_units, shown, unit_scope
from survey_app.responses import queries
from survey_app.responses.blueprint import bp
from survey_app.responses.models import Response
from survey_app.rounds import queries as round_queries


@bp.before_request
def _answering_context() -> None:
    """Tell unit_choice questions which unit answers on this page (looked up only when one asks)."""
    args = request.view_args or {}
    if isinstance(args.get("response_id"), int):
        response_id = args["response_id"]
        g.answering_unit = _once(lambda: _response_unit(response_id))
        g.picklist_url = lambda key: url_for("responses.response_units", response_id=response_id, key=key)
    elif isinstance(args.get("token"), str):
        token = args["token"]
        g.answering_unit = _once(lambda: _link_unit(token))
        g.picklist_url = lambda key: url_for("responses.link_units", token=token, key=key)


def _once(load: Callable[[], OrgUnit | None]) -> Callable[[], OrgUnit | None]:
    return cache(load)


def _response_unit(response_id: int) -> OrgUnit | None:
    response = db.session.get(Response, response_id)
    return response.org_unit if response is not None else None


def _link_unit(token: str) -> OrgUnit | None:
    ru = round_queries.round_unit_by_token(token)
    return ru.org_unit if ru is not None else None


@bp.route("/responses/<int:response_id>/units/<key>")
@login_required
def response_units(response_id: int, key: str) -> ResponseReturnValue:
    """Units matching ?q= for a unit_choice question of a response the user answers."""
    response = queries.get_response_or_404(current_user, response_id)
    if not answers_for(current_user, response.org_unit_id):
        abort(404)
    return _results(response.round.form_version.parsed, key, response.org_unit)


@bp.route("/s/<token>/units/<key>")
def link_units(token: str, key: str) -> ResponseReturnValue:
    """The same for the holder of a round's public person link (scoped to the link's unit)."""
    ru = round_queries.round_unit_by_token(token)
    if ru is None or not ru.round.per_person:
        abort(404)
    return _results(ru.round.form_version.parsed, key, ru.org_unit)


def _results(defn: s.FormDefinition, key: str, unit: OrgUnit) -> Any:
    question = next((q for q in defn.questions() if q.key == key and isinstance(q, s.UnitChoice)), None)
    if question is None:
        abort(404)
    text = request.args.get("q", "")[:MAX_QUERY]
    found = search_units(unit_scope(question, unit), text)
    reply = jsonify({"results": [{"value": code, "label": shown(code, name)} for code, name in found]})
    reply.headers["Cache-Control"] = "no-store"
    return reply
