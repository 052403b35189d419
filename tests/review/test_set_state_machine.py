"""The agency's certification set moves only by its transitions table, each move audited, one state at a time."""

import io
import itertools

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from survey_app.core.audit import AuditEvent
from survey_app.core.permissions import Role
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review import operations
from survey_app.review.models import AgencyCertification, SetStatus
from survey_app.review.operations import ReviewError
from survey_app.review.sets import agency_members
from tests.fixtures.review import PDF_LETTER, race, submitted


def certified_set(world, rnd) -> tuple[AgencyCertification, list[Response]]:  # type: ignore[no-untyped-def]
    """Agency X's three responses certified, and its set certified with a letter by cert_x."""
    responses = [submitted(world, rnd, key, seed=i) for i, key in enumerate(("a", "b", "x"))]
    certifier = world["cert_x"]
    for r in responses:
        operations.certify_response(r, certifier.id, Role.CERTIFIER)
    members = agency_members(certifier, rnd.id, world["x"].id)
    letter = FileStorage(io.BytesIO(PDF_LETTER), filename="หนังสือรับรอง.pdf", content_type="application/pdf")
    cert = operations.certify_set(rnd.id, world["x"], members, letter, certifier.id, Role.CERTIFIER)
    db.session.commit()
    return cert, responses


def set_events(cert_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.object_type == "agency_certification", AuditEvent.object_id == cert_id)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def status_of(cert_id: int) -> SetStatus:
    db.session.expire_all()
    return db.session.get(AgencyCertification, cert_id).status


def test_moves_outside_the_table_are_refused_and_change_nothing(world, plan_round):
    cert, _ = certified_set(world, plan_round)
    with pytest.raises(ReviewError):  # a certified set is not certified again
        operations.transition_set(cert, "certify", world["cert_x"].id, Role.CERTIFIER)
    with pytest.raises(ReviewError):  # only the province returns a set
        operations.return_set(cert, "ไม่ครบ", world["cert_x"].id, now_bangkok(), Role.CERTIFIER)
    db.session.rollback()
    operations.return_set(cert, "หนังสือไม่มีลายมือชื่อ", world["province"].id, now_bangkok(), Role.PROVINCE_ADMIN)
    db.session.commit()
    with pytest.raises(ReviewError):  # a returned set must be certified again before it is accepted
        operations.accept_set(cert, [], world["province"].id, now_bangkok(), Role.PROVINCE_ADMIN)
    db.session.rollback()
    assert status_of(cert.id) == SetStatus.RETURNED
    assert [(e.action, e.from_state, e.to_state) for e in set_events(cert.id)] == [
        ("set.certify", None, "certified"),
        ("set.return", "certified", "returned"),
    ]


def test_reopening_a_response_returns_the_set_with_an_audit_record(world, plan_round):
    cert, responses = certified_set(world, plan_round)
    operations.reopen_response(responses[0], "ตัวเลขข้อ 2 ผิด", world["cert_x"].id, Role.CERTIFIER)
    db.session.commit()
    assert status_of(cert.id) == SetStatus.RETURNED
    reopen = set_events(cert.id)[-1]
    assert (reopen.action, reopen.from_state, reopen.to_state) == ("set.reopen", "certified", "returned")
    assert reopen.actor_id == world["cert_x"].id and reopen.comment == "ตัวเลขข้อ 2 ผิด"
    assert reopen.details == {"response_id": responses[0].id}


def test_a_decision_on_a_set_someone_else_just_decided_is_refused(world, plan_round):
    cert, _ = certified_set(world, plan_round)
    assert cert.status == SetStatus.CERTIFIED  # what this officer's page loaded
    db.session.execute(  # another officer accepts it meanwhile (the loaded object does not know)
        update(AgencyCertification)
        .where(AgencyCertification.id == cert.id)
        .values(status=SetStatus.ACCEPTED)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(ReviewError, match="เปลี่ยนไปแล้วโดยผู้อื่น"):
        operations.return_set(cert, "ส่งกลับ", world["province"].id, now_bangkok(), Role.PROVINCE_ADMIN)
    assert status_of(cert.id) == SetStatus.ACCEPTED  # the other officer's decision stands, and only it
    assert [e.action for e in set_events(cert.id)] == ["set.certify"]


def test_concurrent_accept_and_return_end_in_one_state(app, client, auth, world, plan_round):
    cert, responses = certified_set(world, plan_round)
    cert_id, response_ids = cert.id, [r.id for r in responses]
    base = f"/review/rounds/{plan_round.id}/sets/{world['x'].id}"
    db.session.commit()  # this test's own reads must not hold SQLite's write lock while the two requests race
    auth.login("province")
    race(app, client, [(f"{base}/accept", {}), (f"{base}/return", {"reason": "หนังสือไม่ชัด"})])
    final = status_of(cert_id)
    assert final in (SetStatus.ACCEPTED, SetStatus.RETURNED)
    events = set_events(cert_id)
    assert [e.to_state for e in events] == ["certified", final.value]  # one decision, recorded once
    for before, after in itertools.pairwise(events):
        assert after.from_state == before.to_state
    expected = ResponseStatus.ACCEPTED if final == SetStatus.ACCEPTED else ResponseStatus.CERTIFIED
    assert {db.session.get(Response, rid).status for rid in response_ids} == {expected}
