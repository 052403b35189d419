"""`flask backup` and `flask restore` round-trip a populated instance: same counts, same file hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from tests.security.test_access_matrix import _world


def counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def test_backup_and_restore_round_trip(app, db, runner, tmp_path):
    _world(app, db)
    before, files_before = counts(), hashes(Path(app.config["UPLOAD_DIR"]) / "objects")
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "--force" in refused.output  # never over existing data by accident
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    for path in (Path(app.config["UPLOAD_DIR"]) / "objects").rglob("*"):
        if path.is_file():
            path.unlink()
    restored = runner.invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert counts() == before
    assert hashes(Path(app.config["UPLOAD_DIR"]) / "objects") == files_before
    # the restored instance works: ids continue after the restored ones
    from survey_app.accounts.kinds import OrgKind
    from tests.factories import make_unit

    make_unit(OrgKind.BASIC_SCHOOL, name="โรงเรียนใหม่")
    db.session.commit()
