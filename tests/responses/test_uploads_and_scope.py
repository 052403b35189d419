"""Uploads are checked by their bytes; nobody reads, changes or downloads another unit's response."""

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.responses.models import Response, Upload
from tests.fixtures.answering import PDF, hidden, page, save, start
from tests.fixtures.app import csrf_token

EVIL = b"<html><body><script>alert(document.cookie)</script></body></html>"


def upload_question(rid: int):  # type: ignore[no-untyped-def]
    defn = db.session.get(Response, rid).round.form_version.parsed
    q = next(q for q in defn.questions() if q.type == "file")
    index = next(i for i, sec in enumerate(defn.sections) if q in sec.all_questions())
    return q, index


def stored_files(app) -> set:  # type: ignore[no-untyped-def]
    return {p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}


def esa_login(client, auth, world):  # type: ignore[no-untyped-def]
    from survey_app.core.scope import Role
    from tests.factories import make_user

    make_user(world["x"], Role.RESPONDENT, "esa_x")
    db.session.commit()
    auth.login("esa_x")


def test_html_renamed_pdf_is_refused_and_nothing_is_stored(client, auth, world, plan_round, app):
    esa_login(client, auth, world)
    rid = start(client, plan_round)
    q, index = upload_question(rid)
    before = stored_files(app)
    result = save(client, rid, index, {q.key: (io.BytesIO(EVIL), "report.pdf")}, action="save")
    assert result.status_code == 422
    assert "ตรวจจากเนื้อไฟล์" in result.get_data(as_text=True) or "ไม่ใช่" in result.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert stored_files(app) == before  # no partial or stray file either


def test_real_pdf_is_stored_and_downloads_only_in_scope(app, client, auth, world, plan_round):
    esa_login(client, auth, world)
    rid = start(client, plan_round)
    q, index = upload_question(rid)
    result = save(client, rid, index, {q.key: (io.BytesIO(PDF), "รายงานการอ่าน ปี 2563.pdf")}, action="save")
    assert result.status_code == 302
    upload = db.session.scalar(select(Upload))
    assert upload.original_name == "รายงานการอ่าน ปี 2563.pdf" and upload.storage_key not in upload.original_name
    download = client.get(f"/uploads/{upload.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Content-Type"] == "application/pdf"
    for username, expected in (("cert_x", 200), ("province", 200), ("cert_y", 404), ("school_a", 404)):
        other = app.test_client()
        token = csrf_token(other, "/login")
        other.post("/login", data={"username": username, "password": "Secret-pass-123", "csrf_token": token})
        assert other.get(f"/uploads/{upload.id}").status_code == expected, username


def test_oversized_file_gets_a_message_naming_the_limit(client, auth, world, plan_round):
    esa_login(client, auth, world)
    rid = start(client, plan_round)
    q, index = upload_question(rid)
    big = PDF[:-6] + b"0" * int(q.max_size_mb * 1024 * 1024 + 10) + b"%%EOF\n"
    result = save(client, rid, index, {q.key: (io.BytesIO(big), "big.pdf")}, action="save")
    assert result.status_code == 422
    assert f"{q.max_size_mb:g} MB" in result.get_data(as_text=True)


def test_a_school_cannot_touch_another_schools_response(app, client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    save(client, rid, 0, {"q_1_1_1": ["__none__"]}, action="save")
    auth.logout()
    auth.login("school_b")
    token = csrf_token(client, "/")
    assert client.get(f"/responses/{rid}").status_code == 404
    assert client.get(f"/responses/{rid}/s/0").status_code == 404
    assert client.get(f"/responses/{rid}/submit").status_code == 404
    changed = client.post(f"/responses/{rid}/s/0", data={"csrf_token": token, "q_1_1_1": ["x"], "row_version": "2"})
    assert changed.status_code == 404
    assert client.post(f"/responses/{rid}/submit", data={"csrf_token": token}).status_code == 404
    assert db.session.get(Response, rid).answer_map()["q_1_1_1"].state.value == "none"


def test_agency_certifier_reads_but_cannot_edit(client, auth, world, plan_round):
    auth.login("school_a")
    rid = start(client, plan_round)
    auth.logout()
    auth.login("cert_x")
    assert client.get(f"/responses/{rid}").status_code == 200
    assert client.get(f"/responses/{rid}/s/0").status_code == 302  # read-only view instead
    auth.logout()
    auth.login("cert_y")
    assert client.get(f"/responses/{rid}").status_code == 404


def test_session_expiry_keeps_typed_answers_through_login(app, client, auth, plan_round):
    """The user's own draft page, left open until the session is gone: sign in, one click, saved."""
    auth.login("school_a")
    rid = start(client, plan_round)
    html = page(client, rid, 0)
    marker = hidden(html, "draft_marker")
    fresh = app.test_client()  # the session is gone (expired cookie, new browser…)
    typed = {"q_1_1_1": "__none__", "row_version": "1", "csrf_token": "stale-token", "draft_marker": marker}
    first = fresh.post(f"/responses/{rid}/s/0", data=typed)
    body = first.get_data(as_text=True)
    assert first.status_code == 401 and 'name="replay__q_1_1_1" value="__none__"' in body
    token = csrf_token(fresh, "/login")
    login = fresh.post("/login", data={"username": "school_a", "password": "Secret-pass-123",
                                       "csrf_token": token, "replay_to": f"/responses/{rid}/s/0",
                                       "replay__q_1_1_1": "__none__", "replay__row_version": "1",
                                       "replay__draft_marker": marker})  # fmt: skip
    replay = login.get_data(as_text=True)
    assert 'data-testid="replay"' in replay and 'name="q_1_1_1" value="__none__"' in replay
    new_token = re.search(r'name="csrf_token" value="([^"]+)"', replay).group(1)
    done = fresh.post(f"/responses/{rid}/s/0", data={"csrf_token": new_token, "q_1_1_1": "__none__", "row_version": "1",
                                                     "action": "save", "draft_marker": marker})  # fmt: skip
    assert done.status_code == 302
    assert db.session.get(Response, rid).answer_map()["q_1_1_1"].state.value == "none"
