"""Oversized posts get a clear page that leads back to the form, never an echo of what was sent."""

from __future__ import annotations

from tests.fixtures.answering import save, start


def test_an_oversized_post_is_answered_briefly_with_a_way_back_to_the_form(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    big = save(client, rid, 0, {"q_1_1_2": "ก" * 5_000_000}, action="save")
    html = big.get_data(as_text=True)
    assert big.status_code == 413 and len(big.data) < 30_000 and "กกกกกกกกกก" not in html
    assert f'href="/responses/{rid}/s/0" role="button" data-testid="back-to-form"' in html
    assert "บันทึกอัตโนมัติ" in html  # says that what was saved before is still there
