"""Issue 14, the answering journey in Chromium: what a school clerk meets while answering.

A save after the response was submitted elsewhere; Thai digits behind show_if; cross-item checks while
typing; landing on a linked question under the sticky header; a partly saved section; named section tabs;
Buddhist-Era dates typed and picked; a returned response that opens at the commented question; a page
posted without its version."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.forms_engine.parsing import parse_number
from survey_app.responses import operations
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review.operations import return_response
from tests.e2e.helpers import PHONE, login, shot
from tests.fixtures.answering import MINIMAL, fill_all, make_round, published_world, submit

pytestmark = pytest.mark.e2e

SECTION_3 = 2  # strategy_3 of phetchabun_plan (3.2.1)
SECTION_4 = 3  # strategy_4: 4.1.1, 4.1.2, 4.1.3 (shown when 4.1.2 > 0; 4.1.3 ≤ 4.1.2)
MINUTE = 61_000  # autosave runs every minute


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """The usual province, with the minimal form published too."""
    return published_world(MINIMAL)


def draft(world, key: str = "phetchabun_plan") -> int:  # type: ignore[no-untyped-def]
    """School A's draft of a fresh round (the start page is not what these journeys are about)."""
    rnd = make_round(world, key)
    response = operations.start_org_response(rnd, world["a"], world["school_a"].id)
    db.session.commit()
    return response.id


def open_section(page, base: str, rid: int, index: int, *, clock: bool = False) -> None:  # type: ignore[no-untyped-def]
    if clock:
        page.clock.install()  # autosave runs on a one-minute timer: the test moves the clock
    login(page, base, "school_a")
    page.goto(f"{base}/responses/{rid}/s/{index}")


def header_bottom(page) -> float:  # type: ignore[no-untyped-def]
    return page.evaluate("document.querySelector('.form-head').getBoundingClientRect().bottom")


def top_of(page, selector: str) -> float:  # type: ignore[no-untyped-def]
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().top")


# --- 5 ----------------------------------------------------------------------------------------------------


def test_a_save_after_submission_in_another_tab_says_so_and_keeps_the_typing(live_server, desktop, world, client, auth):
    rid = draft(world)
    open_section(desktop, live_server, rid, 0, clock=True)
    desktop.locator('#q-q_1_1_1 input[value="screening"]').check()
    desktop.locator("#q_1_1_2").fill("โครงการห้องเรียนสีขาว")

    auth.login("school_a")  # the other tab: everything answered and sent
    fill_all(client, rid, "basic_school")
    assert submit(client, rid).status_code == 302

    desktop.clock.run_for(MINUTE)  # the autosave is refused: said plainly, not "check your internet"
    banner = desktop.get_by_test_id("locked")
    banner.wait_for()
    assert "แบบสอบถามนี้ส่งแล้ว โดย โรงเรียนเอ (ชื่อผู้ใช้ school_a) เมื่อ" in banner.inner_text()
    status = desktop.get_by_test_id("save-status").inner_text()
    assert "ส่งแล้ว" in status and "อินเทอร์เน็ต" not in status
    assert desktop.locator("#q_1_1_2").input_value() == "โครงการห้องเรียนสีขาว"
    shot(desktop, "i14-locked-autosave-desktop")

    desktop.get_by_test_id("save").click()  # pressing save anyway: the same story, the typing listed
    desktop.wait_for_load_state()
    assert "แบบสอบถามนี้ส่งแล้ว โดย" in desktop.get_by_test_id("locked").inner_text()
    assert "โครงการห้องเรียนสีขาว" in desktop.get_by_test_id("typed-unsaved").inner_text()
    assert desktop.locator("#q_1_1_2").input_value() == "โครงการห้องเรียนสีขาว"
    shot(desktop, "i14-locked-save-desktop")
    db.session.rollback()
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED


# --- 14 ---------------------------------------------------------------------------------------------------


def test_thai_digits_show_the_follow_up_the_server_will_ask_for(live_server, phone, world):
    rid = draft(world)
    open_section(phone, live_server, rid, SECTION_4)
    follow_up = phone.locator("#q-q_4_1_3")
    assert follow_up.is_hidden()
    for typed, shown in [("๕", True), ("๐", False), ("1,000", True), ("๑ ๒", True), ("0.5", False), ("-๓", False)]:
        phone.locator("#q_4_1_2").fill(typed)
        assert follow_up.is_visible() == shown, typed
    phone.locator("#q_4_1_2").fill("๕")
    shot(phone, "i14-thai-digits-phone")
    phone.get_by_test_id("save").click()
    phone.wait_for_load_state()
    db.session.rollback()
    assert db.session.get(Response, rid).answer_map()["q_4_1_2"].value == 5
    assert phone.locator("#q-q_4_1_3").is_visible()  # the server agrees


NUMBERS = ["๕", "๑,๒๓๔", "1 000", "1_000", "１２", "12.50", "1e3", ".5", "5.", "+7", "-3", "1,2,3",
           "abc", "", "1e16", "Infinity", "NaN", "๑.๕", "0x10", "1.0", "１,０００.２５"]  # fmt: skip


def test_the_browser_reads_numbers_exactly_as_the_server(live_server, desktop, world):
    rid = draft(world)
    open_section(desktop, live_server, rid, SECTION_4)
    for integer in (True, False):
        browser = desktop.evaluate(
            "([xs, integer]) => xs.map(x => window.SurveyForm.parseNumber(x, integer))", [NUMBERS, integer]
        )
        server = [parse_number(" ".join(x.split()), integer=integer)[0] for x in NUMBERS]
        expected = [None if n is None else float(n) for n in server]
        assert browser == expected, list(zip(NUMBERS, browser, expected, strict=True))
    assert Decimal(1000) == parse_number("๑,๐๐๐", integer=True)[0]


# --- 15 ---------------------------------------------------------------------------------------------------


def test_a_cross_item_check_is_warned_beside_both_fields_while_answering(live_server, desktop, world):
    rid = draft(world)
    open_section(desktop, live_server, rid, SECTION_4, clock=True)
    desktop.locator("#q_4_1_2").fill("3")
    desktop.locator("#q_4_1_3").fill("5")
    desktop.clock.run_for(MINUTE)
    beside_413 = desktop.locator("#check-q_4_1_3")
    beside_413.wait_for()
    assert "ต้องไม่เกินจำนวนเด็กตกหล่นและออกกลางคันที่พบ" in beside_413.inner_text()
    assert "ไม่สอดคล้องกับข้อ 4.1.3" in desktop.locator("#check-q_4_1_2").inner_text()
    assert "q_4_1" not in desktop.locator("#q-q_4_1_2").inner_text()
    shot(desktop, "i14-cross-check-desktop")
    db.session.rollback()
    assert db.session.get(Response, rid).answer_map()["q_4_1_3"].value == 5  # saved all the same

    desktop.locator("#q_4_1_2").fill("9")
    desktop.clock.run_for(MINUTE)
    desktop.locator("#check-q_4_1_3").wait_for(state="detached")
    assert desktop.locator("#check-q_4_1_2").count() == 0

    desktop.locator("#q_4_1_2").fill("4")  # wrong again, then to the submit page: code and label, no key
    desktop.get_by_test_id("to-submit").click()
    desktop.wait_for_url(re.compile(r".*/submit$"))
    item = desktop.get_by_test_id("failed-check")
    assert item.inner_text().startswith("4.1.3 จำนวนเด็กตกหล่น")
    assert "q_4_1_3" not in desktop.get_by_test_id("missing").inner_text()
    item.get_by_role("link").click()
    desktop.wait_for_url(re.compile(r".*/s/3#q-q_4_1_3$"))
    assert desktop.locator("#check-q_4_1_3").is_visible()


# --- 16 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_missing_item_link_lands_on_the_question_visible_marked_and_focused(live_server, world, device, request):
    page = request.getfixturevalue(device)
    rid = draft(world)
    open_section(page, live_server, rid, 0)
    page.goto(f"{live_server}/responses/{rid}/submit")
    links = page.get_by_test_id("missing").locator(f'a[href*="/s/{SECTION_4}#"]')
    link = links.nth(links.count() // 2)  # half-way down its page
    target = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_url(re.compile(f".*#{target}$"))
    question = page.locator(f"#{target}")
    page.wait_for_load_state("load")
    page.wait_for_function(f"document.querySelector('#{target}').contains(document.activeElement)")
    assert "is-target" in question.get_attribute("class")
    top = top_of(page, f"#{target}")
    assert header_bottom(page) <= top < page.viewport_size["height"] / 2, (header_bottom(page), top)
    assert page.evaluate(f"document.querySelector('#{target}').contains(document.activeElement)")
    assert page.evaluate("document.activeElement.tagName") == "INPUT"
    shot(page, f"i14-landed-{device}")


# --- 17 ---------------------------------------------------------------------------------------------------


def test_a_save_with_one_bad_field_says_what_was_saved_and_the_error_clears_once_fixed(live_server, desktop, world):
    rid = draft(world)
    open_section(desktop, live_server, rid, SECTION_4)
    desktop.locator('#q-q_4_1_1 input[value="__none__"]').check()
    desktop.locator("#q_4_1_2").fill("สาม")
    desktop.get_by_test_id("save").click()
    desktop.wait_for_load_state()
    summary = desktop.get_by_test_id("save-summary")
    text = summary.inner_text()
    assert "บันทึกคำตอบอื่นแล้ว 1 ข้อ" in text and "ยังไม่ได้บันทึก 1 ข้อ" in text
    assert "ยังบันทึกไม่ได้" not in desktop.content()
    shot(desktop, "i14-partial-save-desktop")
    summary.get_by_role("link", name=re.compile(r"^4\.1\.2 ")).click()
    desktop.wait_for_function("document.activeElement && document.activeElement.id === 'q_4_1_2'")
    assert desktop.locator("#err-q_4_1_2").is_visible()
    desktop.keyboard.press("Control+A")
    desktop.keyboard.type("สา")  # still not a number: the message stays
    assert desktop.locator("#err-q_4_1_2").is_visible()
    desktop.locator("#q_4_1_2").fill("3")
    assert desktop.locator("#err-q_4_1_2").count() == 0
    assert desktop.locator("#q_4_1_2").get_attribute("aria-invalid") is None
    assert "แก้ไขครบแล้ว" in summary.inner_text()
    db.session.rollback()
    assert db.session.get(Response, rid).answer_map()["q_4_1_1"].state.value == "none"


def test_the_next_autosave_clears_errors_it_no_longer_finds(live_server, desktop, world):
    rid = draft(world)
    open_section(desktop, live_server, rid, SECTION_4, clock=True)
    desktop.locator("#q_4_1_2").fill("สาม")
    desktop.get_by_test_id("save").click()
    desktop.wait_for_load_state()
    desktop.evaluate(  # fixed without an input event (e.g. restored by the browser): only the server can tell
        "() => { const f = document.getElementById('q_4_1_2'); f.value = '3';"
        " f.form.dispatchEvent(new Event('change')); }"
    )
    assert desktop.locator("#err-q_4_1_2").is_visible()
    desktop.clock.run_for(MINUTE)
    desktop.locator("#err-q_4_1_2").wait_for(state="detached")
    assert "บันทึกอัตโนมัติแล้ว" in desktop.get_by_test_id("save-status").inner_text()


# --- 18 ---------------------------------------------------------------------------------------------------


def test_section_tabs_show_their_names_on_a_phone(live_server, phone, world):
    rid = draft(world)
    open_section(phone, live_server, rid, SECTION_4)
    current = phone.get_by_test_id(f"tab-{SECTION_4}")
    assert "ยุทธศาสตร์ที่ 4" in current.inner_text()
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the current tab is in view
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    height = phone.evaluate("document.querySelector('.form-head').getBoundingClientRect().height")
    assert height < 190, height  # the strip scrolls sideways; the sticky header does not eat the screen
    phone.get_by_test_id("tab-0").scroll_into_view_if_needed()
    assert "ยุทธศาสตร์ที่ 1 ด้านความมั่นคง" in phone.get_by_test_id("tab-0").inner_text()
    shot(phone, "i14-tabs-phone")


# --- 19 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_dates_are_typed_and_picked_in_the_buddhist_era(live_server, world, device, request):
    page = request.getfixturevalue(device)
    rid = draft(world, "minimal")
    open_section(page, live_server, rid, 0)
    field = page.locator("#completed_on")
    assert field.get_attribute("type") == "text" and field.get_attribute("inputmode") == "numeric"
    field.press_sequentially("15012564")
    assert field.input_value() == "15/01/2564"

    page.get_by_test_id("date-picker-completed_on").click()  # the calendar, by keyboard
    dialog = page.get_by_role("dialog", name="เลือกวันที่ (ปีพุทธศักราช)")
    assert "มกราคม 2564" in dialog.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "ศุกร์ 15 มกราคม 2564"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageDown")
    assert "กุมภาพันธ์ 2564" in dialog.inner_text()
    shot(page, f"i14-date-picker-{device}")
    page.keyboard.press("Enter")
    assert field.input_value() == "16/02/2564"
    assert dialog.count() == 0

    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert page.locator("#completed_on").input_value() == "16/02/2564"
    db.session.rollback()
    assert db.session.get(Response, rid).answer_map()["completed_on"].value == "2021-02-16"

    page.locator("#completed_on").fill("16/02/2021")  # a Christian-Era year: refused, with what to type
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "ปีต้องเป็นพุทธศักราช (พ.ศ.)" in page.locator("#err-completed_on").inner_text()


# --- 21 ---------------------------------------------------------------------------------------------------


def test_a_returned_response_opens_at_the_commented_question(live_server, phone, world, client, auth):
    rid = draft(world)
    auth.login("school_a")
    fill_all(client, rid, "basic_school")
    assert submit(client, rid).status_code == 302
    comments = {"q_3_2_1": "ระบุจำนวนผู้เรียนที่ประเมินจริง", "q_4_1_2": "ตัวเลขไม่ตรงกับรายงาน"}
    return_response(db.session.get(Response, rid), "แก้ไข 2 ข้อ", comments, world["cert_x"].id)
    db.session.commit()

    login(phone, live_server, "school_a")
    phone.get_by_role("button", name="ตอบต่อ").click()
    phone.wait_for_url(re.compile(rf".*/responses/{rid}/s/{SECTION_3}#q-q_3_2_1$"))
    question = phone.locator("#q-q_3_2_1")
    phone.wait_for_load_state("load")
    phone.wait_for_function("document.querySelector('#q-q_3_2_1').contains(document.activeElement)")
    assert "is-target" in question.get_attribute("class")
    assert "ระบุจำนวนผู้เรียนที่ประเมินจริง" in question.inner_text()
    assert header_bottom(phone) <= top_of(phone, "#q-q_3_2_1") < PHONE["height"]
    marked = phone.locator(".section-tabs .tab.has-comment")
    assert [m.get_attribute("data-testid") for m in marked.all()] == [f"tab-{SECTION_3}", f"tab-{SECTION_4}"]
    assert marked.first.get_by_role("img", name="มีความเห็นจากผู้รับรอง").count() == 1
    shot(phone, "i14-returned-lands-phone")

    phone.goto(f"{live_server}/responses/{rid}/submit")
    listed = phone.get_by_test_id("review-comments")
    assert "แก้ไข 2 ข้อ" in listed.inner_text()
    link = listed.get_by_role("link", name=re.compile(r"^4\.1\.2 "))
    assert "ตัวเลขไม่ตรงกับรายงาน" in link.locator("xpath=..").inner_text()
    shot(phone, "i14-returned-submit-phone")
    link.click()
    phone.wait_for_url(re.compile(rf".*/s/{SECTION_4}#q-q_4_1_2$"))
    phone.wait_for_load_state("load")
    phone.wait_for_function("document.querySelector('#q-q_4_1_2').contains(document.activeElement)")


# --- a page posted without its version ----------------------------------------------------------------------


def test_a_page_without_its_version_is_told_it_is_out_of_date_and_keeps_the_typing(live_server, desktop, world):
    rid = draft(world)
    open_section(desktop, live_server, rid, 0)
    desktop.locator('#q-q_1_1_1 input[value="screening"]').check()
    desktop.locator("#q_1_1_2").fill("โครงการห้องเรียนสีขาว")
    desktop.evaluate("document.querySelector('input[name=row_version]').value = ''")
    desktop.get_by_test_id("save").click()
    desktop.wait_for_load_state()
    banner = desktop.get_by_test_id("conflict").inner_text()
    assert "หน้านี้ไม่เป็นปัจจุบัน" in banner and "มีผู้อื่นบันทึก" not in banner
    assert desktop.locator("#q_1_1_2").input_value() == "โครงการห้องเรียนสีขาว"
    desktop.get_by_test_id("save").click()  # saving again now works, with what was typed
    desktop.wait_for_load_state()
    db.session.rollback()
    saved = db.session.scalar(select(Response).where(Response.id == rid)).answer_map()
    assert saved["q_1_1_2"].value == "โครงการห้องเรียนสีขาว"
