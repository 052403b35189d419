"""A set certified again after a return keeps its earlier signed letter; the storage sweep never takes it."""

import io
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from survey_app.core.storage import storage_for
from survey_app.extensions import db
from survey_app.review.models import AgencyCertification, SupersededLetter
from survey_app.sweep import sweep
from tests.fixtures.review import submitted
from tests.review.test_certification import post

FIRST = b"%PDF-1.4\n% first letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECOND = b"%PDF-1.4\n% second letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_first_letter_is_kept_when_the_set_is_certified_again(app, client, auth, world, plan_round):
    responses = [submitted(world, plan_round, key, seed=i) for i, key in enumerate(("a", "b", "x"))]
    auth.login("cert_x")
    for r in responses:
        post(client, f"/review/responses/{r.id}/certify")
    post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y", letter=(io.BytesIO(FIRST), "ฉบับแรก.pdf"))
    first_key = db.session.scalar(select(AgencyCertification.letter_key))
    auth.logout()
    auth.login("province")
    post(client, f"/review/rounds/{plan_round.id}/sets/{world['x'].id}/return", reason="หนังสือไม่มีลายมือชื่อ")
    auth.logout()
    auth.login("cert_x")
    again = post(client, f"/review/rounds/{plan_round.id}/certify-set", confirm="y",
                 letter=(io.BytesIO(SECOND), "ฉบับลงนาม.pdf"))  # fmt: skip
    assert again.status_code == 302
    db.session.expire_all()
    kept = db.session.scalar(select(SupersededLetter))
    assert kept.letter_key == first_key and kept.letter_name == "ฉบับแรก.pdf"
    db.session.commit()  # end the test's read, as a command would start fresh
    storage = storage_for(current_app)
    report = sweep(storage, grace=timedelta(0), now=10**10)
    assert first_key not in report.orphans
    assert storage.open(first_key).read() == FIRST
