"""Repeating groups on the answering side (issue 16): rows added and removed by the section form's own buttons
(a row keeps its id and answers when another goes), "no projects", min_rows/max_rows, conditions inside a row,
completeness and the pages that name a row field; hostile posts never a 500 and never stored."""

from __future__ import annotations

import re
from html import unescape

import pytest

from survey_app.extensions import db
from survey_app.forms_engine.answers import AnswerState
from survey_app.responses.models import Response
from survey_app.review.operations import return_response
from tests.fixtures.answering import ROOT, make_round, page, published_world, save, start, submit
from tests.fixtures.app import csrf_token

DEFINITION = ROOT / "tests" / "forms_engine" / "valid" / "repeat_projects.yaml"
ROW_ID = re.compile(r'id="row-projects-(r[a-z0-9]{6})"')


@pytest.fixture
def world(db) -> dict:
    return published_world(DEFINITION)


@pytest.fixture
def rid(world, client, auth) -> int:
    rnd = make_round(world, "repeat_projects")
    auth.login("school_a")
    return start(client, rnd)


def stored(rid: int) -> dict:
    db.session.expire_all()
    return {k: (a.state, a.value) for k, a in db.session.get(Response, rid).answer_map().items()}


def rows_on_page(html: str) -> list[str]:
    return ROW_ID.findall(html)


def add_row(client, rid: int, data: dict | None = None, group: str = "projects", index: int = 0):
    return save(client, rid, index, data or {}, row_action=f"add:{group}")


def three_rows(client, rid: int) -> list[str]:
    for _ in range(3):
        assert add_row(client, rid).status_code == 302
    rows = rows_on_page(page(client, rid, 0))
    assert len(rows) == 3
    return rows


def test_add_three_rows_type_and_remove_the_middle_one(client, rid):
    result = add_row(client, rid, {"reporter": "ครูสมศรี"})
    assert result.status_code == 302
    assert re.search(r"#row-projects-r[a-z0-9]{6}$", result.headers["Location"])  # back at the new row
    first = rows_on_page(page(client, rid, 0))
    assert len(first) == 1 and stored(rid)["reporter"] == (AnswerState.VALUE, "ครูสมศรี")
    add_row(client, rid)
    add_row(client, rid)
    a, b, c = rows_on_page(page(client, rid, 0))
    assert a == first[0]  # rows keep their order and ids
    typed = {
        f"projects-{a}-name": "อ่านออกเขียนได้", f"projects-{a}-budget": "12,000",
        f"projects-{b}-name": "ธนาคารขยะ", f"projects-{b}-budget": "3000",
        f"projects-{c}-name": "สะเต็มศึกษา", f"projects-{c}-budget": "45000",
        f"projects-{c}-has_partner": "yes", f"projects-{c}-partner": "อบต.นาเฉลียง",
    }  # fmt: skip
    assert save(client, rid, 0, typed, action="save").status_code == 302
    answers = stored(rid)
    assert answers["projects"] == (AnswerState.VALUE, [a, b, c])
    assert answers[f"projects-{a}-budget"] == (AnswerState.VALUE, 12000)

    html = page(client, rid, 0)
    assert "โครงการที่ 1" in html and "โครงการที่ 3" in html
    kept = {k: v for k, v in typed.items() if f"-{b}-" not in k}  # the browser posts every field on the page
    assert save(client, rid, 0, kept, html=html, row_action=f"remove:projects:{b}").status_code == 302
    answers = stored(rid)
    assert answers["projects"] == (AnswerState.VALUE, [a, c])  # c keeps its id
    assert not [k for k in answers if k.startswith(f"projects-{b}-")]  # b's answers are gone
    assert answers[f"projects-{c}-name"] == (AnswerState.VALUE, "สะเต็มศึกษา")
    assert answers[f"projects-{c}-partner"] == (AnswerState.VALUE, "อบต.นาเฉลียง")
    html = page(client, rid, 0)
    assert rows_on_page(html) == [a, c]
    assert re.search(rf'id="row-projects-{c}".*?<h4>โครงการที่ 2</h4>', html, re.S)  # numbered again


def test_what_was_typed_is_kept_when_a_row_is_added(client, rid):
    add_row(client, rid)
    (a,) = rows_on_page(page(client, rid, 0))
    result = add_row(client, rid, {f"projects-{a}-name": "ห้องสมุดมีชีวิต", f"projects-{a}-budget": "900"})
    assert result.status_code == 302
    answers = stored(rid)
    assert answers[f"projects-{a}-name"] == (AnswerState.VALUE, "ห้องสมุดมีชีวิต")
    assert len(answers["projects"][1]) == 2


def test_a_row_action_with_an_error_elsewhere_keeps_the_typing_and_shows_the_new_row(client, rid):
    add_row(client, rid)
    (a,) = rows_on_page(page(client, rid, 0))
    result = add_row(client, rid, {f"projects-{a}-name": "ค่ายวิทย์", f"projects-{a}-budget": "-5"})
    html = unescape(result.get_data(as_text=True))
    assert result.status_code == 422
    assert len(rows_on_page(html)) == 2  # the row was added anyway
    assert 'value="-5"' in html  # what was typed stays on the page
    assert stored(rid)[f"projects-{a}-name"] == (AnswerState.VALUE, "ค่ายวิทย์")  # the valid answer saved
    assert f"projects-{a}-budget" not in stored(rid)
    assert "โครงการภายใต้ตัวชี้วัดนี้ · โครงการที่ 1 · งบประมาณ (บาท)" in html  # the summary names the row


def test_no_projects_clears_the_rows_and_answers_the_group(client, rid):
    rows = three_rows(client, rid)
    save(client, rid, 0, {f"projects-{rows[0]}-name": "ก"}, action="save")
    assert save(client, rid, 0, {"projects__none": "y", "reporter": "ครูสมศรี"}, action="save").status_code == 302
    answers = stored(rid)
    assert answers["projects"] == (AnswerState.NONE, None)
    assert not [k for k in answers if k.startswith("projects-")]
    html = page(client, rid, 0)
    assert rows_on_page(html) == []
    assert re.search(r'name="projects__none"[^>]*checked', html)
    assert "ไม่มีโครงการ" in html
    # switching it off leaves the group unanswered again
    save(client, rid, 0, {"reporter": "ครูสมศรี"}, action="save")
    assert "projects" not in stored(rid)


def test_max_rows_disables_add_and_a_forced_add_is_refused(client, rid):
    for _ in range(4):
        assert add_row(client, rid).status_code == 302
    html = page(client, rid, 0)
    assert len(rows_on_page(html)) == 4
    assert re.search(r'<button type="submit" class="secondary" disabled data-testid="add-projects"', html)
    assert "เพิ่มได้ไม่เกิน 4 รายการ" in html
    result = add_row(client, rid)
    assert result.status_code == 422
    assert "เพิ่มได้ไม่เกิน 4 รายการ" in result.get_data(as_text=True)
    assert len(stored(rid)["projects"][1]) == 4


def test_min_rows_are_shown_from_the_start_and_removing_below_is_refused(client, rid):
    html = page(client, rid, 1)
    assert re.findall(r'id="row-kpis-(r[a-z0-9]{6})"', html) == ["r000001", "r000002"]
    assert "kpis" not in stored(rid)  # nothing written by opening the page
    result = save(client, rid, 1, {"kpis-r000001-title": "การอ่าน", "kpis-r000001-score": "4"}, action="save")
    assert result.status_code == 302
    answers = stored(rid)
    assert answers["kpis"] == (AnswerState.VALUE, ["r000001", "r000002"])
    assert answers["kpis-r000001-score"] == (AnswerState.VALUE, 4)
    typed = {"kpis-r000001-title": "การอ่าน", "kpis-r000001-score": "4"}
    result = save(client, rid, 1, typed, row_action="remove:kpis:r000002")
    assert result.status_code == 422
    assert "ต้องมีอย่างน้อย 2 รายการ จึงลบรายการนี้ไม่ได้" in result.get_data(as_text=True)
    assert stored(rid)["kpis"] == (AnswerState.VALUE, ["r000001", "r000002"])
    assert add_row(client, rid, group="kpis", index=1).status_code == 302
    rows = stored(rid)["kpis"][1]
    assert len(rows) == 3
    assert save(client, rid, 1, typed, row_action=f"remove:kpis:{rows[2]}").status_code == 302
    assert stored(rid)["kpis"][1] == ["r000001", "r000002"]
    assert stored(rid)["kpis-r000001-title"] == (AnswerState.VALUE, "การอ่าน")


def test_a_condition_inside_a_row_reads_its_own_row(client, rid):
    add_row(client, rid)
    add_row(client, rid)
    a, b = rows_on_page(page(client, rid, 0))
    data = {
        f"projects-{a}-has_partner": "yes", f"projects-{a}-partner": "วัดป่า",
        f"projects-{b}-has_partner": "no", f"projects-{b}-partner": "ไม่ควรเก็บ",
    }  # fmt: skip
    assert save(client, rid, 0, data, action="save").status_code == 302
    answers = stored(rid)
    assert answers[f"projects-{a}-partner"] == (AnswerState.VALUE, "วัดป่า")
    assert f"projects-{b}-partner" not in answers  # hidden in row b: not stored
    html = page(client, rid, 0)
    assert re.search(rf'id="q-projects-{b}-partner"[^>]*hidden', html)
    assert f'"question": "projects-{a}-has_partner"' in unescape(html)  # the browser's show_if names the row


def test_completeness_counts_rows_and_names_row_fields(client, rid):
    submit(client, rid)
    check = client.get(f"/responses/{rid}/submit").get_data(as_text=True)
    assert "โครงการภายใต้ตัวชี้วัดนี้" in check
    add_row(client, rid)
    (a,) = rows_on_page(page(client, rid, 0))
    save(client, rid, 0, {"reporter": "ครู", f"projects-{a}-name": "ค่าย"}, action="save")
    save(client, rid, 1, {"kpis-r000001-title": "ก", "kpis-r000001-score": "3",
                          "kpis-r000002-title": "ข", "kpis-r000002-score": "5"}, action="save")  # fmt: skip
    check = unescape(client.get(f"/responses/{rid}/submit").get_data(as_text=True))
    missing = re.findall(r'<li><a href="[^"]*#q-([^"]+)">([^<]*)</a></li>', check)
    assert missing == [(f"projects-{a}-budget", "โครงการภายใต้ตัวชี้วัดนี้ · โครงการที่ 1 · งบประมาณ (บาท)")]
    assert f"/responses/{rid}/s/0#q-projects-{a}-budget" in check  # the row's section
    response = db.session.get(Response, rid)
    # required and shown: reporter, projects, name, budget (has_partner is optional, partner hidden), kpis and
    # 2 rows × (title, score): 9; answered all but the budget: 8
    assert (response.answered_count, response.required_count) == (8, 9)
    save(client, rid, 0, {"reporter": "ครู", f"projects-{a}-name": "ค่าย", f"projects-{a}-budget": "0"}, action="save")
    assert submit(client, rid).status_code == 302
    db.session.expire_all()
    response = db.session.get(Response, rid)
    assert response.status.value == "submitted"
    assert stored(rid)[f"projects-{a}-budget"] == (AnswerState.VALUE, 0)  # rows survive the submit's pruning
    view = unescape(client.get(f"/responses/{rid}").get_data(as_text=True))
    assert re.search(
        r'data-testid="answer-row-projects-1".*?<h4>โครงการที่ 1</h4>.*?ชื่อโครงการ</dt>\s*<dd[^>]*>ค่าย', view, re.S
    )
    assert "1 รายการ" in view


def test_a_required_group_needs_a_row_or_none(client, rid):
    save(client, rid, 0, {"reporter": "ครู"}, action="save")
    check = unescape(client.get(f"/responses/{rid}/submit").get_data(as_text=True))
    assert '#q-projects"' in check
    save(client, rid, 0, {"reporter": "ครู", "projects__none": "y"}, action="save")
    check = unescape(client.get(f"/responses/{rid}/submit").get_data(as_text=True))
    assert '#q-projects"' not in check


# --- hostile posts -------------------------------------------------------------------------------------------


def test_unknown_row_ids_and_injected_keys_are_ignored(client, rid):
    add_row(client, rid)
    (a,) = rows_on_page(page(client, rid, 0))
    data = {
        "projects-rzzzzzz-name": "แอบใส่",  # a row the server never made
        "projects-r000001-name": "seed ของกลุ่มที่ไม่มี min_rows",
        f"projects-{a}-nosuchfield": "x",
        f"reporter-{a}-name": "x",
        f"projects-{a}-name-{a}-name": "x",
        "projects": "rhacked,rother1",
        f"projects-{a}-name": "จริง",
    }
    result = save(client, rid, 0, data, action="save")
    assert result.status_code == 302
    answers = stored(rid)
    assert answers["projects"] == (AnswerState.VALUE, [a])
    assert {k for k in answers if k.startswith("projects-")} == {f"projects-{a}-name"}
    assert answers[f"projects-{a}-name"] == (AnswerState.VALUE, "จริง")


@pytest.mark.parametrize(
    "action",
    ["remove:projects:rzzzzzz", "add:reporter", "add:nosuch", "remove:projects", "add:projects;drop", "x" * 5000,
     "remove:kpis:r000001", "add:PROJECTS", "remove:projects:r000001:extra"],
)  # fmt: skip
def test_forged_row_actions_change_nothing(client, rid, action):
    add_row(client, rid)
    before = stored(rid)
    result = save(client, rid, 0, {}, row_action=action)
    assert result.status_code in (302, 422)
    assert stored(rid) == before


def test_ten_thousand_posted_rows_are_not_stored(client, rid):
    add_row(client, rid)
    (a,) = rows_on_page(page(client, rid, 0))
    data = {f"projects-r{n:06d}-name": f"แถว {n}" for n in range(10_000)}
    data[f"projects-{a}-name"] = "ของจริง"
    as_files = save(client, rid, 0, data, action="save")  # multipart: refused whole by the parts limit
    assert as_files.status_code == 413
    assert "ของจริง" not in str(stored(rid))
    html = page(client, rid, 0)
    data |= {"csrf_token": csrf_token(client, f"/responses/{rid}/s/0"), "action": "save"}
    data["row_version"] = re.search(r'name="row_version"[^>]*value="([^"]*)"', html).group(1)
    result = client.post(f"/responses/{rid}/s/0", data=data)  # urlencoded: read, and only the real row kept
    assert result.status_code == 302
    answers = stored(rid)
    assert answers["projects"] == (AnswerState.VALUE, [a])
    assert len([k for k in answers if k.startswith("projects-")]) == 1


def test_adding_rows_past_the_maximum_by_replaying_posts_stops_at_the_maximum(client, rid):
    html = page(client, rid, 0)
    token = csrf_token(client, f"/responses/{rid}/s/0")
    for _ in range(8):
        version = re.search(r'name="row_version"[^>]*value="([^"]*)"', page(client, rid, 0)).group(1)
        client.post(
            f"/responses/{rid}/s/0", data={"csrf_token": token, "row_version": version, "row_action": "add:projects"}
        )
    assert len(stored(rid)["projects"][1]) == 4
    assert html  # the first page rendered


def test_a_stale_page_does_not_read_rows_it_did_not_show(client, rid):
    old = page(client, rid, 0)
    add_row(client, rid)  # another tab adds a row
    (a,) = rows_on_page(page(client, rid, 0))
    result = save(client, rid, 0, {f"projects-{a}-name": "จากหน้าเก่า"}, html=old, action="save")
    assert result.status_code == 409  # the page is out of date: nothing written
    assert f"projects-{a}-name" not in stored(rid)


def test_a_conflict_names_the_changed_row_field_by_group_row_and_label(client, rid):
    add_row(client, rid)
    add_row(client, rid)
    _, b = rows_on_page(page(client, rid, 0))
    mine = page(client, rid, 0)  # this tab is opened, then another tab saves row 2's name
    assert save(client, rid, 0, {f"projects-{b}-name": "จากอีกแท็บ"}, action="save").status_code == 302
    result = save(client, rid, 0, {f"projects-{b}-name": "จากแท็บนี้"}, html=mine, action="save")
    html = unescape(result.get_data(as_text=True))
    assert result.status_code == 409
    assert "1.2 โครงการภายใต้ตัวชี้วัดนี้ · โครงการที่ 2 · ชื่อโครงการ" not in html  # the group's code is not repeated
    assert "โครงการภายใต้ตัวชี้วัดนี้ · โครงการที่ 2 · ชื่อโครงการ —" in html


def test_the_certifiers_changes_since_return_name_the_row(client, auth, rid, world):
    add_row(client, rid)
    (a,) = rows_on_page(page(client, rid, 0))
    save(client, rid, 0, {"reporter": "ครู", f"projects-{a}-name": "ค่าย", f"projects-{a}-budget": "500"}, action="save")
    kpis = {"kpis-r000001-title": "ก", "kpis-r000001-score": "3", "kpis-r000002-title": "ข", "kpis-r000002-score": "5"}
    save(client, rid, 1, kpis, action="save")
    assert submit(client, rid).status_code == 302
    return_response(db.session.get(Response, rid), "แก้ชื่อโครงการ", {}, world["cert_x"].id)
    db.session.commit()
    typed = {"reporter": "ครู", f"projects-{a}-name": "ค่ายวิทยาศาสตร์", f"projects-{a}-budget": "500"}
    assert save(client, rid, 0, typed, action="save").status_code == 302
    assert submit(client, rid).status_code == 302
    auth.logout()
    auth.login("cert_x")
    html = unescape(client.get(f"/review/responses/{rid}").get_data(as_text=True))
    changes = re.search(r'data-testid="changes".*?</table>', html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", changes, re.S)]
    assert cells == ["โครงการภายใต้ตัวชี้วัดนี้ · โครงการที่ 1 · ชื่อโครงการ", "ค่าย", "ค่ายวิทยาศาสตร์"]
