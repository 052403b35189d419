"""The "your answers are still here" page carries only the user's own draft, never a forged request.

A POST without a valid CSRF token used to come back as a page that re-posted the same fields, to the same
address, with a fresh token: one click certified a response or saved an attacker's text. Now only a draft
form the server rendered for this user (a signed marker naming the user and the address), posted from our
own origin, is offered again.
"""

from __future__ import annotations

from survey_app.core.replay import draft_marker
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from tests.fixtures.answering import hidden, page, start
from tests.fixtures.app import csrf_token
from tests.fixtures.review import submitted

ATTACK = "ข้อความของผู้โจมตี"


def carried(body: str) -> bool:
    return 'data-testid="replay"' in body or "replay__" in body or ATTACK in body


def test_forged_certify_without_token_is_refused_and_not_replayed(client, auth, world, plan_round):
    response = submitted(world, plan_round, "a")
    auth.login("cert_x")
    forged = client.post(f"/review/responses/{response.id}/certify", data={"confirm": "1", "note": ATTACK})
    assert forged.status_code == 400 and not carried(forged.get_data(as_text=True))
    assert db.session.get(Response, response.id).status == ResponseStatus.SUBMITTED


def test_forged_save_into_a_school_draft_is_not_replayed(client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    forged = client.post(f"/responses/{rid}/s/0", data={"q_1_1_1": ATTACK, "row_version": "1", "action": "save"})
    assert forged.status_code == 400 and not carried(forged.get_data(as_text=True))
    assert "q_1_1_1" not in db.session.get(Response, rid).answer_map()


def test_a_marker_of_another_user_does_not_carry(app, client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    path = f"/responses/{rid}/s/0"
    with app.test_request_context():
        foreign = draft_marker(path, world["school_b"].id)
    forged = client.post(path, data={"q_1_1_1": ATTACK, "row_version": "1", "draft_marker": foreign})
    assert forged.status_code == 400 and not carried(forged.get_data(as_text=True))


def test_signed_out_victim_is_not_handed_the_forged_fields_after_sign_in(app, client, world, plan_round):
    """From another site the victim is signed out first; after signing in, nothing forged is waiting."""
    with app.test_request_context():
        foreign = draft_marker("/responses/1/s/0", world["school_b"].id)
    forged = client.post("/responses/1/s/0", data={"q_1_1_1": ATTACK, "row_version": "1", "draft_marker": foreign})
    login_page = forged.get_data(as_text=True)  # the marker is valid but its owner is checked at sign-in
    token = csrf_token(client, "/login")
    signed_in = client.post("/login", data={
        "username": "school_a", "password": "Secret-pass-123", "csrf_token": token, "replay_to": "/responses/1/s/0",
        "replay__q_1_1_1": ATTACK, "replay__row_version": "1", "replay__draft_marker": foreign,
    })  # fmt: skip
    assert forged.status_code == 401 and 'name="replay_to"' in login_page
    assert signed_in.status_code == 302 and not carried(signed_in.get_data(as_text=True))


def test_own_marker_posted_from_another_origin_is_not_replayed(app, client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    marker = hidden(page(client, rid, 0), "draft_marker")
    data = {"q_1_1_1": ATTACK, "row_version": "1", "draft_marker": marker}
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"},
                    {"Referer": "https://sub.example.org/page"}):  # fmt: skip
        forged = client.post(f"/responses/{rid}/s/0", data=data, headers=headers)
        assert forged.status_code == 400 and not carried(forged.get_data(as_text=True)), headers


def test_own_draft_with_a_stale_token_is_offered_again(client, auth, world, plan_round):
    """The case the page exists for: the user's own page, the token gone stale, same origin."""
    auth.login("school_a")
    rid = start(client, plan_round)
    marker = hidden(page(client, rid, 0), "draft_marker")
    data = {"q_1_1_1": "__none__", "row_version": "1", "draft_marker": marker, "csrf_token": "stale"}
    stale = client.post(f"/responses/{rid}/s/0", data=data, headers={"Origin": "http://localhost"})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 400 and 'data-testid="replay"' in body and 'name="q_1_1_1" value="__none__"' in body
