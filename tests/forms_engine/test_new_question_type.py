"""A question type is one class, one template and its schema class: a throw-away "stars" type, defined and
registered here and nowhere else, renders, reads, samples, aggregates, breaks down and exports.

The one thing this module cannot do from outside is the schema: `schema.Question` is a closed union that
pydantic checks when a file is parsed, so the definition below is assembled with `model_copy` instead of
being read from YAML (a real new type adds its class to that union; see docs/question_types.md).
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, Literal

import pandas as pd
import pytest
from jinja2 import ChoiceLoader, DictLoader
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict
from wtforms import RadioField

from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.builder import form_class, form_data, read_section
from survey_app.forms_engine.loader import load_text
from survey_app.forms_engine.qtypes.base import REGISTRY, QuestionType, ReadResult, register
from survey_app.forms_engine.results import QuestionResult, Table, states
from survey_app.forms_engine.sample import sample_answers
from survey_app.reports.build import Report, SectionReport, aggregate, breakdown
from survey_app.reports.data import Filters, RoundData
from survey_app.reports.writers import write_csv, write_workbook
from survey_app.responses.operations import numeric_value


class StarsQuestion(s.QuestionBase):
    """The schema class (in a real type: one more member of schema.Question)."""

    type: Literal["stars"]
    stars: int = 5


class StarsType(QuestionType):
    name = "stars"
    numeric = True

    def make_fields(self, q: StarsQuestion, defn: s.FormDefinition) -> dict[str, Any]:
        choices = select_choices([(str(n), "★" * n) for n in range(1, q.stars + 1)])
        return {q.key: RadioField(q.label.th, choices=choices, validate_choice=False)}

    def read(self, q: StarsQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        raw = data.get(q.key)
        if not raw or raw == "None":
            return ReadResult()
        if not raw.isdigit() or not 1 <= int(raw) <= q.stars:
            return ReadResult(errors=[f"ให้ได้ 1–{q.stars} ดาว"])
        return ReadResult(Answer.of(int(raw)))

    def form_data(self, q: StarsQuestion, answer: Answer | None) -> dict[str, Any]:
        return {q.key: str(answer.value) if answer is not None and answer.has_value else None}

    def display_value(self, q: StarsQuestion, value: Any) -> str:
        return "★" * int(value)

    def sample(self, defn: s.FormDefinition, q: StarsQuestion, rng: random.Random, *_: Any) -> Any:
        return rng.randint(1, q.stars)

    def aggregate(self, data: Any, q: StarsQuestion) -> QuestionResult:
        values, _nones, nas = states(data.answers_of(q.key))
        rows = [["★" * n, int((values["value_num"] == n).sum())] for n in range(q.stars, 0, -1)]
        return QuestionResult(
            q, Table(["ดาว", "จำนวน"], rows, f"n={len(values)} · N/A {nas}"), None, {"n": len(values)}
        )

    def headline_columns(self, q: s.Question) -> list[str]:
        return ["ดาวเฉลี่ย"]

    def headline(self, data: Any, q: s.Question, group: pd.DataFrame) -> list[Any]:
        values = states(group)[0]["value_num"]
        return [len(values), float(values.mean()) if len(values) else None]

    def cell(self, q: s.Question, part: str | None, codes: bool) -> Any:
        return (lambda v: v) if codes else (lambda v: "★" * int(v))


PARTIAL = """  <fieldset class="stars"{{ described }}>
    <legend>{{ head }}</legend>
    {{ help }}
    {% for choice in form[q.key] %}<label class="star">{{ choice() }} {{ choice.label.text }}</label>{% endfor %}
    {{ err_html }}
  </fieldset>"""

BASE = """
schema_version: 1
key: stars_demo
title: ทดลองชนิดคำถามใหม่
respondent: organisation
audience: [basic_school]
sections:
  - key: s1
    title: ส่วนที่ 1
    questions:
      - {key: pupils, type: integer, label: จำนวนนักเรียน}
"""


@pytest.fixture
def stars(app) -> Iterator[type[StarsType]]:  # type: ignore[no-untyped-def]
    """The type registered and its template findable, for one test only."""
    register(StarsType)
    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader({"forms_engine/qtypes/stars.html": PARTIAL}), loader])
    yield StarsType
    app.jinja_env.loader = loader
    REGISTRY.pop("stars")


def definition() -> tuple[s.FormDefinition, StarsQuestion]:
    """A parsed definition with a stars question added after the parse (the schema's union is closed)."""
    defn = load_text(BASE).definition
    assert defn is not None
    question = StarsQuestion(key="joy", type="stars", label={"th": "ความสุข"}, stars=4, allow_na=False)
    section = defn.sections[0].model_copy(update={"questions": [*defn.sections[0].questions, question]})
    return defn.model_copy(update={"sections": [section]}), question


def test_a_type_defined_in_one_place_renders_and_reads(app, stars):
    defn, q = definition()
    section = defn.sections[0]
    with app.test_request_context("/"):
        form = form_class(defn, section)(data=form_data(defn, section.all_questions(), {"joy": Answer.of(3)}))
        macros = app.jinja_env.get_template("forms_engine/_questions.html").module
        html = str(macros.question(q, form, defn, {"joy": ["ผิด"]}, {}))
        posted = form_class(defn, section)(formdata=MultiDict({"pupils": "12", "joy": "4"}))
        read = read_section(defn, section, posted, {}, "basic_school")
        wrong = read_section(defn, section, form_class(defn, section)(formdata=MultiDict({"joy": "9"})), {}, None)

    assert 'id="q-joy"' in html and 'class="q q-stars has-error"' in html  # the shared frame
    assert '<fieldset class="stars" aria-describedby="err-joy" aria-invalid="true">' in html  # the type's partial
    assert re.search(r'<input checked[^>]* value="3"', html) and "★★★★" in html
    assert read.answers["joy"] == Answer.of(4) and not read.errors
    assert wrong.errors == {"joy": ["ให้ได้ 1–4 ดาว"]}
    assert numeric_value(q, Answer.of(4)) == 4.0  # kept as a number beside the JSON value
    assert 1 <= sample_answers(defn, random.Random(1))["joy"].value <= 4


def round_data(defn: s.FormDefinition) -> RoundData:
    """Three answers from two schools of one agency, as reports.data.load_round would read them."""
    responses = pd.DataFrame(
        {
            "response_id": [1, 2, 3], "org_unit_id": [10, 11, 11], "code": ["S1", "S2", "S2"],
            "unit": ["โรงเรียนหนึ่ง", "โรงเรียนสอง", "โรงเรียนสอง"], "kind": ["basic_school"] * 3,
            "district": [None] * 3, "path": ["1/10", "1/11", "1/11"], "status": ["submitted"] * 3,
            "is_late": [False] * 3, "submitted_at": pd.to_datetime(["2024-01-05"] * 3), "agency_id": [5, 5, 5],
        }
    )  # fmt: skip
    answers = pd.DataFrame(
        {
            "response_id": [1, 2, 3], "question_key": ["joy"] * 3, "state": ["value", "value", "na"],
            "value": [4, 2, None], "value_num": [4.0, 2.0, float("nan")],
        }
    )  # fmt: skip
    rnd = SimpleNamespace(per_person=False, fiscal_year=2567, title="รอบทดลอง")  # what the writers read of a Round
    return RoundData(rnd, defn, Filters(status="submitted"), responses, answers)


def test_the_same_type_aggregates_breaks_down_and_exports(app, db, stars):
    defn, q = definition()
    data = round_data(defn)

    result = aggregate(data, q)
    assert result is not None
    assert result.table.rows == [["★★★★", 1], ["★★★", 0], ["★★", 1], ["★", 0]]
    assert result.table.note == "n=2 · N/A 1"

    per_agency = breakdown(data, q, names={5: "สพป.ทดลอง"})
    assert per_agency is not None
    assert per_agency.columns == ["กลุ่ม", "n", "ดาวเฉลี่ย"]
    assert per_agency.rows == [["สพป.ทดลอง", 2, 3.0]]

    text = io.StringIO()
    write_csv(data, text, agencies={5: "สพป.ทดลอง"})
    rows = list(csv.reader(io.StringIO(text.getvalue().lstrip("\ufeff"))))
    assert rows[0][-1] == "ความสุข"
    assert [r[-1] for r in rows[1:]] == ["★★★★", "★★", "N/A"]

    report = Report(data, [SectionReport(defn.sections[0], [(None, [result])])], None, None, agencies={5: "สพป.ทดลอง"})
    book = io.BytesIO()
    write_workbook(report, book, generated_by="ทดสอบ")
    cells = {c.value for sheet in load_workbook(book) for row in sheet.iter_rows() for c in row}
    assert {"★★★★", "ดาวเฉลี่ย", "ความสุข"} <= cells
