"""A file's name is the respondent's, not an answer to the question: "order_somchai.pdf" names a person. In an
anonymous person survey the raw data says how many files were attached, never their names; a form that records
names (identity: name) shows them to the readers it names."""

from __future__ import annotations

import pytest

from survey_app.forms_engine.answers import Answer
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters
from survey_app.reports.raw import raw_table
from survey_app.responses.models import ResponseStatus
from tests.factories import province_with_users
from tests.reports.handmade import open_hand_round, publish_text, put

FORM = """
schema_version: 1
key: {key}
title: แบบสำรวจพร้อมไฟล์
respondent: person
identity: {identity}
audience: [basic_school]
sections:
  - key: s1
    title: ข้อมูล
    questions:
      - {{key: years, type: integer, label: อายุราชการ, min: 0}}
      - {{key: order, type: file, label: คำสั่งแต่งตั้ง, required: false}}
"""


def _round_with_files(db, identity: str):  # type: ignore[no-untyped-def]
    world = province_with_users()
    key = f"files_{identity}"
    rnd = open_hand_round(publish_text(FORM.format(key=key, identity=identity), key))
    for n in range(6):  # above the privacy minimum (5): the school's rows are shown
        files = [{"id": n, "name": f"order_teacher{n}_somchai.pdf", "size": 10, "kind": "pdf"}] * (1 + n % 2)
        response = put(
            rnd, world["a"], {"years": Answer.of(n), "order": Answer.of(files)}, ResponseStatus.SUBMITTED, slot=None
        )
        if identity == "name":
            response.respondent_label = f"ครูคนที่ {n}"
    db.session.commit()
    return world, rnd


def _cells(world, rnd) -> list:  # type: ignore[no-untyped-def]
    report = build_report(world["province"], rnd, Filters(status="submitted"))
    table = raw_table(report.data, agencies=report.agencies)
    column = next(i for i, h in enumerate(table.columns) if "คำสั่งแต่งตั้ง" in h)
    return [row[column] for row in table.rows]


def test_an_anonymous_survey_counts_files_and_never_shows_their_names(db):
    world, rnd = _round_with_files(db, "anonymous")
    cells = _cells(world, rnd)
    assert not any("somchai" in str(c) for c in cells)
    # three respondents attached one file, three attached two (n % 2)
    assert sorted(cells) == ["แนบ 1 ไฟล์"] * 3 + ["แนบ 2 ไฟล์"] * 3


@pytest.mark.parametrize("identity", ["name"])
def test_a_named_form_shows_file_names_to_its_readers(db, identity):
    world, rnd = _round_with_files(db, identity)
    assert any("somchai" in str(c) for c in _cells(world, rnd))
