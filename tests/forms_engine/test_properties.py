"""Property-based tests: generated definitions and answers never cause a crash or a server error."""

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.builder import completeness, form_class, read_section
from survey_app.forms_engine.loader import load_file, load_text
from survey_app.forms_engine.models import FormVersion
from survey_app.forms_engine.operations import publish_files
from tests.factories import province_with_users
from tests.fixtures.app import csrf_token

ROOT = Path(__file__).resolve().parents[2]
DEFINITION_FILES = [
    *sorted((ROOT / "form_definitions").glob("*.yaml")),
    Path(__file__).parent / "valid" / "minimal.yaml",
    Path(__file__).parent / "valid" / "repeat_projects.yaml",
    Path(__file__).parent / "valid" / "choice_family.yaml",
]
HOSTILE = st.sampled_from(
    ["", " ", "ไม่มี", "0", "-1", "1e309", "NaN", "inf", "๑๒๓", "１２", "\x00", "\u202e", "<script>x</script>",
     "javascript:alert(1)", "=1+1", "__none__", "__na__", "9" * 400, "2563-13-45", "31/02/2563"]
)  # fmt: skip
keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
texts = st.one_of(st.text(max_size=30), HOSTILE, st.fixed_dictionaries({"th": st.text(max_size=20)}))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True), texts)


@st.composite
def questions(draw):  # type: ignore[no-untyped-def]
    q = {"key": draw(keys), "type": draw(st.sampled_from([*s.QUESTION_TYPE_NAMES, "teleport"])), "label": draw(texts)}
    optional = {
        "options": st.lists(st.one_of(texts, st.fixed_dictionaries({"value": keys, "label": texts})), max_size=4),
        "none_option": st.one_of(st.booleans(), texts),
        "allow_none": st.booleans(),
        "allow_na": st.booleans(),
        "min": scalars,
        "max": scalars,
        "scale": st.sampled_from(["l5", "nope"]),
        "ratings": st.lists(st.fixed_dictionaries({"key": keys, "label": texts}), max_size=3),
        "gap": st.lists(keys, max_size=2),
        "show_if": st.fixed_dictionaries({"question": keys, "equals": scalars}),
        "checks": st.lists(st.fixed_dictionaries({"le": keys}), max_size=1),
        "audience": st.lists(st.sampled_from(["esa", "basic_school", "martian"]), max_size=2),
        "accept": st.lists(st.sampled_from(["pdf", "exe", "png"]), max_size=2),
        "required": scalars,
        "questions": st.lists(  # a repeating group's fields (a nested group or a file must be refused)
            st.fixed_dictionaries(
                {"key": keys, "type": st.sampled_from(["text", "integer", "repeat", "file"]), "label": texts}
            ),
            max_size=3,
        ),
        "min_rows": scalars,
        "max_rows": scalars,
        "row_label": texts,
        "other_option": st.one_of(st.booleans(), texts),  # choice: "other, specify", long lists, units, grids
        "display": st.sampled_from(["radio", "select", "search", "checkbox", "table"]),
        "units": st.fixed_dictionaries(
            {
                "kinds": st.lists(st.sampled_from(["schools", "esa", "martian"]), max_size=2),
                "within": st.sampled_from(["province", "own_agency", "own_unit_children", "moon"]),
            }
        ),
        "items": st.lists(st.fixed_dictionaries({"key": keys, "label": texts}), max_size=3),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()) and draw(st.booleans()):
            q[name] = draw(strategy)
    return q


definitions = st.fixed_dictionaries(
    {
        "schema_version": st.sampled_from([1, 1, 1, 2, "1"]),
        "key": st.just("gen"),
        "title": texts,
        "respondent": st.sampled_from(["organisation", "person", "robot"]),
        "audience": st.lists(st.sampled_from(["all", "schools", "martian"]), min_size=0, max_size=2),
        "allow_na": st.booleans(),
        "scales": st.just({"l5": {"min": 1, "max": 5}}),
        "sections": st.lists(
            st.fixed_dictionaries({"key": keys, "title": texts, "questions": st.lists(questions(), max_size=5)}),
            max_size=3,
        ),
    }
)


@settings(max_examples=150, deadline=None)
@given(definitions)
def test_generated_definitions_never_crash_the_checker(data):
    result = load_text(yaml.safe_dump(data, allow_unicode=True), "gen.yaml", expected_key="gen")
    assert result.ok or result.problems
    assert all(isinstance(line, str) for line in result.lines())


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_checker(text):
    result = load_text(text, "fuzz.yaml")
    assert result.ok or result.problems


LOADED = [load_file(path).definition for path in DEFINITION_FILES]


def field_names(defn):  # type: ignore[no-untyped-def]
    names = []
    for q in defn.questions():
        names += [q.key, f"{q.key}__none", f"{q.key}__na"]
        names += [f"{q.key}__{r.key}" for r in getattr(q, "ratings", [])]
        names += [f"{q.key}__{i.key}" for i in getattr(q, "items", [])] + [f"{q.key}__other", f"{q.key}__bogus"]
        for field in getattr(q, "questions", []):  # a repeat: its seed rows, a row never made, an injected key
            names += [f"{q.key}-r000001-{field.key}", f"{q.key}-rzzzzzz-{field.key}", f"{q.key}-r000001-x-{field.key}"]
    return names


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_answers_never_raise(app, data):
    defn = data.draw(st.sampled_from(LOADED))
    section = data.draw(st.sampled_from(defn.sections))
    names = field_names(defn)
    posted = MultiDict()
    for name in data.draw(st.lists(st.sampled_from(names), max_size=12)):
        posted.add(name, data.draw(st.one_of(HOSTILE, st.text(max_size=50))))
    with app.test_request_context(method="POST", data=posted):
        form = form_class(defn, section)(meta={"csrf": False})
        kind = data.draw(st.sampled_from([None, "basic_school", "primary_esa"]))
        read = read_section(defn, section, form, {}, kind)
        completeness(defn, read.answers, kind)
        for key, answer in read.answers.items():
            assert answer.state.value in ("value", "none", "na"), key
            if answer.has_value and isinstance(answer.value, float):
                assert answer.value == answer.value and abs(answer.value) != float("inf")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_posts_to_the_preview_never_give_a_server_error(client, auth, db, data):
    if db.session.scalar(select(FormVersion.id).limit(1)) is None:  # first example: set up once
        province_with_users()
        publish_files(DEFINITION_FILES[:4])
        db.session.commit()
        auth.login("province")
    version_id = data.draw(st.integers(1, 4))
    index = data.draw(st.integers(-1, 12))
    payload = {"csrf_token": csrf_token(client, "/forms/"), "s": str(index)}
    for name in data.draw(
        st.lists(st.sampled_from([*field_names(LOADED[0]), "go", "action", "preview_state"]), max_size=10)
    ):
        payload[name] = data.draw(st.one_of(HOSTILE, st.text(max_size=40)))
    response = client.post(f"/forms/{version_id}/preview", data=payload)
    assert response.status_code in (200, 404, 422), response.status_code
