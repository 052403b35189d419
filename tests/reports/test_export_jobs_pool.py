"""Exports are built by a bounded set of workers: twenty started at once from one browser leave the web its
database connections, nobody sees a driver's message, a repeated export is the same job, a job whose worker
died is shown as failed with a way to try again, and the finished file is one click, named after what it holds."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask

from survey_app import create_app
from survey_app.core.db import utcnow
from survey_app.extensions import db
from survey_app.reports.data import Filters
from survey_app.reports.exports import ExportJob, request_job
from tests.fixtures.app import IsolatedClient, csrf_token
from tests.fixtures.reports import wait_for

DRIVER_WORDS = ("QueuePool", "sqlite", "psycopg", "OperationalError", "Traceback", "Error")
STOPPED = "การสร้างรายงานหยุดกลางคัน (ระบบเริ่มทำงานใหม่) กรุณาลองอีกครั้ง"
FAILED = "สร้างรายงานไม่สำเร็จ เนื่องจากระบบขัดข้อง กรุณาลองอีกครั้ง"


@pytest.fixture
def small_pool_app(app: Flask) -> Flask:
    """The same database behind a second app whose pool is small (8 + 2 connections, 3 s wait): exports
    borrowing without a bound would take them all."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "UPLOAD_DIR", "EXPORT_DIR", "PASSWORD_HASH_FAST", "TESTING")
    other = create_app(
        {key: app.config[key] for key in keys}
        | {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 8, "max_overflow": 2, "pool_timeout": 3}, "EXPORT_WORKERS": 2}
    )
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.engine.dispose()


def _login(client, username: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    assert client.post("/login", data={"username": username, "password": "Secret-pass-123", "csrf_token": token})


def test_twenty_exports_at_once_from_one_browser_never_fail(small_pool_app, reported):  # type: ignore[no-untyped-def]
    _world, rnd = reported
    round_id = rnd.id  # the threads below have no app context to load it in
    browser = small_pool_app.test_client()
    _login(browser, "province")
    token = csrf_token(browser, f"/reports/rounds/{rnd.id}")
    cookie = browser.get_cookie("survey_session").value
    asks = [
        (fmt, codes, status)
        for fmt in ("xlsx", "csv", "zip")
        for codes in (0, 1)
        for status in ("certified", "all", "submitted")
    ]
    asks = (asks + asks)[:20]  # 18 different exports, two of them asked twice
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def start(fmt: str, codes: int, status: str) -> None:
        tab = small_pool_app.test_client()  # another tab of the same browser: the same session cookie
        tab.set_cookie("survey_session", cookie)
        data = {"csrf_token": token, "format": fmt} | ({"codes": "y"} if codes else {})
        try:
            reply = tab.post(f"/reports/rounds/{round_id}/export?status={status}", data=data)
            answers.append((reply.status_code, reply.headers.get("Location", "")))
        except BaseException as exc:  # a 500 raises here (TESTING propagates exceptions)
            errors.append(exc)

    threads = [threading.Thread(target=start, args=ask) for ask in asks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(code for code, _ in answers) == [302] * 20  # each start went to a job, or back with a message
    job_ids = {int(place.rsplit("/", 1)[1]) for _, place in answers if "/reports/exports/" in place}
    assert 1 <= len(job_ids) <= 20
    for job_id in job_ids:
        job = wait_for(job_id, timeout=120)
        assert job.status == "done"
        page = browser.get(f"/reports/exports/{job_id}").get_data(as_text=True)
        assert not any(word in page for word in DRIVER_WORDS)
        assert job.filename and job.filename in page
    waited_back = [place for _, place in answers if "/reports/exports/" not in place]
    if waited_back:  # the user's queue was full: the report page says so
        html = browser.get(waited_back[0]).get_data(as_text=True)
        assert "กรุณารอให้เสร็จก่อน" in html or "/reports/rounds/" in waited_back[0]


def test_the_same_export_again_is_the_same_job_and_a_full_queue_asks_to_wait(app, client, auth, reported):  # type: ignore[no-untyped-def]
    world, rnd = reported
    auth.login("province")
    user = world["province"]
    # Five exports of this user wait in the queue (recorded, not yet picked up by a worker)
    waiting = [
        request_job(user, rnd, Filters(status=s), fmt, False)[0]
        for s in ("certified", "all")
        for fmt in ("xlsx", "csv")
    ]
    waiting.append(request_job(user, rnd, Filters(status="certified"), "zip", False)[0])
    db.session.commit()
    token = csrf_token(client, f"/reports/rounds/{rnd.id}")
    again = client.post(f"/reports/rounds/{rnd.id}/export?status=all", data={"csrf_token": token, "format": "csv"})
    assert again.headers["Location"].endswith(f"/reports/exports/{waiting[3].id}")  # the same job, not a new one
    sixth = client.post(f"/reports/rounds/{rnd.id}/export?status=all", data={"csrf_token": token, "format": "zip"})
    assert sixth.status_code == 302 and f"/reports/rounds/{rnd.id}" in sixth.headers["Location"]
    page = client.get(sixth.headers["Location"]).get_data(as_text=True)
    assert "มีรายงานที่กำลังสร้างอยู่ 5 รายการ กรุณารอให้เสร็จก่อนแล้วจึงสั่งใหม่" in page
    assert db.session.query(ExportJob).count() == 5


def test_a_job_whose_worker_died_shows_failed_with_try_again(app, client, auth, reported):  # type: ignore[no-untyped-def]
    world, rnd = reported
    auth.login("province")
    now = utcnow()
    params = {"filters": Filters(status="all").__dict__, "format": "csv", "codes": False}
    dead = ExportJob(user_id=world["province"].id, round_id=rnd.id, params=params, status="running",
                     owner="web-1:4242", heartbeat_at=now - timedelta(seconds=90), created_at=now - timedelta(minutes=2))  # fmt: skip
    alive = ExportJob(
        user_id=world["province"].id,
        round_id=rnd.id,
        params=params | {"format": "xlsx"},
        status="running",
        owner="web-1:4243",
        heartbeat_at=now - timedelta(seconds=10),
        created_at=now - timedelta(minutes=40),
    )  # fmt: skip  (long, but still beating)
    db.session.add_all([dead, alive])
    db.session.commit()
    assert client.get(f"/reports/exports/{alive.id}.json").get_json()["status"] == "running"
    state = client.get(f"/reports/exports/{dead.id}.json").get_json()
    assert state["status"] == "failed" and state["error"] == STOPPED
    html = client.get(f"/reports/exports/{dead.id}").get_data(as_text=True)
    assert STOPPED in html and 'data-testid="export-retry" hidden' not in html
    token = csrf_token(client, f"/reports/exports/{dead.id}")
    retried = client.post(f"/reports/rounds/{rnd.id}/export?status=all", data={"csrf_token": token, "format": "csv"})
    new_id = int(retried.headers["Location"].rsplit("/", 1)[1])
    assert new_id not in (dead.id, alive.id)
    assert wait_for(new_id).status == "done"


def test_a_driver_message_stored_by_an_older_version_is_never_shown(app, client, auth, reported):  # type: ignore[no-untyped-def]
    world, rnd = reported
    auth.login("province")
    old = ExportJob(user_id=world["province"].id, round_id=rnd.id, params={"filters": {}, "format": "xlsx", "codes": False},
                    status="failed", error="QueuePool limit of size 5 overflow 10 reached, connection timed out")  # fmt: skip
    db.session.add(old)
    db.session.commit()
    html = client.get(f"/reports/exports/{old.id}").get_data(as_text=True)
    assert FAILED in html and "QueuePool" not in html
    assert client.get(f"/reports/exports/{old.id}.json").get_json()["error"] == FAILED


def test_the_finished_export_is_one_link_named_after_the_form_year_and_agency(app, client, auth, reported):  # type: ignore[no-untyped-def]
    _world, rnd = reported
    auth.login("cert_x")  # a certifier's report covers its own agency, X0000001
    token = csrf_token(client, f"/reports/rounds/{rnd.id}")
    started = client.post(f"/reports/rounds/{rnd.id}/export", data={"csrf_token": token, "format": "xlsx"})
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert wait_for(job_id).status == "done"
    name = f"phetchabun_plan-2563-round{rnd.id}-X0000001-certified.xlsx"
    state = client.get(f"/reports/exports/{job_id}.json").get_json()
    assert state["filename"] == name and state["url"].endswith(f"/reports/exports/{job_id}/file")
    html = client.get(f"/reports/exports/{job_id}").get_data(as_text=True)
    assert html.count('data-testid="export-download"') == 1 and name in html
    download = client.get(state["url"])
    assert download.status_code == 200 and name in download.headers["Content-Disposition"]
