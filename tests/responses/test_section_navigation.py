""" "Next" and "previous" step over a section hidden by its show_if (given the answers just saved), instead of
landing on a page with nothing to answer."""

from __future__ import annotations

import pytest

from tests.fixtures.answering import make_round, published_world, save, start

FORM = """
schema_version: 1
key: screening
title: คัดกรอง
respondent: organisation
audience: [basic_school]
sections:
  - key: screen
    title: คัดกรอง
    questions:
      - key: has_library
        type: single_choice
        label: มีห้องสมุดหรือไม่
        options: [{value: "yes", label: มี}, {value: "no", label: ไม่มี}]
  - key: library
    title: ห้องสมุด
    show_if: "has_library = 'yes'"
    questions:
      - {key: books, type: integer, label: จำนวนหนังสือ, min: 0}
  - key: staff
    title: บุคลากร
    questions:
      - {key: teachers, type: integer, label: จำนวนครู, min: 0}
"""


@pytest.fixture
def screening(db, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "screening.yaml"
    path.write_text(FORM, encoding="utf-8")
    world = published_world(path)
    return make_round(world, "screening")


@pytest.mark.parametrize(("answer", "lands_on"), [("no", 2), ("yes", 1)])
def test_next_steps_over_a_hidden_section(client, auth, screening, answer, lands_on):
    auth.login("school_a")
    rid = start(client, screening)
    result = save(client, rid, 0, {"has_library": answer}, go="1")
    assert result.status_code == 302
    assert result.headers["Location"].endswith(f"/responses/{rid}/s/{lands_on}")


def test_previous_steps_back_over_it_too(client, auth, screening):
    auth.login("school_a")
    rid = start(client, screening)
    save(client, rid, 0, {"has_library": "no"}, action="save")
    result = save(client, rid, 2, {"teachers": "12"}, go="1")
    assert result.headers["Location"].endswith(f"/responses/{rid}/s/0")
