"""Rounds made by hand for report tests: a definition from text, a round, responses with exactly the answers
a test's arithmetic uses, moved along the real status machine."""

from datetime import timedelta

from survey_app.accounts.kinds import OrgKind
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.builder import SectionRead
from survey_app.forms_engine.loader import load_text
from survey_app.forms_engine.operations import publish_result
from survey_app.responses import operations
from survey_app.responses.models import ORG_SLOT, Response, ResponseStatus
from survey_app.rounds.models import LatePolicy
from survey_app.rounds.operations import open_round

HAND_KINDS = [OrgKind.BASIC_SCHOOL, OrgKind.PRIMARY_ESA, OrgKind.SECONDARY_ESA, OrgKind.SPECIAL_EDUCATION_SCHOOL]


def publish_text(text: str, key: str):  # type: ignore[no-untyped-def]
    result = load_text(text, f"{key}.yaml", expected_key=key)
    assert result.ok, result.lines()
    return publish_result(result).version


def open_hand_round(version, fiscal_year: int = 2563):  # type: ignore[no-untyped-def]
    now = now_bangkok()
    rnd = open_round(version, fiscal_year=fiscal_year, title="รอบมือ", opens_at=now - timedelta(days=1),
                     closes_at=now + timedelta(days=9), late_policy=LatePolicy.ACCEPT,
                     kinds=HAND_KINDS, actor_id=None)  # fmt: skip
    db.session.flush()
    return rnd


def put(rnd, unit, answers, status, slot=ORG_SLOT):  # type: ignore[no-untyped-def]
    """A response with exactly these answers, moved to `status` along the real status machine."""
    response = Response(round_id=rnd.id, org_unit_id=unit.id, org_slot=slot)
    db.session.add(response)
    db.session.flush()
    operations.save_answers(
        response, rnd.form_version.parsed, SectionRead(answers=dict(answers)), response.row_version, None
    )
    path = [
        (ResponseStatus.SUBMITTED, "submit"),
        (ResponseStatus.CERTIFIED, "certify"),
        (ResponseStatus.ACCEPTED, "accept"),
    ]
    reached = [target for target, _ in path]
    for target, action in path[: reached.index(status) + 1] if status != ResponseStatus.DRAFT else []:
        values = {"submitted_at": now_bangkok()} if target == ResponseStatus.SUBMITTED else {}
        operations.transition(response, action, None, **values)
    return response
