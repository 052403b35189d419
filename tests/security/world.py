"""A province with something of everything, for the security suites: rounds, responses, an upload, a
certified set with its letter, a person link and an export job; and a way to log in as each persona."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from survey_app.accounts.models import LoginThrottle, User
from survey_app.core.storage import storage_for
from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.builder import SectionRead
from survey_app.reports.exports import ExportJob
from survey_app.responses import operations
from survey_app.responses.models import Response, Upload
from survey_app.review.models import AgencyCertification, SetStatus
from survey_app.rounds.models import RoundUnit
from tests.factories import PASSWORD
from tests.fixtures.answering import PDF, make_round
from tests.fixtures.app import csrf_token
from tests.fixtures.review import submitted

PERSONAS = ("anon", "school_a", "school_b", "cert_x", "cert_y", "province", "sysadmin")


@dataclass
class Objects:
    round_id: int
    person_round_id: int
    response_a: int
    upload_a: int
    cert_x: int
    job: int
    token_a: str
    x_id: int
    unit_a: int
    user_a: int


def build(units: dict[str, Any], app: Flask) -> Objects:
    """Rounds, A's submitted response with a stored PDF, X's certified set, a person link, an export job."""
    rnd = make_round(units)
    person = make_round(units, "tablet_satisfaction")
    a = submitted(units, rnd, "a")
    upload_id = add_upload(app, a)
    key = _store(app)
    cert = AgencyCertification(round_id=rnd.id, agency_id=units["x"].id, status=SetStatus.CERTIFIED, letter_key=key,
                               letter_name="letter.pdf", letter_sha256="0" * 64, letter_size=len(PDF))  # fmt: skip
    db.session.add(cert)
    job = ExportJob(user_id=units["province"].id, round_id=rnd.id, params={}, status="done", storage_key=_store(app),
                    filename="x.xlsx")  # fmt: skip
    db.session.add(job)
    db.session.flush()
    token = db.session.scalar(
        select(RoundUnit.link_token).where(RoundUnit.round_id == person.id, RoundUnit.org_unit_id == units["a"].id)
    )
    db.session.commit()
    return Objects(rnd.id, person.id, a.id, upload_id, cert.id, job.id, token, units["x"].id, units["a"].id,
                   units["school_a"].id)  # fmt: skip


def _store(app: Flask) -> str:
    storage = storage_for(app)
    return storage.commit(storage.receive(io.BytesIO(PDF), 10_000))


def add_upload(app: Flask, response: Response) -> int:
    """A stored PDF recorded as an upload of the response (not attached to an answer)."""
    upload = Upload(response_id=response.id, question_key="q_3_1_3", storage_key=_store(app), original_name="ไฟล์.pdf",
                    kind="pdf", content_type="application/pdf", size=len(PDF), sha256="0" * 64)  # fmt: skip
    db.session.add(upload)
    db.session.flush()
    return upload.id


def attach_to_answer(response_id: int, upload_id: int) -> None:
    """Make an upload part of a returned (editable) response's file answer, as the remove view expects."""
    response = db.session.get(Response, response_id)
    upload = db.session.get(Upload, upload_id)
    read = SectionRead(answers={upload.question_key: Answer.of([upload.record()])})
    operations.save_answers(response, response.round.form_version.parsed, read, response.row_version, None)


def client_for(app: Flask, persona: str) -> FlaskClient:
    """A fresh browser, logged in as the persona (anonymous stays logged out)."""
    client = app.test_client()
    if persona != "anon":
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"username": persona, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, f"cannot log in as {persona}"
    return client


def restore_passwords(units: dict[str, Any]) -> None:
    """Undo password resets and lockouts made by the checks, so the next check can log in."""
    db.session.rollback()  # a fresh transaction: on SQLite its first statement takes the write lock and waits
    reference = db.session.get(User, units["school_c"].id).password_hash
    db.session.commit()  # end the read, so the UPDATE opens its own transaction and waits for the lock
    db.session.execute(update(User).values(password_hash=reference, must_change_password=False))
    db.session.execute(delete(LoginThrottle))
    db.session.commit()
