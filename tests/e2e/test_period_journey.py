"""The province opens a 6- and a 12-month round of a KPI form in the browser; a school answers N/A at 6 months on
a phone and has it refused beside the field at 12 months; the province compares the two rounds on a desktop."""

from __future__ import annotations

import re

import pytest

from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer, AnswerState
from survey_app.responses.models import Response, ResponseStatus
from survey_app.rounds.models import Round, RoundPeriod
from tests.e2e.helpers import PHONE, login, shot
from tests.factories import province_with_users
from tests.reports.handmade import publish_text, put
from tests.rounds.test_round_period import KPI, REFUSED, open_kpi

pytestmark = pytest.mark.e2e


@pytest.fixture
def kpi_world(db):  # type: ignore[no-untyped-def]
    world = province_with_users()
    world["version"] = publish_text(KPI, "kpi_na")
    db.session.commit()
    return world


def open_in_browser(page, base: str, version_id: int, period: str, title: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/rounds/new?version={version_id}")
    page.locator('select[name="form_version"]').select_option(str(version_id))
    page.locator('select[name="period"]').select_option(period)
    page.locator('input[name="title"]').fill(title)
    page.locator('input[name="kinds"][value="basic_school"]').check()
    page.get_by_test_id("open-round").click()
    page.wait_for_url(re.compile(r".*/rounds/\d+$"))


def start_round(page, base: str, rnd: Round) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/rounds/{rnd.id}/respond")
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r".*/responses/\d+/s/0$"))


def test_province_opens_a_six_and_a_twelve_month_round_on_a_desktop(live_server, desktop, kpi_world):
    login(desktop, live_server, "province")
    open_in_browser(desktop, live_server, kpi_world["version"].id, "month6", "รายงานผลตัวชี้วัด 6 เดือน")
    assert "รอบ 6 เดือน" in desktop.get_by_test_id("round-period").inner_text()
    shot(desktop, "round-opened-6-months-desktop")
    open_in_browser(desktop, live_server, kpi_world["version"].id, "month12", "รายงานผลตัวชี้วัด 12 เดือน")
    desktop.goto(f"{live_server}/rounds/new?version={kpi_world['version'].id}")  # the same period again
    desktop.locator('select[name="period"]').select_option("month6")
    desktop.locator('input[name="title"]').fill("ซ้ำ")
    desktop.locator('input[name="kinds"][value="basic_school"]').check()
    desktop.get_by_test_id("open-round").click()
    assert "อยู่แล้ว" in desktop.content()
    shot(desktop, "round-duplicate-refused-desktop")
    db.session.rollback()  # a fresh read of what the browser's requests wrote
    assert sorted(r.period.value for r in db.session.query(Round)) == ["month12", "month6"]


def test_school_answers_na_at_six_months_and_is_refused_at_twelve_on_a_phone(live_server, phone, kpi_world):
    six = open_kpi(kpi_world["version"], RoundPeriod.MONTH6)
    twelve = open_kpi(kpi_world["version"], RoundPeriod.MONTH12)
    login(phone, live_server, "school_a")

    start_round(phone, live_server, six)
    phone.locator('input[name="budget__na"]').check()
    phone.locator('#q-status input[value="__na__"]').check()
    phone.locator('#q-score input[value="__na__"]').check()
    phone.locator('input[name="pupils"]').fill("40")
    phone.get_by_test_id("save").click()
    assert "บันทึกแล้ว" in phone.content()
    assert phone.locator('input[name="budget__na"]').is_checked()
    shot(phone, "na-accepted-6-months-phone")

    start_round(phone, live_server, twelve)
    assert phone.locator('input[name="budget__na"]').count() == 0  # not offered in the final round
    assert phone.locator('input[value="__na__"]').count() == 0
    assert phone.locator('input[name="pupils__na"]').count() == 1  # allow_na: true is always offered
    shot(phone, "na-not-offered-12-months-phone")
    # a page left open from before (or a hand-made post) still sends N/A: refused beside the field
    phone.evaluate(
        """() => { const box = document.createElement('input'); box.type = 'checkbox'; box.name = 'budget__na';
                   box.value = 'y'; box.checked = true; box.hidden = true; document.querySelector('#q-budget').append(box); }"""
    )
    phone.locator('input[name="pupils"]').fill("55")
    phone.locator('input[name="note"]').fill("ครบถ้วน")
    phone.get_by_test_id("save").click()
    phone.wait_for_load_state()
    error = phone.locator("#q-budget .field-error")
    assert error.inner_text().strip() == REFUSED
    assert phone.locator('input[name="pupils"]').input_value() == "55"  # what was typed is kept
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    error.scroll_into_view_if_needed()
    shot(phone, "na-refused-12-months-phone")
    db.session.rollback()  # a fresh read of what the browser's requests wrote
    response = db.session.query(Response).filter_by(round_id=twelve.id).one()
    stored = response.answer_map()
    assert "budget" not in stored and stored["pupils"] == Answer.of(55)


def test_province_compares_the_rounds_of_the_year_on_desktop_and_phone(live_server, desktop, phone, kpi_world):
    six = open_kpi(kpi_world["version"], RoundPeriod.MONTH6)
    twelve = open_kpi(kpi_world["version"], RoundPeriod.MONTH12)
    base = {"score": Answer.of(4), "status": Answer.of("done"), "pupils": Answer.of(10), "note": Answer.of("-")}
    put(six, kpi_world["a"], base | {"budget": Answer.of(1000)}, ResponseStatus.CERTIFIED)
    put(six, kpi_world["b"], base | {"budget": Answer(AnswerState.NA)}, ResponseStatus.CERTIFIED)
    put(twelve, kpi_world["a"], base | {"budget": Answer.of(2500), "score": Answer.of(5)}, ResponseStatus.CERTIFIED)
    put(twelve, kpi_world["b"], base | {"budget": Answer.of(800)}, ResponseStatus.CERTIFIED)
    db.session.commit()
    for page, name in ((desktop, "desktop"), (phone, "phone")):
        login(page, live_server, "province")
        page.goto(f"{live_server}/reports/rounds/{twelve.id}")
        page.get_by_test_id("compare-rounds").click()
        page.get_by_test_id("compare-unit").select_option(str(kpi_world["a"].id))
        page.get_by_role("button", name="แสดง").click()
        page.wait_for_url(re.compile(r".*/compare\?unit=\d+$"))
        total = page.get_by_test_id("compare-total").get_by_test_id("compare-budget")
        # 6 months: 1000 (b N/A); 12 months: 2500 + 800 = 3300; change +2300
        assert [f.inner_text() for f in total.get_by_test_id("figure").all()] == ["1,000", "3,300"]
        assert total.get_by_test_id("change").inner_text() == "+2,300"
        unit = page.get_by_test_id("compare-unit-table").get_by_test_id("compare-score")
        assert [f.inner_text() for f in unit.get_by_test_id("figure").all()] == ["4.00", "5.00"]
        shot(page, f"compare-rounds-{name}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
