"""Form-wide rules and constraints through the answering pages: a warning beside the fields on save (saved
anyway), an error that blocks at submit; calculations recomputed by the server and stored exactly."""

from __future__ import annotations

import re

import pytest

from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.builder import completeness
from survey_app.forms_engine.loader import load_text
from survey_app.responses.models import Response
from tests.factories import province_with_users
from tests.fixtures.answering import page, save, start, submit
from tests.forms_engine.expr_forms import WEIGHTS
from tests.reports.handmade import open_hand_round, publish_text

RULE = "น้ำหนักรวมของตัวชี้วัดต้องเท่ากับ 100"


@pytest.fixture
def weights(db, client, auth):  # type: ignore[no-untyped-def]
    province_with_users()
    rnd = open_hand_round(publish_text(WEIGHTS, "kpi_weights"))
    db.session.commit()
    auth.login("school_a")
    return start(client, rnd)


def checks_beside(html: str) -> dict[str, str]:
    """The warning text beside each question, by key."""
    found = {}
    for key, body in re.findall(r'id="q-([a-z0-9_]+)"(.*?)(?=id="q-|</form>)', html, re.S):
        box = re.search(r'id="check-[a-z0-9_]+"[^>]*><small>(.*?)</small>', body, re.S)
        if box:
            found[key] = box.group(1)
    return found


def answers_of(response_id: int) -> dict[str, Answer]:
    db.session.expire_all()
    return db.session.get(Response, response_id).answer_map()


SCORES = {"s_a": "3", "s_b": "3", "s_c": "4", "s_d": "5"}


def test_weights_over_100_are_saved_with_a_warning_beside_each_weight_and_refused_at_submit(client, weights):
    result = save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "20", **SCORES}, action="save")
    assert result.status_code == 302
    answers = answers_of(weights)
    assert [answers[k].value for k in ("w_a", "w_b", "w_c", "w_d")] == [40, 30, 20, 20]  # saved anyway
    html = page(client, weights, 0)
    beside = checks_beside(html)
    assert sorted(beside) == ["w_a", "w_b", "w_c", "w_d"]
    assert all(RULE in text for text in beside.values())
    submit_page = client.get(f"/responses/{weights}/submit").get_data(as_text=True)
    assert 'data-testid="failed-check"' in submit_page and RULE in submit_page
    submit(client, weights)
    assert db.session.get(Response, weights).status.value == "draft"


def test_weights_of_100_are_accepted_and_the_total_is_stored_exactly(client, weights):
    data = {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES, "total": "999", "share_d": "7"}
    assert save(client, weights, 0, data, action="save").status_code == 302
    answers = answers_of(weights)
    # (40·3 + 30·3 + 20·4 + 10·5) / 100 = (120 + 90 + 80 + 50) / 100 = 3.40; the posted 999 is ignored
    assert answers["total"] == Answer.of(3.4)
    # 10 / 8 = 1.25 → one decimal, half-up: 1.3 (Python's round() would give 1.2)
    assert answers["share_d"] == Answer.of(1.3)
    assert checks_beside(page(client, weights, 0)) == {}
    # the total (3.40 ≥ 3) shows the second section: its questions are required now
    assert save(client, weights, 1, {"staff": "12", "trained": "5"}, action="save").status_code == 302
    submit(client, weights)
    assert db.session.get(Response, weights).status.value == "submitted"


def test_the_total_follows_a_change_and_disappears_when_an_input_is_cleared(client, weights):
    save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES}, action="save")
    save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES, "s_d": "1"}, action="save")
    # (120 + 90 + 80 + 10) / 100 = 3.00
    assert answers_of(weights)["total"] == Answer.of(3.0)
    save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES, "s_d": ""}, action="save")
    assert "total" not in answers_of(weights)  # null: stored as missing, not 0


def test_a_hidden_section_is_skipped_and_its_answers_cleared(client, weights):
    save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES}, action="save")
    save(client, weights, 1, {"staff": "12", "trained": "5"}, action="save")
    assert answers_of(weights)["staff"] == Answer.of(12)
    # all scores 1: total (40 + 30 + 20 + 10) / 100 = 1.00 < 3 → the second section is not asked
    low = {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", "s_a": "1", "s_b": "1", "s_c": "1", "s_d": "1"}
    save(client, weights, 0, low, action="save")
    html = page(client, weights, 0)
    assert 'data-testid="tab-1"' not in html  # no tab for the skipped section
    defn = db.session.get(Response, weights).round.form_version.parsed
    answers = answers_of(weights)
    assert answers["total"] == Answer.of(1.0)
    assert completeness(defn, answers, "basic_school").missing == []
    submit(client, weights)
    assert db.session.get(Response, weights).status.value == "submitted"
    assert "staff" not in answers_of(weights)  # hidden answers are removed at submit


def test_a_constraint_warns_beside_its_field_and_blocks_submit(client, weights):
    save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES}, action="save")
    save(client, weights, 1, {"staff": "501", "trained": "5"}, action="save")
    assert answers_of(weights)["staff"] == Answer.of(501)
    beside = checks_beside(page(client, weights, 1))
    assert list(beside) == ["staff"] and "ต้องไม่เกิน 500 คน" in beside["staff"]
    submit(client, weights)
    assert db.session.get(Response, weights).status.value == "draft"
    save(client, weights, 1, {"staff": "500", "trained": "5"}, action="save")
    assert checks_beside(page(client, weights, 1)) == {}


def test_a_rule_whose_inputs_are_all_unanswered_does_not_fire():
    defn = load_text(WEIGHTS, "kpi_weights.yaml").definition
    assert completeness(defn, {}, "basic_school").failed_checks == {}
    partial = {"w_a": Answer.of(40)}
    assert completeness(defn, partial, "basic_school").failed_checks == {"w_a": [RULE]}


def test_string_show_if_hides_and_clears(client, weights):
    save(client, weights, 0, {"w_a": "40", "w_b": "30", "w_c": "20", "w_d": "10", **SCORES}, action="save")
    save(client, weights, 1, {"staff": "12", "trained": "5"}, action="save")
    html = page(client, weights, 1)
    assert 'id="q-trained"' in html and "data-show-if-expr=" in html
    save(client, weights, 1, {"staff": "0", "trained": "5"}, action="save")
    answers = answers_of(weights)
    assert answers["staff"] == Answer.of(0) and "trained" not in answers
