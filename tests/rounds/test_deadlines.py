"""A round's deadline: its late policy to the second, and an extension for one unit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.core.audit import AuditEvent
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from survey_app.rounds.models import LatePolicy
from tests.fixtures.answering import fill_all, make_round, start, submit
from tests.fixtures.app import csrf_token


@pytest.mark.parametrize(("offset", "policy", "status", "late"), [
    (-1, LatePolicy.REFUSE, ResponseStatus.SUBMITTED, False),
    (+1, LatePolicy.REFUSE, ResponseStatus.DRAFT, False),
    (+1, LatePolicy.ACCEPT, ResponseStatus.SUBMITTED, True),
])  # fmt: skip
def test_deadline_to_the_second_follows_the_round_rule(client, auth, world, monkeypatch, offset, policy, status, late):
    closes = now_bangkok() + timedelta(days=1)
    rnd = make_round(world, late=policy, closes=closes)
    auth.login("school_a")
    rid = start(client, rnd)
    fill_all(client, rid, "basic_school")
    monkeypatch.setattr("survey_app.responses.views.respond.now_bangkok", lambda: closes + timedelta(seconds=offset))
    result = submit(client, rid)
    message = client.get(result.headers["Location"]).get_data(as_text=True)
    response = db.session.get(Response, rid)
    assert (response.status, response.is_late) == (status, late)
    if status == ResponseStatus.DRAFT:
        assert "เลยกำหนดส่งแล้ว" in message and response.answers  # the draft is kept


def test_extension_lets_a_unit_submit_after_the_round_closes(client, auth, world, monkeypatch):
    closes = now_bangkok() + timedelta(hours=1)
    rnd = make_round(world, late=LatePolicy.REFUSE, closes=closes)
    auth.login("province")
    token = csrf_token(client, f"/rounds/{rnd.id}")
    new = (closes + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(f"/rounds/{rnd.id}", data={"csrf_token": token, "unit_code": "A0000001", "new_deadline": new,
                                               "reason": "น้ำท่วมโรงเรียน"})  # fmt: skip
    assert ok.status_code == 302
    auth.logout()
    auth.login("school_a")
    rid = start(client, rnd)
    fill_all(client, rid, "basic_school")
    monkeypatch.setattr("survey_app.responses.views.respond.now_bangkok", lambda: closes + timedelta(days=1))
    submit(client, rid)
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.extend_unit")).comment == "น้ำท่วมโรงเรียน"
    )
