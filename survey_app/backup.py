"""`flask backup` and `flask restore`: the whole instance (every table and every uploaded file) in one
archive that restores into an empty database of either kind, with counts and file hashes checked.

For PostgreSQL in production, `pg_dump -Fc` plus a copy of UPLOAD_DIR is the usual nightly backup
(docs/deploy.md); this archive is database-neutral, so it also moves an instance from SQLite to
PostgreSQL, and it is what the restore test proves.

The archive holds official data and password hashes, so it is created readable by its owner only (0600,
from the first byte), and it leaves out what would let its reader act as someone: the live session
tokens (a restored instance starts with nobody signed in), and the rate-limit and sign-in throttle counters
(client addresses, device hashes; worthless after a restore). SECURITY.md says exactly what it contains.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

import click
from flask import Flask, current_app
from sqlalchemy import DateTime, Integer, Table, func, insert, select, text
from sqlalchemy.types import Enum as SAEnum

from survey_app.core.db import utcnow
from survey_app.core.thai import now_bangkok
from survey_app.core.transactions import command_transaction
from survey_app.extensions import db

FORMAT = 2  # 2: tables in LEFT_OUT are not written (format 1 archives still restore, without them)

# Tables whose rows are never written to an archive nor restored from one, and why.
LEFT_OUT = {
    "user_session": "live sign-in tokens: whoever holds one is signed in as its user",
    "rate_limit_hit": "request counters keyed by client address and device hash; meaningless after a restore",
    "login_throttle": "failed sign-in counters per account and client address; meaningless after a restore",
}


def _tables() -> list[Table]:
    """The tables an archive holds, in an order that satisfies foreign keys."""
    return [t for t in db.metadata.sorted_tables if t.name not in LEFT_OUT]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _uploads_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "objects"


def _file_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def write_backup(target: Path) -> dict[str, Any]:
    """Write the archive; returns its manifest (table counts and file hashes).

    It is written to a private temp file beside the target (mkstemp creates it 0600 whatever the umask)
    and renamed into place when complete: it is never readable by others, not even while being written,
    and a backup that died halfway never sits under the target's name."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            manifest = _write_archive(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return manifest


def _write_archive(out: BinaryIO) -> dict[str, Any]:
    root = _uploads_root()
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": utcnow().isoformat(), "tables": {}, "files": {}}
    manifest["revision"] = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    manifest["left_out"] = sorted(LEFT_OUT)
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for table in _tables():
            rows = [{k: _jsonable(v) for k, v in row._mapping.items()} for row in db.session.execute(select(table))]
            manifest["tables"][table.name] = len(rows)
            _add_bytes(
                archive, f"db/{table.name}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            )
        if root.exists():
            manifest["files"] = _file_hashes(root)
            archive.add(root, arcname="uploads")
        _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, content: str) -> None:
    data = content.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def restore_backup(source: Path, force: bool = False) -> dict[str, Any]:
    """Load an archive into this instance's (migrated) database and upload folder; returns its manifest,
    which `check_restore` compares with what was committed."""
    with tarfile.open(source, "r:gz") as archive:
        manifest = json.loads(_read(archive, "manifest.json"))
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if manifest["revision"] != current:
            raise click.ClickException(
                f"ฐานข้อมูลเป็นรุ่น {current} แต่ไฟล์สำรองเป็นรุ่น {manifest['revision']}: สั่ง flask db upgrade ก่อน"
            )
        _ensure_empty(force)
        for table in _tables():  # a format 1 archive's session tokens are not restored either
            rows = [json.loads(line) for line in _read(archive, f"db/{table.name}.jsonl").splitlines() if line]
            _insert(table, rows)
        _reset_sequences()
        _extract_uploads(archive)
    return manifest


def _read(archive: tarfile.TarFile, name: str) -> str:
    member = archive.extractfile(name)
    if member is None:
        raise click.ClickException(f"ไฟล์สำรองไม่สมบูรณ์: ไม่มี {name}")
    return member.read().decode("utf-8")


def _ensure_empty(force: bool) -> None:
    populated = [t.name for t in _tables() if db.session.scalar(select(func.count()).select_from(t))]
    if populated and not force:
        raise click.ClickException(f"ฐานข้อมูลมีข้อมูลอยู่แล้ว ({', '.join(populated[:5])}…): ใช้ --force เพื่อแทนที่ทั้งหมด")
    for table in reversed(db.metadata.sorted_tables):  # sessions too: nobody stays signed in across a restore
        db.session.execute(table.delete())


def _insert(table: Table, rows: list[dict[str, Any]]) -> None:
    converters = {c.name: _converter(c.type) for c in table.columns}
    for start in range(0, len(rows), 2000):
        part = [
            {k: converters[k](v) if v is not None else None for k, v in r.items()} for r in rows[start : start + 2000]
        ]
        if part:
            db.session.execute(insert(table), part)


def _converter(column_type: Any) -> Callable[[Any], Any]:
    if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        return column_type.enum_class
    impl = getattr(column_type, "impl", column_type)
    if isinstance(impl, DateTime) or isinstance(column_type, DateTime):
        return datetime.fromisoformat
    return lambda v: v


def _reset_sequences() -> None:
    """PostgreSQL keeps id counters apart from the rows: move them past the restored ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer) and table.name != "rate_limit_hit":
            column = pk[0].name
            sql = (
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                f'COALESCE((SELECT MAX({column}) FROM "{table.name}"), 0) + 1, false)'
            )  # names come from the metadata, not from input
            db.session.execute(text(sql))


def _extract_uploads(archive: tarfile.TarFile) -> None:
    root = _uploads_root()
    root.mkdir(parents=True, exist_ok=True)
    for member in archive.getmembers():
        if not member.name.startswith("uploads/") or not member.isfile():
            continue
        relative = Path(member.name).relative_to("uploads")
        if relative.is_absolute() or ".." in relative.parts:
            raise click.ClickException(f"ไฟล์สำรองมีชื่อไฟล์ไม่ปลอดภัย: {member.name}")
        destination = root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        stream = archive.extractfile(member)
        destination.write_bytes(stream.read() if stream else b"")
        destination.chmod(0o600)


def check_restore(manifest: dict[str, Any]) -> dict[str, Any]:
    """Count the restored rows and hash the restored files against the manifest."""
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in _tables()}
    wanted = {name: want for name, want in manifest["tables"].items() if name not in LEFT_OUT}
    bad = {name: (want, counts.get(name)) for name, want in wanted.items() if counts.get(name) != want}
    hashes = _file_hashes(_uploads_root())
    missing = [name for name, digest in manifest["files"].items() if hashes.get(name) != digest]
    if bad or missing:
        raise click.ClickException(f"ตรวจสอบหลังกู้คืนไม่ผ่าน: ตาราง {bad} ไฟล์ {missing[:5]}")
    return {"tables": counts, "files": len(hashes)}


@click.command("backup")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None)
def backup_command(out_file: Path | None) -> None:
    """Save every table and every uploaded file into one archive (default: exports/backup-….tar.gz)."""
    target = out_file or Path(current_app.config["EXPORT_DIR"]) / f"backup-{now_bangkok():%Y%m%d-%H%M%S}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = write_backup(target)
    click.echo(
        f"{target} (ตาราง {len(manifest['tables'])}, แถว {sum(manifest['tables'].values()):,}, ไฟล์ {len(manifest['files'])})"
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="แทนที่ข้อมูลที่มีอยู่ทั้งหมด")
def restore_command(source: Path, force: bool) -> None:
    """Restore an archive made by `flask backup` into this (migrated) instance and check it."""
    with command_transaction():
        manifest = restore_backup(source, force)
    result = check_restore(manifest)
    click.echo(f"กู้คืนแล้ว: แถว {sum(result['tables'].values()):,} ไฟล์ {result['files']} (ตรวจจำนวนและ hash ครบ)")


def register_cli(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
