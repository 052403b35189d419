"""Issue 14, the answering journey, server side: a save after submission says what happened and keeps the
typing; cross-item checks warn on save and name questions by code and label; a partly saved section says
what was saved; tabs carry names; dates are typed in the Buddhist Era; a returned response resumes at the
commented question; a save without a version says the page is out of date."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from survey_app.core import thai
from survey_app.extensions import db
from survey_app.forms_engine.operations import publish_files
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review.operations import certify_response, return_response
from tests.fixtures.answering import ROOT, fill_all, hidden, make_round, page, save, start, submit
from tests.fixtures.app import csrf_token

MINIMAL = ROOT / "tests" / "forms_engine" / "valid" / "minimal.yaml"
SECTION_4 = 3  # strategy_4 of phetchabun_plan: 4.1.2 and 4.1.3 (4.1.3 ≤ 4.1.2, shown when 4.1.2 > 0)
SECTION_3 = 2  # strategy_3: 3.2.1


def autosave(client, response_id: int, index: int, data: dict, *, html: str | None = None):  # type: ignore[no-untyped-def]
    """Post a section as form.js's autosave does (X-Autosave header, no action)."""
    html = html or page(client, response_id, index)
    payload = {"csrf_token": hidden(html, "csrf_token"), "row_version": hidden(html, "row_version")} | data
    return client.post(
        f"/responses/{response_id}/s/{index}", data=payload, headers={"X-Autosave": "1"},
        content_type="multipart/form-data",
    )  # fmt: skip


def submitted(client, auth, rnd) -> int:  # type: ignore[no-untyped-def]
    auth.login("school_a")
    rid = start(client, rnd)
    fill_all(client, rid, "basic_school")
    assert submit(client, rid).status_code == 302
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED
    return rid


# --- 5: a save that arrives after submission -------------------------------------------------------------


def test_a_save_after_submit_says_who_submitted_when_and_shows_what_was_typed(client, auth, plan_round, world):
    auth.login("school_a")
    rid = start(client, plan_round)
    old_page = page(client, rid, 0)  # a second tab, opened while still a draft
    fill_all(client, rid, "basic_school")
    assert submit(client, rid).status_code == 302

    typed = {"q_1_1_1": ["screening"], "q_1_1_2": "โครงการห้องเรียนสีขาว"}
    result = save(client, rid, 0, typed, html=old_page, action="save")

    html = result.get_data(as_text=True)
    assert result.status_code == 409
    assert "แบบสอบถามนี้ส่งแล้ว โดย โรงเรียนเอ (ชื่อผู้ใช้ school_a) เมื่อ" in html
    assert "ยังไม่ได้บันทึก" in html
    listed = re.search(r'data-testid="typed-unsaved">(.*?)</ul>', html, re.S).group(1)
    assert "1.1.2" in listed and "โครงการห้องเรียนสีขาว" in listed  # what was typed is still on the screen
    assert re.search(r'id="q_1_1_2"[^>]*value="โครงการห้องเรียนสีขาว"', html)
    assert db.session.get(Response, rid).answer_map().get("q_1_1_2") != "โครงการห้องเรียนสีขาว"


def test_an_autosave_after_certification_gets_409_with_the_certifier_named(client, auth, plan_round, world):
    auth.login("school_a")
    rid = start(client, plan_round)
    old_page = page(client, rid, 0)
    fill_all(client, rid, "basic_school")
    assert submit(client, rid).status_code == 302
    certify_response(db.session.get(Response, rid), world["cert_x"].id)
    db.session.commit()

    result = autosave(client, rid, 0, {"q_1_1_1": ["__none__"]}, html=old_page)

    assert result.status_code == 409
    body = result.get_json()
    assert body["saved"] is False and body["locked"] is True
    assert body["message"].startswith("แบบสอบถามนี้ได้รับการรับรองแล้ว โดย สพป.ทดสอบ เขต 1 (ชื่อผู้ใช้ cert_x) เมื่อ")
    assert body["view_url"] == f"/responses/{rid}"


# --- 15: cross-item checks on save, by code and label ------------------------------------------------------


def test_a_failed_cross_item_check_is_saved_and_warned_beside_both_fields(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    result = save(client, rid, SECTION_4, {"q_4_1_2": "3", "q_4_1_3": "5"}, action="save")
    assert result.status_code == 302
    assert db.session.get(Response, rid).answer_map()["q_4_1_3"].value == 5  # saved anyway

    html = page(client, rid, SECTION_4)
    beside_413 = re.search(r'id="check-q_4_1_3"[^>]*><small>([^<]*)', html).group(1)
    beside_412 = re.search(r'id="check-q_4_1_2"[^>]*><small>([^<]*)', html).group(1)
    assert beside_413.startswith("จำนวนเด็กที่นำกลับเข้าสู่ระบบการศึกษาต้องไม่เกินจำนวนเด็กตกหล่น")
    assert "บันทึกคำตอบไว้แล้ว" in beside_413
    assert beside_412.startswith("ไม่สอดคล้องกับข้อ 4.1.3 จำนวนเด็กตกหล่นและออกกลางคันที่ได้รับการนำกลับ")


def test_autosave_reply_carries_the_check_warnings(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    result = autosave(client, rid, SECTION_4, {"q_4_1_2": "3", "q_4_1_3": "5"})
    body = result.get_json()
    assert body["saved"] is True
    assert sorted(body["checks"]) == ["q_4_1_2", "q_4_1_3"]
    save_again = autosave(client, rid, SECTION_4, {"q_4_1_2": "9", "q_4_1_3": "5"})
    assert save_again.get_json()["checks"] == {}


def test_submit_page_names_a_failed_check_by_code_and_label_not_key(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    save(client, rid, SECTION_4, {"q_4_1_2": "3", "q_4_1_3": "5"}, action="save")
    html = client.get(f"/responses/{rid}/submit").get_data(as_text=True)
    item = re.search(r'data-testid="failed-check"><a href="([^"]+)">([^<]+)</a>', html)
    assert item.group(1) == f"/responses/{rid}/s/{SECTION_4}#q-q_4_1_3"
    assert item.group(2).startswith("4.1.3 จำนวนเด็กตกหล่นและออกกลางคัน")
    assert ">q_4_1_3<" not in html and "q_4_1_3:" not in html


# --- 17: a partly saved section ---------------------------------------------------------------------------


def test_a_save_with_one_bad_field_says_what_was_saved_and_links_to_the_bad_one(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    result = save(client, rid, SECTION_4, {"q_4_1_1": ["__none__"], "q_4_1_2": "สาม"}, action="save")
    html = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "ยังบันทึกไม่ได้" not in html
    summary = re.search(r'data-testid="save-summary">(.*?)</div>', html, re.S).group(1)
    assert "บันทึกคำตอบอื่นแล้ว 1 ข้อ" in summary
    assert re.search(r'<a href="#q-q_4_1_2">4\.1\.2 จำนวนเด็กตกหล่น', summary)
    assert db.session.get(Response, rid).answer_map()["q_4_1_1"].state.value == "none"


# --- 18: section tabs carry names -------------------------------------------------------------------------


def test_section_tabs_show_section_names_not_bare_numbers(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    html = page(client, rid, 0)
    tabs = re.findall(r'data-testid="tab-\d+">(.*?)</button>', html, re.S)
    assert len(tabs) == 6
    assert "ยุทธศาสตร์ที่ 4 ด้านการสร้างโอกาสและความเสมอภาคทางสังคม" in re.sub(r"<[^>]+>", "", tabs[3])


# --- 19: Buddhist-Era dates -------------------------------------------------------------------------------


@pytest.fixture
def minimal_round(world):  # type: ignore[no-untyped-def]
    world["versions"]["minimal"] = publish_files([MINIMAL])[0].version
    db.session.commit()
    return make_round(world, "minimal")


def test_dates_are_typed_and_shown_in_the_buddhist_era_and_stored_in_iso(client, auth, minimal_round):
    auth.login("school_a")
    rid = start(client, minimal_round)
    html = page(client, rid, 0)
    field = re.search(r'<input[^>]*id="completed_on"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'inputmode="numeric"' in field and "data-be-date" in field
    assert 'type="date"' not in html

    assert save(client, rid, 0, {"completed_on": "๑๕/๐๑/๒๕๖๔"}, action="save").status_code == 302
    assert db.session.get(Response, rid).answer_map()["completed_on"].value == "2021-01-15"
    assert re.search(r'id="completed_on"[^>]*value="15/01/2564"', page(client, rid, 0))


def test_a_christian_era_year_is_refused_with_a_thai_message(client, auth, minimal_round):
    auth.login("school_a")
    rid = start(client, minimal_round)
    result = save(client, rid, 0, {"completed_on": "15/01/2021"}, action="save")
    html = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "ปีต้องเป็นพุทธศักราช (พ.ศ.) เช่น 2564 ไม่ใช่ ค.ศ. 2021" in html
    assert re.search(r'id="completed_on"[^>]*value="15/01/2021"', html)  # what was typed stays


def test_the_date_picker_is_served_by_the_app(client, auth, minimal_round):
    auth.login("school_a")
    rid = start(client, minimal_round)
    src = re.search(r'data-picker-src="([^"]+)"', page(client, rid, 0)).group(1)
    assert src.startswith("/static/js/be-datepicker.js")
    assert "SurveyBEDate" in client.get(src).get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15/01/2564", date(2021, 1, 15)),
        ("๑๕/๐๑/๒๕๖๔", date(2021, 1, 15)),
        ("5.1.2564", date(2021, 1, 5)),
        ("15-1-2564", date(2021, 1, 15)),
        ("15012564", date(2021, 1, 15)),
        ("29/02/2563", date(2020, 2, 29)),
        ("2021-01-15", date(2021, 1, 15)),
        (" 15 / 01 / 2564 ", date(2021, 1, 15)),
    ],
)
def test_parse_be_date_reads_what_people_type(typed, expected):
    assert thai.parse_be_date(typed) == expected
    assert thai.be_date_text(expected) == f"{expected.day:02d}/{expected.month:02d}/{expected.year + 543}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("15/01/2021", "ปีต้องเป็นพุทธศักราช (พ.ศ.) เช่น 2564 ไม่ใช่ ค.ศ. 2021"),
        ("29/02/2564", "ไม่มีวันที่ 29/02/2564 ในปฏิทิน"),
        ("15/13/2564", "เดือนต้องเป็น 01 ถึง 12"),
        ("เมื่อวาน", "วันที่ไม่ถูกต้อง: พิมพ์เป็น วว/ดด/ปปปป ปีพุทธศักราช"),
    ],
)
def test_parse_be_date_refuses_with_a_message_that_says_what_to_type(typed, message):
    with pytest.raises(thai.BEDateError, match=re.escape(message)):
        thai.parse_be_date(typed)


# --- 21: a returned response resumes at the commented question --------------------------------------------


def test_a_returned_response_resumes_at_the_first_commented_question(client, auth, plan_round, world):
    rid = submitted(client, auth, plan_round)
    comments = {"q_4_1_2": "ตัวเลขไม่ตรงกับรายงาน", "q_3_2_1": "ระบุจำนวนผู้เรียนที่ประเมินจริง"}
    return_response(db.session.get(Response, rid), "แก้ไข 2 ข้อ", comments, world["cert_x"].id)
    db.session.commit()

    entry = client.get(f"/rounds/{plan_round.id}/respond")
    assert entry.headers["Location"] == f"/responses/{rid}/s/{SECTION_3}#q-q_3_2_1"  # first in form order

    html = page(client, rid, 0)
    marked = re.findall(r'class="tab[^"]*has-comment[^"]*"[^>]*data-testid="tab-(\d+)"', html)
    assert marked == [str(SECTION_3), str(SECTION_4)]

    html = client.get(f"/responses/{rid}/submit").get_data(as_text=True)
    listed = re.search(r'data-testid="review-comments">(.*?)</section>', html, re.S).group(1)
    assert "แก้ไข 2 ข้อ" in listed
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>: ([^<]+)</li>', listed)
    assert [(href, text[:5], comment) for href, text, comment in links] == [
        (f"/responses/{rid}/s/{SECTION_3}#q-q_3_2_1", "3.2.1", "ระบุจำนวนผู้เรียนที่ประเมินจริง"),
        (f"/responses/{rid}/s/{SECTION_4}#q-q_4_1_2", "4.1.2", "ตัวเลขไม่ตรงกับรายงาน"),
    ]


# --- a save that posts no version --------------------------------------------------------------------------


def test_a_save_without_a_version_says_the_page_is_out_of_date_and_keeps_the_typing(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    token = csrf_token(client, f"/responses/{rid}/s/0")
    result = client.post(
        f"/responses/{rid}/s/0",
        data={"csrf_token": token, "q_1_1_2": "โครงการโรงเรียนสีขาว", "action": "save"},
        content_type="multipart/form-data",
    )
    html = result.get_data(as_text=True)
    assert result.status_code == 409
    assert "หน้านี้ไม่เป็นปัจจุบัน" in html
    assert "มีผู้อื่นบันทึกแบบสอบถามนี้" not in html
    assert "โครงการโรงเรียนสีขาว" in html
    assert hidden(html, "row_version") == str(db.session.get(Response, rid).row_version)


def test_an_autosave_without_a_version_is_marked_stale(client, auth, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    token = csrf_token(client, f"/responses/{rid}/s/0")
    result = client.post(
        f"/responses/{rid}/s/0",
        data={"csrf_token": token, "q_1_1_1": ["__none__"]},
        headers={"X-Autosave": "1"},
        content_type="multipart/form-data",
    )
    assert result.status_code == 409
    assert result.get_json()["stale"] is True
    assert db.session.scalar(select(Response.row_version).where(Response.id == rid)) == 1
