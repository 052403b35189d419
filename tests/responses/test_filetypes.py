"""Uploads are judged by their bytes: real files of each kind pass, disguised or dangerous ones do not."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import xlsxwriter

from survey_app.responses.filetypes import KINDS, MIME, check_upload, safe_filename, sniff

CONTENT_TYPES = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def pdf_bytes(body: bytes = b"") -> bytes:
    """A minimal but well-formed one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = b"%PDF-1.4\n" + body
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes() -> bytes:
    """A real 1x1 red RGB PNG."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def docx_members(extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document><w:body><w:p/></w:body></w:document>",
        **(extra or {}),
    }


@pytest.fixture
def make(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write bytes to a file in tmp_path under the given (sender-chosen, untrusted) name."""

    def _make(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _make


def test_mime_types_cover_every_kind() -> None:
    assert set(MIME) == set(KINDS)


def test_real_pdf(make) -> None:  # type: ignore[no-untyped-def]
    assert sniff(make("report.pdf", pdf_bytes())) == "pdf"


def test_real_png(make) -> None:  # type: ignore[no-untyped-def]
    assert sniff(make("photo.png", png_bytes())) == "png"


def test_real_jpeg_also_with_zero_padding(make) -> None:  # type: ignore[no-untyped-def]
    assert sniff(make("a.jpg", JPEG)) == "jpg"
    assert sniff(make("b.jpg", JPEG + b"\x00" * 100)) == "jpg"


def test_real_docx_pptx_and_handmade_xlsx(tmp_path: Path) -> None:
    assert sniff(write_zip(tmp_path / "a.docx", docx_members())) == "docx"
    pptx = {"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<p:presentation/>"}
    assert sniff(write_zip(tmp_path / "a.pptx", pptx)) == "pptx"
    xlsx = {"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"}
    assert sniff(write_zip(tmp_path / "a.xlsx", xlsx)) == "xlsx"


def test_xlsx_written_by_xlsxwriter(tmp_path: Path) -> None:
    path = tmp_path / "คะแนน.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("ผล").write_row(0, 0, ["โรงเรียน", 42])
    workbook.close()
    assert sniff(path) == "xlsx"


def test_kind_comes_from_content_not_name(make) -> None:  # type: ignore[no-untyped-def]
    assert sniff(make("scan.docx", png_bytes())) == "png"


def test_allowed_kind_passes(make) -> None:  # type: ignore[no-untyped-def]
    assert check_upload(make("a.pdf", pdf_bytes()), ["pdf", "png"]) == ("pdf", None)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>fetch('/steal')</script></html>"),
        ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("notes.pdf", "ข้อความธรรมดา ไม่ใช่ไฟล์ PDF\n".encode()),
        ("anim.png", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,;"),
        ("empty.pdf", b""),
        ("cut.pdf", pdf_bytes().replace(b"%%EOF", b"")),
        ("late.pdf", b" " * 8 + pdf_bytes()),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("cut.jpg", JPEG[:-2]),
        ("junk.docx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_disguised_or_broken_files_are_refused(make, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = make(name, data)
    assert sniff(path) is None
    kind, error = check_upload(path, KINDS)
    assert kind is None
    assert error


def test_pdf_html_polyglot_is_refused(make) -> None:  # type: ignore[no-untyped-def]
    polyglot = pdf_bytes(b"% <html><body><script>alert(document.cookie)</script></body></html>\n")
    assert sniff(make("polyglot.pdf", polyglot)) is None


@pytest.mark.parametrize(
    "extra",
    [
        {"../x": b"climbs out"},
        {"/etc/cron.d/x": b"absolute"},
        {"word\\..\\..\\x": b"windows separators"},
        {"word/vbaProject.bin": b"macro"},
        {"word/embeddings/run.exe": b"MZ"},
        {"word/media/x.js": b"alert(1)"},
    ],
)
def test_dangerous_zip_contents_are_refused(tmp_path: Path, extra: dict[str, bytes]) -> None:
    assert sniff(write_zip(tmp_path / "a.docx", docx_members(extra))) is None


def test_zip_without_content_types_is_refused(tmp_path: Path) -> None:
    assert sniff(write_zip(tmp_path / "a.docx", {"word/document.xml": b"<w:document/>"})) is None


def test_zip_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    many = {f"word/media/{i}.xml": b"" for i in range(2001)}
    assert sniff(write_zip(tmp_path / "a.docx", docx_members(many))) is None


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "bomb.docx", docx_members())
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("word/big.xml", "w") as f,
    ):
        zeros = bytes(1024 * 1024)
        for _ in range(201):  # 201 MB of zeros compress to under 1 MB
            f.write(zeros)
    assert path.stat().st_size < 2 * 1024 * 1024
    assert sniff(path) is None


def test_type_mismatch_names_what_was_expected(make) -> None:  # type: ignore[no-untyped-def]
    kind, error = check_upload(make("photo.pdf", png_bytes()), ["pdf"])
    assert kind is None
    assert error == "ไฟล์นี้ไม่ใช่ PDF ตามที่กำหนด (ตรวจจากเนื้อไฟล์ ไม่ใช่นามสกุล)"


def test_refusal_lists_every_allowed_kind(make) -> None:  # type: ignore[no-untyped-def]
    _, error = check_upload(make("x.pdf", b"hello"), ["pdf", "png"])
    assert error == "ไฟล์นี้ไม่ใช่ PDF, PNG ตามที่กำหนด (ตรวจจากเนื้อไฟล์ ไม่ใช่นามสกุล)"


def test_empty_file_gets_its_own_message(make) -> None:  # type: ignore[no-untyped-def]
    assert check_upload(make("a.pdf", b""), ["pdf"]) == (None, "ไฟล์นี้ว่างเปล่า ไม่มีเนื้อหา กรุณาเลือกไฟล์ใหม่")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\รายงาน.pdf", "รายงาน.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066abc\u2069.pdf", "abc.pdf"),
        ("re\x00port.pdf", "report.pdf"),
        ("line\nbreak.pdf", "linebreak.pdf"),
        ("cafe\u0301.pdf", "café.pdf"),
        ("แบบสำรวจ ปี 2568.docx", "แบบสำรวจ ปี 2568.docx"),
        ("", "file"),
        ("..", "file"),
        ("folder/", "file"),
        ("\u202e", "file"),
    ],
)
def test_safe_filename(given: str, kept: str) -> None:
    assert safe_filename(given) == kept


def test_long_name_is_cut_keeping_the_extension() -> None:
    name = safe_filename("ร" * 500 + ".pdf")
    assert len(name) == 200
    assert name.endswith("ร.pdf")
