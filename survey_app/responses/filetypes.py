"""What an uploaded file really is, judged by its bytes: the file name and the browser's content type are
chosen by the sender, so neither is trusted. Anything we cannot positively recognise is refused.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from survey_app.core.i18n import gettext

KINDS = ("pdf", "jpg", "png", "docx", "xlsx", "pptx")
MIME = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

HEAD_BYTES = 4096
TAIL_BYTES = 2048
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HTML_MARKERS = (b"<script", b"<html", b"<!doctype html")
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_BANNED_SUFFIXES = (".exe", ".js", ".vbs", ".bat", ".cmd", ".sh", ".ps1", ".jar", ".dll", ".scr", ".hta", ".msi")
MAX_NAME_CHARS = 200

_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

Sniffer = Callable[[Path, bytes, bytes], str | None]


def sniff(path: Path) -> str | None:
    """The kind of the file by its content (one of KINDS), or None when it is none of them or empty."""
    head, tail = _ends(path)
    if not head:
        return None
    for sniffer in _SNIFFERS:
        kind = sniffer(path, head, tail)
        if kind is not None:
            return kind
    return None


def check_upload(path: Path, allowed: Sequence[str]) -> tuple[str | None, str | None]:
    """(kind, None) when the content is one of the allowed kinds, else (None, a Thai message for the user)."""
    allowed = (allowed,) if isinstance(allowed, str) else tuple(allowed)
    if path.stat().st_size == 0:
        return None, gettext("ไฟล์นี้ว่างเปล่า ไม่มีเนื้อหา กรุณาเลือกไฟล์ใหม่")
    kind = sniff(path)
    if kind is not None and kind in allowed:
        return kind, None
    labels = ", ".join(k.upper() for k in allowed)
    return None, gettext("ไฟล์นี้ไม่ใช่ {labels} ตามที่กำหนด (ตรวจจากเนื้อไฟล์ ไม่ใช่นามสกุล)", labels=labels)


def safe_filename(name: str) -> str:
    """The original name fit to keep as metadata and show back: no folders, controls or bidi tricks; Thai kept."""
    cleaned = unicodedata.normalize("NFC", _UNSAFE_NAME_CHARS.sub("", name or ""))
    base = re.split(r"[/\\]", cleaned)[-1].strip()
    if base in ("", ".", ".."):
        return "file"
    return _truncate_keeping_extension(base, MAX_NAME_CHARS)


def _truncate_keeping_extension(name: str, limit: int) -> str:
    """Cut a long name from the stem so the extension (how users recognise the file) survives."""
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = dot + ext if stem and len(ext) <= 16 else ""
    body = stem if suffix else name
    return body[: limit - len(suffix)].rstrip() + suffix


def _ends(path: Path) -> tuple[bytes, bytes]:
    """The first HEAD_BYTES and last TAIL_BYTES of the file (overlapping when it is small)."""
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
        size = f.seek(0, 2)
        f.seek(max(0, size - TAIL_BYTES))
        tail = f.read(TAIL_BYTES)
    return head, tail


def _pdf(path: Path, head: bytes, tail: bytes) -> str | None:
    """PDF: the header within the first 8 bytes, `%%EOF` near the end, and no HTML hiding in the start."""
    if b"%PDF-" not in head[:8] or b"%%EOF" not in tail:
        return None
    lowered = head.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        return None  # a PDF/HTML polyglot: a browser sniffing it would run the script
    return "pdf"


def _png(path: Path, head: bytes, tail: bytes) -> str | None:
    """PNG: the signature followed at once by a 13-byte IHDR chunk, as the format requires."""
    if head[:8] == PNG_SIGNATURE and head[8:16] == b"\x00\x00\x00\x0dIHDR":
        return "png"
    return None


def _jpeg(path: Path, head: bytes, tail: bytes) -> str | None:
    """JPEG: starts with SOI and a marker, ends with EOI (some writers pad with zero bytes after it)."""
    if head[:3] == b"\xff\xd8\xff" and tail.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "jpg"
    return None


def _ooxml(path: Path, head: bytes, tail: bytes) -> str | None:
    """docx/xlsx/pptx: a well-formed, harmless zip with the content-types part and exactly one main part."""
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if not _zip_is_harmless(entries):
        return None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        return None
    kinds = [kind for kind, part in OOXML_MAIN_PART.items() if part in names]
    return kinds[0] if len(kinds) == 1 else None


def _zip_is_harmless(entries: list[zipfile.ZipInfo]) -> bool:
    """No zip bomb, no path tricks, no duplicate names, no executables and no macros."""
    if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_UNCOMPRESSED:
        return False
    names = [entry.filename for entry in entries]
    return len(set(names)) == len(names) and all(_zip_name_is_harmless(name) for name in names)


def _zip_name_is_harmless(name: str) -> bool:
    """A relative entry name that does not climb out, is not executable and is not a VBA macro project."""
    normal = name.replace("\\", "/")
    parts = PurePosixPath(normal).parts
    if not normal or normal.startswith("/") or re.match(r"[A-Za-z]:", normal) or ".." in parts:
        return False
    lowered = normal.lower()
    return not lowered.endswith(ZIP_BANNED_SUFFIXES) and PurePosixPath(lowered).name != "vbaproject.bin"


_SNIFFERS: tuple[Sniffer, ...] = (_pdf, _png, _jpeg, _ooxml)
