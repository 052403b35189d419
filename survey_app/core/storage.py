"""Where uploaded files live: a small interface, the file system today, room for object storage later.

An upload arrives in two steps so a request never leaves half a file behind: `receive` spools the stream into
a private temp file (size-limited, hashed, fsynced) and `commit` moves it into place under a random key only
after the caller has checked it. Keys are opaque: the original file name is metadata, never a path.

A process killed between those steps (or after `commit` but before its transaction commits) still leaves a
temp file or a stored object that no row points to; `leftover_temps` and `stored_keys` find them for the
sweep (`survey_app/sweep.py`), which removes them once they are older than a grace period.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from flask import Flask

from survey_app.core.i18n import N_, gettext

CHUNK_BYTES = 64 * 1024
_KEY = re.compile(r"[0-9a-f]{32}")
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
MSG_FULL = N_("พื้นที่เก็บไฟล์เต็ม กรุณาแจ้งผู้ดูแลระบบ")
MSG_WRITE_FAILED = N_("บันทึกไฟล์ไม่ได้ กรุณาลองใหม่อีกครั้ง หากยังไม่ได้กรุณาแจ้งผู้ดูแลระบบ")
MSG_READ_FAILED = N_("เปิดไฟล์ไม่ได้ กรุณาแจ้งผู้ดูแลระบบ")


class StorageError(Exception):
    """A storage failure (disk full, permission, I/O) whose message is Thai and safe to show to users."""


class TooLarge(StorageError):
    """The stream went past its limit; the copy stopped there and nothing was kept."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        super().__init__(gettext("ไฟล์ใหญ่เกินกำหนด (ไม่เกิน {size})", size=_human_size(limit_bytes)))


@dataclass(frozen=True)
class Received:
    """A spooled temp file, complete and fsynced but not yet stored: commit it or discard it."""

    path: Path
    size: int
    sha256: str


class Storage(Protocol):
    """What the app needs from a file store; the file system now, object storage could follow."""

    def receive(self, stream: IO[bytes], max_bytes: int) -> Received: ...
    def commit(self, received: Received) -> str: ...
    def discard(self, received: Received) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def scratch_dir(self) -> AbstractContextManager[Path]: ...
    def stored_keys(self) -> Iterator[tuple[str, float]]: ...
    def leftover_temps(self, cutoff: float) -> list[Path]: ...
    def remove_temp(self, path: Path) -> None: ...


class FileSystemStorage:
    """Files under `root/objects/ab/cd/<key>`, spooled in `root/tmp` (same file system, so moves are atomic)."""

    def __init__(self, root: Path, test_pauses: Mapping[str, float] | None = None) -> None:
        self.root = Path(root).resolve()
        self.tmp = self.root / "tmp"
        self.objects = self.root / "objects"
        # Tests only (STORAGE_TEST_PAUSES): hold a step open so a test can kill the process right there.
        self._pauses = dict(test_pauses or {})
        with _os_errors(MSG_WRITE_FAILED):
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            _private_dir(self.tmp)
            _private_dir(self.objects)

    def receive(self, stream: IO[bytes], max_bytes: int) -> Received:
        """Copy the stream into a private temp file; on any failure the temp file is gone before we re-raise."""
        with _os_errors(MSG_WRITE_FAILED):
            fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")  # mkstemp creates it 0o600
            path = Path(name)
            try:
                with os.fdopen(fd, "wb") as out:
                    size, digest = _copy(stream, out, max_bytes)
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:
                path.unlink(missing_ok=True)
                raise
        self._pause("after_receive")
        return Received(path=path, size=size, sha256=digest)

    def commit(self, received: Received) -> str:
        """Move a received file into place under a new random key (atomic rename) and return the key."""
        self._check_received(received)
        key = uuid.uuid4().hex
        target = self._object_path(key)
        with _os_errors(MSG_WRITE_FAILED):
            _private_dir(target.parent.parent)
            _private_dir(target.parent)
            os.replace(received.path, target)
            _fsync_dir(target.parent)  # the rename itself must survive a crash, or the database points at nothing
        self._pause("after_commit")
        return key

    def discard(self, received: Received) -> None:
        """Delete a received file that will not be kept; calling it twice is fine."""
        self._check_received(received)
        with _os_errors(MSG_WRITE_FAILED):
            received.path.unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        """A stored object opened for reading; FileNotFoundError when there is none under that key."""
        path = self._object_path(key)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise _storage_error(exc, MSG_READ_FAILED) from exc

    def delete(self, key: str) -> None:
        """Remove a stored object; a key that is already gone is not an error."""
        path = self._object_path(key)
        with _os_errors(MSG_WRITE_FAILED):
            path.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""
        return self._object_path(key).is_file()

    @contextmanager
    def scratch_dir(self) -> Iterator[Path]:
        """A private folder for building a file before `receive` (an export): inside `tmp`, so if the process
        dies mid-build the sweep finds what it left, where a folder in the system's /tmp would stay forever."""
        with tempfile.TemporaryDirectory(dir=self.tmp, prefix="scratch-") as name:
            yield Path(name)

    def stored_keys(self) -> Iterator[tuple[str, float]]:
        """Every stored object as (key, modification time); names that are not keys are not ours and skipped."""
        for path in self.objects.glob("*/*/*"):
            shard = (path.parent.parent.name, path.parent.name)
            if _KEY.fullmatch(path.name) and shard == (path.name[:2], path.name[2:4]) and path.is_file():
                yield path.name, path.stat().st_mtime

    def leftover_temps(self, cutoff: float) -> list[Path]:
        """Temp files and scratch folders untouched since before `cutoff`: what requests that died left behind.

        A temp file being written is touched by every chunk, and a scratch folder by the files built in it."""
        found = []
        for path in self.tmp.iterdir():
            if path.is_symlink() or not path.name.startswith(("upload-", "scratch-")):
                continue
            if _newest_mtime(path) < cutoff:
                found.append(path)
        return sorted(found)

    def remove_temp(self, path: Path) -> None:
        """Delete one leftover from `leftover_temps` (a file or a scratch folder); gone already is fine."""
        if path.parent != self.tmp:
            raise ValueError(f"not a temp file of this storage: {path}")
        with _os_errors(MSG_WRITE_FAILED):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def _pause(self, step: str) -> None:
        """Sleep at a named step when a test asked for it (never configured in production)."""
        if step in self._pauses:
            time.sleep(self._pauses[step])

    def _object_path(self, key: str) -> Path:
        """The object's path; only 32 lowercase hex characters pass, so a key can never climb out of root."""
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"invalid storage key: {key!r}")
        return self.objects / key[:2] / key[2:4] / key

    def _check_received(self, received: Received) -> None:
        """Refuse a Received that does not point into our tmp folder, so a forged one cannot move other files."""
        if received.path.parent != self.tmp:
            raise ValueError(f"not a temp file of this storage: {received.path}")


def storage_for(app: Flask) -> Storage:
    """The app's storage, created once per app from UPLOAD_DIR (which must not be served as static files)."""
    storage = app.extensions.get("storage")
    if storage is None:
        root = Path(app.config["UPLOAD_DIR"]).resolve()
        if app.static_folder and root.is_relative_to(Path(app.static_folder).resolve()):
            raise RuntimeError(f"UPLOAD_DIR {root} is inside the static folder; uploads would be public")
        storage = app.extensions["storage"] = FileSystemStorage(root, app.config.get("STORAGE_TEST_PAUSES"))
    return storage


def _copy(stream: IO[bytes], out: BinaryIO, max_bytes: int) -> tuple[int, str]:
    """Copy in chunks while hashing; stop at the first chunk that goes past max_bytes."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        digest.update(chunk)
        _write(out, chunk)
    return size, digest.hexdigest()


def _write(out: BinaryIO, chunk: bytes) -> None:
    """Write one chunk; its own function so tests can simulate a full disk without touching `os`."""
    out.write(chunk)


def _private_dir(path: Path) -> None:
    """Create a folder only we can enter (mode 0o700 whatever the umask)."""
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def _newest_mtime(path: Path) -> float:
    """A file's modification time, or for a folder the newest of its own and its contents' (0 when gone)."""
    try:
        newest = path.stat().st_mtime
        if path.is_dir():
            for inner in path.rglob("*"):
                newest = max(newest, inner.lstat().st_mtime)
    except FileNotFoundError:
        return 0.0
    return newest


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _os_errors(message: str) -> Iterator[None]:
    """Turn an OSError into a StorageError users can read; the original stays chained for the log."""
    try:
        yield
    except OSError as exc:
        raise _storage_error(exc, message) from exc


def _storage_error(exc: OSError, message: str) -> StorageError:
    """The user-facing error for an OSError: a full disk gets its own message, since only an admin can fix it."""
    return StorageError(gettext(MSG_FULL if exc.errno in _DISK_FULL else message))


def _human_size(n: int) -> str:
    """A byte count as users read it (MB, KB or bytes)."""
    if n >= 1024 * 1024:
        return f"{round(n / (1024 * 1024), 1):g} MB"
    if n >= 1024:
        return f"{round(n / 1024, 1):g} KB"
    return gettext("{n} ไบต์", n=n)
