"""Person surveys against stuffing: the same-browser guard on posts, device hashes, duplicate flags, rate
limits that let a school's meeting through but not a script, HEAD as a look, and malformed link tokens."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import event, func, select, update

from survey_app.core.ratelimit import RateLimitHit
from survey_app.extensions import db
from survey_app.reports.data import Filters, RoundData, load_round
from survey_app.reports.duplicates import DuplicateFlags, probable_duplicates
from survey_app.responses.models import Response
from survey_app.responses.person import device_hash
from survey_app.responses.views import person as person_views
from survey_app.rounds.queries import round_unit_by_token
from tests.fixtures.answering import hidden, make_round
from tests.fixtures.app import csrf_token
from tests.responses.test_person_surveys import complete_post, link_of, person_count

ALREADY = "อุปกรณ์นี้ส่งคำตอบแบบสอบถามนี้แล้ว"
TOO_FAST = "ส่งคำตอบถี่เกินไป"


@pytest.fixture
def tablet(world):  # type: ignore[no-untyped-def]
    """An open person round (tablet satisfaction) and school A's link."""
    rnd = make_round(world, "tablet_satisfaction")
    url, ru = link_of(world, rnd)
    return SimpleNamespace(rnd=rnd, url=url, ru=ru)


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """The rate limiter's clock, set by the test (mid-way through a ten-second window to start with)."""
    now = SimpleNamespace(value=1_800_000_005.0)
    monkeypatch.setattr("survey_app.core.ratelimit.time", SimpleNamespace(time=lambda: now.value))
    return now


def answer(app, tablet, seed=1):  # type: ignore[no-untyped-def]
    """A fresh browser opens the link and sends complete answers; returns (browser, response)."""
    browser = app.test_client()
    data = complete_post(tablet.rnd, seed=seed) | {"csrf_token": csrf_token(browser, tablet.url)}
    return browser, browser.post(tablet.url, data=data)


def again_form(browser, tablet) -> dict:  # type: ignore[no-untyped-def]
    """What the "another person answers on this device" form carries: its CSRF token and its choice."""
    html = browser.get(f"{tablet.url}?again=1").get_data(as_text=True)
    return {"csrf_token": hidden(html, "csrf_token"), "again": hidden(html, "again")}


# --- 1. the same-browser guard holds on POST -----------------------------------------------------------


def test_posting_again_from_a_browser_that_answered_is_refused(app, tablet):
    browser = app.test_client()
    token = csrf_token(browser, tablet.url)
    assert browser.post(tablet.url, data=complete_post(tablet.rnd) | {"csrf_token": token}).status_code == 302
    again = browser.post(tablet.url, data=complete_post(tablet.rnd, seed=2) | {"csrf_token": token})
    assert again.status_code == 409 and ALREADY in again.get_data(as_text=True)
    assert person_count() == 1


def test_another_person_on_the_same_device_answers_once_per_choice(app, tablet):
    browser, first = answer(app, tablet)
    assert first.status_code == 302
    choice = again_form(browser, tablet)
    second = browser.post(tablet.url, data=complete_post(tablet.rnd, seed=2) | choice)
    assert second.status_code == 302 and person_count() == 2
    replayed = browser.post(tablet.url, data=complete_post(tablet.rnd, seed=3) | choice)  # the choice is spent
    assert replayed.status_code == 409 and person_count() == 2
    assert (
        browser.post(tablet.url, data=complete_post(tablet.rnd, seed=4) | again_form(browser, tablet)).status_code
        == 302
    )
    assert person_count() == 3


def test_the_choice_cannot_be_forged_or_taken_from_another_browser(app, tablet):
    browser, _ = answer(app, tablet)
    other, _ = answer(app, tablet, seed=2)
    stolen = again_form(other, tablet)["again"]
    own = again_form(browser, tablet)
    for forged in ("1", "yes", own["again"][:-2] + "xx", stolen):
        refused = browser.post(tablet.url, data=complete_post(tablet.rnd, seed=3) | own | {"again": forged})
        assert refused.status_code == 409, forged
    assert person_count() == 2


def test_the_choice_survives_a_form_sent_back_for_missing_answers(app, tablet):
    browser, _ = answer(app, tablet)
    choice = again_form(browser, tablet)
    incomplete = browser.post(tablet.url, data=choice)
    assert incomplete.status_code == 422
    assert hidden(incomplete.get_data(as_text=True), "again") == choice["again"]
    assert browser.post(tablet.url, data=complete_post(tablet.rnd, seed=2) | choice).status_code == 302


# --- 2. a random device id per browser, stored only as a one-way hash ------------------------------------


def test_each_browser_gets_a_random_device_cookie(app, tablet):
    browser = app.test_client()
    browser.get(tablet.url)
    cookie = browser.get_cookie("survey_device")
    assert cookie is not None and re.fullmatch(r"[\w-]{22}", cookie.value)
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.max_age >= 365 * 24 * 3600
    browser.get(tablet.url)
    assert browser.get_cookie("survey_device").value == cookie.value  # kept, not replaced
    other = app.test_client()
    other.get(tablet.url)
    assert other.get_cookie("survey_device").value != cookie.value


def test_responses_store_a_hash_of_the_device_not_the_device(app, tablet):
    browser, _ = answer(app, tablet)
    browser.post(tablet.url, data=complete_post(tablet.rnd, seed=2) | again_form(browser, tablet))
    answer(app, tablet, seed=3)
    device = browser.get_cookie("survey_device").value
    hashes = db.session.scalars(select(Response.device_hash).order_by(Response.id)).all()
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert hashes[0] == hashes[1] != hashes[2] and device not in hashes
    with app.test_request_context():
        assert hashes[0] == device_hash(tablet.rnd.id, device)
        assert device_hash(tablet.rnd.id + 1, device) != hashes[0]  # rounds cannot be linked through it


def test_a_post_without_a_device_cookie_gets_one_and_is_hashed(app, tablet):
    browser = app.test_client()
    token = csrf_token(browser, tablet.url)
    browser.delete_cookie("survey_device")
    sent = browser.post(tablet.url, data=complete_post(tablet.rnd) | {"csrf_token": token})
    assert sent.status_code == 302 and browser.get_cookie("survey_device") is not None
    assert db.session.scalar(select(Response.device_hash)) is not None


# --- 3. probable duplicates ------------------------------------------------------------------------------


def _submitted_at(response_id: int, moment: datetime) -> None:
    db.session.execute(update(Response).where(Response.id == response_id).values(submitted_at=moment))
    db.session.commit()


def test_duplicates_are_flagged_by_device_and_by_identical_answers_soon_after(app, world, tablet):
    base = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    shared, _ = answer(app, tablet, seed=1)  # 1: first of its device
    shared.post(tablet.url, data=complete_post(tablet.rnd, seed=2) | again_form(shared, tablet))  # 2: same device
    for seed in (5, 5, 5, 6):  # 3: first of its answers; 4: same 4 min later; 5: 11 min after 4; 6: other answers
        answer(app, tablet, seed=seed)
    b_url, _ = link_of(world, tablet.rnd, "b")
    other_unit = app.test_client()
    other_unit.post(b_url, data=complete_post(tablet.rnd, seed=5) | {"csrf_token": csrf_token(other_unit, b_url)})
    ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    for rid, minutes in zip(ids, (0, 1, 2, 6, 17, 7, 3), strict=True):
        _submitted_at(rid, base + timedelta(minutes=minutes))
    flags = probable_duplicates(load_round(world["province"], tablet.rnd, Filters(status="submitted")))
    assert flags.flagged == {ids[1], ids[3]}
    assert (flags.same_device, flags.same_answers, flags.count) == (1, 1, 2)
    assert flags.note == ("พบคำตอบที่อาจซ้ำ 2 ชุด (อุปกรณ์เดียวกัน 1 · คำตอบเหมือนกันทุกข้อภายใน 10 นาที 1) นับรวมอยู่ในผลด้านล่าง")


def test_org_rounds_and_rounds_without_repeats_have_no_flags(app, world, tablet):
    plan = make_round(world, "phetchabun_plan")
    assert probable_duplicates(load_round(world["province"], plan, Filters(status="all"))) == DuplicateFlags()
    for seed in (1, 2, 3):
        answer(app, tablet, seed=seed)
    flags = probable_duplicates(load_round(world["province"], tablet.rnd, Filters(status="submitted")))
    assert flags == DuplicateFlags() and flags.note == "" and flags.count == 0


def _frames(rows: list[tuple[int, int, int]], answers: dict[int, list[tuple[str, str, object, float | None]]]):  # type: ignore[no-untyped-def]
    """A round's tables as load_round makes them: (response id, unit, minute) and answers per response."""
    base = pd.Timestamp("2026-11-20 03:00", tz="UTC")
    responses = pd.DataFrame(
        [(rid, unit, f"U{unit}", f"หน่วย {unit}", base + pd.Timedelta(minutes=m)) for rid, unit, m in rows],
        columns=["response_id", "org_unit_id", "code", "unit", "submitted_at"],
    )
    answer_rows = [(rid, *a) for rid, items in answers.items() for a in items]
    frame = pd.DataFrame(answer_rows, columns=["response_id", "question_key", "state", "value", "value_num"])
    for column in ("question_key", "state"):
        frame[column] = frame[column].astype("category")
    return responses, frame


def test_identical_answers_are_judged_per_unit_in_time_order_within_ten_minutes(db, tablet):
    same = [("q1", "value", 4, 4.0), ("q2", "value", ["a", "b"], None), ("q3", "value", "ดีมาก", None)]
    reordered = [same[2], same[0], same[1]]
    fewer = same[:2]
    other = [("q1", "value", 5, 5.0), *same[1:]]
    rows = [(101, 1, 10), (102, 1, 0), (103, 1, 19), (104, 1, 30), (105, 2, 1), (106, 1, 1), (107, 1, 2)]
    answers = {101: reordered, 102: same, 103: same, 104: same, 105: same, 106: fewer, 107: other}
    responses, frame = _frames(rows, answers)
    data = RoundData(tablet.rnd, tablet.rnd.form_version.parsed, Filters(), responses, frame)
    flags = probable_duplicates(data)
    # 102 is first (earlier than 101 though its id is larger); 101 is 10 min after it, 103 is 9 min after 101,
    # 104 is 11 min after 103; 105 is another unit; 106 answers fewer questions; 107 gives another value
    assert flags.flagged == {101, 103} and (flags.same_device, flags.same_answers) == (0, 2)
    assert "พบคำตอบที่อาจซ้ำ 2 ชุด (คำตอบเหมือนกันทุกข้อภายใน 10 นาที 2)" in flags.note


# --- 4. rate limits: a meeting behind one address passes, a script does not -----------------------------


def test_a_school_meeting_behind_one_address_is_never_refused(app, tablet, clock):
    """40 teachers over ten minutes, each after filling the form, some sending it back half done first."""
    start = clock.value
    rng = random.Random(13)
    moments = sorted(rng.uniform(0, 600) for _ in range(40))
    for n, moment in enumerate(moments):
        teacher = app.test_client()
        token = csrf_token(teacher, tablet.url)
        if n % 2 == 0:  # a missed question first, sent again a little later
            clock.value = start + moment - 20
            assert teacher.post(tablet.url, data={"csrf_token": token}).status_code == 422
        clock.value = start + moment
        sent = teacher.post(tablet.url, data=complete_post(tablet.rnd, seed=n) | {"csrf_token": token})
        assert sent.status_code == 302, (n, moment)
    assert person_count() == 40


def test_a_script_with_fresh_cookie_jars_cannot_stuff_the_unit(app, tablet, clock):
    codes = [answer(app, tablet, seed=n)[1].status_code for n in range(32)]  # all within one second
    assert person_count() <= 10
    assert codes.count(302) == person_views.BURST_ANSWERS and codes.count(429) == 32 - person_views.BURST_ANSWERS
    # then one a second for a whole minute, each from a new jar
    stored_before = person_count()
    for n in range(60):
        clock.value = 1_800_000_060.0 + n
        answer(app, tablet, seed=n)
    assert person_count() - stored_before <= person_views.MINUTE_ANSWERS


def test_a_refused_burst_keeps_the_answers_in_the_form(app, tablet, clock, monkeypatch):
    monkeypatch.setattr(person_views, "BURST_ANSWERS", 1)
    answer(app, tablet, seed=1)
    _, refused = answer(app, tablet, seed=2)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and TOO_FAST in html and 'name="csrf_token"' in html and "checked" in html
    assert person_count() == 1


def test_one_browser_is_limited_even_from_changing_addresses(app, tablet, clock, monkeypatch):
    monkeypatch.setattr(person_views, "POSTS_PER_WINDOW", 3)
    browser = app.test_client()
    token = csrf_token(browser, tablet.url)
    codes = [
        browser.post(tablet.url, data={"csrf_token": token}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(5)
    ]
    assert codes == [422, 422, 422, 429, 429]
    assert TOO_FAST in browser.post(tablet.url, data={"csrf_token": token}).get_data(as_text=True)


# --- 5. HEAD is a look ---------------------------------------------------------------------------------


def test_head_is_answered_like_get_and_never_counts_as_a_post(app, tablet):
    browser = app.test_client()
    for _ in range(40):
        assert browser.head(tablet.url).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 0
    assert person_count() == 0
    assert answer(app, tablet)[1].status_code == 302


# --- 6. malformed link tokens --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/s/%00", "/s/abcdefghijklmnopqrstuv%00", "/s/%E0%B8%81%E0%B8%82", "/s/short"])
def test_malformed_tokens_are_404(app, tablet, path):
    assert app.test_client().get(path).status_code == 404
    assert app.test_client().get(f"{path}/thanks").status_code == 404


def test_malformed_tokens_never_reach_the_database(db, tablet):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for token in ("\x00", tablet.ru.link_token + "\x00", "a" * 21 + "\x00", "a b" * 8, "ก" * 22, "a" * 65):
            assert round_unit_by_token(token) is None
        assert statements == []
        assert round_unit_by_token(tablet.ru.link_token).id == tablet.ru.id
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
