"""Answering an org questionnaire: one response, drafts, lost updates, submit once, deadlines."""

import threading

from sqlalchemy import func, select

from survey_app.core.audit import AuditEvent
from survey_app.extensions import db
from survey_app.forms_engine.answers import progress
from survey_app.responses.models import Response, ResponseStatus
from tests.fixtures.answering import fill_all, hidden, page, save, start, submit
from tests.fixtures.app import csrf_token


def response_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def test_home_lists_what_to_answer_with_deadline(client, auth, plan_round):
    auth.login("school_a")
    html = client.get("/").get_data(as_text=True)
    assert "แบบสอบถามที่ต้องตอบ" in html and "ยังไม่เริ่ม" in html and "เหลืออีก" in html


def test_starting_twice_gives_the_same_response(client, auth, plan_round):
    auth.login("school_a")
    assert start(client, plan_round) == start(client, plan_round)
    assert response_count() == 1


def test_twenty_parallel_starts_leave_one_response(app, client, auth, plan_round):
    auth.login("school_a")
    round_id = plan_round.id
    token = csrf_token(client, f"/rounds/{round_id}/respond")
    cookie = client.get_cookie("survey_session").value
    statuses: list[int] = []

    def one() -> None:
        c = app.test_client()
        c.set_cookie("survey_session", cookie)
        statuses.append(c.post(f"/rounds/{round_id}/respond/start", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 20
    assert response_count() == 1


def test_draft_is_kept_across_sittings_and_devices(app, client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    assert save(client, rid, 0, {"q_1_1_1": ["__none__"]}, action="save").status_code == 302
    auth.logout()
    other_device = app.test_client()
    token = csrf_token(other_device, "/login")
    other_device.post("/login", data={"username": "school_a", "password": "Secret-pass-123", "csrf_token": token})
    html = page(other_device, rid, 0)
    assert 'value="__none__" checked' in html


def test_progress_counts_kept_for_dashboards_follow_each_save(client, auth, plan_round):
    """Dashboards read answered/required from the response row; every save keeps them equal to the answers."""
    auth.login("school_a")
    rid = start(client, plan_round)

    def stored_and_computed() -> tuple[tuple[int, int], tuple[int, int]]:
        db.session.expire_all()
        response = db.session.get(Response, rid)
        defn = response.round.form_version.parsed
        computed = progress(defn, response.answer_map(), response.org_unit.kind.value)
        return (response.answered_count, response.required_count), computed

    assert save(client, rid, 0, {"q_1_1_1": ["__none__"]}, action="save").status_code == 302
    stored, computed = stored_and_computed()
    assert stored == computed and stored[0] >= 1 and stored[1] > stored[0]
    fill_all(client, rid, "basic_school")
    stored, computed = stored_and_computed()
    assert stored == computed and stored[0] == stored[1]


def test_stale_save_is_refused_and_keeps_what_was_typed(app, client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    defn = db.session.get(Response, rid).round.form_version.parsed
    first_option = defn.question_map()["q_1_1_1"].options[0].value
    typed = {"q_1_1_1": [first_option], "q_1_1_2": "โครงการที่พิมพ์ในแท็บแรก"}
    old_page = page(client, rid, 0)  # opened in tab 1
    assert save(client, rid, 0, {"q_1_1_1": ["__none__"]}, action="save").status_code == 302  # tab 2 saves
    stale = save(client, rid, 0, typed, html=old_page, action="save")
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert 'data-testid="conflict"' in html and "โครงการที่พิมพ์ในแท็บแรก" in html
    assert "school_a" in html or "หน่วยทดสอบ" in html or "โรงเรียนเอ" in html  # who changed it
    assert db.session.get(Response, rid).answer_map()["q_1_1_1"].state.value == "none"
    # saving again from the conflict page (it carries the new version) is a deliberate overwrite
    again = save(client, rid, 0, typed, html=html, action="save")
    assert again.status_code == 302
    assert db.session.get(Response, rid).answer_map()["q_1_1_2"].value == "โครงการที่พิมพ์ในแท็บแรก"


def test_invalid_field_keeps_typed_value_and_valid_fields_are_saved(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    defn = db.session.get(Response, rid).round.form_version.parsed
    number = next(q for q in defn.sections[0].all_questions() if q.type == "integer" and q.show_if is None)
    result = save(client, rid, 0, {"q_1_1_1": ["__none__"], number.key: "สิบห้า"}, action="save")
    assert result.status_code == 422
    html = result.get_data(as_text=True)
    assert "สิบห้า" in html and "กรุณากรอกเป็นตัวเลข" in html
    assert "q_1_1_1" in db.session.get(Response, rid).answer_map()


def test_incomplete_submission_is_refused(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    html = client.get(f"/responses/{rid}/submit").get_data(as_text=True)
    assert 'data-testid="missing"' in html
    submit(client, rid)
    assert db.session.get(Response, rid).status == ResponseStatus.DRAFT


def test_submit_once_then_read_only(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, "basic_school")
    assert submit(client, rid).status_code == 302
    again = submit(client, rid)
    assert "ส่งแล้ว" in client.get(again.headers["Location"]).get_data(as_text=True)
    submits = db.session.scalar(select(func.count()).where(AuditEvent.action == "response.submit"))
    assert submits == 1
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED
    # read-only: the section page sends the respondent to the view, and a save changes nothing
    assert client.get(f"/responses/{rid}/s/0").status_code == 302
    before = db.session.get(Response, rid).row_version
    token = csrf_token(client, f"/responses/{rid}")
    client.post(f"/responses/{rid}/s/0", data={"csrf_token": token, "q_1_1_1": ["__none__"], "row_version": before})
    db.session.expire_all()
    assert db.session.get(Response, rid).row_version == before


def test_parallel_submits_submit_once(app, client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, "basic_school")
    token = csrf_token(client, f"/responses/{rid}/submit")
    cookie = client.get_cookie("survey_session").value

    def one() -> None:
        c = app.test_client()
        c.set_cookie("survey_session", cookie)
        assert c.post(f"/responses/{rid}/submit", data={"csrf_token": token}).status_code == 302

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "response.submit")) == 1


def test_every_state_change_is_audited(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, "basic_school")
    submit(client, rid)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == rid)))
    assert {"response.create", "response.save", "response.submit"} <= actions


def test_hidden_row_version_must_be_the_servers(client, auth, plan_round):
    """Tampering with the version cannot sneak past someone else's save."""
    auth.login("school_a")
    rid = start(client, plan_round)
    html = page(client, rid, 0)
    save(client, rid, 0, {"q_1_1_1": ["__none__"]}, action="save")
    result = save(client, rid, 0, {"q_1_1_1": ["__none__"], "row_version": "999"}, html=html, action="save")
    assert result.status_code == 409 or hidden(html, "row_version") == "1"
