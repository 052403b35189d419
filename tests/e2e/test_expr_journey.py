"""Expressions in Chromium: a calculated total that follows the typing, a form rule ("weights sum to 100")
whose warning appears beside each weight after saving and goes once the weights are right, a constraint, and
a section shown by an expression; on a phone (360 px) and a desktop."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.responses import operations
from survey_app.responses.models import Response
from tests.e2e.helpers import login
from tests.factories import province_with_users
from tests.forms_engine.expr_forms import WEIGHTS
from tests.reports.handmade import open_hand_round, publish_text

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots/expr")
RULE = "น้ำหนักรวมของตัวชี้วัดต้องเท่ากับ 100"


@pytest.fixture
def draft(db):  # type: ignore[no-untyped-def]
    world = province_with_users()
    rnd = open_hand_round(publish_text(WEIGHTS, "kpi_weights"))
    response = operations.start_org_response(rnd, world["a"], world["school_a"].id)
    db.session.commit()
    return response.id


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fill(page, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for key, value in values.items():
        page.locator(f'input[name="{key}"]').fill(value)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_total_is_live_and_the_rule_warns_beside_each_weight(request, live_server, draft, size):
    page = request.getfixturevalue(size)
    login(page, live_server, "school_a")
    page.goto(f"{live_server}/responses/{draft}/s/0")
    total = page.get_by_test_id("calc-total")
    assert total.inner_text() == "-"
    fill(page, {"w_a": "40", "s_a": "3", "w_b": "30", "s_b": "3", "w_c": "20", "s_c": "4"})
    assert total.inner_text() == "-"  # w_d and s_d still missing: null, not a partial sum
    fill(page, {"w_d": "20", "s_d": "5"})
    # (40·3 + 30·3 + 20·4 + 20·5) / 100 = (120 + 90 + 80 + 100) / 100 = 3.90
    assert total.inner_text() == "3.90"
    assert page.get_by_test_id("calc-share_d").inner_text() == "2.5"  # 20 / 8
    # the rule is live too: 40 + 30 + 20 + 20 = 110
    assert RULE in page.locator("#live-w_a").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกร่าง").first.click()
    for key in ("w_a", "w_b", "w_c", "w_d"):
        assert RULE in page.locator(f"#check-{key}").inner_text(), key
    assert page.locator("#check-s_a").count() == 0
    assert page.get_by_test_id("calc-total").inner_text() == "3.90"  # the server's figure
    page.locator("#q-w_a").scroll_into_view_if_needed()
    shot(page, f"{size}-rule-after-save")
    page.locator('input[name="w_d"]').fill("10")
    # (120 + 90 + 80 + 50) / 100 = 3.40; the weights now sum to 100: the warnings go
    assert page.get_by_test_id("calc-total").inner_text() == "3.40"
    assert page.locator("#check-w_a").count() == 0 and page.locator("#live-w_a").count() == 0
    shot(page, f"{size}-total-live")
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกร่าง").first.click()
    assert page.locator(".cross-check").count() == 0
    db.session.rollback()  # a fresh read of what the server committed
    answers = db.session.get(Response, draft).answer_map()
    assert answers["total"].value == 3.4 and answers["share_d"].value == 1.3  # 10 / 8 = 1.25 → 1.3


def test_a_condition_and_a_constraint_follow_the_typing(desktop, live_server, draft):
    page = desktop
    login(page, live_server, "school_a")
    page.goto(f"{live_server}/responses/{draft}/s/0")
    assert page.get_by_test_id("tab-1").count() == 0  # shown only when the total is at least 3
    fill(page, {"w_a": "40", "s_a": "3", "w_b": "30", "s_b": "3", "w_c": "20", "s_c": "4", "w_d": "10", "s_d": "5"})
    with page.expect_navigation():  # saved: the total (3.40) now shows the second section
        page.get_by_test_id("next").click()
    assert page.url.endswith(f"/responses/{draft}/s/1")
    assert page.locator("#q-trained").is_hidden()  # show_if: "staff > 0"
    page.locator('input[name="staff"]').fill("501")
    assert page.locator("#q-trained").is_visible()
    assert "ไม่เกิน 500 คน" in page.locator("#live-staff").inner_text()
    page.locator('input[name="staff"]').fill("12")
    assert page.locator("#live-staff").count() == 0
    shot(page, "desktop-section-2")
