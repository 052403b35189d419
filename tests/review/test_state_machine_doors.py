"""Every certification step checks the same rules whichever route asks for it.

The side door: once the province reopened one response of an accepted set, the agency's certifier could
un-accept every other accepted response of that set through /return (which /reopen correctly refused).
"""

import io

import pytest

from survey_app.extensions import db
from survey_app.responses.models import ResponseStatus
from survey_app.review.models import ReviewComment
from tests.fixtures.review import PDF_LETTER, submitted
from tests.review.test_certification import post, status_of


@pytest.fixture
def accepted_set(client, auth, world, plan_round):  # type: ignore[no-untyped-def]
    """Agency X's set (schools a, b and X itself) certified with a letter and accepted by the province."""
    responses = [submitted(world, plan_round, key, seed=i) for i, key in enumerate(("a", "b", "x"))]
    auth.login("cert_x")
    for r in responses:
        post(client, f"/review/responses/{r.id}/certify")
    post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y", letter=(io.BytesIO(PDF_LETTER), "l.pdf"))
    auth.logout()
    auth.login("province")
    post(client, f"/review/rounds/{plan_round.id}/sets/{world['x'].id}/accept")
    assert all(status_of(r.id) == ResponseStatus.ACCEPTED for r in responses)
    return responses


def test_after_a_province_reopen_the_agency_cannot_return_other_accepted_answers(client, auth, accepted_set):
    a, b, _ = accepted_set
    post(client, f"/review/responses/{a.id}/reopen", reason="ตัวเลขนักเรียนไม่ตรง")  # the province, legitimately
    assert status_of(a.id) == ResponseStatus.RETURNED
    auth.logout()
    auth.login("cert_x")
    refused = post(client, f"/review/responses/{b.id}/return", comment="ส่งกลับทางประตูข้าง")
    assert refused.status_code == 302 and status_of(b.id) == ResponseStatus.ACCEPTED
    assert "ทำรายการนี้ไม่ได้" in client.get(refused.headers["Location"]).get_data(as_text=True)
    post(client, f"/review/responses/{b.id}/reopen", reason="เปิดเอง")
    assert status_of(b.id) == ResponseStatus.ACCEPTED  # only the province reopens accepted answers


def test_a_certifier_cannot_certify_or_accept_through_the_operations_either(world, plan_round, accepted_set):
    """The rule lives in the status machine, not in a view: the operation refuses for the role too."""
    from survey_app.core.scope import Role
    from survey_app.responses.operations import ResponseError, transition

    _, b, _ = accepted_set
    with pytest.raises(ResponseError):
        transition(b, "return", world["cert_x"].id, role=Role.CERTIFIER, comment="x")
    with pytest.raises(ResponseError):
        transition(b, "reopen", world["cert_x"].id, role=Role.CERTIFIER, comment="x")
    db.session.rollback()
    assert status_of(b.id) == ResponseStatus.ACCEPTED


def test_comments_are_kept_only_for_the_forms_questions(client, auth, world, plan_round):
    a = submitted(world, plan_round, "a")
    auth.login("cert_x")
    long_key = "q_" + "x" * 300
    post(client, f"/review/responses/{a.id}/return", comment="กรุณาแก้ไข", qc_q_1_1_1="ข้อนี้ต้องระบุชื่อโครงการ",
         qc_not_a_question="แทรกเข้ามา", **{f"qc_{long_key}": "ยาวเกิน"})  # fmt: skip
    assert status_of(a.id) == ResponseStatus.RETURNED
    kept = {c.question_key: c.comment for c in db.session.scalars(db.select(ReviewComment))}
    assert kept == {None: "กรุณาแก้ไข", "q_1_1_1": "ข้อนี้ต้องระบุชื่อโครงการ"}
