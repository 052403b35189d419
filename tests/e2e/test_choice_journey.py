"""A school picks another school out of 600 by typing part of its name, says "other, specify", finds a subject
in a long list and rates a grid: on a phone (360 px) and on a desktop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.responses.models import Answer as AnswerRow
from tests.e2e.helpers import PHONE, login
from tests.fixtures.answering import make_round, published_world
from tests.forms_engine.test_unit_choice import add_schools

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots/choice")
SUBJECTS = ", ".join(f"{{value: s{i:02d}, label: วิชาเลือก {i:02d}}}" for i in range(40))
FORM = f"""
schema_version: 1
key: choice_journey
title: ทะเบียนครูแกนนำ
respondent: organisation
audience: [basic_school]
allow_na: true
scales:
  l5: {{min: 1, max: 5, labels: {{1: น้อยที่สุด, 2: น้อย, 3: ปานกลาง, 4: มาก, 5: มากที่สุด}}}}
sections:
  - key: who
    title: ข้อมูลครูแกนนำ
    questions:
      - {{key: school, type: unit_choice, label: โรงเรียนคู่พัฒนา, units: {{kinds: [schools]}}}}
      - key: position
        type: single_choice
        label: ตำแหน่ง
        options: [{{value: teacher, label: ครู}}, {{value: director, label: ผู้อำนวยการ}}]
        other_option: true
      - {{key: subject, type: single_choice, label: วิชาที่สอน, options: [{SUBJECTS}]}}
  - key: rate
    title: ความพึงพอใจ
    questions:
      - key: service
        type: grid
        label: ความพึงพอใจต่อการอบรม
        scale: l5
        allow_na: true
        items:
          - {{key: content, label: เนื้อหาการอบรม}}
          - {{key: speaker, label: วิทยากร}}
          - {{key: venue, label: สถานที่และอาหาร}}
"""


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def journey_world(db, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "choice_journey.yaml"
    path.write_text(FORM, encoding="utf-8")
    world = published_world(path)
    add_schools(world)
    return world


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_pick_a_school_by_typing_other_specify_and_a_grid(live_server, journey_world, request, device):
    page = request.getfixturevalue(device)
    rnd = make_round(journey_world, "choice_journey")
    base = live_server
    login(page, base, "school_a")
    page.goto(f"{base}/rounds/{rnd.id}/respond")
    page.get_by_test_id("start").click()
    page.wait_for_url(re.compile(r".*/responses/\d+/s/0$"))
    response_id = int(re.search(r"/responses/(\d+)/", page.url).group(1))

    # a school out of 600, by typing part of its name: the server's matches, chosen with the keyboard
    combo = page.locator("#q-school [role=combobox]")
    assert page.locator("#school").is_hidden()  # the plain select stays in the form, behind the field
    combo.click()
    combo.press_sequentially("เลไลย์ 0044", delay=20)
    option = page.locator("#q-school [role=option]", has_text="โรงเรียนวัดป่าเลไลย์ 0044 (S0044)")
    option.wait_for()
    assert page.locator("#q-school [role=option]").count() == 1
    shot(page, f"school-search-{device}")
    combo.press("Enter")
    assert page.locator("#school").input_value() == "S0044"
    assert combo.input_value() == "โรงเรียนวัดป่าเลไลย์ 0044 (S0044)"

    # "other, specify": the text box appears when other is chosen
    other_box = page.locator("#position__other")
    assert other_box.is_hidden()
    page.locator('#q-position input[value="__other__"]').check()
    assert other_box.is_visible()
    other_box.fill("ครูผู้ช่วย")

    # a list of 40 options is a searchable field over its own options
    subject = page.locator("#q-subject [role=combobox]")
    subject.click()
    subject.press_sequentially("เลือก 37")
    page.locator("#q-subject [role=option]", has_text="วิชาเลือก 37").wait_for()
    subject.press("ArrowDown")
    subject.press("Enter")
    assert page.locator("#subject").input_value() == "s37"
    shot(page, f"choice-section-{device}")
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id("next").click()
    page.wait_for_url(re.compile(r".*/s/1$"))

    # the grid: a table on the desktop, one card per item on the phone
    card_labels = page.locator("#q-service .grid-point").first.is_visible()  # each point names itself on a card
    assert card_labels == (device == "phone")
    page.locator('#q-service input[name="service__content"][value="5"]').check()
    page.locator('#q-service input[name="service__speaker"][value="4"]').check()
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert "กรุณาตอบให้ครบทุกข้อย่อย (ยังไม่ได้ตอบ: สถานที่และอาหาร)" in page.locator("#q-service").inner_text()
    assert page.locator('input[name="service__content"][value="5"]').is_checked()  # kept
    shot(page, f"grid-error-{device}")
    page.locator('#q-service input[name="service__venue"][value="__na__"]').check()
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, f"grid-{device}")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()

    db.session.rollback()  # a fresh read of what the app's requests wrote
    stored = {r.question_key: r.value for r in db.session.scalars(select(AnswerRow).where(AnswerRow.response_id == response_id))}  # fmt: skip
    assert stored.get("school") == "S0044", stored
    assert stored["position"] == {"value": "__other__", "other": "ครูผู้ช่วย"}
    assert stored["subject"] == "s37"
    assert stored["service"] == {"content": 5, "speaker": 4, "venue": "__na__"}
