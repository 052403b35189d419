"""The three example instruments of form_definitions/examples/, answered in Chromium as their users would, and
what the province gets from them (issue 16's "Done when"):

- projects per indicator: an agency lists its projects (a repeat with computed totals, a rule "participants ≤
  learners" shown beside the fields), on a phone and a desktop; the workbook has the projects on their own sheet;
- the KPI self-assessment: N/A accepted at 6 months and refused beside the field at 12, weights that do not sum to
  100 refused, the weighted total computed;
- member registration: a member picks a school out of 600 by typing, says "other, specify", attaches the
  appointment order on the public link, and is recorded by name.

Figures are worked out by hand in the comments. Screenshots in /tmp/shots/examples/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from survey_app.accounts.kinds import OrgKind
from survey_app.core.scope import Role
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.answers import NONE_ANSWER, Answer, AnswerState
from survey_app.responses.models import Response, ResponseStatus, Upload
from survey_app.rounds.models import LatePolicy, Round, RoundPeriod
from survey_app.rounds.operations import open_round
from tests.e2e.helpers import PHONE, login
from tests.factories import make_user
from tests.fixtures.answering import PDF, ROOT, published_world
from tests.forms_engine.test_unit_choice import add_schools
from tests.reports.handmade import put
from tests.responses.test_person_surveys import link_of

pytestmark = pytest.mark.e2e
EXAMPLES = sorted((ROOT / "form_definitions" / "examples").glob("*.yaml"))
SHOTS = Path("/tmp/shots/examples")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def examples(db):  # type: ignore[no-untyped-def]
    """The small province with the examples published, an answering account at agency X, and 600 schools."""
    world = published_world(*EXAMPLES)
    world["esa_x"] = make_user(world["x"], Role.RESPONDENT, "esa_x")
    db.session.commit()
    add_schools(world)
    return world


def open_example(world, key: str, period: RoundPeriod = RoundPeriod.ANNUAL) -> Round:  # type: ignore[no-untyped-def]
    now = now_bangkok()
    rnd = open_round(
        world["versions"][key], fiscal_year=2570, title=f"ตัวอย่าง {key} {period.value}",
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20), late_policy=LatePolicy.ACCEPT,
        kinds=[OrgKind.PRIMARY_ESA, OrgKind.SECONDARY_ESA], actor_id=None, period=period,
    )  # fmt: skip
    db.session.commit()
    return rnd


def start(page, base: str, rnd: Round) -> int:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/rounds/{rnd.id}/respond")
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r".*/responses/\d+/s/0$"))
    return int(re.search(r"/responses/(\d+)/", page.url).group(1))


def rows(page, group: str):  # type: ignore[no-untyped-def]
    return page.locator(f"[data-rows-for={group}] section.repeat-row")


def add_row(page, group: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_test_id(f"add-{group}").click()


def save(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_test_id("save").click()


def stored(response_id: int) -> dict:
    db.session.rollback()  # end the test thread's snapshot: see what the server committed
    return {k: (a.state, a.value) for k, a in db.session.get(Response, response_id).answer_map().items()}


def number(text: str) -> str:
    return text.replace(",", "").strip()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_agency_lists_its_projects_with_live_totals_and_a_rule(size, request, live_server, examples):
    page = request.getfixturevalue(size)
    rnd = open_example(examples, "projects_per_indicator")
    login(page, live_server, "esa_x")
    rid = start(page, live_server, rnd)
    page.locator('input[name="students_total"]').fill("150")
    add_row(page, "projects")
    add_row(page, "projects")
    assert rows(page, "projects").count() == 2
    for row, (name, budget, people) in zip(
        rows(page, "projects").all(),
        [("อ่านออกเขียนได้", "12500.50", "120"), ("ห้องสมุดเคลื่อนที่", "8000", "60")],
        strict=True,
    ):
        row.get_by_label("ชื่อโครงการ").fill(name)
        row.get_by_label("งบประมาณ (บาท)").fill(budget)
        row.get_by_label("จำนวนผู้เข้าร่วม (คน)").fill(people)
    # live, before any save: 12,500.50 + 8,000 = 20,500.50 baht; 120 + 60 = 180 people
    assert number(page.get_by_test_id("calc-projects_budget_total").inner_text()) == "20500.50"
    assert number(page.get_by_test_id("calc-projects_participants_total").inner_text()) == "180"
    save(page)
    # 180 participants > 150 learners: saved, with the rule beside the learners' field
    rule = "จำนวนผู้เข้าร่วมรวมทุกโครงการต้องไม่เกินจำนวนผู้เรียนทั้งหมด"
    assert rule in page.locator("#check-students_total").inner_text()
    shot(page, f"{size}-projects-rule")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    answers = stored(rid)
    assert answers["projects_budget_total"] == (AnswerState.VALUE, 20500.5)  # the server's own figure
    assert answers["projects_participants_total"] == (AnswerState.VALUE, 180)
    page.locator('input[name="students_total"]').fill("500")
    save(page)
    assert page.locator("#check-students_total").count() == 0
    page.get_by_test_id("to-submit").click()
    page.wait_for_url(f"**/responses/{rid}/submit")
    page.get_by_role("button", name="ส่งแบบสอบถาม").click()
    page.wait_for_url(f"**/responses/{rid}")
    shot(page, f"{size}-projects-sent")
    db.session.rollback()
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED


def test_the_province_downloads_the_projects_with_a_sheet_of_their_own(desktop, live_server, examples, tmp_path):
    rnd = open_example(examples, "projects_per_indicator")
    x_rows = {"r00000a": ("อ่านออกเขียนได้", 12500.5, 120), "r00000b": ("ห้องสมุดเคลื่อนที่", 8000, 60)}
    x_answers = {"students_total": Answer.of(500), "projects": Answer.of(list(x_rows))}
    for row_id, (name, budget, people) in x_rows.items():
        x_answers |= {f"projects-{row_id}-name": Answer.of(name), f"projects-{row_id}-budget": Answer.of(budget),
                      f"projects-{row_id}-participants": Answer.of(people)}  # fmt: skip
    x_answers |= {"projects_budget_total": Answer.of(20500.5), "projects_participants_total": Answer.of(180)}
    y_answers = {"students_total": Answer.of(300), "projects": NONE_ANSWER,
                 "projects_budget_total": Answer.of(0), "projects_participants_total": Answer.of(0)}  # fmt: skip
    put(rnd, examples["x"], x_answers, ResponseStatus.CERTIFIED)
    put(rnd, examples["y"], y_answers, ResponseStatus.CERTIFIED)
    db.session.commit()

    login(desktop, live_server, "province")
    desktop.goto(f"{live_server}/reports/rounds/{rnd.id}")
    shot(desktop, "desktop-projects-report")
    desktop.get_by_test_id("export").click()
    link = desktop.get_by_test_id("export-download")
    link.wait_for(state="visible", timeout=30_000)
    with desktop.expect_download() as download_info:
        link.click()
    path = tmp_path / "projects.xlsx"
    download_info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)

    wide = sheet_rows(book["ข้อมูลดิบ"])
    by_unit = {r["รหัสหน่วยงาน"]: r for r in wide}
    group_column = next(h for h in wide[0] if h and "โครงการที่ดำเนินการภายใต้ตัวชี้วัดนี้" in h)
    assert by_unit["X0000001"][group_column] == 2 and by_unit["Y0000001"][group_column] == "ไม่มี"
    long_name = next(name for name in book.sheetnames if name.startswith("รายการ"))
    long = sheet_rows(book[long_name])
    assert [(r["รหัสหน่วยงาน"], r["แถวที่"]) for r in long] == [("X0000001", 1), ("X0000001", 2)]
    budget = next(h for h in long[0] if h and "งบประมาณ" in h)
    # the two projects' budgets as typed; their total 12,500.50 + 8,000 = 20,500.50 is in the wide sheet
    assert [r[budget] for r in long] == [12500.5, 8000]
    total = next(h for h in wide[0] if h and "งบประมาณรวมทุกโครงการ" in h)
    assert by_unit["X0000001"][total] == 20500.5 and by_unit["Y0000001"][total] == 0


def sheet_rows(sheet) -> list[dict]:  # type: ignore[no-untyped-def]
    """A sheet's rows under its header row (the first row whose first cell is filled)."""
    lines = list(sheet.iter_rows(values_only=True))
    header = list(lines[0])
    return [dict(zip(header, row, strict=False)) for row in lines[1:] if row and row[0] is not None]


def test_kpis_na_at_six_months_refused_at_twelve_and_weights_must_sum_to_100(phone, live_server, examples):
    page = phone
    six = open_example(examples, "kpi_self_assessment", RoundPeriod.MONTH6)
    twelve = open_example(examples, "kpi_self_assessment", RoundPeriod.MONTH12)
    login(page, live_server, "esa_x")

    # 6 months: two KPIs, the second not measured yet (N/A): accepted; the weighted total waits for it
    rid = start(page, live_server, six)
    add_row(page, "kpis")
    first, second = rows(page, "kpis").all()
    fill_kpi(first, "ร้อยละนักเรียนอ่านออก", "ผู้อำนวยการ", "60", score="4")
    fill_kpi(second, "ร้อยละครูได้รับการอบรม", "รองผู้อำนวยการ", "40", score=None)
    second.locator('input[type=radio][value="__na__"]').check()
    save(page)
    assert page.locator(".field-error").count() == 0
    answers = stored(rid)
    kpi_ids = answers["kpis"][1]
    assert answers[f"kpis-{kpi_ids[1]}-score"] == (AnswerState.NA, None)
    assert "weighted_total" not in answers  # a total with a KPI not measured is unknown, not a smaller number
    shot(page, "phone-kpi-6-months")

    # 12 months: N/A is not offered, and a forged N/A is refused beside the field with the typing kept
    rid12 = start(page, live_server, twelve)
    add_row(page, "kpis")
    first, second = rows(page, "kpis").all()
    fill_kpi(first, "ร้อยละนักเรียนอ่านออก", "ผู้อำนวยการ", "60", score="4")
    fill_kpi(second, "ร้อยละครูได้รับการอบรม", "รองผู้อำนวยการ", "50", score="3")
    assert second.locator('input[type=radio][value="__na__"]').count() == 0
    save(page)
    # 60 + 50 = 110: the rule is shown beside both weights, the answers are kept
    weight_ids = [f"#check-kpis-{rid_}-weight" for rid_ in stored(rid12)["kpis"][1]]
    for check in weight_ids:
        assert "น้ำหนักของทุกตัวชี้วัดรวมกันต้องเท่ากับ 100" in page.locator(check).inner_text()
    shot(page, "phone-kpi-12-months-weights")
    rows(page, "kpis").nth(1).get_by_label("น้ำหนัก (ร้อยละ)").fill("40")
    save(page)
    # (60·4 + 40·3) / 100 = (240 + 120) / 100 = 3.60
    assert number(page.get_by_test_id("calc-weighted_total").inner_text()) == "3.60"
    answers = stored(rid12)
    assert answers["weighted_total"] == (AnswerState.VALUE, 3.6)
    row_id = answers["kpis"][1][1]
    token = page.locator('input[name="csrf_token"]').first.input_value()
    version = page.locator('input[name="row_version"]').first.input_value()
    forged = page.request.post(
        f"{live_server}/responses/{rid12}/s/0",
        form={"csrf_token": token, "row_version": version, f"kpis-{row_id}-score": "__na__"},
    )
    assert "รอบรายงาน 12 เดือนต้องตอบข้อนี้ ไม่สามารถตอบ N/A ได้" in forged.text()
    assert stored(rid12)[f"kpis-{row_id}-score"] == (AnswerState.VALUE, 3)


def fill_kpi(row, name: str, owner: str, weight: str, score: str | None) -> None:  # type: ignore[no-untyped-def]
    row.get_by_label("ชื่อตัวชี้วัด").fill(name)
    row.get_by_text(owner, exact=True).click()
    row.get_by_label("น้ำหนัก (ร้อยละ)").fill(weight)
    if score is not None:
        row.locator(f'input[type=radio][value="{score}"]').check()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_member_registers_with_a_school_out_of_600_and_a_file(size, request, live_server, examples):
    page = request.getfixturevalue(size)
    rnd = open_example(examples, "member_registration")
    path, _ = link_of(examples, rnd, "x")
    page.goto(live_server + path)
    assert "แบบสอบถามนี้บันทึกชื่อผู้ตอบ" in page.get_by_test_id("identity-notice").inner_text()
    page.fill("#respondent_name", "นางสาวสมศรี ใจดี")
    page.locator('#q-position input[value="__other__"]').check()
    page.locator("#position__other").fill("ครูผู้ช่วย")
    combo = page.locator("#q-school [role=combobox]")
    combo.click()
    combo.press_sequentially("0123", delay=20)
    page.locator("#q-school [role=option]", has_text="(S0123)").wait_for()
    combo.press("Enter")
    page.fill("#phone", "0812345678")
    page.locator('input[name="line_id__none"]').check()
    page.set_input_files(
        "#appointment_order", files=[{"name": "คำสั่ง.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shot(page, f"{size}-member-form")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id("send").click()
    page.get_by_test_id("identity-thanks").wait_for()
    db.session.rollback()
    response = db.session.scalar(select(Response).where(Response.round_id == rnd.id))
    assert response.respondent_label == "นางสาวสมศรี ใจดี"
    answers = {k: (a.state, a.value) for k, a in response.answer_map().items()}
    assert answers["school"] == (AnswerState.VALUE, "S0123")
    assert answers["position"] == (AnswerState.VALUE, {"value": "__other__", "other": "ครูผู้ช่วย"})
    assert answers["line_id"] == (AnswerState.NONE, None)
    upload = db.session.scalar(select(Upload).where(Upload.response_id == response.id))
    assert (upload.question_key, upload.original_name, upload.kind) == ("appointment_order", "คำสั่ง.pdf", "pdf")
