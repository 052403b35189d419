"""Comparing the rounds of one fiscal year: figures worked out by hand, in total and for one unit, N/A apart from
missing, the scope check and the privacy minimum of person rounds."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from survey_app.accounts.kinds import OrgKind
from survey_app.core.thai import now_bangkok
from survey_app.forms_engine.answers import NA_ANSWER, Answer
from survey_app.reports.compare import compare_rounds, sibling_rounds
from survey_app.responses.models import ResponseStatus
from survey_app.rounds.models import LatePolicy, RoundPeriod
from survey_app.rounds.operations import open_round
from tests.factories import province_with_users
from tests.reports.handmade import publish_text, put

KPI = """
schema_version: 1
key: kpi_cmp
title: ตัวชี้วัดรายไตรมาส
respondent: {respondent}
audience: [basic_school]
allow_na: true
scales:
  l5: {{min: 1, max: 5, labels: {{1: น้อยที่สุด, 5: มากที่สุด}}}}
sections:
  - key: s1
    title: ผลการดำเนินงาน
    questions:
      - {{key: budget, code: "1", type: integer, label: งบประมาณที่ใช้, allow_na: interim, min: 0}}
      - {{key: score, code: "2", type: rating, label: คะแนนตนเอง, scale: l5}}
      - {{key: note, code: "3", type: text, label: หมายเหตุ, required: false}}
"""
V = Answer.of
CERTIFIED = ResponseStatus.CERTIFIED
HAND = {  # period -> unit -> answers (c does not answer at 6 months)
    RoundPeriod.MONTH6: {"a": {"budget": V(100), "score": V(4)}, "b": {"budget": NA_ANSWER, "score": V(5)}},
    RoundPeriod.MONTH9: {"a": {"budget": V(10), "score": V(4)}, "b": {"score": V(5)}, "c": {"score": V(5)}},
    RoundPeriod.MONTH12: {"a": {"budget": V(250), "score": V(3)}, "b": {"budget": V(125), "score": V(4)},
                          "c": {"budget": V(300)}},
}  # fmt: skip


def open_period(version, period: RoundPeriod):  # type: ignore[no-untyped-def]
    now = now_bangkok()
    return open_round(
        version, fiscal_year=2569, title=f"ตัวชี้วัด {period.value}", opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9), late_policy=LatePolicy.ACCEPT, kinds=[OrgKind.BASIC_SCHOOL],
        actor_id=None, period=period,
    )  # fmt: skip


@pytest.fixture
def year(db):  # type: ignore[no-untyped-def]
    world = province_with_users()
    version = publish_text(KPI.format(respondent="organisation"), "kpi_cmp")
    rounds = {}
    for period in (RoundPeriod.MONTH12, RoundPeriod.MONTH6, RoundPeriod.MONTH9):  # opened out of order
        rounds[period] = open_period(version, period)
        for unit, answers in HAND[period].items():
            put(rounds[period], world[unit], answers, CERTIFIED)
    db.session.commit()
    return world, rounds


def figures(row):  # type: ignore[no-untyped-def]
    return [(f.value, f.n, f.na, f.missing) for f in row.figures]


def test_siblings_are_the_rounds_of_the_form_and_year_in_period_order(year):
    _world, rounds = year
    assert [r.period for r in sibling_rounds(rounds[RoundPeriod.MONTH12])] == [
        RoundPeriod.MONTH6, RoundPeriod.MONTH9, RoundPeriod.MONTH12,
    ]  # fmt: skip


def test_province_total_side_by_side_with_the_change(year):
    world, rounds = year
    cmp = compare_rounds(world["province"], sibling_rounds(rounds[RoundPeriod.MONTH6]))
    rows = {r.question.key: r for r in cmp.rows}
    assert list(rows) == ["budget", "score"]  # numbers and ratings only
    # budget (a total): 6 months 100 (b said N/A, c never answered: 3 schools expected); 9 months 10 (b and c left it
    # blank: 2 missing); 12 months 250 + 125 + 300 = 675; change 675 − 100 = 575
    assert figures(rows["budget"]) == [(100, 1, 1, 1), (10, 1, 0, 2), (675, 3, 0, 0)]
    assert rows["budget"].change == 575
    # score (a mean): (4 + 5) / 2 = 4.5; (4 + 5 + 5) / 3 = 14/3; (3 + 4) / 2 = 3.5 with c missing; change −1
    assert figures(rows["score"]) == [(Fraction(9, 2), 2, 0, 1), (Fraction(14, 3), 3, 0, 0), (Fraction(7, 2), 2, 0, 1)]
    assert rows["score"].change == -1


def test_one_unit_side_by_side(year):
    world, rounds = year
    cmp = compare_rounds(world["province"], sibling_rounds(rounds[RoundPeriod.MONTH6]), world["a"].id)
    rows = {r.question.key: r for r in cmp.rows}
    assert figures(rows["budget"]) == [(100, 1, 0, 0), (10, 1, 0, 0), (250, 1, 0, 0)]
    assert rows["budget"].change == 150 and rows["score"].change == -1
    b = compare_rounds(world["province"], sibling_rounds(rounds[RoundPeriod.MONTH6]), world["b"].id)
    assert figures(b.rows[0]) == [(None, 0, 1, 0), (None, 0, 0, 1), (125, 1, 0, 0)]  # N/A apart from missing
    assert b.rows[0].change is None  # one figure only: no change


def test_the_page_prints_each_figure_rounded_once_and_links_from_the_round_report(year, client, auth):
    world, rounds = year
    auth.login("province")
    report = client.get(f"/reports/rounds/{rounds[RoundPeriod.MONTH9].id}").get_data(as_text=True)
    assert f"/reports/rounds/{rounds[RoundPeriod.MONTH9].id}/compare" in report
    html = client.get(f"/reports/rounds/{rounds[RoundPeriod.MONTH9].id}/compare?unit={world['a'].id}")
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    score = text[text.index('data-testid="compare-score"') :]
    score = score[: score.index("</tr>")]
    shown = [p.split("</strong>")[0] for p in score.split('data-testid="figure">')[1:]]
    assert shown == ["4.50", "4.67", "3.50"]
    assert "-1.00" in score  # 3.5 − 4.5
    budget = text[text.index('data-testid="compare-budget"') :]
    assert "+575" in budget[: budget.index("</tr>")]
    assert "รอบ 6 เดือน" in text and "รอบ 12 เดือน" in text and "31 มี.ค. 2569" in text


def test_a_round_without_siblings_has_no_link(db, client, auth):
    world = province_with_users()
    rnd = open_period(publish_text(KPI.format(respondent="organisation"), "kpi_cmp"), RoundPeriod.ANNUAL)
    db.session.commit()
    auth.login("province")
    assert "/compare" not in client.get(f"/reports/rounds/{rnd.id}").get_data(as_text=True)
    assert world["province"] is not None


def test_a_unit_outside_the_scope_is_not_found(year, client, auth):
    world, rounds = year
    auth.login("cert_y")  # the secondary ESA certifies school C only
    rid = rounds[RoundPeriod.MONTH6].id
    assert client.get(f"/reports/rounds/{rid}/compare?unit={world['a'].id}").status_code == 404
    assert client.get(f"/reports/rounds/{rid}/compare?unit={world['c'].id}").status_code == 200
    assert client.get(f"/reports/rounds/{rid}/compare?unit=abc").status_code == 200  # not a number: no unit


def test_person_rounds_obey_the_privacy_minimum(db):
    world = province_with_users()
    version = publish_text(KPI.format(respondent="person"), "kpi_cmp")
    six, twelve = open_period(version, RoundPeriod.MONTH6), open_period(version, RoundPeriod.MONTH12)
    for _ in range(2):  # 2 people at A: under the minimum of 5
        put(six, world["a"], {"score": V(4)}, ResponseStatus.SUBMITTED, slot=None)
    for score in (1, 2, 3, 4, 5, 5):  # 6 people at B at 12 months
        put(twelve, world["b"], {"score": V(score)}, ResponseStatus.SUBMITTED, slot=None)
    db.session.commit()
    cmp = compare_rounds(world["province"], [six, twelve], world["a"].id)
    score = next(r for r in cmp.rows if r.question.key == "score")
    assert not score.figures[0].shown and score.figures[0].value is None  # 2 people: withheld
    assert (score.figures[1].value, score.figures[1].n) == (None, 0) and score.change is None  # nobody at 12 months
    cmp_b = compare_rounds(world["province"], [six, twelve], world["b"].id)
    score_b = next(r for r in cmp_b.rows if r.question.key == "score")
    assert score_b.figures[1].shown and score_b.figures[1].value == Fraction(20, 6)  # (1+2+3+4+5+5) / 6


def test_the_comparison_downloads_as_a_workbook_with_the_same_figures(year, client, auth):
    import io

    from openpyxl import load_workbook

    world, rounds = year
    auth.login("province")
    got = client.get(f"/reports/rounds/{rounds[RoundPeriod.MONTH6].id}/compare.xlsx?unit={world['a'].id}")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    assert book.sheetnames == ["ภาพรวมทั้งหมด", "โรงเรียนเอ"]
    rows = {r[0]: r[1:] for r in book["ภาพรวมทั้งหมด"].iter_rows(min_row=3, values_only=True) if r[0]}
    # per round: figure, n, N/A, missing; then the change
    assert rows["1 งบประมาณที่ใช้"] == ("ผลรวม", 100, 1, 1, 1, 10, 1, 0, 2, 675, 3, 0, 0, 575)
    assert rows["2 คะแนนตนเอง"] == ("ค่าเฉลี่ย", 4.5, 2, 0, 1, 4.67, 3, 0, 0, 3.5, 2, 0, 1, -1)  # 14/3 half-up
    unit = {r[0]: r[1:] for r in book["โรงเรียนเอ"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert unit["1 งบประมาณที่ใช้"][-1] == 150
