"""The storage sweep: leftovers of dead requests go once they are older than the grace period; every file a row
points to (an upload, a certification letter, an export job's file) stays; an upload in flight is never touched.
(The same, with real workers killed mid-upload: test_killed_uploads.py.)"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from survey_app.core.storage import FileSystemStorage
from survey_app.extensions import db
from survey_app.reports.exports import ExportJob
from survey_app.responses.models import ORG_SLOT, Response, Upload
from survey_app.review.models import AgencyCertification, SetStatus
from survey_app.sweep import GRACE, KEY_COLUMNS, sweep

HOUR = 3600


def put(storage: FileSystemStorage, content: bytes, age_seconds: float = 0) -> str:
    """Store bytes the way uploads are stored, dated `age_seconds` ago."""
    key = storage.commit(storage.receive(io.BytesIO(content), 1024 * 1024))
    age(storage.objects / key[:2] / key[2:4] / key, age_seconds)
    return key


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def leftover_temp(storage: FileSystemStorage, age_seconds: float) -> Path:
    """What a worker killed while spooling leaves: a temp file in tmp/."""
    path = storage.tmp / f"upload-dead{int(age_seconds)}"
    path.write_bytes(b"%PDF-1.4 half a file")
    age(path, age_seconds)
    return path


def test_sweep_removes_old_leftovers_and_keeps_what_rows_point_to(db, world, plan_round, tmp_path):
    storage = FileSystemStorage(tmp_path / "store")
    response = Response(round_id=plan_round.id, org_unit_id=world["x"].id, org_slot=ORG_SLOT)
    db.session.add(response)
    db.session.flush()
    upload_key = put(storage, b"upload", 2 * HOUR)
    letter_key = put(storage, b"letter", 2 * HOUR)
    export_key = put(storage, b"export", 2 * HOUR)
    db.session.add(Upload(response_id=response.id, question_key="q", storage_key=upload_key, original_name="a.pdf",
                          kind="pdf", content_type="application/pdf", size=6, sha256="0" * 64))  # fmt: skip
    db.session.add(AgencyCertification(round_id=plan_round.id, agency_id=world["x"].id, status=SetStatus.CERTIFIED,
                                       letter_key=letter_key, letter_name="l.pdf", letter_sha256="0" * 64,
                                       letter_size=6))  # fmt: skip
    db.session.add(ExportJob(user_id=world["province"].id, round_id=plan_round.id, params={},
                             status="done", storage_key=export_key))  # fmt: skip
    db.session.commit()
    orphan = put(storage, b"committed, then the worker died", 2 * HOUR)
    in_flight = put(storage, b"committed a second ago, row not yet committed")
    dead_temp, live_temp = leftover_temp(storage, 2 * HOUR), leftover_temp(storage, 5)
    with storage.scratch_dir() as scratch:  # an export being built right now
        (scratch / "export.xlsx").write_bytes(b"partial")
        age(scratch, 2 * HOUR)  # the folder is old, but its file is being written: kept

        dry = sweep(storage, dry_run=True)
        assert (dry.temps, dry.orphans) == ([dead_temp.name], [orphan])
        assert dead_temp.exists() and storage.exists(orphan)  # a dry run removes nothing

        report = sweep(storage)
        assert (report.temps, report.orphans) == ([dead_temp.name], [orphan])
        assert scratch.exists()
    assert not dead_temp.exists() and live_temp.exists()
    assert not storage.exists(orphan)
    for key in (upload_key, letter_key, export_key, in_flight):
        assert storage.exists(key)


def test_a_dead_exports_scratch_folder_is_swept(db, tmp_path):
    storage = FileSystemStorage(tmp_path / "store")
    dead = storage.tmp / "scratch-dead"
    dead.mkdir()
    (dead / "export.xlsx").write_bytes(b"half a workbook")
    age(dead / "export.xlsx", 2 * HOUR)
    age(dead, 2 * HOUR)
    assert sweep(storage).temps == ["scratch-dead"]
    assert not dead.exists()


def test_many_unreferenced_files_are_held_back_until_forced(db, runner, app, tmp_path):
    """An empty database in front of a full folder (a restore half done, a wrong DATABASE_URL) must not cost
    the province its files: the sweep refuses, says why, and deletes only when told --force."""
    storage = FileSystemStorage(Path(app.config["UPLOAD_DIR"]))
    keys = [put(storage, f"file {i}".encode(), 2 * HOUR) for i in range(25)]
    result = runner.invoke(args=["storage", "sweep"])
    assert result.exit_code != 0 and "--force" in result.output and "25" in result.output
    assert all(storage.exists(k) for k in keys)
    forced = runner.invoke(args=["storage", "sweep", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "ลบแล้ว: ไฟล์ชั่วคราว 0 ไฟล์, ไฟล์ที่ไม่มีข้อมูลอ้างถึง 25 ไฟล์" in forced.output
    assert not any(storage.exists(k) for k in keys)


def test_the_grace_period_is_longer_than_any_upload():
    assert GRACE.total_seconds() >= HOUR


def test_every_column_holding_storage_keys_is_known_to_the_sweep():
    """A new column of storage keys that the sweep did not know would have its files deleted: name every column
    ending in "key" either here (not a storage key) or in sweep.KEY_COLUMNS."""
    not_storage_keys = {("form_version", "form_key"), ("answer", "question_key"), ("upload", "question_key"),
                        ("review_comment", "question_key"), ("rate_limit_hit", "key"),
                        ("login_throttle", "key")}  # fmt: skip
    key_like = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.columns if c.name.endswith("key")}
    known = {(c.class_.__tablename__, c.key) for c in KEY_COLUMNS}
    assert key_like - not_storage_keys == known
