"""One-time respondent codes are made by an operation that records how many, for which unit, by whom; the
audit trail never holds the codes themselves."""

from sqlalchemy import select

from survey_app.core.audit import AuditEvent
from survey_app.extensions import db
from survey_app.responses.models import PersonCode
from tests.fixtures.answering import make_round
from tests.fixtures.app import csrf_token
from tests.responses.test_person_surveys import link_of


def test_making_codes_is_recorded_without_the_codes(client, auth, world):
    rnd = make_round(world, "tablet_satisfaction", identity="code")
    _, ru = link_of(world, rnd)
    auth.login("school_a")
    token = csrf_token(client, f"/rounds/{rnd.id}/share")
    assert client.post(f"/rounds/{rnd.id}/share", data={"csrf_token": token, "count": "3"}).status_code == 302
    codes = db.session.scalars(select(PersonCode.code).where(PersonCode.round_unit_id == ru.id)).all()
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person_codes.create")).all()
    assert (event.object_type, event.object_id, event.org_unit_id) == ("round_unit", ru.id, ru.org_unit_id)
    assert event.details == {"count": 3} and event.actor_id is not None
    assert len(codes) == 3 and not any(code in repr(event.details) for code in codes)


def test_a_request_for_too_many_codes_makes_the_most_allowed(client, auth, world):
    rnd = make_round(world, "tablet_satisfaction", identity="code")
    _, ru = link_of(world, rnd)
    auth.login("school_a")
    token = csrf_token(client, f"/rounds/{rnd.id}/share")
    client.post(f"/rounds/{rnd.id}/share", data={"csrf_token": token, "count": "100000"})
    assert len(db.session.scalars(select(PersonCode.id).where(PersonCode.round_unit_id == ru.id)).all()) == 500
