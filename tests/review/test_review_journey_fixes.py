"""Issue 14, the review journey (items 20, 22–27 and the view side of 8), as the server answers it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.accounts.kinds import OrgKind
from survey_app.core.audit import AuditEvent
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus
from survey_app.review.models import ReviewComment
from survey_app.review.operations import certify_response
from survey_app.rounds.models import RoundUnit
from tests.factories import make_unit
from tests.fixtures.answering import fill_all, make_round, start, submit
from tests.fixtures.app import csrf_token
from tests.fixtures.review import PDF_LETTER, submitted
from tests.review.test_certification import post, status_of


def textarea(html: str, testid: str) -> str:
    match = re.search(rf'<textarea[^>]*data-testid="{testid}"[^>]*>([^<]*)</textarea>', html)
    assert match, f"no textarea {testid}"
    return match.group(1)


# --- 20 and 8: a refused return keeps what was typed; comments only for the form's questions -------------


def test_return_without_a_reason_keeps_every_comment_typed(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    refused = post(
        client, f"/review/responses/{a.id}/return", comment="  ",
        qc_q_1_1_1="ข้อนี้ให้ระบุกิจกรรมที่ทำจริง", qc_q_1_2_3="ตัวเลขไม่ตรงกับรายงาน",
    )  # fmt: skip
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert textarea(html, "qc-q_1_1_1") == "ข้อนี้ให้ระบุกิจกรรมที่ทำจริง"
    assert textarea(html, "qc-q_1_2_3") == "ตัวเลขไม่ตรงกับรายงาน"
    error = re.search(r'id="comment-error"[^>]*>([^<]*)<', html)
    assert error and "กรุณาระบุเหตุผลที่ส่งกลับ" in error.group(1)
    assert 'aria-describedby="comment-error"' in html
    assert status_of(a.id) == ResponseStatus.SUBMITTED


def test_too_long_reason_is_refused_beside_the_field_with_the_reason_kept(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    refused = post(client, f"/review/responses/{a.id}/return", comment="ก" * 5001, qc_q_1_1_1="ดูข้อนี้")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert textarea(html, "return-comment") == "ก" * 5001 and textarea(html, "qc-q_1_1_1") == "ดูข้อนี้"
    assert status_of(a.id) == ResponseStatus.SUBMITTED


def test_comments_on_keys_the_form_does_not_have_are_not_stored(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    done = post(client, f"/review/responses/{a.id}/return", comment="แก้ข้อ 1.1.1",
                qc_q_1_1_1="ระบุกิจกรรม", qc_no_such_question="ไม่ควรเก็บ", **{"qc_" + "k" * 300: "ยาวเกิน"})  # fmt: skip
    assert done.status_code == 302
    stored = {(c.question_key, c.comment) for c in db.session.scalars(select(ReviewComment))}
    assert stored == {(None, "แก้ข้อ 1.1.1"), ("q_1_1_1", "ระบุกิจกรรม")}


# --- 22: history in words, with names, units and Buddhist-Era times --------------------------------------


def test_history_says_what_happened_who_did_it_and_when(client, auth, world, plan_round):
    world["school_a"].display_name = "นางสมใจ ใจดี"
    world["cert_x"].display_name = "นายตรวจ ละเอียด"
    db.session.commit()
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, world["a"].kind.value)
    assert submit(client, rid).status_code == 302
    saves = db.session.scalar(
        select(db.func.count()).where(AuditEvent.object_id == rid, AuditEvent.action == "response.save")
    )
    assert saves > 1
    auth.logout()
    auth.login("cert_x")
    post(client, f"/review/responses/{rid}/return", comment="กรุณาแก้ข้อ 1.1.1")
    html = client.get(f"/review/responses/{rid}").get_data(as_text=True)
    items = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li data-testid=\"history-[^\"]+\">(.*?)</li>", html, re.S)]  # fmt: skip
    be_year = str(now_bangkok().year + 543)
    assert items[0].startswith("เริ่มตอบแบบสอบถาม · นางสมใจ ใจดี (โรงเรียนเอ)")
    assert items[1].startswith(f"บันทึกร่าง {saves} ครั้ง · นางสมใจ ใจดี (โรงเรียนเอ) · ล่าสุด")
    assert items[2].startswith("ส่งแบบสอบถาม · นางสมใจ ใจดี (โรงเรียนเอ)")
    assert items[3].startswith("ส่งกลับให้แก้ไข · นายตรวจ ละเอียด (สพป.ทดสอบ เขต 1)")
    assert items[3].endswith("กรุณาแก้ข้อ 1.1.1")
    assert len(items) == 4 and all(be_year in item for item in items)
    text = re.sub(r"<[^>]+>", "", html)
    assert "response." not in text and "draft →" not in text
    auth.logout()
    auth.login("school_a")
    own = client.get(f"/responses/{rid}").get_data(as_text=True)
    assert "ส่งกลับให้แก้ไข · นายตรวจ ละเอียด" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", own))


# --- 23: chase lists: not sent (any time), overdue (after the deadline), one for the whole province ------


def _rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]


def test_not_sent_list_before_the_deadline_and_overdue_after(client, auth, world, monkeypatch):
    rnd = make_round(world, closes=now_bangkok() + timedelta(days=3))
    submitted(world, rnd, "a")
    auth.login("cert_x")
    dashboard = client.get(f"/review/rounds/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="chase-unsent"' in dashboard and 'data-testid="chase-overdue"' not in dashboard
    unsent = client.get(f"/review/rounds/{rnd.id}/chase.xlsx?which=unsent")
    assert unsent.status_code == 200
    assert "chase-unsent" in unsent.headers["Content-Disposition"]
    assert {r[0] for r in _rows(unsent.data)} == {"B0000001", "X0000001"}  # A sent; C is agency Y's
    assert {r[0] for r in _rows(client.get(f"/review/rounds/{rnd.id}/chase.xlsx").data)} == {"B0000001", "X0000001"}

    later = now_bangkok() + timedelta(days=4)
    monkeypatch.setattr("survey_app.review.views.agency.now_bangkok", lambda: later)
    dashboard = client.get(f"/review/rounds/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="chase-overdue"' in dashboard
    overdue = client.get(f"/review/rounds/{rnd.id}/chase.xlsx?which=overdue")
    assert {r[0] for r in _rows(overdue.data)} == {"B0000001", "X0000001"}
    assert client.get(f"/review/rounds/{rnd.id}/chase.xlsx?which=everything").status_code == 404


def test_province_wide_list_names_each_units_agency(client, auth, world):
    rnd = make_round(world)
    submitted(world, rnd, "a")
    auth.login("province")
    page = client.get(f"/review/rounds/{rnd.id}/province").get_data(as_text=True)
    assert 'data-testid="province-chase-unsent"' in page
    data = client.get(f"/review/rounds/{rnd.id}/chase-province.xlsx?which=unsent")
    assert data.status_code == 200
    sheet = load_workbook(io.BytesIO(data.data)).active
    assert [c.value for c in sheet[4]][:3] == ["หน่วยงานต้นสังกัด", "รหัส", "ชื่อหน่วยงาน"]
    assert [(r[0], r[1]) for r in _rows_from(sheet)] == [
        ("ศธจ.ทดสอบ", "P0000001"),
        ("สพป.ทดสอบ เขต 1", "X0000001"),
        ("สพป.ทดสอบ เขต 1", "B0000001"),
        ("สพม.ทดสอบ", "Y0000001"),
        ("สพม.ทดสอบ", "C0000001"),
    ]
    auth.logout()
    auth.login("cert_x")
    assert client.get(f"/review/rounds/{rnd.id}/chase-province.xlsx").status_code == 403


def _rows_from(sheet) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]


# --- 24: the province and agencies get every school's link, QR, poster and a print sheet ---------------


def _link_of(world, rnd, key: str) -> str:  # type: ignore[no-untyped-def]
    ru = db.session.scalar(
        select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == world[key].id)
    )
    return f"http://localhost/s/{ru.link_token}"


def test_province_and_agency_share_any_school_in_scope(client, auth, world):
    rnd = make_round(world, "tablet_satisfaction")
    a_link = _link_of(world, rnd, "a")
    for user in ("province", "cert_x"):
        auth.login(user)
        page = client.get(f"/rounds/{rnd.id}/share?unit={world['a'].id}")
        assert page.status_code == 200, user
        html = page.get_data(as_text=True)
        assert f'value="{a_link}"' in html and "<svg" in html and "โรงเรียนเอ" in html
        units = client.get(f"/rounds/{rnd.id}/share/units").get_data(as_text=True)
        assert a_link in units and 'data-testid="share-B0000001"' in units
        assert ('data-testid="share-C0000001"' in units) is (user == "province")
        auth.logout()
    auth.login("cert_y")
    assert client.get(f"/rounds/{rnd.id}/share?unit={world['a'].id}").status_code == 404
    assert client.get(f"/rounds/{rnd.id}/share/{world['a'].id}/poster").status_code == 404
    auth.logout()
    auth.login("school_b")
    assert client.get(f"/rounds/{rnd.id}/share?unit={world['a'].id}").status_code == 404
    assert client.get(f"/rounds/{rnd.id}/share/units").status_code == 403


def test_poster_has_a_large_qr_and_names_but_no_live_count(client, auth, world):
    rnd = make_round(world, "tablet_satisfaction")
    auth.login("province")
    html = client.get(f"/rounds/{rnd.id}/share/{world['a'].id}/poster").get_data(as_text=True)
    assert rnd.form_version.title_th in html and "โรงเรียนเอ" in html
    assert _link_of(world, rnd, "a") in html and "<svg" in html
    assert "ตอบแล้ว" not in html


def test_print_sheet_holds_every_school_of_the_agency(client, auth, world):
    rnd = make_round(world, "tablet_satisfaction")
    auth.login("cert_x")
    html = client.get(f"/rounds/{rnd.id}/share/sheet").get_data(as_text=True)
    cards = re.findall(r'data-testid="card-(\w+)"', html)
    assert set(cards) >= {"A0000001", "B0000001"} and "C0000001" not in cards
    assert html.count("<svg") == len(cards)
    assert _link_of(world, rnd, "b") in html
    auth.logout()
    auth.login("province")
    one_agency = client.get(f"/rounds/{rnd.id}/share/sheet?agency={world['y'].id}")
    assert one_agency.status_code == 200
    assert set(re.findall(r'data-testid="card-(\w+)"', one_agency.get_data(as_text=True))) == {"C0000001"}


# --- 25: the dashboard searches, filters and pages -----------------------------------------------------


def test_dashboard_search_filter_and_pages_that_keep_the_filters(client, auth, world):
    for n in range(60):
        make_unit(OrgKind.BASIC_SCHOOL, world["x"], f"โรงเรียนบ้านนา {n:02d}", f"N{n:07d}")
    db.session.commit()
    rnd = make_round(world)
    submitted(world, rnd, "a")
    auth.login("cert_x")
    first = client.get(f"/review/rounds/{rnd.id}").get_data(as_text=True)
    assert first.count('data-testid="unit-') == 50  # X, A, B and 60 schools: 63 on two pages
    assert re.search(r"แสดง 1–50 จาก 63 หน่วยงาน", first)
    second = client.get(f"/review/rounds/{rnd.id}?page=2").get_data(as_text=True)
    assert second.count('data-testid="unit-') == 13 and "แสดง 51–63 จาก 63 หน่วยงาน" in second

    by_name = client.get(f"/review/rounds/{rnd.id}?q=บ้านนา&status=not_started").get_data(as_text=True)
    assert "แสดง 1–50 จาก 60 หน่วยงาน" in by_name
    page_two = re.search(r'href="([^"]*page=2[^"]*)"', by_name).group(1).replace("&amp;", "&")
    assert "q=" in page_two and "status=not_started" in page_two
    shown = client.get(page_two).get_data(as_text=True)
    assert "แสดง 51–60 จาก 60 หน่วยงาน" in shown and 'data-testid="unit-A0000001"' not in shown

    by_code = client.get(f"/review/rounds/{rnd.id}?q=a0000001").get_data(as_text=True)
    assert re.findall(r'data-testid="unit-(\w+)"', by_code) == ["A0000001"]
    none = client.get(f"/review/rounds/{rnd.id}?q=ไม่มีชื่อนี้").get_data(as_text=True)
    assert "ไม่พบหน่วยงานตามเงื่อนไข" in none


def test_paginate_clamps_out_of_range_pages():
    from survey_app.review.queries import paginate  # here: the module's other tests run on code without it

    page = paginate(list(range(120)), 9, 50)
    assert (page.number, page.pages, page.first, page.last, list(page.items)[:1]) == (3, 3, 101, 120, [100])
    empty = paginate([], 1, 50)
    assert (empty.pages, empty.first, empty.last) == (1, 0, 0)


# --- 26: the letter chooser, the set button once certified, the named review action, file names --------


def test_letter_chooser_takes_pdf_and_no_attribute_says_none(client, auth, world, plan_round):
    auth.login("cert_x")
    for name in ("a", "b", "x"):
        certify_response(submitted(world, plan_round, name, seed=ord(name)), None)
    db.session.commit()
    html = client.get(f"/review/rounds/{plan_round.id}/certify-set").get_data(as_text=True)
    assert re.search(r'<input[^>]*type="file"[^>]*accept="application/pdf,\.pdf"', html) or re.search(
        r'<input[^>]*accept="application/pdf,\.pdf"[^>]*type="file"', html
    )
    assert '="None"' not in html


def test_set_certification_is_offered_only_while_it_can_be_done(client, auth, world, plan_round):
    auth.login("cert_x")
    responses = [submitted(world, plan_round, name, seed=ord(name)) for name in ("a", "b")]
    not_ready = client.get(f"/review/rounds/{plan_round.id}").get_data(as_text=True)
    assert 'data-testid="certify-set-link"' not in not_ready and 'data-testid="set-not-ready"' in not_ready
    for response in [*responses, submitted(world, plan_round, "x", seed=3)]:
        certify_response(db.session.get(Response, response.id), None)
    db.session.commit()
    ready = client.get(f"/review/rounds/{plan_round.id}").get_data(as_text=True)
    assert 'data-testid="certify-set-link"' in ready
    token = csrf_token(client, f"/review/rounds/{plan_round.id}/certify-set")
    done = client.post(f"/review/rounds/{plan_round.id}/certify-set", content_type="multipart/form-data",
                       data={"csrf_token": token, "confirm": "y", "letter": (io.BytesIO(PDF_LETTER), "หนังสือ.pdf")})  # fmt: skip
    assert done.status_code == 302
    after = client.get(f"/review/rounds/{plan_round.id}").get_data(as_text=True)
    assert 'data-testid="certify-set-link"' not in after and "รับรองข้อมูลทั้งชุด</a>" not in after
    assert re.search(r'data-testid="letter-link">[^<]*หนังสือ\.pdf', after)
    page = client.get(f"/review/rounds/{plan_round.id}/certify-set").get_data(as_text=True)
    assert 'data-testid="certify-set"' not in page and 'data-testid="letter-link"' in page


def test_review_list_names_its_action(client, auth, world, plan_round):
    auth.login("cert_x")
    html = client.get("/review/").get_data(as_text=True)
    link = re.search(rf'<a [^>]*data-testid="review-round-{plan_round.id}"[^>]*>(.*?)</a>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", link)
    assert ">เปิด<" not in html and "ติดตามและตรวจ" in text and plan_round.title in text


def test_report_table_links_the_file_names(client, auth, world, plan_round):
    x = submitted(world, plan_round, "x")  # an ESA: the plan asks it for files (the fixture's "x.pdf", id 0)
    certify_response(x, None)
    db.session.commit()
    auth.login("province")
    html = client.get(f"/reports/rounds/{plan_round.id}").get_data(as_text=True)
    assert re.search(r'<a href="/uploads/0"[^>]*>\s*<span aria-hidden="true">📄</span>\s*x\.pdf</a>', html)
    assert db.session.get(Response, x.id).status == ResponseStatus.CERTIFIED
