"""Faults: concurrent SQLite writers, a worker killed mid-submit, a full disk during an upload."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading

from sqlalchemy import func, select

from survey_app.core.audit import AuditEvent
from survey_app.core.scope import Role
from survey_app.extensions import db
from survey_app.responses.models import Response, ResponseStatus, Upload
from tests.factories import make_user
from tests.fixtures.answering import PDF, fill_all, save, start
from tests.fixtures.app import csrf_token


def test_concurrent_writers_never_see_database_is_locked(app, client, auth, world, plan_round):
    """Eight units saving at once (SQLite: one writer at a time, the others wait; nobody gets a 500)."""
    logins = {}
    for i in range(8):
        unit = world["a"] if i % 2 else world["b"]
        make_user(unit, Role.RESPONDENT, f"clerk{i}")
    db.session.commit()
    for key in ("a", "b"):
        auth.login(f"school_{key}")
        start(client, plan_round)
        auth.logout()
    statuses: list[int] = []
    for i in range(8):
        c = app.test_client()
        token = csrf_token(c, "/login")
        c.post("/login", data={"username": f"clerk{i}", "password": "Secret-pass-123", "csrf_token": token})
        logins[i] = c
    rids = {r.org_unit_id: r.id for r in db.session.scalars(select(Response))}
    targets = {i: rids[(world["a"] if i % 2 else world["b"]).id] for i in range(8)}
    db.session.commit()  # end the test's own transaction before the threads write

    def hammer(i: int) -> None:
        c, rid = logins[i], targets[i]
        for n in range(5):
            token = csrf_token(c, "/")
            response = c.post(f"/responses/{rid}/s/0", data={"csrf_token": token, "q_1_1_1": "__none__", "action": "save",
                                                             "q_1_2_3": str(n)})  # fmt: skip
            statuses.append(response.status_code)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses and all(code in (302, 409, 422) for code in statuses), statuses


KILL_MID_SUBMIT = textwrap.dedent("""
    import os, signal, sys
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.responses import operations
    from survey_app.responses.models import Response, ResponseStatus
    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x"})
    with app.app_context():
        response = db.session.get(Response, int(sys.argv[2]))
        operations.transition(response, "submit", None)  # flushed, not committed
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies before the request commits
""")


def test_worker_killed_mid_submit_leaves_the_draft_whole(app, client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    fill_all(client, rid, "basic_school")
    answers_before = len(db.session.get(Response, rid).answers)
    db.session.commit()
    process = subprocess.run([sys.executable, "-c", KILL_MID_SUBMIT, app.config["SQLALCHEMY_DATABASE_URI"], str(rid)],
                             env={**os.environ}, capture_output=True, timeout=60)  # fmt: skip
    assert process.returncode == -signal.SIGKILL
    db.session.expire_all()
    response = db.session.get(Response, rid)
    assert response.status == ResponseStatus.DRAFT and len(response.answers) == answers_before
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "response.submit")) == 0
    token = csrf_token(client, f"/responses/{rid}/submit")  # and the unit can still submit afterwards
    client.post(f"/responses/{rid}/submit", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Response, rid).status == ResponseStatus.SUBMITTED


def test_full_disk_during_upload_keeps_the_draft_and_leaves_no_row(client, plan_round, esa, monkeypatch):
    rid, q, index = esa
    defn = plan_round.form_version.parsed
    text_q = next(x for x in defn.sections[index].all_questions() if x.type == "integer" and not x.show_if)

    def disk_full(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("survey_app.core.storage._write", disk_full)
    result = save(client, rid, index, {q.key: (io.BytesIO(PDF), "r.pdf"), text_q.key: "7"}, action="save")
    assert result.status_code == 422 and "พื้นที่เก็บไฟล์เต็ม" in result.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert db.session.get(Response, rid).answer_map()[text_q.key].value == 7  # the rest of the draft is saved
