"""unit_choice: a school picked from the directory out of 600, by type-ahead search scoped on the server to the
units the question allows (the province, the respondent's agency), validated at save, counted in reports."""

from __future__ import annotations

import csv
import io
import re
import time
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import select

from survey_app.accounts import operations as accounts
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.extensions import db as _db
from survey_app.forms_engine.loader import load_text
from survey_app.reports.build import aggregate
from survey_app.reports.data import Filters, RoundData
from survey_app.reports.writers import write_csv
from survey_app.responses.models import Answer as AnswerRow
from survey_app.rounds.models import RoundUnit
from tests.fixtures.answering import make_round, page, published_world, save, start
from tests.fixtures.app import csrf_token

ORG_FORM = """
schema_version: 1
key: pick_school
title: เลือกโรงเรียน
respondent: organisation
audience: [basic_school]
sections:
  - key: s1
    title: โรงเรียนในจังหวัด
    questions:
      - {key: partner, type: unit_choice, label: โรงเรียนคู่พัฒนา, units: {kinds: [schools]}}
  - key: s2
    title: โรงเรียนในเขต
    questions:
      - {key: mentor, type: unit_choice, label: โรงเรียนพี่เลี้ยง, units: {kinds: [basic_school], within: own_agency}}
      - {key: office, type: unit_choice, label: สำนักงานเขต, required: false, allow_none: true, units: {kinds: [esa]}}
      - {key: note, type: text, label: หมายเหตุ, required: false}
"""
PERSON_FORM = """
schema_version: 1
key: member_school
title: ทะเบียนสมาชิก
respondent: person
audience: [schools]
sections:
  - key: s1
    title: ข้อมูล
    questions:
      - {key: school, type: unit_choice, label: โรงเรียนของท่าน, units: {kinds: [schools], within: own_agency}}
"""
NAMES = ("บ้านหนองบัว", "บ้านโคกสูง", "วัดป่าเลไลย์", "ชุมชนบ้านนา", "อนุบาลเมือง", "บ้านห้วยทราย")


def add_schools(world: dict, count: int = 600) -> None:
    """`count` basic schools, alternately under agencies X and Y (codes S0000…), and a closed one under X."""
    for i in range(count):
        parent = world["x"] if i % 2 == 0 else world["y"]
        name = f"โรงเรียน{NAMES[i % len(NAMES)]} {i:04d}"
        _db.session.add(OrgUnit(code=f"S{i:04d}", kind=OrgKind.BASIC_SCHOOL, name_th=name, parent_id=parent.id, alt_codes={}))  # fmt: skip
    _db.session.add(OrgUnit(code="S9999", kind=OrgKind.BASIC_SCHOOL, name_th="โรงเรียนยุบรวม", parent_id=world["x"].id, alt_codes={}, active=False))  # fmt: skip
    _db.session.flush()
    accounts.recompute_paths()
    _db.session.commit()


@pytest.fixture
def schools(db, tmp_path):  # type: ignore[no-untyped-def]
    files = []
    for text in (ORG_FORM, PERSON_FORM):
        key = re.search(r"key: (\w+)", text).group(1)
        files.append(tmp_path / f"{key}.yaml")
        files[-1].write_text(text, encoding="utf-8")
    world = published_world(*files)
    add_schools(world)
    return world


def search(client, url: str, text: str) -> list[dict]:
    reply = client.get(url, query_string={"q": text})
    assert reply.status_code == 200, reply.status_code
    return reply.get_json()["results"]


def test_the_checker_accepts_unit_choice_and_names_a_wrong_kind():
    good = load_text(ORG_FORM, "pick_school.yaml", expected_key="pick_school")
    assert good.ok, good.lines()
    bad = load_text(
        ORG_FORM.replace("kinds: [esa]", "kinds: [martian]"), "pick_school.yaml", expected_key="pick_school"
    )
    assert any("units.kinds[0]" in line and "martian" in line for line in bad.lines())
    wrong = load_text(
        ORG_FORM.replace("within: own_agency", "within: galaxy"), "pick_school.yaml", expected_key="pick_school"
    )
    assert any("units.within" in line for line in wrong.lines())


def test_search_is_scoped_capped_and_fast(client, auth, schools):
    rnd = make_round(schools, "pick_school")
    auth.login("school_a")  # school A is under agency X
    rid = start(client, rnd)
    url = f"/responses/{rid}/units/mentor"

    found = search(client, url, "หนองบัว")
    # schools named หนองบัว are i ≡ 0 (mod 6): all even, so all under X; 100 of them, capped at 20
    assert len(found) == 20
    assert all(int(r["value"][1:]) % 6 == 0 for r in found)
    assert found[0]["label"] == "โรงเรียนบ้านหนองบัว 0000 (S0000)"
    # S0001 is under Y: outside own_agency, found in the province-wide question
    assert search(client, url, "S0001") == []
    assert search(client, f"/responses/{rid}/units/partner", "S0001") == [{"value": "S0001", "label": "โรงเรียนบ้านโคกสูง 0001 (S0001)"}]  # fmt: skip
    assert search(client, url, "ยุบรวม") == []  # closed units are never offered
    assert search(client, url, "โรงเรียนเอ") == [{"value": "A0000001", "label": "โรงเรียนเอ (A0000001)"}]
    assert search(client, url, "%") == [] and search(client, url, "_") == []  # LIKE wildcards are literal
    assert search(client, url, "   ") == []
    assert search(client, f"/responses/{rid}/units/office", "สพ") == [
        {"value": "X0000001", "label": "สพป.ทดสอบ เขต 1 (X0000001)"},
        {"value": "Y0000001", "label": "สพม.ทดสอบ (Y0000001)"},
    ]

    started = time.perf_counter()
    for i in range(50):
        search(client, url, f"{i * 2:04d}")
    per_request = (time.perf_counter() - started) / 50
    print(f"search request: {per_request * 1000:.1f} ms")
    assert per_request < 0.15, per_request  # a whole request (session, scope check, definition) on a shared machine
    from survey_app.forms_engine.qtypes.unit import search_units, unit_scope

    rnd_defn = rnd.form_version.parsed
    mentor = rnd_defn.question_map()["mentor"]
    scope = unit_scope(mentor, schools["a"])
    started = time.perf_counter()
    for i in range(100):
        search_units(scope, f"บ้าน {i:02d}")
    per_query = (time.perf_counter() - started) / 100
    print(f"search query: {per_query * 1000:.2f} ms")
    assert per_query < 0.01  # the query itself: a few ms over 600 schools


def test_search_refuses_who_does_not_answer_the_response(client, auth, schools):
    rnd = make_round(schools, "pick_school")
    auth.login("school_a")
    rid = start(client, rnd)
    assert client.get(f"/responses/{rid}/units/note?q=a").status_code == 404  # not a unit_choice question
    assert client.get(f"/responses/{rid}/units/nothing?q=a").status_code == 404
    auth.logout()
    assert client.get(f"/responses/{rid}/units/mentor?q=S").status_code in (302, 401)
    for user in ("school_b", "cert_x", "province"):  # another school; its certifier; the province
        auth.login(user)
        assert client.get(f"/responses/{rid}/units/mentor?q=S").status_code == 404, user
        auth.logout()


def test_save_validates_the_code_against_the_allowed_set(client, auth, schools):
    rnd = make_round(schools, "pick_school")
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 1)
    block = html[html.index('id="q-mentor"') : html.index('id="q-office"')]
    assert block.count('<option value="S') == 300 and 'value="S0001"' not in block  # only X's schools
    assert f'data-picklist-url="/responses/{rid}/units/mentor"' in block

    cases = {
        "S0001": "ไม่พบหน่วยงานรหัส S0001 ในรายการที่ข้อนี้ให้เลือก",  # a real school, under Y
        "ZZZ": "ไม่พบหน่วยงานรหัส ZZZ ในรายการที่ข้อนี้ให้เลือก",
        "S9999": "หน่วยงาน โรงเรียนยุบรวม (S9999) ปิดการใช้งานแล้ว",
        "9" * 10240: "ไม่พบหน่วยงานรหัส 99999999999999999999…",
    }
    for code, message in cases.items():
        reply = save(client, rid, 1, {"mentor": code, "note": "เก็บไว้"}, action="save")
        body = reply.get_data(as_text=True)
        assert reply.status_code == 422, code
        assert message in body, code
        assert f'<option value="{code}" selected>' in body  # what was sent is kept in the field
        assert 'value="เก็บไว้"' in body
    ok = save(client, rid, 1, {"mentor": "S0002", "office__none": "y"}, action="save")
    assert ok.status_code == 302
    stored = {r.question_key: (r.state.value, r.value) for r in _db.session.scalars(select(AnswerRow).where(AnswerRow.response_id == rid))}  # fmt: skip
    assert stored["mentor"] == ("value", "S0002") and stored["office"] == ("none", None)
    again = page(client, rid, 1)
    assert '<option value="S0002" selected>โรงเรียนวัดป่าเลไลย์ 0002 (S0002)</option>' in again
    view = client.get(f"/responses/{rid}")
    assert view.status_code == 200 and "โรงเรียนวัดป่าเลไลย์ 0002 (S0002)" in view.get_data(as_text=True)


def test_the_page_adds_at_most_100_kb_for_600_schools(client, auth, schools):
    rnd = make_round(schools, "pick_school")
    auth.login("school_a")
    rid = start(client, rnd)
    html = page(client, rid, 0)
    block = html[html.index('id="q-partner"') :]
    block = block[: block.index("</select>")]
    assert block.count('<option value="') == 1 + 600 + 3  # the blank, 600 schools, A, B, C
    assert len(block.encode("utf-8")) <= 100_000, len(block.encode("utf-8"))


def test_person_link_searches_within_the_links_agency(client, schools):
    rnd = make_round(schools, "member_school")
    ru = _db.session.scalar(select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == schools["c"].id))  # fmt: skip
    url = f"/s/{ru.link_token}/units/school"
    found = search(client, url, "S000")
    assert {r["value"] for r in found} == {"S0001", "S0003", "S0005", "S0007", "S0009"}  # C is under Y: odd codes
    assert client.get(f"/s/{'x' * 30}/units/school?q=S").status_code == 404
    html = client.get(f"/s/{ru.link_token}").get_data(as_text=True)
    assert f'data-picklist-url="/s/{ru.link_token}/units/school"' in html
    token = csrf_token(client, f"/s/{ru.link_token}")
    refused = client.post(f"/s/{ru.link_token}", data={"csrf_token": token, "school": "S0000"})
    assert refused.status_code == 422 and "ไม่พบหน่วยงานรหัส S0000" in refused.get_data(as_text=True)
    token = csrf_token(client, f"/s/{ru.link_token}")
    sent = client.post(f"/s/{ru.link_token}", data={"csrf_token": token, "school": "โรงเรียนบ้านโคกสูง 0001 (S0001)"})
    assert sent.status_code == 302


def round_data(defn) -> RoundData:  # type: ignore[no-untyped-def]
    """22 answers: 20 name 17 units (S0000 ×3, S0002 ×2, S0004…S0032 once each: 15 units), 1 none, 1 N/A."""
    codes = ["S0000"] * 3 + ["S0002"] * 2 + [f"S{i:04d}" for i in range(4, 34, 2)]
    n = len(codes) + 2
    responses = pd.DataFrame({"response_id": range(1, n + 1), "org_unit_id": range(1, n + 1),
                              "code": [f"U{i}" for i in range(n)], "unit": [f"หน่วย {i}" for i in range(n)],
                              "kind": ["basic_school"] * n, "district": [None] * n, "path": ["/1/"] * n,
                              "status": ["submitted"] * n, "is_late": [False] * n,
                              "submitted_at": pd.to_datetime(["2024-01-05"] * n), "agency_id": [5] * n})  # fmt: skip
    answers = pd.DataFrame({"response_id": range(1, n + 1), "question_key": ["office"] * n,
                            "state": ["value"] * len(codes) + ["none", "na"], "value": [*codes, None, None],
                            "value_num": [float("nan")] * n})  # fmt: skip
    rnd = SimpleNamespace(id=1, per_person=False, fiscal_year=2567, title="รอบทดลอง")
    return RoundData(rnd, defn, Filters(status="submitted"), responses, answers)


def test_reports_count_per_unit_with_the_rest_as_others(app, schools):
    defn = load_text(ORG_FORM, "pick_school.yaml", expected_key="pick_school").definition
    assert defn is not None
    data = round_data(defn)
    result = aggregate(data, defn.question_map()["office"])
    rows = result.table.rows
    # of the 20 who named a unit: S0000 3 (15 %), S0002 2 (10 %), then 13 of the 15 single ones (by code,
    # 5 % each), then "others" = the last 2 (10 %); of all 22 answers: 3 → 13.64 %, 2 → 9.09 %, 1 → 4.55 %
    assert rows[0] == ["โรงเรียนบ้านหนองบัว 0000 (S0000)", 3, 15.0, 13.64]
    assert rows[1] == ["โรงเรียนวัดป่าเลไลย์ 0002 (S0002)", 2, 10.0, 9.09]
    assert rows[2] == ["โรงเรียนอนุบาลเมือง 0004 (S0004)", 1, 5.0, 4.55]
    assert rows[14][0].endswith("(S0028)") and len(rows) == 18
    assert rows[15] == ["หน่วยงานอื่น ๆ (2 หน่วยงาน)", 2, 10.0, 9.09]
    assert rows[16] == ["ไม่มี/ไม่เกี่ยวข้อง", 1, None, 4.55] and rows[17] == ["N/A (ยังไม่มีข้อมูล)", 1, None, 4.55]
    assert result.stats["n"] == 20 and result.stats["units"] == 17

    text = io.StringIO()
    write_csv(data, text, agencies={5: "สพป.ทดลอง"})
    table = list(csv.reader(io.StringIO(text.getvalue().lstrip("\ufeff"))))
    at = table[0].index("สำนักงานเขต")
    assert [r[at] for r in table[1:4]] == ["โรงเรียนบ้านหนองบัว 0000"] * 3  # the raw cell is the name
    assert [r[at] for r in table[-2:]] == ["ไม่มี", "N/A"]


def test_sample_answers_name_offered_units(schools):
    import random

    from survey_app.forms_engine.sample import sample_answers

    defn = load_text(ORG_FORM, "pick_school.yaml", expected_key="pick_school").definition
    answers = sample_answers(defn, random.Random(2), "basic_school", none_rate=0)
    offered = {f"S{i:04d}" for i in range(600)} | {"A0000001", "B0000001", "C0000001"}
    assert answers["partner"].value in offered and answers["office"].value in {"X0000001", "Y0000001"}
