"""`flask backup` archives are private from their first byte and carry no live secret: no session token (a
restored instance starts with nobody signed in), no rate-limit or sign-in throttle counters; the password hashes
(argon2id) are kept, so people sign in after a restore with the passwords they had."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
from pathlib import Path

from sqlalchemy import func, select

from survey_app import backup
from survey_app.accounts.models import UserSession
from survey_app.extensions import db
from survey_app.responses.models import Upload
from tests.fixtures.answering import PDF, save


def archive_texts(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def test_the_archive_is_private_from_its_first_byte_even_with_a_permissive_umask(runner, world, tmp_path, monkeypatch):
    target = tmp_path / "backup.tar.gz"
    seen: list[tuple[str, int]] = []
    add_bytes = backup._add_bytes

    def look_while_writing(archive, name, content):  # type: ignore[no-untyped-def]
        seen.extend((p.name, stat.S_IMODE(p.stat().st_mode)) for p in tmp_path.iterdir())
        return add_bytes(archive, name, content)

    monkeypatch.setattr(backup, "_add_bytes", look_while_writing)
    umask = os.umask(0)  # every file created without an explicit mode would be readable by every local user
    try:
        result = runner.invoke(args=["backup", "--out", str(target)])
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.output
    assert seen and {mode for _name, mode in seen} == {0o600}  # while it was being written
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["backup.tar.gz"]  # no half-written part left beside it


def test_the_archive_holds_no_session_token_and_restores_with_nobody_signed_in(
    app, client, auth, runner, world, plan_round, esa, tmp_path
):
    rid, q, index = esa  # esa_x is signed in, and a file is stored
    assert save(client, rid, index, {q.key: (io.BytesIO(PDF), "r.pdf")}, action="save").status_code == 302
    tokens = list(db.session.scalars(select(UserSession.token)))
    assert tokens
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0

    texts = archive_texts(archive)
    everything = b"".join(texts.values())
    assert not any(token.encode() in everything for token in tokens)
    assert "db/user_session.jsonl" not in texts and "db/rate_limit_hit.jsonl" not in texts
    manifest = json.loads(texts["manifest.json"])
    assert {"user_session", "rate_limit_hit"} <= set(manifest["left_out"])
    users = [json.loads(line) for line in texts["db/app_user.jsonl"].decode().splitlines()]
    assert users and all(u["password_hash"].startswith("$argon2id$") for u in users)  # as SECURITY.md says

    kept = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in backup._tables()}
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    for path in (Path(app.config["UPLOAD_DIR"]) / "objects").rglob("*"):
        if path.is_file():
            path.unlink()
    restored = runner.invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    db.session.expire_all()
    assert {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in backup._tables()} == kept
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert client.get(f"/responses/{rid}").status_code == 302  # the old cookie signs nobody in
    auth.login("esa_x")  # the password (its argon2id hash) came back
    assert client.get(f"/responses/{rid}").status_code == 200
    upload_id = db.session.scalar(select(Upload.id))
    assert client.get(f"/uploads/{upload_id}").get_data() == PDF  # and the file with it
