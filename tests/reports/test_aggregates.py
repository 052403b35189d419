"""Every aggregate checked against answers made by hand for a small province."""

import pytest

from survey_app.accounts.kinds import OrgKind
from survey_app.extensions import db
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer
from survey_app.reports.build import breakdown, build_report
from survey_app.reports.data import Filters
from survey_app.responses.models import ResponseStatus
from tests.factories import make_unit, province_with_users
from tests.reports.handmade import open_hand_round, publish_text, put

DEFINITION = """
schema_version: 1
key: hand
title: แบบทดสอบตัวเลข
respondent: {respondent}
audience: [all]
allow_na: true
scales:
  l5: {{min: 1, max: 5, labels: {{1: น้อยที่สุด, 5: มากที่สุด}}}}
sections:
  - key: dim_a
    title: ด้าน ก
    questions:
      - {{key: c1, code: "1", type: single_choice, label: ทำหรือไม่, options: [{{value: yes, label: ทำ}}, {{value: no, label: ไม่ทำ}}], none_option: true}}
      - {{key: m1, code: "2", type: multiple_choice, label: ทำอะไร, options: [{{value: r, label: อ่าน}}, {{value: w, label: เขียน}}], none_option: true}}
      - {{key: n1, code: "3", type: integer, label: จำนวน, allow_none: true, allow_na: true, min: 0}}
      - {{key: t1, code: "4", type: text, label: ชื่อโครงการ, allow_none: true}}
      - {{key: r1, code: "5", type: rating, label: พอใจ, scale: l5}}
      - {{key: p1, code: "6", type: paired_rating, label: การนำ, scale: l5, ratings: [{{key: current, label: สภาพ}}, {{key: importance, label: ความสำคัญ}}], gap: [importance, current]}}
  - key: dim_b
    title: ด้าน ข
    questions:
      - {{key: p2, code: "7", type: paired_rating, label: แผน, scale: l5, ratings: [{{key: current, label: สภาพ}}, {{key: importance, label: ความสำคัญ}}], gap: [importance, current]}}
"""
V = Answer.of
HAND = {  # unit -> answers, exactly as in the test's arithmetic
    "a": {"c1": V("yes"), "m1": V(["r", "w"]), "n1": V(10), "t1": V("โครงการอ่าน"), "r1": V(5),
          "p1": V({"current": 2, "importance": 5}), "p2": V({"current": 4, "importance": 4})},
    "b": {"c1": NONE_ANSWER, "m1": NONE_ANSWER, "n1": NONE_ANSWER, "t1": NONE_ANSWER, "r1": V(4),
          "p1": V({"current": 3, "importance": 4}), "p2": V({"current": 4, "importance": 5})},
    "c": {"c1": V("no"), "m1": V(["r"]), "n1": V(20), "t1": V("กิจกรรมเขียน"), "r1": V(2),
          "p1": V({"current": 4, "importance": 4}), "p2": V({"current": 5, "importance": 5})},
    "x": {"c1": V("yes"), "m1": V(["w"]), "n1": NA_ANSWER, "t1": NONE_ANSWER, "r1": V(4),
          "p1": V({"current": 1, "importance": 5}), "p2": V({"current": 4, "importance": 4})},
}  # fmt: skip
FINAL = {"a": ResponseStatus.CERTIFIED, "b": ResponseStatus.SUBMITTED, "c": ResponseStatus.CERTIFIED,
         "x": ResponseStatus.ACCEPTED}  # fmt: skip


def publish(respondent: str = "organisation"):  # type: ignore[no-untyped-def]
    return publish_text(DEFINITION.format(respondent=respondent), "hand")


@pytest.fixture
def hand(db):  # type: ignore[no-untyped-def]
    world = province_with_users()
    world["d"] = make_unit(OrgKind.BASIC_SCHOOL, world["x"], "โรงเรียนดี", "D0000001")  # expected, never starts
    rnd = open_hand_round(publish())
    for key, answers in HAND.items():
        put(rnd, world[key], answers, FINAL[key])
    db.session.commit()
    return world, rnd


def results(world, rnd, status="all"):  # type: ignore[no-untyped-def]
    report = build_report(world["province"], rnd, Filters(status=status))
    return report, {r.question.key: r for sec in report.sections for _, rs in sec.groups for r in rs}


def rows_of(result) -> dict:  # type: ignore[no-untyped-def]
    return {row[0]: row[1:] for row in result.table.rows}


def test_single_choice_with_none_keeps_none_out_of_the_denominator(hand):
    _report, by_key = results(*hand)
    rows = rows_of(by_key["c1"])
    # options over the 3 who chose one; every row over the 4 who answered, in its own column
    assert rows["ทำ"] == [2, 66.67, 50.0] and rows["ไม่ทำ"] == [1, 33.33, 25.0]
    assert rows["ไม่มี/ไม่เกี่ยวข้อง"] == [1, None, 25.0]
    table = by_key["c1"].table
    assert table.columns[2:] == ["ร้อยละของผู้เลือกตัวเลือก (n=3)", "ร้อยละของผู้ตอบข้อนี้ทั้งหมด (n=4)"]
    assert "n=3" in by_key["c1"].table.note and "n=4" in by_key["c1"].table.note


def test_multiple_choice_percentages_over_those_who_chose(hand):
    _, by_key = results(*hand)
    rows = rows_of(by_key["m1"])
    assert rows["อ่าน"] == [2, 66.67, 50.0] and rows["เขียน"] == [2, 66.67, 50.0]
    assert rows["ไม่มี/ไม่เกี่ยวข้อง"] == [1, None, 25.0]


def test_number_with_none_and_na_counted_apart_never_as_zero(hand):
    _, by_key = results(*hand)
    stats = by_key["n1"].stats
    assert (stats["n"], stats["sum"], stats["mean"], stats["median"], stats["min"], stats["max"]) == (
        2,
        30,
        15,
        15,
        10,
        20,
    )
    assert (stats["none"], stats["na"]) == (1, 1)


def test_text_lists_named_projects_with_their_units(hand):
    world, rnd = hand
    _, by_key = results(world, rnd)
    rows = by_key["t1"].table.rows
    assert [(r[0], r[2]) for r in rows] == [("A0000001", "โครงการอ่าน"), ("C0000001", "กิจกรรมเขียน")]
    assert by_key["t1"].stats["none"] == 2


def test_likert_mean_sd_level_and_share_high(hand):
    _, by_key = results(*hand)
    stats = by_key["r1"].stats
    assert stats["n"] == 4 and stats["mean"] == pytest.approx(3.75)
    assert stats["sd"] == 1.26  # sample S.D. of 5, 4, 2, 4 = sqrt(4.75 / 3) = 1.2583…, printed half-up
    assert stats["level"] == "มาก" and stats["pct_high"] == 75.0


def test_od_gaps_and_ranks(hand):
    report, by_key = results(*hand)
    assert by_key["p1"].stats["current"] == 2.5 and by_key["p1"].stats["importance"] == 4.5
    assert by_key["p1"].stats["gap"] == 2.0
    assert by_key["p2"].stats["gap"] == pytest.approx(0.25)
    items, dims = report.gaps
    assert [r[1] for r in items.rows] == ["6", "7"]  # rank 1 is the largest gap
    assert [r[0] for r in items.rows] == [1, 2]
    assert [r[1] for r in dims.rows] == ["ด้าน ก", "ด้าน ข"] and dims.rows[0][5] == 2.0


def test_completeness_per_agency_and_total(hand):
    report, _ = results(*hand)
    rows = {r[0]: r[1:] for r in report.completeness.rows}
    # agency X: X, A, B, D expected; X, A, B received; A and X certified (X accepted)
    assert rows["สพป.ทดสอบ เขต 1"][:5] == [4, 3, 75.0, 2, 50.0]
    # agency Y: Y itself (never answered) and C (certified)
    assert rows["สพม.ทดสอบ"][:5] == [2, 1, 50.0, 1, 50.0]
    assert rows["รวม"][:5] == [6, 4, 66.67, 3, 50.0]


def test_certified_only_is_the_official_default(hand):
    world, rnd = hand
    report, by_key = results(world, rnd, status="certified")
    assert report.respondents == 3  # A, C and X; B is still waiting for certification
    assert by_key["r1"].stats["mean"] == 3.67  # (5 + 2 + 4) / 3 = 3.666…


def test_year_over_year_shows_last_years_figures(hand):
    world, rnd = hand
    last_year = open_hand_round(rnd.form_version, fiscal_year=2562)
    put(last_year, world["a"], {**HAND["a"], "r1": V(1)}, ResponseStatus.SUBMITTED)
    db.session.commit()
    _, by_key = results(world, rnd)
    assert by_key["r1"].previous["mean"] == 1.0 and by_key["r1"].previous["n"] == 1


def test_person_survey_hides_small_units_and_their_complement_but_counts_them_in_totals(db):
    world = province_with_users()
    rnd = open_hand_round(publish("person"))
    for _i in range(3):
        put(rnd, world["a"], {**HAND["a"], "r1": V(5)}, ResponseStatus.SUBMITTED, slot=None)
    for _i in range(5):
        put(rnd, world["b"], {**HAND["b"], "r1": V(4)}, ResponseStatus.SUBMITTED, slot=None)
    for _i in range(6):
        put(rnd, world["c"], {**HAND["c"], "r1": V(3)}, ResponseStatus.SUBMITTED, slot=None)
    db.session.commit()
    report, by_key = results(world, rnd, status="submitted")
    assert by_key["r1"].stats["n"] == 14 and by_key["r1"].stats["mean"] == 3.79  # (15 + 20 + 18) / 14 = 3.7857…
    names = {world["a"].id: "โรงเรียนเอ", world["b"].id: "โรงเรียนบี", world["c"].id: "โรงเรียนซี"}
    table = breakdown(report.data, rnd.form_version.parsed.question_map()["r1"], by="org_unit_id", names=names)
    rows = {r[0]: r[1:] for r in table.rows}
    # A (3) is under the minimum; B (5) is hidden too, else 14 − 6 − 5 would give A's answers
    assert "ไม่แสดง" in rows["โรงเรียนเอ"][1] and rows["โรงเรียนเอ"][0] is None
    assert "ไม่แสดง" in rows["โรงเรียนบี"][1]
    assert rows["โรงเรียนซี"] == [6, 3.0, 0.0, "ปานกลาง"]
