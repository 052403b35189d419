"""Fixtures for answering: a small province, the published forms, open rounds, and posting helpers."""

from __future__ import annotations

import io
import random
import re
from datetime import timedelta
from pathlib import Path

import pytest

from survey_app.accounts.kinds import OrgKind
from survey_app.core.thai import now_bangkok
from survey_app.extensions import db
from survey_app.forms_engine.audience import expand, includes
from survey_app.forms_engine.operations import publish_files
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses.models import Response
from survey_app.rounds.models import LatePolicy
from survey_app.rounds.operations import open_round
from tests.conftest import csrf_token
from tests.factories import province_with_users
from tests.forms_engine.helpers import post_data

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(db):
    """Province with agencies X (primary ESA) and Y (secondary ESA), schools A, B under X and C under Y."""
    data = province_with_users()
    outcomes = publish_files(sorted((ROOT / "form_definitions").glob("*.yaml")))
    data["versions"] = {o.version.form_key: o.version for o in outcomes}
    db.session.commit()
    return data


def make_round(world, key="phetchabun_plan", *, days=30, late=LatePolicy.ACCEPT, identity="anonymous", closes=None):
    version = world["versions"][key]
    now = now_bangkok()
    rnd = open_round(
        version,
        fiscal_year=2563,
        title=f"รอบทดสอบ {key}",
        opens_at=now - timedelta(days=1),
        closes_at=closes or now + timedelta(days=days),
        late_policy=late,
        kinds=expand(version.parsed.audience) | {OrgKind.PRIMARY_ESA},
        actor_id=None,
        identity=identity,
    )
    db.session.commit()
    return rnd


@pytest.fixture
def plan_round(world):
    return make_round(world)


def start(client, rnd) -> int:
    """Start (or resume) the logged-in unit's response; returns its id."""
    token = csrf_token(client, "/")
    response = client.post(f"/rounds/{rnd.id}/respond/start", data={"csrf_token": token})
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/responses/(\d+)/", response.headers["Location"]).group(1))


def page(client, response_id: int, index: int) -> str:
    return client.get(f"/responses/{response_id}/s/{index}").get_data(as_text=True)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def save(client, response_id: int, index: int, data: dict, *, html: str | None = None, **extra):
    """Post a section as the browser does, with the page's CSRF token and row_version."""
    html = html or page(client, response_id, index)
    payload = {"csrf_token": hidden(html, "csrf_token"), "row_version": hidden(html, "row_version")}
    payload |= data | extra
    return client.post(f"/responses/{response_id}/s/{index}", data=payload, content_type="multipart/form-data")


def fill_all(client, response_id: int, kind: str, seed: int = 3) -> dict:
    """Answer every section with plausible answers (a PDF where a file is asked); returns the answers."""
    response = db.session.get(Response, response_id)
    defn = response.round.form_version.parsed
    answers = sample_answers(defn, random.Random(seed), kind)
    for index, section in enumerate(defn.sections):
        data = post_data(defn, section, answers)
        for q in section.all_questions():
            if q.type == "file" and includes(q.audience, kind) and (q.required or q.key in answers):
                data[q.key] = (io.BytesIO(PDF), "รายงานผล.pdf")
        result = save(client, response_id, index, data, action="save")
        assert result.status_code == 302, re.findall(r"field-error[^>]*>([^<]*)", result.get_data(as_text=True))
    return answers


def submit(client, response_id: int):
    token = csrf_token(client, f"/responses/{response_id}/submit")
    return client.post(f"/responses/{response_id}/submit", data={"csrf_token": token})
