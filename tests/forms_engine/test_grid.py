"""grid: items rated on one scale, stored as one answer of points by item (as paired_rating stores its parts),
required means every item, aggregated per item as ratings are, one raw column per item."""

from __future__ import annotations

import csv
import io
import random
import re
from types import SimpleNamespace

import pandas as pd
from werkzeug.datastructures import MultiDict

from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.builder import form_class, read_section
from survey_app.forms_engine.loader import load_text
from survey_app.forms_engine.sample import sample_answers
from survey_app.reports.build import aggregate, breakdown
from survey_app.reports.data import Filters, RoundData
from survey_app.reports.writers import write_csv
from tests.fixtures.answering import make_round, page, published_world, save, start

FORM = """
schema_version: 1
key: grid_demo
title: ความพึงพอใจ
respondent: organisation
audience: [basic_school]
allow_na: true
scales:
  l5: {min: 1, max: 5, labels: {1: น้อยที่สุด, 2: น้อย, 3: ปานกลาง, 4: มาก, 5: มากที่สุด}}
sections:
  - key: s1
    title: ส่วนที่ 1
    questions:
      - key: service
        type: grid
        label: ความพึงพอใจต่อการให้บริการ
        scale: l5
        allow_na: true
        items:
          - {key: speed, label: ความรวดเร็ว}
          - {key: staff, label: ความสุภาพของเจ้าหน้าที่}
          - {key: place, label: สถานที่}
      - key: extra
        type: grid
        label: ข้อเสนอ (ไม่บังคับ)
        scale: l5
        required: false
        items: [{key: a, label: ก}, {key: b, label: ข}]
"""


def definition():  # type: ignore[no-untyped-def]
    result = load_text(FORM, "grid_demo.yaml", expected_key="grid_demo")
    assert result.ok, result.lines()
    return result.definition


def read(app, defn, posted: dict):  # type: ignore[no-untyped-def]
    with app.test_request_context(method="POST", data=MultiDict(posted)):
        form = form_class(defn, defn.sections[0])(meta={"csrf": False})
        return read_section(defn, defn.sections[0], form, {}, "basic_school")


def test_the_checker_refuses_an_unknown_scale_and_repeated_items():
    bad = FORM.replace("scale: l5\n        allow_na", "scale: l7\n        allow_na").replace("key: place", "key: speed")
    lines = load_text(bad, "grid_demo.yaml", expected_key="grid_demo").lines()
    assert any("questions[0].scale" in line and "l7" in line for line in lines)
    assert any("questions[0].items[2].key" in line for line in lines)
    empty = load_text(FORM.replace("items: [{key: a, label: ก}, {key: b, label: ข}]", "items: []"), "grid_demo.yaml", expected_key="grid_demo")  # fmt: skip
    assert any("questions[1].items" in line for line in empty.lines())


def test_reading_every_item_na_and_hostile_posts(app):
    defn = definition()
    full = read(app, defn, {"service__speed": "5", "service__staff": "๔", "service__place": "__na__", "service__bogus": "3"})  # fmt: skip
    assert not full.errors
    assert full.answers["service"] == Answer.of({"speed": 5, "staff": 4, "place": "__na__"})  # unknown item ignored

    partial = read(app, defn, {"service__speed": "5", "extra__a": "2"})
    assert partial.errors["service"] == ["กรุณาตอบให้ครบทุกข้อย่อย (ยังไม่ได้ตอบ: ความสุภาพของเจ้าหน้าที่, สถานที่)"]
    assert partial.answers["extra"] == Answer.of({"a": 2})  # not required: the answered items are kept

    wrong = read(app, defn, {"service__speed": "9", "service__staff": "1", "service__place": "1", "extra__b": "__na__"})
    assert wrong.errors["service"] == ["ความรวดเร็ว: ระดับต้องอยู่ระหว่าง 1–5"]
    assert wrong.errors["extra"] == ["ข: กรุณาเลือกระดับจากมาตราส่วน"]  # no N/A offered on this grid
    assert "service" not in read(app, defn, {}).answers

    sample = sample_answers(defn, random.Random(4))
    assert set(sample["service"].value) == {"speed", "staff", "place"}


def round_data(defn) -> RoundData:  # type: ignore[no-untyped-def]
    """Four answers: speed 5, 4, 4, N/A; staff 3, 3, 5, 1; place 2, N/A, N/A, 5."""
    values = [{"speed": 5, "staff": 3, "place": 2}, {"speed": 4, "staff": 3, "place": "__na__"},
              {"speed": 4, "staff": 5, "place": "__na__"}, {"speed": "__na__", "staff": 1, "place": 5}]  # fmt: skip
    responses = pd.DataFrame({"response_id": [1, 2, 3, 4], "org_unit_id": [10, 11, 12, 13],
                              "code": ["S1", "S2", "S3", "S4"], "unit": ["ก", "ข", "ค", "ง"],
                              "kind": ["basic_school"] * 4, "district": [None] * 4, "path": ["/1/"] * 4,
                              "status": ["submitted"] * 4, "is_late": [False] * 4,
                              "submitted_at": pd.to_datetime(["2024-01-05"] * 4), "agency_id": [5, 5, 6, 6]})  # fmt: skip
    answers = pd.DataFrame({"response_id": [1, 2, 3, 4], "question_key": ["service"] * 4, "state": ["value"] * 4,
                            "value": values, "value_num": [float("nan")] * 4})  # fmt: skip
    rnd = SimpleNamespace(id=1, per_person=False, fiscal_year=2567, title="รอบทดลอง")
    return RoundData(rnd, defn, Filters(status="submitted"), responses, answers)


def test_figures_per_item_as_worked_out_by_hand(app, db):
    defn = definition()
    data = round_data(defn)
    result = aggregate(data, defn.question_map()["service"])
    assert result.table.columns == ["ข้อ", "n", "ค่าเฉลี่ย", "S.D.", "ระดับ", "มากที่สุด", "มาก", "ปานกลาง", "น้อย", "น้อยที่สุด", "N/A"]  # fmt: skip
    # speed 5, 4, 4: mean 13/3 = 4.33, S.D. sqrt(((2/3)² + 2·(1/3)²)/2) = sqrt(1/3) = 0.58 → มาก
    # staff 3, 3, 5, 1: mean 3.00, S.D. sqrt((0 + 0 + 4 + 4)/3) = 1.63 → ปานกลาง
    # place 2, 5: mean 3.50, S.D. sqrt((2.25 + 2.25)/1) = 2.12 → ปานกลาง (2.51–3.50 in the standard bands)
    assert result.table.rows == [
        ["ความรวดเร็ว", 3, 4.33, 0.58, "มาก", 1, 2, 0, 0, 0, 1],
        ["ความสุภาพของเจ้าหน้าที่", 4, 3.0, 1.63, "ปานกลาง", 1, 0, 2, 0, 1, 0],
        ["สถานที่", 2, 3.5, 2.12, "ปานกลาง", 1, 0, 0, 1, 0, 2],
    ]
    assert result.stats["n"] == 4 and result.stats["na"] == 3

    per_agency = breakdown(data, defn.question_map()["service"], names={5: "เขต ก", 6: "เขต ข"})
    # agency 5: speed 5, 4 → 4.50; staff 3, 3 → 3.00; place 2 → 2.00 · agency 6: speed 4; staff 5, 1 → 3.00; place 5
    assert per_agency.rows == [["เขต ก", 2, 4.5, 3.0, 2.0], ["เขต ข", 2, 4.0, 3.0, 5.0]]

    text = io.StringIO()
    write_csv(data, text, agencies={5: "เขต ก", 6: "เขต ข"})
    rows = list(csv.reader(io.StringIO(text.getvalue().lstrip("\ufeff"))))
    at = rows[0].index("ความพึงพอใจต่อการให้บริการ (ความรวดเร็ว)")
    assert rows[0][at + 1 : at + 3] == ["ความพึงพอใจต่อการให้บริการ (ความสุภาพของเจ้าหน้าที่)", "ความพึงพอใจต่อการให้บริการ (สถานที่)"]  # fmt: skip
    assert [r[at : at + 3] for r in rows[1:]] == [["5", "3", "2"], ["4", "3", "N/A"], ["4", "5", "N/A"], ["N/A", "1", "5"]]  # fmt: skip


def test_a_grid_is_answered_on_the_page(db, client, auth, tmp_path):
    path = tmp_path / "grid_demo.yaml"
    path.write_text(FORM, encoding="utf-8")
    world = published_world(path)
    rnd = make_round(world, "grid_demo")
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 0)
    assert '<table class="grid-table">' in html
    assert len(re.findall(r'name="service__speed"', html)) == 6  # five points and N/A
    refused = save(client, rid, 0, {"service__speed": "4"}, action="save")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "ยังไม่ได้ตอบ: ความสุภาพของเจ้าหน้าที่, สถานที่" in body
    assert re.search(r'name="service__speed" value="4"[^>]*checked', body)  # what was chosen is kept
    ok = save(client, rid, 0, {"service__speed": "4", "service__staff": "5", "service__place": "__na__"}, action="save")
    assert ok.status_code == 302
    again = page(client, rid, 0)
    assert re.search(r'name="service__place" value="__na__"[^>]*checked', again)


def test_the_workbook_has_the_grid_figures(app, db):
    from openpyxl import load_workbook

    from survey_app.reports.build import Report, SectionReport
    from survey_app.reports.writers import write_workbook

    defn = definition()
    data = round_data(defn)
    result = aggregate(data, defn.question_map()["service"])
    report = Report(data, [SectionReport(defn.sections[0], [(None, [result])])], None, None, agencies={5: "ก", 6: "ข"})
    book = io.BytesIO()
    write_workbook(report, book, generated_by="ทดสอบ")
    rows = [[c.value for c in row] for sheet in load_workbook(book) for row in sheet.iter_rows()]
    assert ["ความรวดเร็ว", 3, 4.33, 0.58, "มาก", 1, 2, 0, 0, 0, 1] in [r[:11] for r in rows]
    raw = next(r for r in rows if "S4" in r)  # the raw sheet: speed N/A, staff 1, place 5 (numbers stay numbers)
    assert raw[raw.index("N/A") : raw.index("N/A") + 3] == ["N/A", 1, 5]
