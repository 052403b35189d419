"""Refused access leaves a trace: a user asking for another unit's response, file or unit page (or another user's
export, or a page its role may not open) gets the same 404/403 as before, and the audit trail records who asked
for which object, by which path, and nothing of the object. Probing is counted without flooding the table.
And no server process names its software in a `Server` header."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import select

from survey_app.core.audit import REFUSED, AuditEvent
from survey_app.extensions import db
from survey_app.reports.exports import ExportJob
from survey_app.responses import queries
from survey_app.responses.models import Response, Upload
from tests.core.live_server import server_config, start_flask_run, start_gunicorn
from tests.fixtures.answering import PDF, save
from tests.fixtures.app import csrf_token


def refusals() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == REFUSED).order_by(AuditEvent.id)))


def early_in_a_minute() -> None:
    """Probe counts are per minute: start a burst where it cannot straddle two minutes."""
    if time.time() % 60 > 40:
        time.sleep(60 - time.time() % 60 + 0.1)


@pytest.fixture
def probed(client, auth, world, plan_round, esa):  # type: ignore[no-untyped-def]
    """ESA X's response holding one file; then school A (under X, but a school sees only itself) signs in."""
    rid, q, index = esa
    assert save(client, rid, index, {q.key: (io.BytesIO(PDF), "รายงาน.pdf")}, action="save").status_code == 302
    upload = db.session.scalar(select(Upload))
    auth.logout()
    auth.login("school_a")
    return {"response": rid, "upload": upload.id, "unit": world["b"].id, "school_a": world["school_a"].id,
            "x": world["x"].id, "b": world["b"].id}  # fmt: skip


def test_another_units_response_file_and_unit_page_are_refused_and_recorded(client, probed):
    early_in_a_minute()
    assert client.get(f"/responses/{probed['response']}").status_code == 404
    assert client.get(f"/uploads/{probed['upload']}").status_code == 404
    assert client.get(f"/units/{probed['unit']}").status_code == 404
    got = [(e.actor_id, e.object_type, e.object_id, e.org_unit_id, e.details) for e in refusals()]
    one = {"attempts_this_minute": 1, "method": "GET"}
    assert got == [
        (probed["school_a"], "response", probed["response"], probed["x"], one | {"path": f"/responses/{probed['response']}"}),
        (probed["school_a"], "upload", probed["upload"], probed["x"], one | {"path": f"/uploads/{probed['upload']}"}),
        (probed["school_a"], "org_unit", probed["b"], probed["b"], one | {"path": f"/units/{probed['b']}"}),
    ]  # fmt: skip
    assert all(e.comment is None and e.from_state is None and e.to_state is None for e in refusals())


def test_a_hundred_probes_make_three_records_that_say_how_many(client, probed):
    early_in_a_minute()
    for _ in range(100):
        assert client.get(f"/responses/{probed['response']}").status_code == 404
    counts = [e.details["attempts_this_minute"] for e in refusals()]
    assert counts == [1, 10, 100]  # the 1st, 10th and 100th of the minute; the table grows by log10 of the probes


def test_the_probed_units_history_does_not_list_the_prober(client, probed):
    client.get(f"/responses/{probed['response']}")
    assert len(refusals()) == 1
    response = db.session.get(Response, probed["response"])
    assert [e.action for e in queries.history(response) if e.action == REFUSED] == []


def test_a_refused_save_is_recorded_without_waiting_for_a_lock(client, probed):
    """A POST holds SQLite's write lock from its first query: the record must use it, not wait for it."""
    rid = probed["response"]
    before = db.session.get(Response, rid).row_version
    token = csrf_token(client, "/")
    started = time.monotonic()
    result = client.post(f"/responses/{rid}/s/0", data={"csrf_token": token, "row_version": str(before),
                                                        "action": "save", "q_1_2_3": "999"})  # fmt: skip
    assert result.status_code == 404 and time.monotonic() - started < 5
    (event,) = refusals()
    assert (event.object_type, event.object_id, event.details["method"]) == ("response", rid, "POST")
    db.session.expire_all()
    assert db.session.get(Response, rid).row_version == before


def test_another_users_export_and_a_page_the_role_may_not_open_are_recorded(client, auth, world, plan_round):
    job = ExportJob(user_id=world["province"].id, round_id=plan_round.id, params={}, status="done")
    db.session.add(job)
    db.session.commit()
    auth.login("cert_x")
    assert client.get(f"/reports/exports/{job.id}").status_code == 404
    auth.logout()
    auth.login("school_a")
    assert client.get("/directory").status_code == 403
    got = [(e.actor_id, e.object_type, e.object_id, e.details["path"]) for e in refusals()]
    assert got == [
        (world["cert_x"].id, "export_job", job.id, f"/reports/exports/{job.id}"),
        (world["school_a"].id, "page", None, "/directory"),
    ]


@pytest.mark.parametrize("start_server", [start_gunicorn, start_flask_run], ids=["gunicorn", "flask-run"])
def test_no_server_header_names_the_software(app, db, tmp_path, start_server):
    """Both ways the app is served (docs/deploy.md: gunicorn; `make run`: flask run) send no `Server` header."""
    server = start_server(server_config(app, tmp_path / "uploads"))
    try:
        for path in ("/login", "/no-such-page"):
            response = server.get(path)
            assert response.getheader("Server") is None, (path, response.getheader("Server"))
            assert response.getheader("X-Content-Type-Options") == "nosniff"
            assert response.getheader("Date")  # the server's other headers are still sent
    finally:
        server.stop()
