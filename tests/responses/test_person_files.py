"""Files on public person links: checked and stored like a signed-in upload, within a per-link quota, never
served back through the link, never downloadable one by one from a person round, swept when abandoned."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.core.storage import FileSystemStorage, storage_for
from survey_app.extensions import db
from survey_app.responses.models import Answer, Response, Upload
from survey_app.sweep import sweep
from tests.fixtures.answering import PDF, make_round, published_world
from tests.fixtures.app import csrf_token
from tests.responses.test_filetypes import png_bytes
from tests.responses.test_person_surveys import link_of

DEFINITIONS = Path(__file__).parent / "person_definitions"


@pytest.fixture
def files_world(db, app, tmp_path):  # type: ignore[no-untyped-def]
    """The small province with the test form published, and a storage of this test's own (counted exactly)."""
    saved = app.extensions.get("storage")
    app.extensions["storage"] = FileSystemStorage(tmp_path / "uploads")
    yield published_world(DEFINITIONS / "person_files.yaml")
    app.extensions["storage"] = saved


@pytest.fixture
def link(files_world):  # type: ignore[no-untyped-def]
    rnd = make_round(files_world, "person_files")
    url, ru = link_of(files_world, rnd)
    return url, ru


def post(app, url: str, data: dict):  # type: ignore[no-untyped-def]
    """A fresh browser (its own cookies) posting the one-page form as multipart."""
    browser = app.test_client()
    payload = {"csrf_token": csrf_token(browser, url)} | data
    return browser.post(url, data=payload, content_type="multipart/form-data")


def field_error(html: str, key: str) -> str:
    """The message shown beside one field."""
    start = html.index(f'id="err-{key}"')
    return html[html.index(">", start) + 1 : html.index("</small>", start)]


def padded_pdf(size: int) -> bytes:
    """A PDF of exactly `size` bytes (a comment line after the header)."""
    head, rest = PDF.split(b"\n", 1)
    filler = size - len(PDF) - 2
    return head + b"\n%" + b"x" * filler + b"\n" + rest


def stored_objects(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [key for key, _ in storage_for(app).stored_keys()]


def upload_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Upload)) or 0


def test_required_file_is_stored_like_a_signed_in_upload(app, link):
    url, ru = link
    sent = post(app, url, {"position": "ครู", "appointment": (io.BytesIO(PDF), "คำสั่ง.pdf")})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/thanks")
    response = db.session.scalar(select(Response).where(Response.org_slot.is_(None)))
    upload = db.session.scalar(select(Upload))
    assert upload.response_id == response.id and response.org_unit_id == ru.org_unit_id
    assert (upload.kind, upload.content_type, upload.original_name) == ("pdf", "application/pdf", "คำสั่ง.pdf")
    assert upload.size == len(PDF) and upload.sha256 == hashlib.sha256(PDF).hexdigest()
    assert upload.uploaded_by_id is None
    with storage_for(app).open(upload.storage_key) as stored:
        assert stored.read() == PDF
    answer = db.session.scalar(select(Answer).where(Answer.question_key == "appointment"))
    assert answer.value == [{"id": upload.id, "name": "คำสั่ง.pdf", "size": len(PDF), "kind": "pdf"}]
    assert response.status.value == "submitted"


def test_required_file_missing_is_refused_beside_the_field_with_the_text_kept(app, link):
    url, _ = link
    refused = post(app, url, {"position": "ครูชำนาญการ"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert field_error(html, "appointment") == "กรุณาตอบข้อนี้"
    assert 'value="ครูชำนาญการ"' in html
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_optional_file_is_kept(app, link):
    url, _ = link
    png = png_bytes()
    sent = post(
        app, url,
        {"position": "ครู", "appointment": (io.BytesIO(PDF), "a.pdf"), "photo": (io.BytesIO(png), "รูป.png")},
    )  # fmt: skip
    assert sent.status_code == 302
    photo = db.session.scalar(select(Upload).where(Upload.question_key == "photo"))
    assert (photo.kind, photo.size, photo.original_name) == ("png", len(png), "รูป.png")
    assert upload_count() == 2 and len(stored_objects(app)) == 2


def test_spoofed_file_type_is_refused_beside_the_field_and_nothing_is_kept(app, link):
    url, _ = link
    fake = b"MZ\x90\x00" + b"\x00" * 200  # a Windows program named .pdf
    refused = post(app, url, {"position": "ครู", "appointment": (io.BytesIO(fake), "order.pdf")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert field_error(html, "appointment") == ("order.pdf: ไฟล์นี้ไม่ใช่ PDF ตามที่กำหนด (ตรวจจากเนื้อไฟล์ ไม่ใช่นามสกุล)")
    assert 'value="ครู"' in html
    assert upload_count() == 0 and stored_objects(app) == []
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_too_many_files_and_too_large_a_file_are_refused(app, link):
    url, _ = link
    three = [(io.BytesIO(PDF), f"{n}.pdf") for n in range(3)]
    refused = post(app, url, {"position": "ครู", "appointment": three})
    assert field_error(refused.get_data(as_text=True), "appointment") == "แนบได้ไม่เกิน 2 ไฟล์"
    big = PDF + b"%" * (1024 * 1024)  # 1 MB + the PDF: over max_size_mb 1
    refused = post(app, url, {"position": "ครู", "appointment": (io.BytesIO(big), "big.pdf")})
    assert field_error(refused.get_data(as_text=True), "appointment") == "ไฟล์ใหญ่เกินกำหนด (ไม่เกิน 1 MB ต่อไฟล์)"
    assert upload_count() == 0 and stored_objects(app) == []


def test_a_good_file_with_another_field_wrong_is_named_to_choose_again_and_not_kept(app, link):
    url, _ = link
    refused = post(app, url, {"position": "", "appointment": (io.BytesIO(PDF), "คำสั่ง.pdf")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert field_error(html, "position") == "กรุณาตอบข้อนี้"
    assert field_error(html, "appointment") == "ยังไม่ได้ส่งไฟล์ คำสั่ง.pdf กรุณาเลือกไฟล์อีกครั้งก่อนกดส่ง"
    assert "/uploads/" not in html  # a name only, never a link
    assert upload_count() == 0 and stored_objects(app) == []


@pytest.fixture
def quota(app):  # type: ignore[no-untyped-def]
    saved = {k: app.config.get(k) for k in ("UPLOAD_QUOTA_PER_LINK_MB", "UPLOAD_QUOTA_PER_LINK_FILES")}
    yield app.config
    app.config.update(saved)


def test_link_quota_by_bytes_refuses_beyond_it(app, link, quota):
    quota["UPLOAD_QUOTA_PER_LINK_MB"] = 1
    url, _ = link
    half = padded_pdf(600_000)  # 600,000 bytes: one fits in 1 MB (1,048,576), two do not
    first = post(app, url, {"position": "ครู", "appointment": (io.BytesIO(half), "1.pdf")})
    assert first.status_code == 302
    second = post(app, url, {"position": "ครู", "appointment": (io.BytesIO(half), "2.pdf")})
    assert second.status_code == 422
    assert field_error(second.get_data(as_text=True), "appointment") == (
        "พื้นที่แนบไฟล์ของลิงก์นี้เต็มแล้ว (รวมไม่เกิน 1 MB หรือ 2,000 ไฟล์) ส่งไฟล์นี้ไม่ได้ กรุณาแจ้งหน่วยงานของท่าน"
    )
    assert upload_count() == 1 and len(stored_objects(app)) == 1
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_link_quota_by_count_is_per_link(app, files_world, quota):
    quota["UPLOAD_QUOTA_PER_LINK_FILES"] = 2
    rnd = make_round(files_world, "person_files")
    url_a, _ = link_of(files_world, rnd, "a")
    url_b, _ = link_of(files_world, rnd, "b")
    two = [(io.BytesIO(PDF), "1.pdf"), (io.BytesIO(PDF), "2.pdf")]
    assert post(app, url_a, {"position": "ครู", "appointment": two}).status_code == 302
    refused = post(app, url_a, {"position": "ครู", "appointment": (io.BytesIO(PDF), "3.pdf")})
    assert refused.status_code == 422 and "หรือ 2 ไฟล์" in field_error(refused.get_data(as_text=True), "appointment")
    other_unit = post(app, url_b, {"position": "ครู", "appointment": (io.BytesIO(PDF), "b.pdf")})
    assert other_unit.status_code == 302
    assert upload_count() == 3


def test_person_files_are_not_downloadable_one_by_one(app, link, files_world, auth):
    url, _ = link
    post(app, url, {"position": "ครู", "appointment": (io.BytesIO(PDF), "a.pdf")})
    upload = db.session.scalar(select(Upload))
    auth.login("province")
    client = auth.client
    assert client.get(f"/uploads/{upload.id}").status_code == 404
    assert client.get(f"/uploads/{upload.id}/preview").status_code == 404
    assert app.test_client().get(f"/uploads/{upload.id}").status_code in (302, 401, 404)  # the link: never


def test_the_sweep_removes_abandoned_person_files_and_keeps_sent_ones(app, link):
    url, _ = link
    post(app, url, {"position": "ครู", "appointment": (io.BytesIO(PDF), "kept.pdf")})
    storage = storage_for(app)
    item = storage.receive(io.BytesIO(PDF), 10_000)  # a worker killed after storing, before its row committed
    orphan = storage.commit(item)
    kept = db.session.scalar(select(Upload.storage_key))
    report = sweep(storage, grace=timedelta(hours=1), now=time.time() + 2 * 3600)
    assert report.orphans == [orphan]
    assert stored_objects(app) == [kept]
