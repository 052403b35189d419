"""Issue 14, the review journey as the certifier and the province officer see it in Chromium: a refused
return that keeps the typing, history in words, a dashboard that searches and pages, chase lists that are
not empty before the deadline, posters and QR sheets for every school, the set's letter, charts on a phone."""

from __future__ import annotations

import math
import random
import re

import pytest
from openpyxl import load_workbook

from survey_app.accounts.kinds import OrgKind
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.builder import SectionRead
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses import operations
from survey_app.responses.models import Response
from survey_app.review.operations import certify_response
from survey_app.rounds.models import RoundUnit
from tests.e2e.helpers import SCREENSHOTS, login, shot
from tests.factories import make_unit
from tests.fixtures.answering import make_round
from tests.fixtures.review import FAKE_FILES, PDF_LETTER, submitted

pytestmark = pytest.mark.e2e

# Every category label of every chart on the page, line by line, measured in the chart's own font, against
# the width its axis has: a label wider than its axis is drawn past the canvas's left edge and cut off.
LABEL_FIT = """() => Object.values(Chart.instances).map(chart => {
  const scale = chart.scales[chart.options.indexAxis === 'y' ? 'y' : 'x'];
  const ctx = chart.ctx;
  ctx.save();
  ctx.font = Chart.helpers.toFont(scale.options.ticks.font).string;
  let widest = 0;
  for (const tick of scale.ticks) {
    for (const line of [].concat(tick.label)) { widest = Math.max(widest, ctx.measureText(line).width); }
  }
  ctx.restore();
  const room = chart.options.indexAxis === 'y' ? scale.width : chart.width;
  return {widest: widest, room: room, labels: scale.ticks.length};
})"""


def sent_by(units, rnd, key: str, user: str, seed: int = 1) -> Response:  # type: ignore[no-untyped-def]
    """A unit's response started, saved twice and submitted by its own user (as the history records it)."""
    unit, actor = units[key], units[user].id
    response = operations.start_org_response(rnd, unit, actor)
    defn = rnd.form_version.parsed
    answers = sample_answers(defn, random.Random(seed), unit.kind.value, files=FAKE_FILES)
    first = dict(list(answers.items())[:3])
    operations.save_answers(response, defn, SectionRead(answers=first), response.row_version, actor)
    operations.save_answers(response, defn, SectionRead(answers=answers), response.row_version, actor)
    ru = db.session.scalar(db.select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == unit.id))
    operations.submit(response, ru, actor, now_bangkok())
    db.session.commit()
    return response


def test_refused_return_keeps_the_comments_and_history_reads_in_thai(live_server, desktop, phone, world):
    world["school_a"].display_name = "นางสมใจ ใจดี"
    world["cert_x"].display_name = "นายตรวจ ละเอียด"
    rnd = make_round(world)
    a = sent_by(world, rnd, "a", "school_a")
    base = live_server

    login(desktop, base, "cert_x")
    desktop.goto(f"{base}/review/responses/{a.id}")
    desktop.locator("#return-form details.qc").first.locator("summary").click()
    desktop.get_by_test_id("qc-q_1_1_1").fill("ข้อนี้ให้ระบุกิจกรรมที่ทำจริง")
    desktop.get_by_test_id("return").click()  # the general reason forgotten

    error = desktop.get_by_test_id("return-error")
    assert error.is_visible() and "กรุณาระบุเหตุผลที่ส่งกลับ" in error.inner_text()
    assert desktop.get_by_test_id("qc-q_1_1_1").is_visible()
    assert desktop.get_by_test_id("qc-q_1_1_1").input_value() == "ข้อนี้ให้ระบุกิจกรรมที่ทำจริง"
    assert desktop.get_by_label("เหตุผลที่ส่งกลับ (ผู้ตอบจะเห็นข้อความนี้)").get_attribute("aria-invalid") == "true"
    assert "ส่งแล้ว" in desktop.get_by_test_id("status").inner_text()
    shot(desktop, "review-return-refused-keeps-comments")

    desktop.get_by_test_id("return-comment").fill("กรุณาแก้ข้อ 1.1.1 แล้วส่งใหม่")
    desktop.get_by_test_id("return").click()
    assert "ส่งกลับให้แก้ไข" in desktop.get_by_test_id("status").inner_text()

    desktop.get_by_test_id("history").locator("summary").click()
    lines = [" ".join(t.split()) for t in desktop.get_by_test_id("history").locator("li").all_inner_texts()]
    be_year = str(now_bangkok().year + 543)
    assert lines[0].startswith("เริ่มตอบแบบสอบถาม · นางสมใจ ใจดี (โรงเรียนเอ)")
    assert lines[1].startswith("บันทึกร่าง 2 ครั้ง · นางสมใจ ใจดี (โรงเรียนเอ) · ล่าสุด")
    assert lines[2].startswith("ส่งแบบสอบถาม · นางสมใจ ใจดี (โรงเรียนเอ)")
    assert lines[3].startswith("ส่งกลับให้แก้ไข · นายตรวจ ละเอียด (สพป.ทดสอบ เขต 1)")
    assert "กรุณาแก้ข้อ 1.1.1 แล้วส่งใหม่" in lines[3] and "ข้อนี้ให้ระบุกิจกรรมที่ทำจริง" not in lines[3]
    assert all(be_year in line and "response." not in line for line in lines)

    login(phone, base, "school_a")
    phone.goto(f"{base}/responses/{a.id}")
    phone.get_by_test_id("history").locator("summary").click()
    assert "นายตรวจ ละเอียด (สพป.ทดสอบ เขต 1)" in phone.get_by_test_id("history").inner_text()
    shot(phone, "history-in-words-phone")


def test_dashboard_searches_pages_and_chases_before_the_deadline(live_server, desktop, phone, world, tmp_path):
    for n in range(60):
        make_unit(OrgKind.BASIC_SCHOOL, world["x"], f"โรงเรียนบ้านนา {n:02d}", f"N{n:07d}")
    db.session.commit()
    rnd = make_round(world)
    submitted(world, rnd, "a")
    base = live_server

    login(desktop, base, "cert_x")
    desktop.goto(f"{base}/review/rounds/{rnd.id}")
    assert "แสดง 1–50 จาก 63 หน่วยงาน" in desktop.get_by_test_id("shown-count").inner_text()
    assert desktop.locator("tr[data-testid^=unit-]").count() == 50
    shot(desktop, "dashboard-paged")

    desktop.get_by_test_id("search").fill("บ้านนา 1")
    desktop.get_by_role("button", name="ค้นหา").click()
    assert "แสดง 1–10 จาก 10 หน่วยงาน" in desktop.get_by_test_id("shown-count").inner_text()
    assert desktop.locator("tr[data-testid^=unit-N]").count() == 10

    desktop.get_by_test_id("search").fill("")
    desktop.get_by_label("สถานะ").select_option("not_started")
    desktop.get_by_role("button", name="ค้นหา").click()
    desktop.get_by_test_id("pages").get_by_role("link", name="หน้า 2").click()
    assert "แสดง 51–62 จาก 62 หน่วยงาน" in desktop.get_by_test_id("shown-count").inner_text()  # X, B and 60 new
    assert desktop.get_by_label("สถานะ").input_value() == "not_started"

    assert desktop.get_by_test_id("chase-overdue").count() == 0  # nobody is late yet
    with desktop.expect_download() as info:
        desktop.get_by_test_id("chase-unsent").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = [r for r in load_workbook(path).active.iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(rows) == 62 and {"B0000001", "X0000001", "N0000000"} <= {r[0] for r in rows}
    assert "A0000001" not in {r[0] for r in rows}

    login(phone, base, "cert_x")
    phone.goto(f"{base}/review/rounds/{rnd.id}?q=N000001")
    assert "แสดง 1–10 จาก 10 หน่วยงาน" in phone.get_by_test_id("shown-count").inner_text()
    shot(phone, "dashboard-search-phone")


def test_province_prints_a_poster_and_a_qr_sheet(live_server, desktop, world):
    rnd = make_round(world, "tablet_satisfaction")
    expected = db.session.scalars(db.select(RoundUnit).where(RoundUnit.round_id == rnd.id)).all()
    link_a = next(f"/s/{ru.link_token}" for ru in expected if ru.org_unit_id == world["a"].id)
    base = live_server

    login(desktop, base, "province")
    desktop.goto(f"{base}/review/")
    desktop.get_by_test_id(f"share-round-{rnd.id}").click()
    row = desktop.get_by_test_id("share-A0000001")
    assert link_a in row.locator("input").input_value()
    row.get_by_role("link", name="โปสเตอร์ โรงเรียนเอ").click()

    poster = desktop.get_by_test_id("poster")
    assert desktop.get_by_test_id("poster-survey").inner_text() == rnd.form_version.title_th
    assert desktop.get_by_test_id("poster-unit").inner_text() == "โรงเรียนเอ"
    assert link_a in desktop.get_by_test_id("poster-link-text").inner_text()
    assert poster.locator("svg path").bounding_box()["width"] >= 300  # the code itself, not only its box
    assert "ตอบแล้ว" not in poster.inner_text()
    shot(desktop, "qr-poster")

    desktop.goto(f"{base}/rounds/{rnd.id}/share/units")
    desktop.get_by_test_id("sheet-link").click()
    cards = desktop.locator(".qr-card")
    assert cards.count() == len(expected)
    shot(desktop, "qr-sheet")
    desktop.emulate_media(media="print")
    columns = desktop.locator(".qr-sheet").evaluate("e => getComputedStyle(e).gridTemplateColumns.split(' ').length")
    assert columns == 2
    pdf = desktop.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == math.ceil(len(expected) / 6)  # six schools to a page


def test_set_letter_offered_once_and_report_file_names_are_links(live_server, desktop, world, tmp_path):
    rnd = make_round(world)
    for key in ("a", "b", "x"):
        certify_response(submitted(world, rnd, key, seed=ord(key)), None)
    db.session.commit()
    base = live_server

    login(desktop, base, "cert_x")
    desktop.goto(f"{base}/review/")
    assert desktop.get_by_role("button", name="เปิด", exact=True).count() == 0
    desktop.get_by_role("button", name=re.compile("^ติดตามและตรวจ " + re.escape(rnd.title))).click()
    desktop.get_by_test_id("certify-set-link").click()
    chooser = desktop.locator("input[type=file]")
    assert chooser.get_attribute("accept") == "application/pdf,.pdf"
    assert desktop.locator('[autocomplete="None"]').count() == 0
    letter = tmp_path / "หนังสือรับรองข้อมูล.pdf"
    letter.write_bytes(PDF_LETTER)
    chooser.set_input_files(str(letter))
    desktop.locator("input[name=confirm]").check()
    desktop.get_by_test_id("certify-set").click()

    assert "หน่วยงานรับรองแล้ว" in desktop.get_by_test_id("set-status").inner_text()
    assert desktop.get_by_test_id("certify-set-link").count() == 0
    assert desktop.get_by_role("button", name="รับรองข้อมูลทั้งชุด").count() == 0
    assert "หนังสือรับรองข้อมูล.pdf" in desktop.get_by_test_id("letter-link").inner_text()
    shot(desktop, "set-certified-dashboard")

    desktop.goto(f"{base}/reports/rounds/{rnd.id}")
    file_links = desktop.get_by_role("link", name="x.pdf", exact=True)
    assert file_links.count() >= 1
    assert {file_links.nth(i).get_attribute("href") for i in range(file_links.count())} == {"/uploads/0"}


def test_charts_keep_their_labels_on_a_phone(live_server, phone, desktop, world):
    rnd = make_round(world)
    for key in ("a", "b", "x", "c"):
        certify_response(submitted(world, rnd, key, seed=ord(key)), None)
    db.session.commit()
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        login(page, live_server, "province")
        page.goto(f"{live_server}/reports/rounds/{rnd.id}")
        page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
        charts = page.evaluate(LABEL_FIT)
        assert charts, name
        cut = [c for c in charts if c["widest"] > c["room"]]
        assert cut == [], f"{name}: {len(cut)} of {len(charts)} charts cut their labels"
        box = page.locator(".chart-box").first
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(SCREENSHOTS / f"chart-labels-{name}.png"))
