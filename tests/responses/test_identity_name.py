"""`identity: name`: the page says the form records names and who sees them, asks for the name, and the
readers the form names see per-person rows with the name; everyone else, and every anonymous form, keeps the
privacy rule of person surveys."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.forms_engine.loader import load_text
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters
from survey_app.reports.raw import UNIT_HEADERS, raw_table
from survey_app.reports.writers import write_csv
from survey_app.responses.models import Response
from tests.fixtures.answering import make_round, published_world
from tests.fixtures.app import csrf_token
from tests.responses.test_person_files import field_error
from tests.responses.test_person_surveys import link_of

DEFINITIONS = Path(__file__).parent / "person_definitions"
FORMS = ("person_named", "person_named_province", "person_anonymous")


@pytest.fixture
def named_world(db):  # type: ignore[no-untyped-def]
    return published_world(*(DEFINITIONS / f"{key}.yaml" for key in FORMS))


def answer(app, url: str, name: str | None, position: str = "ครู", years: str = "12"):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    data = {"csrf_token": csrf_token(browser, url), "position": position, "years": years}
    if name is not None:
        data["respondent_name"] = name
    return browser, browser.post(url, data=data, content_type="multipart/form-data")


def test_the_page_says_names_are_recorded_and_by_whom_and_asks_for_one(app, named_world):
    rnd = make_round(named_world, "person_named")
    url, _ = link_of(named_world, rnd)
    html = app.test_client().get(url).get_data(as_text=True)
    assert "แบบสอบถามนี้บันทึกชื่อผู้ตอบ" in html
    assert "ให้ผู้ต่อไปนี้เห็น: สำนักงานศึกษาธิการจังหวัด, หน่วยงานต้นสังกัดของผู้ตอบ" in html
    assert 'name="respondent_name"' in html and 'maxlength="120"' in html
    assert "ไม่ต้องระบุชื่อ" not in html
    only_province = make_round(named_world, "person_named_province")
    url, _ = link_of(named_world, only_province)
    assert "ให้ผู้ต่อไปนี้เห็น: สำนักงานศึกษาธิการจังหวัด</p>" in app.test_client().get(url).get_data(as_text=True)


def test_an_anonymous_form_still_says_no_name_is_needed_and_asks_none(app, named_world):
    rnd = make_round(named_world, "person_anonymous")
    url, _ = link_of(named_world, rnd)
    html = app.test_client().get(url).get_data(as_text=True)
    assert "ไม่ต้องระบุชื่อ" in html and 'name="respondent_name"' not in html
    assert "บันทึกชื่อผู้ตอบ" not in html


def test_the_name_is_required_and_limited_with_what_was_typed_kept(app, named_world):
    rnd = make_round(named_world, "person_named")
    url, _ = link_of(named_world, rnd)
    _, empty = answer(app, url, "   ", position="ครูผู้ช่วย")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422
    assert field_error(html, "respondent_name") == "กรุณากรอกชื่อ-นามสกุลของผู้ตอบ"
    assert 'value="ครูผู้ช่วย"' in html
    long_name = "ก" * 121
    _, too_long = answer(app, url, long_name)
    html = too_long.get_data(as_text=True)
    assert field_error(html, "respondent_name") == "ชื่อยาวเกินไป (ไม่เกิน 120 ตัวอักษร)"
    assert f'value="{long_name}"' in html
    assert db.session.scalar(select(Response)) is None


def test_the_name_is_stored_and_the_thank_you_page_says_so(app, named_world):
    rnd = make_round(named_world, "person_named")
    url, _ = link_of(named_world, rnd)
    browser, sent = answer(app, url, "  นางสาว  สมศรี   ใจดี ")
    assert sent.status_code == 302
    response = db.session.scalar(select(Response))
    assert response.respondent_label == "นางสาว สมศรี ใจดี"
    thanks = browser.get(sent.headers["Location"]).get_data(as_text=True)
    assert "คำตอบของท่านถูกบันทึกพร้อมชื่อ" in thanks and "สำนักงานศึกษาธิการจังหวัด" in thanks


def raw_of(user, rnd) -> tuple[list[str], list[list]]:  # type: ignore[no-untyped-def]
    report = build_report(user, rnd, Filters(status="submitted"))
    table = raw_table(report.data, agencies=report.agencies)
    return table.columns, table.rows


def _named_round(app, world, key):  # type: ignore[no-untyped-def]
    """One named answer from school A (under agency X) and one from C (under Y): each far below the minimum."""
    rnd = make_round(world, key)
    for unit, name, years in (("a", "สมชาย ใจดี", "12"), ("c", "สมหญิง รักเรียน", "3")):
        url, _ = link_of(world, rnd, unit)
        assert answer(app, url, name, years=years)[1].status_code == 302
    return rnd


def test_the_province_sees_names_in_the_raw_sheet_and_small_units_are_not_hidden(app, named_world):
    rnd = _named_round(app, named_world, "person_named")
    columns, rows = raw_of(named_world["province"], rnd)
    assert columns[: len(UNIT_HEADERS) + 1] == [*UNIT_HEADERS, "ชื่อผู้ตอบ"]
    at, unit_at = len(UNIT_HEADERS), UNIT_HEADERS.index("หน่วยงาน")
    by_name = {row[at]: row for row in rows}
    assert set(by_name) == {"สมชาย ใจดี", "สมหญิง รักเรียน"}
    assert by_name["สมชาย ใจดี"][unit_at] == named_world["a"].name_th
    assert by_name["สมชาย ใจดี"][-1] == 12 and by_name["สมหญิง รักเรียน"][-1] == 3


def test_an_agency_sees_its_own_respondents_names_only(app, named_world):
    rnd = _named_round(app, named_world, "person_named")
    columns, rows = raw_of(named_world["cert_x"], rnd)
    assert "ชื่อผู้ตอบ" in columns
    assert [row[len(UNIT_HEADERS)] for row in rows] == ["สมชาย ใจดี"]


def test_names_kept_from_readers_the_form_does_not_name(app, named_world):
    rnd = _named_round(app, named_world, "person_named_province")
    columns, rows = raw_of(named_world["province"], rnd)
    assert "ชื่อผู้ตอบ" in columns and len(rows) == 2
    columns, rows = raw_of(named_world["cert_x"], rnd)
    assert "ชื่อผู้ตอบ" not in columns
    assert rows == []  # one respondent under X: below the minimum, as for an anonymous form


def test_an_anonymous_form_never_has_a_name_column_nor_small_units(app, named_world):
    rnd = make_round(named_world, "person_anonymous")
    for unit in ("a", "c"):
        url, _ = link_of(named_world, rnd, unit)
        assert answer(app, url, "สมชาย ใจดี")[1].status_code == 302
    db.session.execute(Response.__table__.update().values(respondent_label="ชื่อที่ไม่ควรเห็น"))
    db.session.commit()
    for user in ("province", "cert_x"):
        columns, rows = raw_of(named_world[user], rnd)
        assert "ชื่อผู้ตอบ" not in columns and rows == []
    report = build_report(named_world["province"], rnd, Filters(status="submitted"))
    assert report.withheld is not None  # two respondents: below the minimum, as before


def test_report_pages_say_the_form_records_names(app, named_world, client, auth):
    named = _named_round(app, named_world, "person_named")
    anonymous = make_round(named_world, "person_anonymous")
    auth.login("province")
    html = client.get(f"/reports/rounds/{named.id}?status=submitted").get_data(as_text=True)
    assert "แบบสอบถามนี้ระบุชื่อผู้ตอบ" in html and 'data-testid="privacy-note"' not in html
    html = client.get(f"/reports/rounds/{anonymous.id}?status=submitted").get_data(as_text=True)
    assert "แบบสอบถามนี้ระบุชื่อผู้ตอบ" not in html and 'data-testid="privacy-note"' in html


def test_the_csv_export_carries_the_name_column_for_the_province(app, named_world, tmp_path):
    rnd = _named_round(app, named_world, "person_named")
    report = build_report(named_world["province"], rnd, Filters(status="submitted"))
    target = tmp_path / "raw.csv"
    write_csv(report, str(target))
    with target.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    names = [row[rows[0].index("ชื่อผู้ตอบ")] for row in rows[1:]]
    assert sorted(names) == ["สมชาย ใจดี", "สมหญิง รักเรียน"]


@pytest.mark.parametrize(
    ("extra", "path"),
    [("identity_visible_to: [province]\n", "identity_visible_to"),
     ("identity: name\nidentity_visible_to: []\n", "identity_visible_to")],
)  # fmt: skip
def test_identity_visible_to_needs_a_named_form_and_a_reader(extra, path):
    text = (
        (DEFINITIONS / "person_anonymous.yaml")
        .read_text(encoding="utf-8")
        .replace("respondent: person\n", f"respondent: person\n{extra}")
    )
    lines = load_text(text, "person_anonymous.yaml").lines()
    assert any(line.startswith(f"person_anonymous.yaml: {path}: ") for line in lines), lines
