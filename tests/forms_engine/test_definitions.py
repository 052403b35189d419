"""The definition checker: the four questionnaires pass, each broken file fails naming file and path."""

from pathlib import Path

import pytest

from survey_app.forms_engine.loader import content_hash, load_file, load_text

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = sorted((ROOT / "form_definitions").glob("*.yaml"))
BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))


def expected_path(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect-path:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no expect-path")


def test_the_four_questionnaires_are_there_and_pass(runner):
    assert {p.stem for p in DEFINITIONS} >= {"phetchabun_plan", "od_survey", "tablet_satisfaction", "buddhist_way"}
    result = runner.invoke(args=["forms", "check"])
    assert result.exit_code == 0, result.output


def test_at_least_fifteen_kinds_of_mistake():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_definition_is_refused_with_file_and_path(runner, path):
    result = runner.invoke(args=["forms", "check", str(path)])
    assert result.exit_code == 1
    expected = expected_path(path)
    separator = "," if expected.startswith("line ") else ":"
    assert f"{path.name}: {expected}{separator}" in result.output, result.output


def test_plan_questionnaire_shape():
    defn = load_file(ROOT / "form_definitions" / "phetchabun_plan.yaml").definition
    assert defn is not None and len(defn.sections) == 6
    for section in defn.sections:
        assert section.indicators, section.key
        for indicator in section.indicators:
            assert 2 <= len(indicator.questions) <= 3, indicator.key
    types = [q.type for q in defn.questions()]
    assert "file" in types
    uploads = [q for q in defn.questions() if q.type == "file"]
    assert all(q.audience == ["esa"] for q in uploads)
    choices = [q for q in defn.questions() if q.type in ("single_choice", "multiple_choice")]
    assert all(q.none_label is not None for q in choices)


def test_od_and_tablet_and_buddhist_way_shapes():
    od = load_file(ROOT / "form_definitions" / "od_survey.yaml").definition
    assert od.respondent == "person" and any(q.type == "paired_rating" for q in od.questions())
    tablet = load_file(ROOT / "form_definitions" / "tablet_satisfaction.yaml").definition
    assert tablet.respondent == "person" and sum(q.type == "rating" for q in tablet.questions()) >= 20
    bw = load_file(ROOT / "form_definitions" / "buddhist_way.yaml").definition
    points = [q for q in bw.questions() if q.type == "rating"]
    assert len(points) == 29


def test_yaml_error_names_the_line():
    result = load_text("schema_version: 1\nkey: x\n  title: bad\n", "x.yaml", expected_key="x")
    assert not result.ok
    assert result.lines()[0].startswith("x.yaml: line 3")


def test_duplicate_yaml_keys_and_aliases_are_refused():
    dup = load_text("schema_version: 1\nkey: a\nkey: b\n", "d.yaml")
    assert "ซ้ำ" in dup.lines()[0]
    bomb = load_text("a: &x [1, 2]\nb: [*x, *x]\n", "b.yaml")
    assert "alias" in bomb.lines()[0]


def test_hash_ignores_formatting_but_not_meaning():
    text = (ROOT / "form_definitions" / "tablet_satisfaction.yaml").read_text(encoding="utf-8")
    a = load_text(text, "t.yaml").definition
    b = load_text("# a comment\n" + text, "t.yaml").definition
    assert content_hash(a) == content_hash(b)
    from tests.forms_engine.test_versions import reworded

    c = load_text(reworded(text), "t.yaml").definition
    assert content_hash(c) != content_hash(a)
