"""The privacy rule of person surveys on every path: report pages with each filter and combination, the
per-agency and per-school tables, the workbook, the CSV, the command line, a certifier's own scope, and
subtraction. The world (tests/reports/signed_world.py): A 8, B 6, G 3 under agency X; C 4 under Y; F 7 under Z;
A, B, C, G in district 6701, F in 6702; G is the only special-education school.

Worked out by hand: C (4) and G (3) are under the minimum of 5. So that neither follows by subtraction:
agency Z (7) is hidden beside Y (province − X − Z would be Y); district 6702 (= F) and so 6701; the basic kind
beside the special one; B beside G within X (X − A − B would be G); X's basic schools {A, B} beside G. What stays
shown: the province (28), X (17), A (8), and district 6701 with basic schools {A, B, C} (18).
"""

import csv
import io
import itertools

import numpy as np
import openpyxl
import pytest

from survey_app.extensions import db
from survey_app.reports.build import build_report
from survey_app.reports.data import Filters
from survey_app.reports.writers import write_csv, write_workbook
from survey_app.responses.models import Response
from tests.reports.signed_world import SIZES, signed_world

UNITS = ["a", "b", "c", "f", "g"]
KIND_OF = {"a": "basic_school", "b": "basic_school", "c": "basic_school", "f": "basic_school",
           "g": "special_education_school"}  # fmt: skip
DISTRICT_OF = {"a": "6701", "b": "6701", "c": "6701", "g": "6701", "f": "6702"}
AGENCY_OF = {"a": "x", "b": "x", "g": "x", "c": "y", "f": "z"}


@pytest.fixture
def signed(db):  # type: ignore[no-untyped-def]
    return signed_world(db)


def selection(world, agency=None, district=None, kind=None, unit=None) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        u for u in UNITS
        if (agency is None or AGENCY_OF[u] == agency) and (district is None or DISTRICT_OF[u] == district)
        and (kind is None or KIND_OF[u] == kind) and (unit is None or u == unit)
    }  # fmt: skip


def every_filter(world):  # type: ignore[no-untyped-def]
    """Every combination of the page's filters, with the units it selects (by hand, from the directory)."""
    for agency, district, kind in itertools.product([None, "x", "y", "z"], [None, "6701", "6702"],
                                                    [None, "basic_school", "special_education_school"]):  # fmt: skip
        yield {"agency": agency, "district": district, "kind": kind, "unit": None}
    for unit in UNITS:
        yield {"agency": None, "district": None, "kind": None, "unit": unit}


def filters_of(world, f) -> Filters:  # type: ignore[no-untyped-def]
    return Filters(status="submitted", kind=f["kind"] or "", district=f["district"] or "",
                   agency_id=world[f["agency"]].id if f["agency"] else None,
                   unit_id=world[f["unit"]].id if f["unit"] else None)  # fmt: skip


def test_selections_shown_are_exactly_the_hand_worked_ones(signed):
    world, rnd = signed
    shown = set()
    for f in every_filter(world):
        report = build_report(world["province"], rnd, filters_of(world, f))
        units = frozenset(selection(world, **f))
        if units and not report.withheld:
            assert report.respondents == sum(SIZES[u] for u in units) >= 5
            shown.add(units)
        if report.withheld:
            assert report.sections == [] and report.gaps is None
    assert shown == {frozenset(UNITS), frozenset("abg"), frozenset("a"), frozenset("abc")}


def test_no_hidden_group_can_be_derived_from_the_shown_ones(signed):
    """Every figure is a sum over people; a hidden school's figures follow by subtraction exactly when its
    indicator vector is a combination of the shown groups' vectors. None may be, nor any group under 5."""
    world, rnd = signed
    shown = []
    for f in every_filter(world):
        report = build_report(world["province"], rnd, filters_of(world, f))
        units = selection(world, **f)
        if units and not report.withheld:
            shown.append([1.0 if u in units else 0.0 for u in UNITS])
    matrix = np.array(shown)
    rank = np.linalg.matrix_rank(matrix)
    small = [combo for size in (1, 2) for combo in itertools.combinations(UNITS, size)
             if sum(SIZES[u] for u in combo) < 5]  # fmt: skip
    assert ("c",) in small and ("g",) in small
    for combo in small:
        vector = [1.0 if u in combo else 0.0 for u in UNITS]
        assert np.linalg.matrix_rank(np.vstack([matrix, vector])) > rank, combo


def test_pages_say_why_and_show_no_figure_of_a_hidden_group(signed, client, auth):
    world, rnd = signed
    auth.login("province")
    base = f"/reports/rounds/{rnd.id}?status=submitted"
    for query in (f"&agency={world['y'].id}", f"&agency={world['z'].id}", "&district=6701", "&district=6702",
                  "&kind=special_education_school", "&kind=basic_school", "&district=6701&kind=special_education_school",
                  f"&unit={world['c'].id}", f"&unit={world['b'].id}", f"&unit={world['g'].id}"):  # fmt: skip
        page = client.get(base + query)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and 'data-testid="withheld"' in html, query
        assert 'data-testid="respondents"' not in html and "ค่าเฉลี่ย" not in html, query
    shown = client.get(base + "&district=6701&kind=basic_school").get_data(as_text=True)
    assert 'data-testid="withheld"' not in shown and 'data-testid="respondents">18<' in shown
    assert 'data-testid="privacy-note"' in shown
    # A's 6th and 7th teachers gave the same answers seconds apart: flagged, not silently counted
    assert 'data-testid="duplicates"' in client.get(base).get_data(as_text=True)


def test_breakdowns_hide_small_groups_and_their_complements(signed, client, auth):
    world, rnd = signed
    auth.login("province")
    page = client.get(f"/reports/rounds/{rnd.id}?status=submitted").get_data(as_text=True)
    table = page[page.index('data-testid="b-r"') :].split("</table>")[0]
    assert f"agency={world['x'].id}" in table  # X links down to its schools
    assert "สพม.ทดสอบ" in table and "สพป.ทดสอบ เขต 2" in table and table.count("ไม่แสดง") == 2
    schools = client.get(f"/reports/rounds/{rnd.id}?status=submitted&agency={world['x'].id}").get_data(as_text=True)
    table = schools[schools.index('data-testid="b-r"') :].split("</table>")[0]
    # A shown (r: 37 over 8 = 4.625 -> 4.63); B and G hidden
    assert "A0000001 โรงเรียนเอ" in table and "4.63" in table and table.count("ไม่แสดง") == 2


def test_a_certifier_sees_its_own_schools_only_when_big_enough(signed, client, auth):
    _world, rnd = signed
    auth.login("cert_y")  # agency Y: 4 people
    html = client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="withheld"' in html and "ครูซีขออบรม" not in html
    auth.logout()
    auth.login("cert_x")  # agency X: A 8 (shown), B 6 and G 3 (hidden)
    html = client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="withheld"' not in html and "แยกรายสถานศึกษา" in html
    table = html[html.index('data-testid="b-r"') :].split("</table>")[0]
    assert "4.63" in table and table.count("ไม่แสดง") == 2


def test_workbook_and_csv_never_name_a_hidden_school(signed):
    world, rnd = signed
    report = build_report(world["province"], rnd, Filters(status="submitted"))
    buffer = io.BytesIO()
    write_workbook(report, buffer, generated_by="test")
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    for ws in book:
        for row in ws.iter_rows(values_only=True):
            named = [h for h in ("B0000001", "C0000001", "G0000001", "F0000001") if any(h in str(v) for v in row)]
            # a hidden school may be named in a per-school table only on a row that shows nothing of it
            assert not named or (ws.title == "รายสถานศึกษา" and "ไม่แสดง" in str(row[2]) and row[1] is None), row
    texts = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert any("A0000001" in t for t in texts) and "ครูซีขออบรม" in texts  # the shown school; a text without its school
    raw = list(book["ข้อมูลดิบ"].iter_rows(values_only=True))
    units = [row[1] for row in raw[1:]]
    assert units.count("โรงเรียนเอ") == 8 and units.count("(ไม่ระบุสถานศึกษา) สพป.ทดสอบ เขต 1") == 9  # B + G, by agency
    assert units.count(None) == 11  # C (Y hidden) and F (Z hidden): not even the agency
    out = io.StringIO()
    write_csv(report, out)
    text = out.getvalue()
    assert "โรงเรียนบี" not in text and "C0000001" not in text and " น." not in text  # no names, no times of day


def test_a_hidden_selection_exported_says_so_and_holds_no_figure(signed, runner, tmp_path):
    result = runner.invoke(args=["report", "export", "--form", "signed", "--year", "2563", "--agency", "Y0000001",
                                 "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))
    assert book.sheetnames == ["ปก"]
    assert any("ไม่แสดงผล" in str(c.value) for row in book["ปก"].iter_rows() for c in row)
    result = runner.invoke(args=["report", "export", "--form", "signed", "--year", "2563", "--agency", "Y0000001",
                                 "--format", "csv", "--out", str(tmp_path)])  # fmt: skip
    rows = list(csv.reader(io.StringIO(next(tmp_path.glob("*.csv")).read_text("utf-8-sig"))))
    assert len(rows) == 1  # the header only


def test_person_answers_have_no_page_and_cannot_be_returned(signed, client, auth):
    world, _rnd = signed
    response = db.session.scalar(db.select(Response).where(Response.org_unit_id == world["a"].id))
    for user, paths in {"school_a": [f"/responses/{response.id}"], "cert_x": [f"/review/responses/{response.id}"],
                        "province": [f"/responses/{response.id}", f"/review/responses/{response.id}"]}.items():  # fmt: skip
        auth.login(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)
        auth.logout()
    from survey_app.responses.operations import ResponseError
    from survey_app.review.operations import return_response

    with pytest.raises(ResponseError):
        return_response(response, "แก้ไข", {}, world["cert_x"].id)
