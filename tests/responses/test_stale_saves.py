"""The stale-save check cannot be switched off by the client, and a submit is tied to the answers it checked."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.responses import operations
from survey_app.responses.models import Answer, Response, ResponseStatus
from survey_app.rounds.models import RoundUnit
from tests.fixtures.answering import fill_all, hidden, page, save, start, submit


@pytest.mark.parametrize("version", [None, "", "0", "abc", "-1", "๑", "99999999999999999999"])
def test_a_save_without_a_real_version_never_overwrites_a_newer_save(client, auth, plan_round, version):
    auth.login("school_a")
    rid = start(client, plan_round)
    option = db.session.get(Response, rid).round.form_version.parsed.question_map()["q_1_1_1"].options[0].value
    old_page = page(client, rid, 0)  # tab 1
    tab_two = {"q_1_1_1": [option], "q_1_1_2": "บันทึกจากแท็บที่สอง"}
    assert save(client, rid, 0, tab_two, action="save").status_code == 302
    payload = {"csrf_token": hidden(old_page, "csrf_token"), "q_1_1_1": [option], "q_1_1_2": "ข้อความเก่าจากแท็บแรก",
               "action": "save"}  # fmt: skip
    if version is not None:
        payload["row_version"] = version
    stale = client.post(f"/responses/{rid}/s/0", data=payload)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and 'data-testid="conflict"' in html
    assert "ข้อความเก่าจากแท็บแรก" in html  # what was typed stays on the page
    assert db.session.get(Response, rid).answer_map()["q_1_1_2"].value == "บันทึกจากแท็บที่สอง"


def test_autosave_without_a_version_is_a_conflict(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    html = page(client, rid, 0)
    reply = client.post(f"/responses/{rid}/s/0", data={"csrf_token": hidden(html, "csrf_token"), "q_1_1_2": "x"},
                        headers={"X-Autosave": "1"})  # fmt: skip
    assert reply.status_code == 409 and reply.get_json()["conflict"] is True
    assert "q_1_1_2" not in db.session.get(Response, rid).answer_map()


def test_submit_checked_on_an_older_version_does_not_go_through(client, auth, plan_round):
    """The ordering a race produces: answers checked at version N, a save lands, the status change comes."""
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, "basic_school")
    response = db.session.get(Response, rid)
    checked = response.row_version  # what the submit had checked
    db.session.execute(update(Response).where(Response.id == rid).values(row_version=Response.row_version + 1))
    set_committed_value(response, "row_version", checked)
    ru = db.session.scalar(
        select(RoundUnit).where(RoundUnit.round_id == response.round_id, RoundUnit.org_unit_id == response.org_unit_id)
    )
    with pytest.raises(operations.ResponseError, match="ระหว่างที่กำลังส่ง"):
        operations.submit(response, ru, None, now_bangkok())
    db.session.rollback()
    assert db.session.get(Response, rid).status == ResponseStatus.DRAFT


def test_a_save_racing_a_submit_cannot_leave_a_required_answer_missing(app, client, auth, plan_round, monkeypatch):
    """PostgreSQL (SQLite serialises writers, so the race cannot happen there): another connection clears a
    required answer after the submit read the answers and before it changed the status."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the interleaving needs concurrent writers (PostgreSQL)")
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, "basic_school")
    real_prune = operations._prune_hidden

    def prune_then_race(response, defn, kind):  # type: ignore[no-untyped-def]
        answers = real_prune(response, defn, kind)
        with db.engine.connect() as other:  # a save from another tab, committed in between
            other.execute(delete(Answer).where(Answer.response_id == rid, Answer.question_key == "q_1_1_2"))
            other.execute(update(Response).where(Response.id == rid).values(row_version=Response.row_version + 1))
            other.commit()
        return answers

    monkeypatch.setattr(operations, "_prune_hidden", prune_then_race)
    submit(client, rid)
    db.session.expire_all()
    response = db.session.get(Response, rid)
    assert response.status == ResponseStatus.DRAFT and "q_1_1_2" not in response.answer_map()
