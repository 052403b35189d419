"""Upload attacks through the real answer page: every hostile file is refused with a message and leaves
no stored file and no row; names are kept only as cleaned metadata; a unit has a quota."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.responses.models import Response, Upload
from tests.fixtures.answering import PDF, save

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
POLYGLOT = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"


def docm() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/vbaProject.bin", b"\x00" * 10)
    return buffer.getvalue()


def stored(app) -> set:  # type: ignore[no-untyped-def]
    return {p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}


@pytest.mark.parametrize(("name", "content"), [
    ("report.pdf", HTML), ("image.png", SVG), ("แผน.pdf", POLYGLOT), ("empty.pdf", b""),
    ("macro.docx", docm()), ("script.pdf", b"#!/bin/sh\nrm -rf /\n"),
])  # fmt: skip
def test_hostile_files_are_refused_and_leave_nothing(app, client, esa, name, content):
    rid, q, index = esa
    before = stored(app)
    result = save(client, rid, index, {q.key: (io.BytesIO(content), name)}, action="save")
    assert result.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert stored(app) == before


def test_traversal_and_thai_names_are_metadata_only(app, client, esa):
    rid, q, index = esa
    result = save(client, rid, index, {q.key: (io.BytesIO(PDF), "../../etc/รายงาน\u202eexe.pdf")}, action="save")
    assert result.status_code == 302
    upload = db.session.scalar(select(Upload))
    assert upload.original_name == "รายงานexe.pdf"
    assert "/" not in upload.original_name and len(upload.storage_key) == 32
    path = next(iter(stored(app) - set()))
    assert "รายงาน" not in str(path)


def test_oversized_file_is_refused_with_the_limit_named(app, client, esa):
    rid, q, index = esa
    big = b"%PDF-1.4\n" + b"0" * int(q.max_size_mb * 1024 * 1024) + b"\n%%EOF\n"
    before = stored(app)
    result = save(client, rid, index, {q.key: (io.BytesIO(big), "big.pdf")}, action="save")
    assert result.status_code == 422 and f"{q.max_size_mb:g} MB" in result.get_data(as_text=True)
    assert stored(app) == before


def test_aborted_upload_leaves_nothing(app, client, esa):
    rid, q, index = esa

    class Broken(io.BytesIO):
        def read(self, *args):  # type: ignore[no-untyped-def]
            if self.tell() > 10:
                raise OSError("connection reset by peer")
            return super().read(*args)

    before = stored(app)
    with pytest.raises(OSError):
        save(client, rid, index, {q.key: (Broken(PDF * 100), "aborted.pdf")}, action="save")
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert stored(app) == before


def test_per_response_quota(app, client, esa, monkeypatch):
    rid, q, index = esa
    monkeypatch.setattr("survey_app.responses.uploads.UNIT_QUOTA_BYTES", len(PDF) + 10)
    assert save(client, rid, index, {q.key: (io.BytesIO(PDF), "one.pdf")}, action="save").status_code == 302
    second = save(client, rid, index, {q.key: (io.BytesIO(PDF), "two.pdf")}, action="save")
    assert second.status_code == 422 and "พื้นที่แนบไฟล์" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 1
    assert db.session.get(Response, rid).answer_map()[q.key].value[0]["name"] == "one.pdf"
