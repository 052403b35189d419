"""Typed "ไม่มี" (issue 13, B10): a text answer that only says "none" where the question has a "ไม่มี" switch is
saved as typed, and the section page (after a save, when opened again, and in the autosave reply) warns beside
the field and offers the switch, until the user fixes it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from survey_app.extensions import db
from survey_app.forms_engine.answers import NONE_ANSWER, Answer, AnswerState
from survey_app.forms_engine.builder import SectionRead, typed_none_warnings
from survey_app.responses import operations
from survey_app.responses.models import Response
from tests.fixtures.answering import hidden, make_round, page, save, start

WARNING = 'ให้ติ๊กช่อง "ไม่มี" แทนการพิมพ์'
TEXT, LONG_TEXT = "q_1_1_2", "q_1_3_2"  # section 0 of the plan: text and long_text, both with a "ไม่มี" switch


def first_option(rid: int, key: str) -> str:
    return db.session.get(Response, rid).round.form_version.parsed.question_map()[key].options[0].value


def shown(rid: int, **typed: str) -> dict:
    """Post data that makes section 0's text questions shown (their choice question answered) with these texts."""
    data: dict = {"q_1_1_1": [first_option(rid, "q_1_1_1")], "q_1_3_1": [first_option(rid, "q_1_3_1")]}
    return data | typed


def block(html: str, key: str) -> str:
    """The markup of one question, from its wrapper to the next question's (entities such as &#34; read back)."""
    match = re.search(rf'id="q-{key}".*?(?=<div class="q q-|\Z)', html, re.S)
    assert match, f"question {key} not on the page"
    return unescape(match.group(0))


def stored(rid: int, key: str) -> Answer:
    db.session.expire_all()
    value = db.session.get(Response, rid).answer_map()[key]
    return Answer(AnswerState(value.state), value.value)


def autosave(client, rid: int, index: int, data: dict):
    """Post a section as form.js does every minute: the page's tokens, the X-Autosave header, no action."""
    html = page(client, rid, index)
    payload = {"csrf_token": hidden(html, "csrf_token"), "row_version": hidden(html, "row_version")} | data
    return client.post(
        f"/responses/{rid}/s/{index}", data=payload, content_type="multipart/form-data", headers={"X-Autosave": "1"}
    )


@pytest.fixture
def answering(client, auth, plan_round) -> int:
    auth.login("school_a")
    return start(client, plan_round)


def test_typed_none_is_saved_and_the_page_warns_beside_that_field(client, answering):
    rid = answering
    result = save(client, rid, 0, shown(rid, **{TEXT: "ไม่มี", LONG_TEXT: "โครงการวันเด็กและการเลือกตั้งสภานักเรียน"}))
    assert result.status_code == 302  # a warning, not an error: the save went through
    assert stored(rid, TEXT) == Answer.of("ไม่มี")
    html = page(client, rid, 0)
    warned = block(html, TEXT)
    assert WARNING in warned and 'คุณพิมพ์ว่า "ไม่มี"' in warned
    assert f'data-apply-none="{TEXT}"' in warned and f'name="{TEXT}__none"' in warned
    assert f'aria-describedby="help-{TEXT} warn-{TEXT}"' in warned
    assert WARNING not in block(html, LONG_TEXT)  # real text: nothing to say
    assert html.count("data-typed-none-for=") == 1


def test_a_dash_in_long_text_warns_too_and_the_page_with_an_error_shows_it(client, answering):
    rid = answering
    defn = db.session.get(Response, rid).round.form_version.parsed
    number = next(q for q in defn.sections[0].all_questions() if q.type == "integer" and q.show_if is None)
    result = save(client, rid, 0, shown(rid, **{LONG_TEXT: " - ", number.key: "สิบห้า"}), action="save")
    assert result.status_code == 422  # the number's error, not the dash
    html = result.get_data(as_text=True)
    assert "กรุณากรอกเป็นตัวเลข" in html
    assert WARNING in block(html, LONG_TEXT) and 'คุณพิมพ์ว่า "-"' in block(html, LONG_TEXT)
    assert stored(rid, LONG_TEXT) == Answer.of("-")
    # a field whose new text has an error shows the error only (the stored "-" is no longer what is on screen)
    too_long = "ก" * (defn.question_map()[LONG_TEXT].max_length + 1)
    again = save(client, rid, 0, shown(rid, **{LONG_TEXT: too_long}), action="save")
    assert again.status_code == 422
    field = block(again.get_data(as_text=True), LONG_TEXT)
    assert "ยาวเกิน" in field and WARNING not in field


def test_the_page_opened_later_warns_from_the_stored_answers(client, answering):
    """Answers stored before this check existed (or by any other path) warn as soon as the page is opened."""
    rid = answering
    response = db.session.get(Response, rid)
    defn = response.round.form_version.parsed
    answers = {"q_1_1_1": Answer.of([first_option(rid, "q_1_1_1")]), TEXT: Answer.of("ไม่ได้ดำเนินการ")}
    operations.save_answers(response, defn, SectionRead(answers=answers), response.row_version, None)
    db.session.commit()
    warned = block(page(client, rid, 0), TEXT)
    assert WARNING in warned and 'คุณพิมพ์ว่า "ไม่ได้ดำเนินการ"' in warned


def test_autosave_reply_carries_the_warning_and_drops_it_once_fixed(client, answering):
    rid = answering
    reply = autosave(client, rid, 0, shown(rid, **{TEXT: "ไม่มีครับ"}))
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["saved"] is True and body["errors"] == {}
    assert list(body["warnings"]) == [TEXT] and WARNING in body["warnings"][TEXT][0]
    assert stored(rid, TEXT) == Answer.of("ไม่มีครับ")
    fixed = autosave(client, rid, 0, shown(rid, **{f"{TEXT}__none": "y"})).get_json()
    assert fixed["saved"] is True and fixed["warnings"] == {}
    assert stored(rid, TEXT) == NONE_ANSWER


@pytest.mark.parametrize(
    "fix", [{f"{TEXT}__none": "y"}, {TEXT: "โครงการสถานศึกษาสีขาว"}], ids=["ticks the switch", "names a project"]
)
def test_the_warning_goes_once_the_user_fixes_it(client, answering, fix):
    rid = answering
    assert save(client, rid, 0, shown(rid, **{TEXT: "-"})).status_code == 302
    assert WARNING in block(page(client, rid, 0), TEXT)
    assert save(client, rid, 0, shown(rid, **fix)).status_code == 302
    html = page(client, rid, 0)
    assert WARNING not in html and "data-typed-none-for" not in html


def test_only_shown_text_with_a_none_switch_that_only_says_none_warns(world):
    """The one rule, on the real definitions: no switch, real text, a hidden question or a number never warn."""
    plan = world["versions"]["phetchabun_plan"].parsed
    section = plan.sections[0]
    chosen = Answer.of([section.all_questions()[0].options[0].value])
    answers = {
        "q_1_1_1": chosen,
        "q_1_3_1": chosen,
        TEXT: Answer.of('"ไม่มี"'),
        LONG_TEXT: Answer.of("ไม่มีงบ แต่ทำกิจกรรมหน้าเสาธง"),
    }
    warnings = typed_none_warnings(section, answers, "basic_school")
    assert list(warnings) == [TEXT] and 'คุณพิมพ์ว่า "ไม่มี" —' in warnings[TEXT][0]
    hidden = answers | {"q_1_1_1": NONE_ANSWER}  # q_1_1_2 is asked only when something was done
    assert typed_none_warnings(section, hidden, "basic_school") == {}
    number = next(q for q in section.all_questions() if q.type == "integer" and getattr(q, "allow_none", False))
    assert typed_none_warnings(section, {number.key: Answer.of(0)}, "basic_school") == {}
    buddhist = world["versions"]["buddhist_way"].parsed
    notes = next(sec for sec in buddhist.sections if any(q.key == "bw_note" for q in sec.all_questions()))
    assert typed_none_warnings(notes, {"bw_note": Answer.of("ไม่มี")}, "basic_school") == {}  # no switch to offer


def test_a_text_without_a_none_switch_gets_no_warning_on_the_page(client, auth, world):
    rnd = make_round(world, "buddhist_way")
    auth.login("school_a")
    rid = start(client, rnd)
    defn = db.session.get(Response, rid).round.form_version.parsed
    index = next(i for i, sec in enumerate(defn.sections) if any(q.key == "bw_note" for q in sec.all_questions()))
    assert save(client, rid, index, {"bw_note": "ไม่มี"}).status_code == 302
    html = page(client, rid, index)
    assert "ไม่มี" in block(html, "bw_note") and "data-typed-none-for" not in html
    reply = autosave(client, rid, index, {"bw_note": "-"}).get_json()
    assert reply["saved"] is True and reply["warnings"] == {}
