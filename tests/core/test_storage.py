"""The file store: a file is either stored whole or not at all, and keys cannot reach outside the store."""

from __future__ import annotations

import errno
import hashlib
import io
import stat
from pathlib import Path

import pytest
from flask import Flask

from survey_app.core import storage as storage_module
from survey_app.core.storage import (
    MSG_FULL,
    FileSystemStorage,
    Received,
    StorageError,
    TooLarge,
    storage_for,
)


@pytest.fixture
def store(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(tmp_path / "uploads")


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


class BrokenStream:
    """Gives one chunk, then fails like a dropped connection."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("connection lost")
        return b"x" * size


def test_folders_are_private(store: FileSystemStorage) -> None:
    assert stat.S_IMODE(store.tmp.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.objects.stat().st_mode) == 0o700


def test_receive_and_commit_round_trip(store: FileSystemStorage) -> None:
    data = "รายงานประจำปี\n".encode() * 20_000  # several 64 KiB chunks

    received = store.receive(io.BytesIO(data), max_bytes=len(data))
    assert received.size == len(data)
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    key = store.commit(received)

    assert len(key) == 32
    assert all(c in "0123456789abcdef" for c in key)
    assert store.exists(key)
    with store.open(key) as f:
        assert f.read() == data
    [stored] = files_under(store.root)
    assert stored.is_relative_to(store.objects)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert not received.path.exists()


def test_each_commit_gets_its_own_key(store: FileSystemStorage) -> None:
    keys = {store.commit(store.receive(io.BytesIO(b"same"), 10)) for _ in range(3)}
    assert len(keys) == 3


def test_exactly_the_limit_is_accepted(store: FileSystemStorage) -> None:
    assert store.receive(io.BytesIO(b"12345"), max_bytes=5).size == 5


def test_too_large_leaves_no_temp_file(store: FileSystemStorage) -> None:
    limit = 100 * 1024
    with pytest.raises(TooLarge) as info:
        store.receive(io.BytesIO(b"x" * (limit + 1)), max_bytes=limit)
    assert info.value.limit_bytes == limit
    assert "100 KB" in str(info.value)
    assert files_under(store.root) == []


def test_stream_failing_midway_leaves_no_temp_file(store: FileSystemStorage) -> None:
    with pytest.raises(RuntimeError, match="connection lost"):
        store.receive(BrokenStream(), max_bytes=10 * 1024 * 1024)
    assert files_under(store.root) == []


def test_full_disk_is_reported_in_thai_and_leaves_nothing(
    store: FileSystemStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(out: object, chunk: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_module, "_write", full)
    with pytest.raises(StorageError) as info:
        store.receive(io.BytesIO(b"data"), max_bytes=100)
    assert str(info.value) == MSG_FULL == "พื้นที่เก็บไฟล์เต็ม กรุณาแจ้งผู้ดูแลระบบ"
    assert isinstance(info.value.__cause__, OSError)  # the real cause stays for the log
    assert files_under(store.root) == []


def test_quota_exceeded_at_fsync_counts_as_full(store: FileSystemStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    def over_quota(fd: int) -> None:
        raise OSError(errno.EDQUOT, "Disk quota exceeded")

    monkeypatch.setattr(storage_module.os, "fsync", over_quota)
    with pytest.raises(StorageError, match=MSG_FULL):
        store.receive(io.BytesIO(b"data"), max_bytes=100)
    assert files_under(store.root) == []


def test_other_io_errors_say_the_file_was_not_saved(store: FileSystemStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(out: object, chunk: bytes) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(storage_module, "_write", denied)
    with pytest.raises(StorageError, match="บันทึกไฟล์ไม่ได้"):
        store.receive(io.BytesIO(b"data"), max_bytes=100)
    assert files_under(store.root) == []


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "../../" + "a" * 30, "A" * 32, "g" * 32, "a" * 31, "a" * 33, "a" * 32 + "\n", "", "/etc/passwd"],
)
def test_keys_that_are_not_32_lowercase_hex_are_refused(store: FileSystemStorage, key: str) -> None:
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.delete(key)
    with pytest.raises(ValueError):
        store.exists(key)


def test_delete_is_idempotent(store: FileSystemStorage) -> None:
    key = store.commit(store.receive(io.BytesIO(b"data"), 100))
    store.delete(key)
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)


def test_discard_is_idempotent(store: FileSystemStorage) -> None:
    received = store.receive(io.BytesIO(b"data"), 100)
    store.discard(received)
    store.discard(received)
    assert files_under(store.root) == []


def test_commit_refuses_a_file_outside_its_tmp_folder(store: FileSystemStorage, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("not an upload")
    with pytest.raises(ValueError):
        store.commit(Received(path=outside, size=13, sha256="0" * 64))
    assert outside.exists()


def test_storage_for_is_cached_per_app(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    assert storage_for(app) is storage_for(app)
    assert (tmp_path / "uploads" / "objects").is_dir()


def test_storage_for_refuses_a_folder_served_as_static(tmp_path: Path) -> None:
    app = Flask(__name__, static_folder=str(tmp_path / "static"))
    app.config["UPLOAD_DIR"] = str(tmp_path / "static" / "uploads")
    with pytest.raises(RuntimeError, match="static"):
        storage_for(app)
