"""Benchmark data: the demo province, a logged-in session for every unit of the plan round (cookies signed
like Flask's own, no login round trips), complete drafts ready to submit, and person responses."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_login import utils as login_utils
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, insert, select, text

from survey_app.accounts.models import OrgUnit, User, UserSession
from survey_app.accounts.passwords import hash_password
from survey_app.core.scope import Role
from survey_app.demo.directory import load_demo_directory
from survey_app.demo.scale import current_factor, replicate_province
from survey_app.demo.synthetic import (
    Generated,
    _fill_person_round,
    _insert_answers,
    _insert_responses,
    _response_row,
    fill_new_units,
)
from survey_app.extensions import db
from survey_app.forms_engine.builder import form_data
from survey_app.forms_engine.cli import publish_all_for_demo
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses.models import ORG_SLOT, Response, ResponseStatus
from survey_app.rounds.cli import open_demo_rounds
from survey_app.rounds.models import Round, RoundUnit

FAKE_FILE = [{"id": 0, "name": "x.pdf", "size": 1, "kind": "pdf"}]


@dataclass
class UnitSession:
    response_id: int
    cookie: str
    csrf: str
    section_body: str  # a complete urlencoded section 1, with __N__ where a changing value goes


def prepare(app: Flask) -> tuple[Round, Round]:
    """Schema, demo directory, published forms and this year's rounds; returns (plan round, tablet round)."""
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        load_demo_directory()
        publish_all_for_demo()
        open_demo_rounds()
        db.session.commit()
        rounds = {r.form_version.form_key: r.id for r in db.session.scalars(select(Round))}
    return rounds["phetchabun_plan"], rounds["tablet_satisfaction"]


def _client_identifier(app: Flask) -> str:
    """What Flask-Login's session protection stores at sign-in for wrk on 127.0.0.1 (no User-Agent).

    Without it every request would find the session's client changed, mark it not fresh and sign the
    cookie again: work a signed-in browser never causes, since it keeps the cookie it was given."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        return login_utils._create_identifier()


def unit_sessions(app: Flask, round_id: int) -> list[UnitSession]:
    """A respondent, a live session and a complete draft for every expected unit of the round."""
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        defn = rnd.form_version.parsed
        units = list(db.session.scalars(select(RoundUnit).where(RoundUnit.round_id == round_id)))
        password = hash_password("Bench-pass-2563")
        rng = random.Random(7)
        sessions = []
        answer_sets = [sample_answers(defn, rng, ru.org_unit.kind.value, files=FAKE_FILE) for ru in units]
        rows = [
            _response_row(rnd, ru, ResponseStatus.DRAFT, rng, ORG_SLOT, len(a), len(a))
            for ru, a in zip(units, answer_sets, strict=True)
        ]
        response_ids = _insert_responses(rows)
        _insert_answers(defn, response_ids, answer_sets)
        signer = SecureCookieSessionInterface().get_signing_serializer(app)
        client_id = _client_identifier(app)
        csrf_signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
        for ru, rid, answers in zip(units, response_ids, answer_sets, strict=True):
            user_id = db.session.execute(insert(User).returning(User.id), [{
                "username": f"bench-{ru.org_unit.code}", "password_hash": password, "display_name": ru.org_unit.name_th,
                "role": Role.RESPONDENT, "org_unit_id": ru.org_unit_id, "must_change_password": False, "is_enabled": True}]).scalar_one()  # fmt: skip
            token, raw_csrf = secrets.token_urlsafe(32), secrets.token_hex(20)
            db.session.add(UserSession(token=token, user_id=user_id))
            cookie = signer.dumps({"_user_id": token, "_fresh": True, "_id": client_id, "csrf_token": raw_csrf,
                                   "_permanent": True})  # fmt: skip
            body = _section_body(defn, answers)
            sessions.append(UnitSession(rid, f"survey_session={cookie}", csrf_signer.dumps(raw_csrf), body))
        db.session.commit()
        return sessions


def _section_body(defn, answers) -> str:  # type: ignore[no-untyped-def]
    """Section 2 of the form as a browser posts it, with one text answer that changes per request."""
    section = defn.sections[1]
    fields = []
    for name, value in form_data(defn, section.all_questions(), answers).items():
        if value is True:
            fields.append((name, "y"))
        elif isinstance(value, list):
            fields += [(name, v) for v in value]
        elif value not in (None, False, ""):
            fields.append((name, value))
    text_q = next(q for q in section.all_questions() if q.type == "text" and q.allow_none)
    fields = [(k, v) for k, v in fields if not k.startswith(text_q.key)] + [(text_q.key, "TEXT__N__")]
    return urlencode([*fields, ("action", "save")]).replace("TEXT__N__", "โครงการ __N__")


def reset_to_draft(app: Flask, round_id: int) -> None:
    """Put the plan round back to drafts between runs (submitting is once per response)."""
    with app.app_context():
        db.session.execute(
            text("UPDATE response SET status = 'draft', submitted_at = NULL, is_late = false WHERE round_id = :r"),
            {"r": round_id},
        )
        db.session.commit()


def person_responses(app: Flask, round_id: int, count: int) -> int:
    """Add `count` submitted person responses to a round (bulk)."""
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        result = Generated()
        _fill_person_round(rnd, count, random.Random(count), result, lambda _m: None)
        db.session.commit()
        return result.person_responses


def grow_directory(app: Flask, factor: int) -> int:
    """Copy the province until the directory is `factor` times it; the copies answer the org rounds that
    already have answers (`flask demo --scale`). Returns the number of units."""
    with app.app_context():
        if factor > current_factor():
            copies = replicate_province(factor)
            fill_new_units({c for ids in copies.values() for c in ids})
        db.session.commit()
        return int(db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0)


def burst_check(app: Flask, round_id: int) -> tuple[int, int, int, int]:
    """(expected units, units with exactly one submitted response, responses in all, answers in all)."""
    with app.app_context():
        q = lambda sql: int(db.session.scalar(text(sql), {"r": round_id}) or 0)  # noqa: E731
        units = q("SELECT count(*) FROM round_unit WHERE round_id = :r")
        once = q(
            "SELECT count(*) FROM (SELECT org_unit_id FROM response WHERE round_id = :r AND status = 'submitted' "
            "GROUP BY org_unit_id HAVING count(*) = 1) AS s"
        )
        responses = q("SELECT count(*) FROM response WHERE round_id = :r")
        answers = q("SELECT count(*) FROM answer JOIN response ON response.id = answer.response_id WHERE round_id = :r")
        return units, once, responses, answers


__all__ = ["Response", "UnitSession", "burst_check", "grow_directory", "person_responses", "prepare", "reset_to_draft",
           "unit_sessions"]  # fmt: skip
