"""Person-level surveys: unguessable unit links, anonymous answers tied to the unit, guards and codes."""

import random
import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses.models import PersonCode, Response, ResponseStatus
from survey_app.rounds.models import RoundUnit
from tests.fixtures.answering import make_round
from tests.fixtures.app import csrf_token
from tests.forms_engine.helpers import post_data


def link_of(world, rnd, unit_key="a"):  # type: ignore[no-untyped-def]
    ru = db.session.scalar(
        select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == world[unit_key].id)
    )
    return f"/s/{ru.link_token}", ru


def complete_post(rnd, kind="basic_school", seed=1):  # type: ignore[no-untyped-def]
    defn = rnd.form_version.parsed
    answers = sample_answers(defn, random.Random(seed), kind)
    data: dict = {}
    for section in defn.sections:
        data |= post_data(defn, section, answers)
    return data


def person_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response).where(Response.org_slot.is_(None))) or 0


def test_teacher_answers_anonymously_through_the_unit_link(app, client, world):
    rnd = make_round(world, "tablet_satisfaction")
    url, ru = link_of(world, rnd)
    assert len(ru.link_token) >= 20
    teacher = app.test_client()
    page = teacher.get(url)
    assert page.status_code == 200 and "ส่งแบบสอบถาม" in page.get_data(as_text=True)
    data = complete_post(rnd) | {"csrf_token": csrf_token(teacher, url)}
    sent = teacher.post(url, data=data)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/thanks")
    thanks = teacher.get(sent.headers["Location"]).get_data(as_text=True)
    assert "ขอบคุณ" in thanks and "โรงเรียน" not in thanks.split("<main")[1].split("</main>")[0].replace(
        rnd.form_version.title_th, ""
    )
    response = db.session.scalar(select(Response).where(Response.org_slot.is_(None)))
    assert response.org_unit_id == world["a"].id and response.created_by_id is None
    assert response.status == ResponseStatus.SUBMITTED


def test_many_teachers_per_unit_and_incomplete_answers_are_refused(app, world):
    rnd = make_round(world, "tablet_satisfaction")
    url, _ = link_of(world, rnd)
    for seed in range(3):
        teacher = app.test_client()
        teacher.post(url, data=complete_post(rnd, seed=seed) | {"csrf_token": csrf_token(teacher, url)})
    partial = app.test_client()
    refused = partial.post(url, data={"csrf_token": csrf_token(partial, url)})
    assert refused.status_code == 422 and "กรุณาตอบข้อนี้" in refused.get_data(as_text=True)
    assert person_count() == 3


def test_same_browser_is_warned_before_answering_again(app, world):
    rnd = make_round(world, "tablet_satisfaction")
    url, _ = link_of(world, rnd)
    teacher = app.test_client()
    teacher.post(url, data=complete_post(rnd) | {"csrf_token": csrf_token(teacher, url)})
    again = teacher.get(url).get_data(as_text=True)
    assert "อุปกรณ์นี้ส่งคำตอบแบบสอบถามนี้แล้ว" in again
    assert teacher.get(f"{url}?again=1").status_code == 200


def test_unknown_link_is_404_and_org_round_has_no_link(app, world):
    make_round(world, "tablet_satisfaction")
    assert app.test_client().get("/s/not-a-real-token").status_code == 404


def test_one_time_codes_allow_exactly_one_answer_each(app, client, auth, world):
    rnd = make_round(world, "tablet_satisfaction", identity="code")
    url, ru = link_of(world, rnd)
    auth.login("school_a")
    token = csrf_token(client, f"/rounds/{rnd.id}/share")
    client.post(f"/rounds/{rnd.id}/share", data={"csrf_token": token, "count": "2"})
    codes = db.session.scalars(select(PersonCode.code).where(PersonCode.round_unit_id == ru.id)).all()
    assert len(codes) == 2
    teacher = app.test_client()
    ok = teacher.post(
        url, data=complete_post(rnd) | {"csrf_token": csrf_token(teacher, url), "respondent_code": codes[0]}
    )
    assert ok.status_code == 302
    other = app.test_client()
    reused = other.post(
        url, data=complete_post(rnd) | {"csrf_token": csrf_token(other, url), "respondent_code": codes[0]}
    )
    assert reused.status_code == 422 and "ถูกใช้ไปแล้ว" in reused.get_data(as_text=True)
    assert person_count() == 1


def test_share_page_shows_link_and_qr_to_the_unit_only(client, auth, world):
    rnd = make_round(world, "tablet_satisfaction")
    auth.login("school_a")
    html = client.get(f"/rounds/{rnd.id}/share").get_data(as_text=True)
    assert "<svg" in html and re.search(r"/s/[\w-]{20,}", html)
    auth.logout()
    auth.login("cert_y")
    assert client.get(f"/rounds/{rnd.id}/share").status_code == 404  # Y is not expected in a school round


def test_posting_is_rate_limited(app, world, monkeypatch):
    monkeypatch.setattr("survey_app.responses.views.person.POSTS_PER_WINDOW", 3)
    rnd = make_round(world, "tablet_satisfaction")
    url, _ = link_of(world, rnd)
    teacher = app.test_client()
    codes = [teacher.post(url, data={"csrf_token": csrf_token(teacher, url)}).status_code for _ in range(5)]
    assert codes[:3] == [422, 422, 422] and codes[3:] == [429, 429]
