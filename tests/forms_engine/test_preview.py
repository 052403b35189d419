"""Each questionnaire renders, validates, refuses incomplete submissions naming what is missing,
and keeps "none" exclusive on the server."""

import random
import re
from pathlib import Path

import pytest

from survey_app.forms_engine.operations import publish_files
from survey_app.forms_engine.qtypes.base import NONE_VALUE
from survey_app.forms_engine.sample import sample_answers
from tests.factories import province_with_users
from tests.fixtures.app import csrf_token
from tests.forms_engine.helpers import post_data

ROOT = Path(__file__).resolve().parents[2]
FORMS = {  # form key -> the org kind that answers it in the test
    "phetchabun_plan": "primary_esa",
    "od_survey": "primary_esa",
    "tablet_satisfaction": "basic_school",
    "buddhist_way": "basic_school",
}


@pytest.fixture
def published(db, client, auth):
    province_with_users()
    outcomes = publish_files(sorted((ROOT / "form_definitions").glob("*.yaml")))
    db.session.commit()
    auth.login("province")
    return {o.version.form_key: o.version for o in outcomes}


def state_of(html: str) -> str:
    return re.search(r'name="preview_state" value="([^"]*)"', html).group(1)


def post_section(client, version, index, data, state, kind, **extra):
    url = f"/forms/{version.id}/preview"
    payload = {"csrf_token": csrf_token(client, f"{url}?s={index}&as_kind={kind}"), "s": index, "as_kind": kind}
    payload |= {"preview_state": state, **data, **extra}
    return client.post(url, data=payload, content_type="multipart/form-data")


@pytest.mark.parametrize("key", FORMS)
def test_every_section_renders(client, published, key):
    version = published[key]
    for index, section in enumerate(version.parsed.sections):
        response = client.get(f"/forms/{version.id}/preview?s={index}&as_kind={FORMS[key]}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert section.title.th.replace('"', "&#34;") in html
        assert 'data-testid="progress"' in html


@pytest.mark.parametrize("key", FORMS)
def test_incomplete_submission_is_refused_naming_the_missing_items(client, published, key):
    version = published[key]
    response = post_section(client, version, 0, {}, "", FORMS[key], action="submit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="missing"' in html
    first_required = next(q for q in version.parsed.questions() if q.required and q.type != "info")
    assert first_required.label.th[:40].replace('"', "&#34;") in html


@pytest.mark.parametrize("key", FORMS)
def test_complete_answers_pass_section_by_section(client, published, key):
    version = published[key]
    defn, kind = version.parsed, FORMS[key]
    answers = sample_answers(defn, random.Random(7), kind, files=None)
    state = ""
    for index, section in enumerate(defn.sections):
        data = post_data(defn, section, answers)
        for q in section.all_questions():
            if q.type == "file" and q.key in {a.key for a in defn.questions()} and _asked(q, kind) and q.required:
                data[q.key] = (__import__("io").BytesIO(b"%PDF-1.4 test"), "report.pdf")
        response = post_section(client, version, index, data, state, kind, go=index)
        assert response.status_code == 200, re.findall(r"field-error[^>]*>([^<]*)", response.get_data(as_text=True))
        state = state_of(response.get_data(as_text=True))
    final = post_section(client, version, 0, post_data(defn, defn.sections[0], answers), state, kind, action="submit")
    assert 'data-testid="complete"' in final.get_data(as_text=True)


def _asked(q, kind):
    from survey_app.forms_engine.audience import includes

    return includes(q.audience, kind)


def test_none_cannot_be_combined_with_another_option(client, published):
    version = published["phetchabun_plan"]
    section = version.parsed.sections[0]
    multi = next(q for q in section.all_questions() if q.type == "multiple_choice")
    data = {multi.key: [multi.options[0].value, NONE_VALUE]}
    response = post_section(client, version, 0, data, "", "basic_school")
    assert response.status_code == 422
    assert "ร่วมกับตัวเลือกอื่นไม่ได้" in response.get_data(as_text=True)


def test_none_checkbox_and_typed_text_conflict_keeps_the_text(client, published):
    version = published["phetchabun_plan"]
    defn = version.parsed
    text_q = next(q for q in defn.questions() if q.type == "text" and q.allow_none)
    index = next(i for i, sec in enumerate(defn.sections) if text_q in sec.all_questions())
    answers = sample_answers(defn, random.Random(1), "basic_school", none_rate=0)
    data = post_data(defn, defn.sections[index], answers)
    data |= {text_q.key: "โครงการ <script>alert(1)</script>", f"{text_q.key}__none": "y"}
    response = post_section(client, version, index, data, "", "basic_school")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ต้องไม่กรอกคำตอบในช่อง" in html
    assert "โครงการ &lt;script&gt;alert(1)&lt;/script&gt;" in html  # what was typed stays, inert
    assert "<script>alert(1)" not in html


def test_numbers_accept_thai_digits_and_refuse_junk(client, published):
    version = published["phetchabun_plan"]
    defn = version.parsed
    number_q = next(q for q in defn.questions() if q.type == "integer" and q.show_if is None and not q.checks)
    index = next(i for i, sec in enumerate(defn.sections) if number_q in sec.all_questions())
    bad = post_section(client, version, index, {number_q.key: "1e309"}, "", "basic_school")
    assert bad.status_code == 422 and 'value="1e309"' in bad.get_data(as_text=True)
    good = post_section(client, version, index, {number_q.key: "๑,๒๓๔"}, "", "basic_school")
    assert f'name="{number_q.key}" value="1234"' in good.get_data(as_text=True) or good.status_code == 200


def test_preview_is_for_admins_only(client, auth, published):
    auth.logout()
    auth.login("school_a")
    assert client.get(f"/forms/{published['od_survey'].id}/preview").status_code == 403
    assert client.get("/forms/").status_code == 403
