"""Certification fixtures: responses brought to 'submitted' through the real operations."""

from __future__ import annotations

import random

from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.builder import SectionRead
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses import operations
from survey_app.responses.models import Response
from survey_app.rounds.models import RoundUnit
from tests.responses.conftest import make_round, plan_round, world  # noqa: F401  (fixtures)

PDF_LETTER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FAKE_FILES = [{"id": 0, "name": "x.pdf", "size": 1, "kind": "pdf"}]


def submitted(units, rnd, unit_key: str, seed: int = 1) -> Response:  # type: ignore[no-untyped-def]
    """A unit's complete, submitted response (made with the operations a request would call)."""
    unit = units[unit_key]
    response = operations.start_org_response(rnd, unit, None)
    defn = rnd.form_version.parsed
    read = SectionRead(answers=sample_answers(defn, random.Random(seed), unit.kind.value, files=FAKE_FILES))
    operations.save_answers(response, defn, read, response.row_version, None)
    ru = db.session.scalar(db.select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.org_unit_id == unit.id))
    operations.submit(response, ru, None, now_bangkok())
    db.session.commit()
    return response
