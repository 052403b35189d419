"""Issue 14 item 28: every page a user of each role meets passes axe-core (WCAG 2.0/2.1 A and AA), on a phone
and a desktop; and the checker itself reports what it should, where it should.

The pages are checked by the hook in conftest (every page load); these tests only walk to them, so a page
that gains a fault fails here with the rule, the element and the address."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.review.operations import certify_response
from survey_app.rounds.models import RoundUnit
from tests.e2e.axe import AxeWatch, check_now, report
from tests.e2e.helpers import PHONE, login
from tests.fixtures.answering import MINIMAL, make_round, published_world
from tests.fixtures.review import submitted

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """The usual province, with the minimal form (every question type) published too."""
    return published_world(MINIMAL)


FAULTY = """<!doctype html><html lang="th"><head><title>ทดสอบ</title></head><body><main>
<h1>หน้าที่มีข้อบกพร่อง</h1><select id="subject"><option>ภาษาไทย</option></select>
<a href="/second" id="next"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></a></main></body></html>"""
SECOND = """<!doctype html><html lang="th"><head><title>สอง</title></head><body><main><h1>สอง</h1>
<input type="text" id="nameless"></main></body></html>"""


def serve(context, pages: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Fake pages at http://a11y.test/<path> (no app needed to test the checker); set up before the watch,
    whose own route then runs first and falls back to this one."""

    def fulfil(route) -> None:  # type: ignore[no-untyped-def]
        path = "/" + route.request.url.split("/", 3)[3]
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages.get(path, "<p>?</p>"))

    context.route("http://a11y.test/**", fulfil)


def test_the_checker_names_rule_impact_element_and_page_even_for_a_page_left_at_once(browser):
    context = browser.new_context()
    serve(context, {"/first": FAULTY, "/second": SECOND})
    watch = AxeWatch(context)
    page = context.new_page()
    page.clock.install()  # a frozen clock (as the autosave tests use) must not stop the engine
    page.goto("http://a11y.test/first")
    page.locator("#next").press("Enter")  # left before anyone asked for its check
    page.wait_for_url("http://a11y.test/second")
    found = watch.finish()
    context.close()

    seen = {(v.url, v.rule, v.impact, v.target) for v in found}
    assert ("http://a11y.test/first", "select-name", "critical", "#subject") in seen
    assert ("http://a11y.test/first", "link-name", "serious", "#next") in seen
    assert ("http://a11y.test/second", "label", "critical", "#nameless") in seen
    text = report(found)
    first, second = text.split("\nhttp://a11y.test/first\n")[1].split("\nhttp://a11y.test/second\n")
    assert "  - select-name (critical) at #subject: Select element must have an accessible name" in first
    assert "  - label (critical) at #nameless: Form elements must have labels" in second
    assert '<select id="subject">' in text


def test_the_teachers_select_is_read_out_with_its_question(live_server, phone, world):
    rnd = make_round(world, "tablet_satisfaction")
    token = db.session.scalar(
        select(RoundUnit.link_token).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == world["a"].id)
    )
    phone.goto(f"{live_server}/s/{token}")
    assert phone.get_by_role("combobox", name="กลุ่มสาระการเรียนรู้ที่สอนเป็นหลัก").is_visible()
    assert check_now(phone) == []
    phone.get_by_test_id("send").click()  # refused: every error shown at once, still no fault
    assert phone.locator(".field-error").count() > 5
    assert check_now(phone) == [], report(check_now(phone))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def rounds(world):  # type: ignore[no-untyped-def]
    """A plan round with three schools' answers sent (one certified), and a person-level round."""
    plan = make_round(world)
    sent = submitted(world, plan, "a")
    certify_response(submitted(world, plan, "b", seed=2), None)
    submitted(world, plan, "x", seed=3)
    tablet = make_round(world, "tablet_satisfaction")
    db.session.commit()
    return {"plan": plan, "tablet": tablet, "sent": sent}


def visit(page, base: str, paths: list[str]) -> None:  # type: ignore[no-untyped-def]
    for path in paths:
        response = page.goto(base + path)
        assert (response is not None and response.status < 400) or path == "/no-such-page", (path, response.status)
        page.wait_for_load_state()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_province_page_passes(live_server, world, rounds, device, request):
    page = request.getfixturevalue(device)
    plan, tablet, rid = rounds["plan"].id, rounds["tablet"].id, rounds["sent"].id
    version = rounds["plan"].form_version_id
    login(page, live_server, "province")
    visit(
        page,
        live_server,
        [
            "/",
            "/rounds/",
            "/rounds/new",
            f"/rounds/{plan}",
            "/forms/",
            f"/forms/{version}/preview",
            "/reports/",
            f"/reports/rounds/{plan}",
            "/review/",
            f"/review/rounds/{plan}",
            f"/review/rounds/{plan}/province",
            f"/review/responses/{rid}",
            f"/responses/{rid}",
            "/directory",
            f"/units/{world['a'].id}",
            "/password",
            f"/rounds/{tablet}/share/units",
            f"/rounds/{tablet}/share/{world['a'].id}/poster",
            f"/rounds/{tablet}/share/sheet",
            "/no-such-page",
        ],
    )
    page.wait_for_timeout(300)  # the report's charts drawn before the last check
    page.goto(f"{live_server}/lang/en?next=/reports/rounds/{plan}")  # the English pages too
    page.goto(f"{live_server}/review/rounds/{plan}")


def test_every_agency_page_passes(live_server, desktop, world, rounds):
    plan, rid = rounds["plan"].id, rounds["sent"].id
    login(desktop, live_server, "cert_x")
    visit(
        desktop,
        live_server,
        ["/", "/review/", f"/review/rounds/{plan}", f"/review/rounds/{plan}/certify-set", f"/review/responses/{rid}"],
    )
    desktop.locator("#return-form details.qc").first.locator("summary").click()  # a comment box opened
    assert check_now(desktop) == [], report(check_now(desktop))


def test_every_school_page_passes_on_a_phone(live_server, phone, world, rounds):
    tablet, rid = rounds["tablet"].id, rounds["sent"].id
    login(phone, live_server, "school_c")  # school C has not started: the start page, then its sections
    visit(phone, live_server, ["/", f"/rounds/{rounds['plan'].id}/respond"])
    phone.get_by_test_id("start").click()
    phone.wait_for_url(re.compile(r".*/s/0$"))
    phone.get_by_test_id("to-submit").click()  # the submit page listing everything still missing
    phone.wait_for_url(re.compile(r".*/submit$"))
    phone.locator("details.dropdown summary").click()
    phone.get_by_test_id("logout").click()
    login(phone, live_server, "school_a")
    visit(phone, live_server, [f"/responses/{rid}", f"/rounds/{tablet}/share"])
