"""Security suites use the answering fixtures (a small province with published forms)."""

import pytest

from survey_app.core.scope import Role
from survey_app.extensions import db
from tests.factories import make_user
from tests.fixtures.answering import start


@pytest.fixture
def esa(client, auth, world, plan_round):  # type: ignore[no-untyped-def]
    """An ESA respondent logged in, its plan response started: (response id, file question, its section)."""
    make_user(world["x"], Role.RESPONDENT, "esa_x")
    db.session.commit()
    auth.login("esa_x")
    rid = start(client, plan_round)
    defn = plan_round.form_version.parsed
    q = next(q for q in defn.questions() if q.type == "file")
    index = next(i for i, s in enumerate(defn.sections) if q in s.all_questions())
    return rid, q, index
