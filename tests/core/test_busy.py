"""A save that cannot get the database's lock in time says "busy, press save again" and keeps the typing.

Another connection really holds the lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the response's row FOR UPDATE)
for longer than the lock timeout while the browser posts; nothing here is mocked.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from survey_app.extensions import db
from survey_app.responses.models import Response
from tests.fixtures.answering import hidden, page, save, start
from tests.fixtures.app import csrf_token

BUSY = "ระบบกำลังบันทึกงานอื่นอยู่ กรุณากดบันทึกอีกครั้ง"
TIMEOUT_MS = 800


@pytest.fixture
def short_lock_wait(app: Flask, db: object) -> Iterator[None]:
    """The app waits TIMEOUT_MS for a lock (fresh connections pick the setting up)."""
    before = app.config.get("DB_LOCK_TIMEOUT_MS", 5000)
    app.config["DB_LOCK_TIMEOUT_MS"] = TIMEOUT_MS
    _db_engine_dispose()
    yield
    app.config["DB_LOCK_TIMEOUT_MS"] = before
    _db_engine_dispose()


def _db_engine_dispose() -> None:
    db.session.commit()
    db.engine.dispose()


@contextmanager
def lock_held(response_id: int) -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or the response's row (PostgreSQL) until the block
    ends, however long the request inside waits (longer than the lock timeout, by construction)."""
    db.session.commit()  # the test's own connection holds nothing meanwhile
    taken, release = threading.Event(), threading.Event()
    url = db.engine.url

    def hold() -> None:
        if url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(url.database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE response SET updated_at = updated_at WHERE id = ?", (response_id,))
        else:
            import psycopg

            connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
            connection.execute("SELECT id FROM response WHERE id = %s FOR UPDATE", (response_id,))
        taken.set()
        release.wait(timeout=60)
        connection.rollback()
        connection.close()

    holder = threading.Thread(target=hold, name="lock-holder")
    holder.start()
    assert taken.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        holder.join()


def _typed(rid: int) -> dict[str, object]:
    defn = db.session.get(Response, rid).round.form_version.parsed
    option = defn.question_map()["q_1_1_1"].options[0].value
    return {"q_1_1_1": [option], "q_1_1_2": "โครงการที่พิมพ์ระหว่างระบบไม่ว่าง"}


def test_a_save_that_cannot_get_the_lock_keeps_the_typing_and_says_save_again(
    client, auth, plan_round, short_lock_wait
):  # type: ignore[no-untyped-def]
    auth.login("school_a")
    rid = start(client, plan_round)
    typed = _typed(rid)
    html = page(client, rid, 0)
    version = db.session.get(Response, rid).row_version
    with lock_held(rid):
        busy = save(client, rid, 0, typed, html=html, action="save")
    assert busy.status_code == 422  # the page again, not a 500
    text = busy.get_data(as_text=True)
    assert BUSY in text
    assert "โครงการที่พิมพ์ระหว่างระบบไม่ว่าง" in text
    assert db.session.get(Response, rid).row_version == version  # nothing half-saved
    again = save(client, rid, 0, typed, html=text, action="save")  # pressing save again works
    assert again.status_code == 302
    assert db.session.get(Response, rid).answer_map()["q_1_1_2"].value == "โครงการที่พิมพ์ระหว่างระบบไม่ว่าง"


def test_an_autosave_that_cannot_get_the_lock_answers_busy_for_the_script(client, auth, plan_round, short_lock_wait):  # type: ignore[no-untyped-def]
    auth.login("school_a")
    rid = start(client, plan_round)
    typed = _typed(rid)
    html = page(client, rid, 0)
    with lock_held(rid):
        reply = client.post(
            f"/responses/{rid}/s/0",
            data={"csrf_token": hidden(html, "csrf_token"), "row_version": hidden(html, "row_version"), **typed},
            headers={"X-Autosave": "1"},
        )
    assert reply.status_code == 503
    body = reply.get_json()
    assert body["saved"] is False and body["message"] == BUSY  # form.js shows the message, keeps the page dirty
    assert reply.headers["Retry-After"]


def test_other_posts_that_cannot_get_the_lock_get_a_thai_busy_page(client, auth, plan_round, short_lock_wait):  # type: ignore[no-untyped-def]
    auth.login("school_a")
    rid = start(client, plan_round)
    token = csrf_token(client, f"/responses/{rid}/submit")
    with lock_held(rid):
        assert client.get(f"/responses/{rid}/s/0").status_code == 200  # reading is never blocked
        if db.engine.dialect.name == "sqlite":  # PostgreSQL locks rows, not the database
            logout = client.post("/logout", data={"csrf_token": token})
            assert logout.status_code == 503
            assert BUSY in logout.get_data(as_text=True)
        submitted = client.post(f"/responses/{rid}/submit", data={"csrf_token": token})
    assert submitted.status_code in (302, 503)  # refused as incomplete (no lock needed) or busy; never 500
