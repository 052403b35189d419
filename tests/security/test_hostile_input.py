"""Hostile text everywhere: shown inert in the form, the review page, reports and exports; numbers
normalised or refused with a field message; one bad answer never breaks a page or an export."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from survey_app.accounts.models import OrgUnit
from survey_app.extensions import db
from survey_app.forms_engine.loader import load_text
from survey_app.forms_engine.operations import publish_result
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters
from survey_app.reports.writers import write_csv, write_workbook
from survey_app.responses.models import Answer, Response
from survey_app.review.operations import certify_response
from tests.fixtures.answering import make_round, page, save, start
from tests.fixtures.review import submitted

XSS = [
    '<script>alert("x")</script>',
    '=HYPERLINK("http://evil.example","คลิก")',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(document.cookie)",
    "ปกติ\u202eexe.fdp",  # RTL override
    "ก\x00ข",  # NUL
]


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert 'onerror="alert' not in html and "<svg onload" not in html
    assert not re.search(r'href="javascript:', html)


@pytest.fixture
def hostile(world):  # type: ignore[no-untyped-def]
    rnd = make_round(world)
    responses = [submitted(world, rnd, key, seed=i) for i, key in enumerate(("a", "b", "x"))]
    for r in responses:
        certify_response(r, None)
    text_keys = [q.key for q in rnd.form_version.parsed.questions() if q.type in ("text", "long_text")]
    for r, evil in zip(responses, XSS, strict=False):  # every text answer of the response becomes hostile
        db.session.execute(
            update(Answer)
            .where(Answer.response_id == r.id, Answer.question_key.in_(text_keys))
            .values(state="value", value=evil)
        )
    db.session.execute(
        update(OrgUnit).where(OrgUnit.id == world["b"].id).values(name_th='โรงเรียน<script>alert("n")</script>')
    )
    db.session.commit()
    return world, rnd, responses


def test_hostile_answers_and_names_are_inert_on_every_page(client, auth, hostile):
    _world, rnd, responses = hostile
    auth.login("cert_x")
    pages = [f"/review/rounds/{rnd.id}", f"/reports/rounds/{rnd.id}?status=all"]
    pages += [f"/review/responses/{r.id}" for r in responses] + [f"/responses/{r.id}" for r in responses]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.get_data(as_text=True))


def test_hostile_answers_keep_exports_whole_and_inert(world, hostile):
    _world, rnd, _responses = hostile
    report = build_report(world["province"], rnd, Filters(status="all"))
    buffer = io.BytesIO()
    write_workbook(report, buffer, generated_by="ทดสอบ")
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    raw = book["ข้อมูลดิบ"]
    data_rows = [r for r in raw.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(data_rows) == len(report.data.responses) == db.session.query(Response).filter_by(round_id=rnd.id).count()
    out = io.StringIO()
    write_csv(report, out)
    assert "'=HYPERLINK" in out.getvalue()


@pytest.mark.parametrize(("typed", "stored", "message"), [
    ("๑๒๓", 123, None), ("１２", 12, None), ("1,234", 1234, None),
    ("1e309", None, "ใหญ่เกินไป"), ("NaN", None, "ใหญ่เกินไป"), ("inf", None, "ใหญ่เกินไป"),
    ("12abc", None, "ตัวเลข"), ("9" * 400, None, "ใหญ่เกินไป"),
])  # fmt: skip
def test_numbers_are_normalised_or_refused_next_to_the_field(client, auth, world, typed, stored, message):
    rnd = make_round(world)
    auth.login("school_a")
    rid = start(client, rnd)
    defn = rnd.form_version.parsed
    index, q = next(
        (i, q)
        for i, sec in enumerate(defn.sections)
        for q in sec.all_questions()
        if q.type == "integer" and not q.show_if
    )
    result = save(client, rid, index, {q.key: typed}, action="save")
    answer = db.session.get(Response, rid).answer_map().get(q.key)
    if stored is None:
        body = result.get_data(as_text=True)
        assert result.status_code == 422 and message in body and answer is None
        assert f'value="{typed[:50]}' in body  # what was typed stays
    else:
        assert answer is not None and answer.value == stored


def test_huge_and_control_text_is_limited_or_cleaned(client, auth, world):
    rnd = make_round(world)
    auth.login("school_a")
    rid = start(client, rnd)
    defn = rnd.form_version.parsed
    index, q = next((i, q) for i, sec in enumerate(defn.sections) for q in sec.all_questions() if q.type == "text")
    parent = defn.question_map()[q.show_if.question] if q.show_if else None
    shown = {parent.key: [parent.options[0].value]} if parent else {}  # makes q visible
    too_long = save(client, rid, index, shown | {q.key: "ก" * (q.max_length + 1)}, action="save")
    assert too_long.status_code == 422 and "ยาวเกิน" in too_long.get_data(as_text=True)
    save(client, rid, index, shown | {q.key: "โครง\x00การ\u202eอ่าน"}, action="save")
    assert db.session.get(Response, rid).answer_map()[q.key].value == "โครงการอ่าน"
    assert page(client, rid, index)


def test_script_in_definition_labels_renders_inert(client, auth, world):
    result = load_text(
        "schema_version: 1\nkey: evil\ntitle: '<script>alert(1)</script>'\nrespondent: organisation\naudience: [all]\n"
        "sections:\n  - key: s\n    title: '<img src=x onerror=alert(1)>'\n    questions:\n"
        "      - {key: q, type: text, label: '<script>alert(2)</script>', help: 'javascript:alert(3)'}\n",
        "evil.yaml", expected_key="evil",
    )  # fmt: skip
    assert result.ok, result.lines()
    version = publish_result(result).version
    db.session.commit()
    auth.login("province")
    html = client.get(f"/forms/{version.id}/preview").get_data(as_text=True)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    _assert_inert(html)


def test_org_unit_names_are_inert_in_the_directory(client, auth, world):
    db.session.execute(update(OrgUnit).where(OrgUnit.id == world["a"].id).values(name_th="<b onclick=alert(1)>เอ</b>"))
    db.session.commit()
    auth.login("province")
    html = client.get("/directory").get_data(as_text=True)
    assert "&lt;b onclick=alert(1)&gt;" in html and "<b onclick" not in html
    assert db.session.scalar(select(OrgUnit.name_th).where(OrgUnit.id == world["a"].id)).startswith("<b")


@pytest.mark.parametrize("path", ["/s/%00", "/reports/rounds/1?district=%00", "/login?next=%00", "/responses/1%00"])
def test_nul_bytes_in_urls_are_not_found_never_a_500(client, path):
    """Issue 13/14: a NUL byte reached PostgreSQL and gave a 500 (also on the unauthenticated /s/%00)."""
    assert client.get(path).status_code == 404
