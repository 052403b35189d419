"""Workers really killed during uploads (SIGKILL to a gunicorn worker, over a raw socket): mid-body, after the
file is spooled, after it is stored but before the transaction commits. Whatever they leave, the sweep removes
once it is past the grace period, and every file a row points to is still there; the sweep also runs by itself
when a server starts."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.core.scope import Role
from survey_app.extensions import db
from survey_app.responses.models import Upload
from tests.core.live_server import BIN, ROOT, LiveServer, _app_spec, server_config, start_gunicorn
from tests.factories import make_user
from tests.fixtures.answering import hidden, page, start

BIG_PDF = b"%PDF-1.4\n%" + b"0" * (8 * 1024 * 1024) + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TWO_HOURS = 2 * 3600


@pytest.fixture
def esa(app, client, auth, world, plan_round):  # type: ignore[no-untyped-def]
    """An ESA clerk signed in (the file question is for ESAs), its response started: (id, file key, section)."""
    make_user(world["x"], Role.RESPONDENT, "esa_x")
    db.session.commit()
    auth.login("esa_x")
    rid = start(client, plan_round)
    defn = plan_round.form_version.parsed
    question = next(q for q in defn.questions() if q.type == "file")
    index = next(i for i, s in enumerate(defn.sections) if question in s.all_questions())
    db.session.commit()
    return rid, question.key, index


def upload_request(client, rid: int, key: str, index: int, content: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """The exact bytes a browser sends to save the section with one file (a fresh page: token, row_version)."""
    html = page(client, rid, index)
    boundary = uuid.uuid4().hex
    parts = [
        _field(boundary, "csrf_token", hidden(html, "csrf_token")),
        _field(boundary, "row_version", hidden(html, "row_version")),
        _field(boundary, "action", "save"),
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="report.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    body = b"".join(parts)
    cookie = client.get_cookie("survey_session").value
    head = (
        f"POST /responses/{rid}/s/{index} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: survey_session={cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _field(boundary: str, name: str, value: str) -> bytes:
    return f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()


def files(root: Path, folder: str) -> list[Path]:
    return sorted(p for p in (root / folder).rglob("*") if p.is_file()) if (root / folder).exists() else []


def wait_for(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def kill_during(server: LiveServer, request: bytes, reached) -> None:  # type: ignore[no-untyped-def]
    """Send the whole request, wait until the worker reached the point (`reached()`), SIGKILL it."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(request)
        wait_for(reached)
        server.kill_worker()


def sweep_command(config: dict, *args: str) -> str:
    """`flask storage sweep` as an operator runs it, in its own process."""
    done = subprocess.run([str(BIN / "flask"), "--app", _app_spec(config), "storage", "sweep", *args], cwd=ROOT,
                          env={**os.environ, "SECRET_KEY": config["SECRET_KEY"]}, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def age_everything(root: Path) -> None:
    then = time.time() - TWO_HOURS
    for path in root.rglob("*"):
        os.utime(path, (then, then))


def test_killed_uploads_leave_nothing_after_the_sweep(app, client, esa, tmp_path):
    rid, key, index = esa
    root = tmp_path / "uploads"
    config = server_config(app, root)

    server = start_gunicorn(config)
    try:
        # 1. one upload that goes through: its file must survive everything below
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(upload_request(client, rid, key, index, BIG_PDF))
            assert sock.recv(64).startswith(b"HTTP/1.1 302")
        (kept,) = files(root, "objects")
        # 2. killed mid-body: the worker dies while the file is still arriving
        request = upload_request(client, rid, key, index, BIG_PDF)
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(request[: len(request) // 2])
            time.sleep(0.5)
            server.kill_worker()
    finally:
        server.stop()
    assert files(root, "objects") == [kept] and files(root, "tmp") == []

    # 3. killed after the file was spooled into tmp/, while it is being checked
    server = start_gunicorn(server_config(app, root, STORAGE_TEST_PAUSES={"after_receive": 60}))
    try:
        kill_during(server, upload_request(client, rid, key, index, BIG_PDF),
                    lambda: [p.stat().st_size for p in files(root, "tmp")] == [len(BIG_PDF)])  # fmt: skip
    finally:
        server.stop()
    (temp,) = files(root, "tmp")

    # 4. killed after the file was stored under its key, before the row was committed
    server = start_gunicorn(server_config(app, root, STORAGE_TEST_PAUSES={"after_commit": 60}))
    try:
        kill_during(server, upload_request(client, rid, key, index, BIG_PDF), lambda: len(files(root, "objects")) == 2)
    finally:
        server.stop()
    (orphan,) = set(files(root, "objects")) - {kept}

    db.session.expire_all()
    rows = db.session.scalars(select(Upload)).all()
    assert [r.storage_key for r in rows] == [kept.name]  # only the upload that went through has a row
    assert "ไม่มีข้อมูลอ้างถึง 0 ไฟล์" in sweep_command(config)  # all fresh: they could still be in flight
    assert temp.exists() and orphan.exists()

    age_everything(root)  # the grace period has passed
    dry = sweep_command(config, "--dry-run")
    assert f"จะลบ ไฟล์ชั่วคราว tmp/{temp.name}" in dry and orphan.name in dry and kept.name not in dry
    assert temp.exists() and orphan.exists()
    done = sweep_command(config)
    assert "ลบแล้ว: ไฟล์ชั่วคราว 1 ไฟล์, ไฟล์ที่ไม่มีข้อมูลอ้างถึง 1 ไฟล์" in done
    assert files(root, "tmp") == [] and files(root, "objects") == [kept]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == rows[0].sha256 == hashlib.sha256(BIG_PDF).hexdigest()


def test_a_starting_server_sweeps_in_the_background(app, db, tmp_path):
    root = tmp_path / "uploads"
    old_orphan = root / "objects" / "ab" / "cd" / ("abcd" + "0" * 28)
    new_orphan = root / "objects" / "ab" / "cd" / ("abcd" + "1" * 28)
    old_temp, new_temp = root / "tmp" / "upload-old", root / "tmp" / "upload-new"
    for path in (old_orphan, new_orphan, old_temp, new_temp):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left by a killed worker")
    age_everything(root)
    new_orphan.touch()
    new_temp.touch()
    server = start_gunicorn(server_config(app, root))
    try:
        assert server.get("/login").status == 200
        wait_for(lambda: not old_orphan.exists() and not old_temp.exists())
    finally:
        server.stop()
    assert new_orphan.exists() and new_temp.exists()
