"""Publishing makes immutable versions: unchanged files add nothing, a change adds a version."""

import shutil
from pathlib import Path

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.forms_engine.models import FormVersion

ROOT = Path(__file__).resolve().parents[2]


def reworded(text: str) -> str:
    """The same file with one word changed in its texts (comments left alone)."""
    lines = text.splitlines()
    return "\n".join(ln if ln.lstrip().startswith("#") else ln.replace("ความพึงพอใจ", "ความพอใจ") for ln in lines)


def test_publish_is_idempotent_and_changes_make_new_versions(runner, tmp_path):
    path = tmp_path / "tablet_satisfaction.yaml"
    shutil.copy(ROOT / "form_definitions" / "tablet_satisfaction.yaml", path)
    first = runner.invoke(args=["forms", "publish", str(path)])
    assert "ฉบับที่ 1" in first.output, first.output
    again = runner.invoke(args=["forms", "publish", str(path)])
    assert "ไม่เปลี่ยนแปลง" in again.output
    v1 = db.session.scalar(select(FormVersion).where(FormVersion.version == 1))
    original = dict(v1.definition)
    path.write_text(reworded(path.read_text(encoding="utf-8")), encoding="utf-8")
    third = runner.invoke(args=["forms", "publish", str(path)])
    assert "ฉบับที่ 2" in third.output, third.output
    db.session.expire_all()
    assert db.session.get(FormVersion, v1.id).definition == original
    listing = runner.invoke(args=["forms", "list"])
    assert listing.output.count("tablet_satisfaction") == 2


def test_invalid_file_publishes_nothing(runner):
    broken = Path(__file__).parent / "broken" / "duplicate_question_key.yaml"
    result = runner.invoke(args=["forms", "publish", str(broken)])
    assert result.exit_code == 1
    assert db.session.scalar(select(FormVersion)) is None
