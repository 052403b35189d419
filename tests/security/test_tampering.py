"""Tampered hidden fields and client clocks change nothing the server decides."""

from __future__ import annotations

from datetime import timedelta

from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from survey_app.rounds.models import LatePolicy
from tests.fixtures.answering import fill_all, make_round, page, save, start
from tests.fixtures.app import csrf_token


def test_hidden_org_round_status_and_year_fields_are_ignored(client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    tampered = {"org_unit_id": str(world["b"].id), "round_id": "999", "status": "certified", "fiscal_year": "2500",
                "is_late": "0", "submitted_at": "2000-01-01", "q_1_1_1": "__none__"}  # fmt: skip
    assert save(client, rid, 0, tampered, action="save").status_code == 302
    response = db.session.get(Response, rid)
    assert (response.org_unit_id, response.round_id, response.status) == (
        world["a"].id,
        plan_round.id,
        ResponseStatus.DRAFT,
    )
    assert response.round.fiscal_year == 2563


def test_a_forged_version_cannot_overwrite_a_newer_save(client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    html = page(client, rid, 0)
    save(client, rid, 0, {"q_1_1_1": "__none__"}, action="save")
    forged = save(client, rid, 0, {"q_1_1_1": "__none__", "row_version": "1"}, html=html, action="save")
    assert forged.status_code in (302, 409)  # unchanged data saves nothing; changed data would conflict
    changed = save(client, rid, 0, {"q_1_2_3": "5", "row_version": "1"}, html=html, action="save")
    assert changed.status_code == 409


def test_the_clients_clock_has_no_say_over_the_deadline(client, auth, world):
    rnd = make_round(world, late=LatePolicy.REFUSE, closes=now_bangkok() - timedelta(seconds=1))
    auth.login("school_a")
    rid = start(client, rnd)
    fill_all(client, rid, "basic_school")
    token = csrf_token(client, f"/responses/{rid}/submit")
    early = (now_bangkok() - timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    client.post(f"/responses/{rid}/submit", data={"csrf_token": token, "now": "2000-01-01"}, headers={"Date": early})
    assert db.session.get(Response, rid).status == ResponseStatus.DRAFT  # refused: server time is past the deadline
