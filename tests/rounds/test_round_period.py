"""A round's period (annual, 6/9/12 months) and `allow_na: interim`: N/A offered and accepted in interim rounds,
hidden and refused beside the field in final ones, and listed at submit when one is stored."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from survey_app.accounts.kinds import OrgKind
from survey_app.core.thai import FiscalYear, now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, Answer, AnswerState, na_allowed
from survey_app.forms_engine.builder import SectionRead, completeness
from survey_app.forms_engine.loader import load_text
from survey_app.responses import operations as response_ops
from survey_app.responses.models import ORG_SLOT, Response
from survey_app.rounds.models import LatePolicy, Round, RoundPeriod
from survey_app.rounds.operations import RoundError, open_round
from tests.factories import province_with_users
from tests.fixtures.answering import page, save, start
from tests.fixtures.app import csrf_token
from tests.reports.handmade import publish_text

KPI = """
schema_version: 1
key: kpi_na
title: ตัวชี้วัดทดสอบ
respondent: organisation
audience: [basic_school]
allow_na: true
scales:
  l5: {min: 1, max: 5, labels: {1: น้อยที่สุด, 5: มากที่สุด}}
sections:
  - key: s1
    title: ผลการดำเนินงาน
    questions:
      - {key: budget, code: "1", type: integer, label: งบประมาณที่ใช้, allow_na: interim, min: 0}
      - {key: score, code: "2", type: rating, label: คะแนนตนเอง, scale: l5, allow_na: interim}
      - {key: status, code: "3", type: single_choice, label: สถานะ, options: [done, ongoing], allow_na: interim}
      - {key: pupils, code: "4", type: integer, label: จำนวนผู้เรียน, allow_na: true, min: 0}
      - {key: note, code: "5", type: text, label: หมายเหตุ}
"""
REFUSED = "รอบรายงาน 12 เดือนต้องตอบข้อนี้ ไม่สามารถตอบ N/A ได้"
ALL_NA = {"budget__na": "y", "score": "__na__", "status": "__na__", "pupils__na": "y", "note": "ครบ"}


def open_kpi(version, period: RoundPeriod, fiscal_year: int = 2569) -> Round:  # type: ignore[no-untyped-def]
    now = now_bangkok()
    rnd = open_round(
        version, fiscal_year=fiscal_year, title=f"ตัวชี้วัด {period.value}", opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9), late_policy=LatePolicy.ACCEPT, kinds=[OrgKind.BASIC_SCHOOL],
        actor_id=None, period=period,
    )  # fmt: skip
    db.session.commit()
    return rnd


@pytest.fixture
def kpi(db):  # type: ignore[no-untyped-def]
    world = province_with_users()
    world["version"] = publish_text(KPI, "kpi_na")
    db.session.commit()
    return world


def errors_by_field(html: str) -> dict[str, str]:
    """Each question's error text, by question key (the error sits inside the question's frame)."""
    found = {}
    for key, body in re.findall(r'id="q-([a-z0-9_]+)"(.*?)(?=id="q-|</form>)', html, re.S):
        error = re.search(r'class="field-error"[^>]*>([^<]*)<', body)
        if error:
            found[key] = error.group(1).strip()
    return found


# the period itself


@pytest.mark.parametrize(
    ("period", "final", "end"),
    [
        (RoundPeriod.MONTH6, False, date(2026, 3, 31)),  # FY 2569 = 1 Oct 2025 - 30 Sep 2026
        (RoundPeriod.MONTH9, False, date(2026, 6, 30)),
        (RoundPeriod.MONTH12, True, date(2026, 9, 30)),
        (RoundPeriod.ANNUAL, True, date(2026, 9, 30)),
    ],
)
def test_period_is_final_and_ends_on_the_day_of_the_fiscal_year(period, final, end):
    assert period.final is final
    assert period.end_in(FiscalYear(2569)) == end


def test_period_labels_are_thai_on_the_enum():
    assert [p.label_th for p in RoundPeriod] == ["รายงานประจำปี", "รอบ 6 เดือน", "รอบ 9 เดือน", "รอบ 12 เดือน"]


# the schema and the rule


def test_allow_na_interim_is_accepted_at_question_and_form_level():
    result = load_text(KPI.replace("allow_na: true\nscales", "allow_na: interim\nscales"), "kpi_na.yaml")
    assert result.ok, result.lines()
    questions = result.definition.question_map()
    assert questions["budget"].allow_na == "interim"
    assert result.definition.allow_na == "interim"


def test_allow_na_with_another_word_is_refused_with_its_path():
    result = load_text(KPI.replace("allow_na: interim, min: 0", "allow_na: sometimes, min: 0"), "kpi_na.yaml")
    assert not result.ok
    assert any("sections[0].questions[0]" in line and "allow_na" in line for line in result.lines())


@pytest.mark.parametrize(
    ("question", "form", "final", "allowed"),
    [
        (True, True, True, True),  # true means always
        (True, True, False, True),
        ("interim", True, False, True),
        ("interim", True, True, False),
        (True, "interim", False, True),  # an interim form makes every N/A question interim
        (True, "interim", True, False),
        (False, True, False, False),
        (True, False, False, False),
    ],
)
def test_na_allowed(question, form, final, allowed):
    q = s.IntegerQuestion.model_validate({"key": "k", "type": "integer", "label": "ข้อ", "allow_na": question})
    defn = type("D", (), {"allow_na": form})()
    assert na_allowed(q, defn, final) is allowed


# the migration, on whichever database the suite runs


def test_the_migrations_match_the_models(db):
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_a_round_written_without_a_period_is_annual(kpi):
    now = now_bangkok()
    db.session.execute(
        text(
            "INSERT INTO survey_round (form_version_id, fiscal_year, title, opens_at, closes_at, late_policy,"
            " identity, created_at, updated_at) VALUES (:v, 2568, 'เก่า', :o, :c, 'accept', 'anonymous', :o, :o)"
        ),
        {"v": kpi["version"].id, "o": now, "c": now + timedelta(days=1)},
    )
    db.session.commit()
    assert db.session.scalar(text("SELECT period FROM survey_round WHERE title = 'เก่า'")) == "annual"
    rnd = db.session.query(Round).filter_by(title="เก่า").one()
    assert rnd.period is RoundPeriod.ANNUAL and rnd.final


# opening rounds


def test_a_second_round_of_the_same_form_year_and_period_is_refused(kpi):
    open_kpi(kpi["version"], RoundPeriod.MONTH6)
    with pytest.raises(RoundError, match="แบบสอบถามนี้มีรอบ 6 เดือนของปีงบประมาณ 2569 อยู่แล้ว"):
        open_kpi(kpi["version"], RoundPeriod.MONTH6)
    db.session.rollback()
    assert open_kpi(kpi["version"], RoundPeriod.MONTH12).period is RoundPeriod.MONTH12
    assert open_kpi(kpi["version"], RoundPeriod.MONTH6, fiscal_year=2570).fiscal_year == 2570


def post_new_round(client, version_id: int, period: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/rounds/new")
    return client.post("/rounds/new", data={
        "csrf_token": token, "form_version": str(version_id), "period": period, "title": "รอบรายงาน 6 เดือน",
        "fiscal_year": "2569", "opens_at": "2025-10-01T08:30", "closes_at": "2026-04-30T16:30",
        "late_policy": "accept", "kinds": ["basic_school"], "identity": "anonymous",
    })  # fmt: skip


def test_the_round_page_takes_the_period_and_refuses_a_duplicate_beside_it(kpi, client, auth):
    auth.login("province")
    assert 'name="period"' in client.get("/rounds/new").get_data(as_text=True)
    assert post_new_round(client, kpi["version"].id, "month6").status_code == 302
    rnd = db.session.query(Round).one()
    assert rnd.period is RoundPeriod.MONTH6
    assert "รอบ 6 เดือน" in client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    again = post_new_round(client, kpi["version"].id, "month6")
    assert again.status_code == 422
    html = again.get_data(as_text=True)
    period_block = html[html.index('name="period"') : html.index('name="title"')]
    assert "อยู่แล้ว" in period_block and "รอบ 6 เดือน" in period_block
    assert db.session.query(Round).count() == 1
    hostile = post_new_round(client, kpi["version"].id, "month7<script>")
    assert hostile.status_code == 422 and db.session.query(Round).count() == 1


def test_the_cli_opens_a_round_with_a_period(kpi, runner):
    result = runner.invoke(args=["rounds", "open", "--form", "kpi_na", "--year", "2569", "--period", "month9"])
    assert result.exit_code == 0, result.output
    assert "รอบ 9 เดือน" in result.output
    assert db.session.query(Round).one().period is RoundPeriod.MONTH9
    again = runner.invoke(args=["rounds", "open", "--form", "kpi_na", "--year", "2569", "--period", "month9"])
    assert again.exit_code != 0 and "อยู่แล้ว" in again.output
    wrong = runner.invoke(args=["rounds", "open", "--form", "kpi_na", "--period", "month7"])
    assert wrong.exit_code != 0


def test_the_round_label_shows_the_period(kpi):
    rnd = open_kpi(kpi["version"], RoundPeriod.MONTH12)
    assert rnd.label == "ตัวชี้วัด month12 · รอบ 12 เดือน · ปีงบประมาณ 2569"


# answering


def test_na_is_offered_and_accepted_at_six_months(kpi, client, auth):
    rnd = open_kpi(kpi["version"], RoundPeriod.MONTH6)
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 0)
    assert 'name="budget__na"' in html and 'name="pupils__na"' in html
    assert html.count('value="__na__"') == 2  # the rating's and the choice's N/A
    result = save(client, rid, 0, ALL_NA, action="save")
    assert result.status_code == 302
    stored = db.session.get(Response, rid).answer_map()
    assert {k: a.state for k, a in stored.items() if k != "note"} == dict.fromkeys(
        ["budget", "score", "status", "pupils"], AnswerState.NA
    )


def test_na_is_hidden_and_refused_beside_the_field_at_twelve_months(kpi, client, auth):
    rnd = open_kpi(kpi["version"], RoundPeriod.MONTH12)
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 0)
    assert 'name="budget__na"' not in html and 'value="__na__"' not in html
    assert 'name="pupils__na"' in html  # allow_na: true is always offered
    assert save(client, rid, 0, {"budget": "1200", "score": "4", "note": "รอบแรก"}, action="save").status_code == 302
    result = save(client, rid, 0, ALL_NA | {"note": "แก้แล้ว"}, action="save")
    assert result.status_code in (200, 422)
    errors = errors_by_field(result.get_data(as_text=True))
    assert errors == {"budget": REFUSED, "score": REFUSED, "status": REFUSED}
    stored = db.session.get(Response, rid).answer_map()
    assert stored["budget"] == Answer.of(1200) and stored["score"] == Answer.of(4)  # what was kept stays
    assert stored["pupils"].state == AnswerState.NA and stored["note"] == Answer.of("แก้แล้ว")
    assert "status" not in stored


def test_a_stored_na_in_a_final_round_is_listed_at_submit(kpi, client, auth):
    rnd = open_kpi(kpi["version"], RoundPeriod.MONTH12)
    response = Response(round_id=rnd.id, org_unit_id=kpi["a"].id, org_slot=ORG_SLOT)
    db.session.add(response)
    db.session.flush()
    answers = {"budget": NA_ANSWER, "score": Answer.of(3), "status": Answer.of("done"), "pupils": NA_ANSWER,
               "note": Answer.of("ครบ")}  # fmt: skip
    response_ops.save_answers(response, rnd.form_version.parsed, SectionRead(answers=answers), 1, None)
    db.session.commit()
    defn = rnd.form_version.parsed
    assert [q.key for q in completeness(defn, answers, "basic_school", final=True).missing] == ["budget"]
    assert completeness(defn, answers, "basic_school", final=False).ok
    auth.login("school_a")
    html = client.get(f"/responses/{response.id}/submit").get_data(as_text=True)
    missing = html[html.index('data-testid="missing"') :]
    assert "งบประมาณที่ใช้" in missing[: missing.index("</div>")]
    token = csrf_token(client, f"/responses/{response.id}/submit")
    client.post(f"/responses/{response.id}/submit", data={"csrf_token": token})
    assert db.session.get(Response, response.id).status.value == "draft"


def test_the_demo_opens_a_six_and_twelve_month_pair_of_the_kpi_form(db):
    from survey_app.rounds.cli import open_demo_rounds

    province_with_users()
    publish_text(KPI.replace("key: kpi_na", "key: kpi_self_assessment"), "kpi_self_assessment")
    open_demo_rounds()
    assert sorted(r.period.value for r in db.session.query(Round)) == ["month12", "month6"]
