"""Certification: scope, roles, locks, required comments, concurrency, audit, agency sets."""

import io
import itertools
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.core.audit import AuditEvent
from survey_app.extensions import db
from survey_app.forms_engine.answers import NONE_ANSWER, Answer
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review.models import AgencyCertification, SetStatus
from tests.fixtures.answering import make_round, save
from tests.fixtures.app import csrf_token
from tests.fixtures.review import PDF_LETTER, race, submitted
from tests.forms_engine.helpers import post_data


def post(client, url: str, **data):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data}, content_type="multipart/form-data")


def status_of(rid: int) -> ResponseStatus:
    db.session.expire_all()
    return db.session.get(Response, rid).status


def test_certifier_of_x_cannot_see_or_act_on_y(client, auth, world, plan_round):
    c = submitted(world, plan_round, "c")  # school C is under agency Y
    auth.login("cert_x")
    assert client.get(f"/review/responses/{c.id}").status_code == 404
    assert post(client, f"/review/responses/{c.id}/certify").status_code == 404
    assert post(client, f"/review/responses/{c.id}/return", comment="x").status_code == 404
    html = client.get(f"/review/rounds/{plan_round.id}?agency={world['y'].id}").get_data(as_text=True)
    assert "โรงเรียนซี" not in html  # a certifier always sees its own agency
    assert status_of(c.id) == ResponseStatus.SUBMITTED


def test_respondent_cannot_certify(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("school_a")
    assert post(client, f"/review/responses/{a.id}/certify").status_code == 403
    assert status_of(a.id) == ResponseStatus.SUBMITTED


def test_return_needs_a_comment_and_reaches_the_respondent_beside_the_field(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    post(client, f"/review/responses/{a.id}/return", comment="   ")
    assert status_of(a.id) == ResponseStatus.SUBMITTED
    post(client, f"/review/responses/{a.id}/return", comment="กรุณาตรวจตัวเลขข้อ 3.2", qc_q_1_1_1="ข้อนี้ควรเลือกกิจกรรมที่ทำจริง")
    assert status_of(a.id) == ResponseStatus.RETURNED
    auth.logout()
    auth.login("school_a")
    html = client.get(f"/responses/{a.id}/s/0").get_data(as_text=True)
    assert "กรุณาตรวจตัวเลขข้อ 3.2" in html and 'data-testid="review-note-q_1_1_1"' in html


def test_certifier_sees_what_changed_after_resubmission(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    post(client, f"/review/responses/{a.id}/return", comment="แก้ข้อ 1.1.1")
    auth.logout()
    auth.login("school_a")
    response = db.session.get(Response, a.id)
    defn = response.round.form_version.parsed
    answers = response.answer_map()
    was_none = answers["q_1_1_1"].state == NONE_ANSWER.state
    first = defn.question_map()["q_1_1_1"].options[0].value
    answers["q_1_1_1"] = Answer.of([first]) if was_none else NONE_ANSWER
    if was_none:
        answers["q_1_1_2"] = Answer.of("โครงการแก้ไขตามความเห็น")
    else:
        answers.pop("q_1_1_2", None)  # hidden once 1.1.1 is "none"
    save(client, a.id, 0, post_data(defn, defn.sections[0], answers), action="save")
    token = csrf_token(client, f"/responses/{a.id}/submit")
    client.post(f"/responses/{a.id}/submit", data={"csrf_token": token})
    assert status_of(a.id) == ResponseStatus.SUBMITTED
    auth.logout()
    auth.login("cert_x")
    html = client.get(f"/review/responses/{a.id}").get_data(as_text=True)
    assert 'data-testid="changes"' in html and "ไม่มี/ไม่เกี่ยวข้องกับหน่วยงาน" in html


def test_certified_response_is_locked_until_reopened_with_a_reason(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    post(client, f"/review/responses/{a.id}/certify")
    assert status_of(a.id) == ResponseStatus.CERTIFIED
    auth.logout()
    auth.login("school_a")
    assert client.get(f"/responses/{a.id}/s/0").status_code == 302  # read-only
    version = db.session.get(Response, a.id).row_version
    post(client, f"/responses/{a.id}/s/0", q_1_1_1=["__none__"], row_version=str(version), action="save")
    assert db.session.get(Response, a.id).row_version == version
    auth.logout()
    auth.login("cert_x")
    post(client, f"/review/responses/{a.id}/reopen", reason="")
    assert status_of(a.id) == ResponseStatus.CERTIFIED
    post(client, f"/review/responses/{a.id}/reopen", reason="ตัวเลขนักเรียนไม่ตรงกับ DMC")
    assert status_of(a.id) == ResponseStatus.RETURNED
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "response.reopen").order_by(AuditEvent.id.desc())
    )
    assert event.comment == "ตัวเลขนักเรียนไม่ตรงกับ DMC" and event.from_state == "certified"


def test_bulk_certify(client, auth, world, plan_round):
    a, b = submitted(world, plan_round, "a"), submitted(world, plan_round, "b", seed=2)
    auth.login("cert_x")
    post(client, f"/review/rounds/{plan_round.id}/bulk-certify", response_id=[str(a.id), str(b.id)])
    assert status_of(a.id) == status_of(b.id) == ResponseStatus.CERTIFIED


@pytest.mark.parametrize("rounds", range(3))
def test_concurrent_certify_and_return_end_in_one_state(app, client, auth, world, plan_round, rounds):
    a = submitted(world, plan_round, "a", seed=rounds)
    rid = a.id
    auth.login("cert_x")
    race(
        app,
        client,
        [(f"/review/responses/{rid}/certify", {}), (f"/review/responses/{rid}/return", {"comment": "แก้ไข"})],
    )
    final = status_of(rid)
    assert final in (ResponseStatus.CERTIFIED, ResponseStatus.RETURNED)
    transitions = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == rid, AuditEvent.to_state.is_not(None)).order_by(AuditEvent.id)
    ).all()
    assert transitions[-1].to_state == final.value
    assert [t.to_state for t in transitions].count(final.value) == 1
    # every recorded move starts where the previous one ended: one consistent history
    for before, after in itertools.pairwise(transitions):
        assert after.from_state == before.to_state


def test_concurrent_certify_and_resubmit(app, client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    rid = a.id
    auth.login("cert_x")
    post(client, f"/review/responses/{rid}/return", comment="แก้ไข")
    cert_cookie = client.get_cookie("survey_session").value
    cert_token = csrf_token(client, "/")
    school = app.test_client()
    token = csrf_token(school, "/login")
    school.post("/login", data={"username": "school_a", "password": "Secret-pass-123", "csrf_token": token})
    school_token = csrf_token(school, f"/responses/{rid}/submit")

    def certify() -> None:
        c = app.test_client()
        c.set_cookie("survey_session", cert_cookie)
        c.post(f"/review/responses/{rid}/certify", data={"csrf_token": cert_token})

    def resubmit() -> None:
        school.post(f"/responses/{rid}/submit", data={"csrf_token": school_token})

    threads = [threading.Thread(target=resubmit), threading.Thread(target=certify)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert status_of(rid) in (ResponseStatus.SUBMITTED, ResponseStatus.CERTIFIED)
    transitions = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == rid, AuditEvent.to_state.is_not(None)).order_by(AuditEvent.id)
    ).all()
    for before, after in itertools.pairwise(transitions):
        assert after.from_state == before.to_state


def test_agency_set_certification_and_province_acceptance(client, auth, world, plan_round):
    responses = [submitted(world, plan_round, key, seed=i) for i, key in enumerate(("a", "b", "x"))]
    auth.login("cert_x")
    early = post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y",
                 letter=(io.BytesIO(PDF_LETTER), "หนังสือรับรอง.pdf"))  # fmt: skip
    assert early.status_code == 422 and "ยังรับรองทั้งชุดไม่ได้" in early.get_data(as_text=True)
    for r in responses:
        post(client, f"/review/responses/{r.id}/certify")
    fake = post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y",
                letter=(io.BytesIO(b"<html>not a pdf</html>"), "letter.pdf"))  # fmt: skip
    assert fake.status_code == 422
    ok = post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y",
              letter=(io.BytesIO(PDF_LETTER), "หนังสือรับรอง.pdf"))  # fmt: skip
    assert ok.status_code == 302
    cert = db.session.scalar(select(AgencyCertification))
    assert cert.status == SetStatus.CERTIFIED and len(cert.letter_sha256) == 64
    # once the set is certified, a single response can only change through a reopen
    assert "ต้องเปิดแก้ไข" in client.get(
        post(client, f"/review/responses/{responses[0].id}/return", comment="x").headers["Location"]
    ).get_data(as_text=True)
    auth.logout()
    auth.login("province")
    page = client.get(f"/review/rounds/{plan_round.id}/province").get_data(as_text=True)
    assert 'data-testid="accept-X0000001"' in page
    post(client, f"/review/rounds/{plan_round.id}/sets/{world['x'].id}/accept")
    assert all(status_of(r.id) == ResponseStatus.ACCEPTED for r in responses)
    assert client.get(f"/review/letters/{cert.id}").data == PDF_LETTER


def test_province_returns_a_set_with_a_comment(client, auth, world, plan_round):
    responses = [submitted(world, plan_round, key, seed=i) for i, key in enumerate(("a", "b", "x"))]
    auth.login("cert_x")
    for r in responses:
        post(client, f"/review/responses/{r.id}/certify")
    post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y", letter=(io.BytesIO(PDF_LETTER), "l.pdf"))
    auth.logout()
    auth.login("province")
    post(client, f"/review/rounds/{plan_round.id}/sets/{world['x'].id}/return", reason="")
    assert db.session.scalar(select(AgencyCertification)).status == SetStatus.CERTIFIED
    post(client, f"/review/rounds/{plan_round.id}/sets/{world['x'].id}/return", reason="หนังสือไม่มีลายมือชื่อ")
    db.session.expire_all()
    assert db.session.scalar(select(AgencyCertification)).status == SetStatus.RETURNED


def test_chase_list_workbook_lists_late_units(client, auth, world, monkeypatch):
    from datetime import timedelta

    from survey_app.core.thai import now_bangkok

    rnd = make_round(world, closes=now_bangkok() + timedelta(hours=1))
    submitted(world, rnd, "a")
    monkeypatch.setattr("survey_app.review.views.agency.now_bangkok", lambda: now_bangkok() + timedelta(days=2))
    auth.login("cert_x")
    data = client.get(f"/review/rounds/{rnd.id}/chase.xlsx")
    assert data.status_code == 200
    rows = list(load_workbook(io.BytesIO(data.data)).active.iter_rows(min_row=5, values_only=True))
    codes = {r[0] for r in rows}
    assert codes == {"B0000001", "X0000001"}  # A submitted; C belongs to agency Y


def test_dashboard_counts_and_filters(client, auth, world, plan_round):
    submitted(world, plan_round, "a")
    auth.login("cert_x")
    html = client.get(f"/review/rounds/{plan_round.id}").get_data(as_text=True)
    assert 'data-testid="unit-A0000001"' in html and 'data-testid="unit-B0000001"' in html
    only_submitted = client.get(f"/review/rounds/{plan_round.id}?status=submitted").get_data(as_text=True)
    assert 'data-testid="unit-A0000001"' in only_submitted and 'data-testid="unit-B0000001"' not in only_submitted


def test_every_transition_leaves_an_audit_record(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    post(client, f"/review/responses/{a.id}/return", comment="แก้")
    db.session.expire_all()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == a.id, AuditEvent.to_state.is_not(None))
    ).all()
    assert [(e.from_state, e.to_state) for e in events] == [("draft", "submitted"), ("submitted", "returned")]
