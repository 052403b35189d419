"""A synthetic province: realistic answers in every status for the demo rounds, and N person responses.

Shared by `flask demo --responses N` and the benchmarks. Rows are written in bulk (Core executemany in
chunks), not one ORM object at a time, so 100,000 person responses load in minutes, not hours. The
synthetic rows carry no audit trail: they were never typed by anybody.

The rows obey the rules the real operations enforce: a response is late only when it was sent after its
unit's deadline, and nothing is accepted by the province unless its agency's set was certified with a
letter and accepted. Agencies named in a `story` have their sets certified and accepted through the real
operations (`review.operations.certify_set`, `accept_set`), with a stored letter and audit records.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select
from werkzeug.datastructures import FileStorage

from survey_app.accounts.kinds import Level
from survey_app.accounts.models import OrgUnit, User
from survey_app.accounts.tree import certifying_agencies
from survey_app.core.db import utcnow
from survey_app.core.scope import Role
from survey_app.core.storage import storage_for
from survey_app.core.thai import now_bangkok
from survey_app.core.transactions import commit_now
from survey_app.extensions import db
from survey_app.forms_engine import repeats
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer as AnswerValue
from survey_app.forms_engine.answers import AnswerState, progress
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses.models import ORG_SLOT, Answer, Response, ResponseStatus, Upload
from survey_app.responses.operations import ResponseError, numeric_value
from survey_app.review.operations import accept_set, certify_set
from survey_app.review.sets import round_members
from survey_app.rounds.models import LatePolicy, Round, RoundUnit

CHUNK = 5000
POOL = 3000  # distinct person answer sets drawn from; large runs reuse them (generation is the slow part)
# share of org units in each state (the rest never started); "accepted" comes only from accepting a set
ORG_STATES = [
    (ResponseStatus.DRAFT, 0.12),
    (ResponseStatus.SUBMITTED, 0.28),
    (ResponseStatus.RETURNED, 0.05),
    (ResponseStatus.CERTIFIED, 0.45),
]
LATE_TAIL = timedelta(days=3)  # once a deadline has passed, some units still send in the days after it
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class SetStage(StrEnum):
    """How far an agency's set has gone in the demo story (every unit of it is certified in all three)."""

    READY = "ready"  # every unit certified; the head has not certified the set yet
    CERTIFIED = "certified"  # the head certified it with a letter; the province has not decided
    ACCEPTED = "accepted"  # the province accepted it


class _Operator:
    """The command line sees the whole directory (it runs on the server, as an operator)."""

    role = Role.SYSTEM_ADMIN
    org_unit_id = 0
    org_path = "/"


@dataclass
class Generated:
    org_responses: int = 0
    person_responses: int = 0
    answers: int = 0


def fill_rounds(
    person_responses: int,
    seed: int = 2563,
    say: Callable[[str], None] = lambda _m: None,
    skip_units: frozenset[int] = frozenset(),
    story: Mapping[int, SetStage] | None = None,
) -> Generated:
    """Answers for every round that has none yet: org rounds in every status, person rounds N in all.

    `skip_units` are left unanswered (the demo keeps its login units free for a newcomer to try).
    `story` (agency id -> stage): every unit of these agencies' sets is certified, and the sets are
    certified and accepted as far as their stage says, in every org round.
    """
    rng = random.Random(seed)
    result = Generated()
    rounds = list(db.session.scalars(select(Round).order_by(Round.id)))
    person_rounds = [r for r in rounds if r.per_person]
    for rnd in rounds:
        if db.session.scalar(select(func.count()).where(Response.round_id == rnd.id)):
            continue
        if rnd.per_person:
            share = person_responses // max(1, len(person_rounds))
            _fill_person_round(rnd, share, rng, result, say)
        else:
            _fill_org_round(rnd, rng, result, say, skip_units, story=story or {})
    return result


def fill_new_units(unit_ids: set[int], seed: int = 2563, say: Callable[[str], None] = lambda _m: None) -> Generated:
    """Answers from these units (new copies of a scaled directory) in the org rounds that already have
    answers, in the same mix of statuses as the rest (rounds with none are left to fill_rounds)."""
    rng = random.Random(seed)
    result = Generated()
    for rnd in db.session.scalars(select(Round).order_by(Round.id)):
        if (
            not rnd.per_person
            and unit_ids
            and db.session.scalar(select(func.count()).where(Response.round_id == rnd.id))
        ):
            _fill_org_round(rnd, rng, result, say, frozenset(), only=unit_ids)
    return result


def _fill_org_round(
    rnd: Round,
    rng: random.Random,
    result: Generated,
    say: Callable[[str], None],
    skip_units: frozenset[int],
    only: set[int] | None = None,
    story: Mapping[int, SetStage] | None = None,
) -> None:
    defn = rnd.form_version.parsed
    units = [
        ru
        for ru in db.session.scalars(select(RoundUnit).where(RoundUnit.round_id == rnd.id))
        if ru.org_unit_id not in skip_units and (only is None or ru.org_unit_id in only)
    ]
    agency_of = certifying_agencies(ru.org_unit_id for ru in units) if story else {}
    rows, answer_sets = [], []
    for ru in units:
        status = ResponseStatus.CERTIFIED if story and agency_of[ru.org_unit_id] in story else _pick_status(rng)
        if status is None:
            continue
        kind = ru.org_unit.kind.value
        files = _pdf_records(ru) if ru.org_unit.kind.is_esa else None
        answers = sample_answers(defn, rng, kind, complete=status != ResponseStatus.DRAFT, files=files)
        answered, required = progress(defn, answers, kind)
        rows.append(_response_row(rnd, ru, status, rng, ORG_SLOT, answered, required))
        answer_sets.append(answers)
    ids = _insert_responses(rows)
    _attach_uploads(ids, answer_sets)
    result.answers += _insert_answers(defn, ids, answer_sets)
    result.org_responses += len(ids)
    say(f"{rnd.title}: {len(ids)} หน่วยงาน")
    if story:
        _advance_sets(rnd, story, say)


def _advance_sets(rnd: Round, story: Mapping[int, SetStage], say: Callable[[str], None]) -> None:
    """Certify (by the agency's demo certifier, with a letter) and accept (by the province) the story's sets,
    through the same operations as the web pages, so the rules and the audit trail are the real ones."""
    staged = {agency: stage for agency, stage in story.items() if stage != SetStage.READY}
    if not staged:
        return
    members = round_members(_Operator(), rnd.id)
    province = _demo_user(Role.PROVINCE_ADMIN)
    for agency_id, stage in staged.items():
        own = [m for m in members if m.agency_id == agency_id]
        certifier = _demo_user(Role.CERTIFIER, agency_id)
        agency = db.session.get(OrgUnit, agency_id)
        if not own or certifier is None or agency is None:
            continue
        letter = FileStorage(
            io.BytesIO(PDF), filename=f"หนังสือรับรองข้อมูล-{agency.code}.pdf", content_type="application/pdf"
        )
        try:
            cert = certify_set(rnd.id, agency, own, letter, certifier)
            if stage == SetStage.ACCEPTED and province is not None:
                accept_set(cert, own, province, now_bangkok())
        except ResponseError as exc:  # refused before writing, e.g. a unit was left for a newcomer to answer
            say(f"{rnd.title}: {agency.name_th}: {exc}")
            continue
        say(f"{rnd.title}: {agency.name_th}: {cert.status.label_th}")


def _demo_user(role: Role, unit_id: int | None = None) -> int | None:
    """The first account with this role (at this unit): who the story's steps are recorded as done by."""
    stmt = select(User.id).where(User.role == role).order_by(User.id).limit(1)
    return db.session.scalar(stmt if unit_id is None else stmt.where(User.org_unit_id == unit_id))


def _pick_status(rng: random.Random) -> ResponseStatus | None:
    roll, total = rng.random(), 0.0
    for status, share in ORG_STATES:
        total += share
        if roll < total:
            return status
    return None


def _fill_person_round(
    rnd: Round, count: int, rng: random.Random, result: Generated, say: Callable[[str], None]
) -> None:
    defn = rnd.form_version.parsed
    units = list(db.session.scalars(select(RoundUnit).where(RoundUnit.round_id == rnd.id)))
    if not units or count <= 0:
        return
    weights = [3 if ru.org_unit.kind.level == Level.AGENCY else 1 for ru in units]
    pool = [sample_answers(defn, rng, units[0].org_unit.kind.value) for _ in range(min(count, POOL))]
    done = 0
    for start in range(0, count, CHUNK):
        batch = rng.choices(units, weights=weights, k=min(CHUNK, count - start))
        answer_sets = [rng.choice(pool) for _ in batch]
        rows = [
            _response_row(rnd, ru, ResponseStatus.SUBMITTED, rng, None, len(a), len(a))
            for ru, a in zip(batch, answer_sets, strict=True)
        ]
        ids = _insert_responses(rows)
        result.answers += _insert_answers(defn, ids, answer_sets)
        result.person_responses += len(ids)
        done += len(ids)
        commit_now()  # (c) a batch: people saving meanwhile wait milliseconds, not minutes
        say(f"{rnd.title}: {done:,} คน")


def _response_row(
    rnd: Round,
    ru: RoundUnit,
    status: ResponseStatus,
    rng: random.Random,
    slot: int | None,
    answered: int,
    required: int,
) -> dict[str, Any]:
    sent = status != ResponseStatus.DRAFT
    when = _moment(rnd, rng)
    late = sent and when > ru.deadline()  # the rule submit() applies: sent after the unit's own deadline
    return {
        "round_id": rnd.id,
        "org_unit_id": ru.org_unit_id,
        "org_slot": slot,
        "status": status.value,
        "row_version": 2,
        "is_late": late,
        "submitted_at": when if sent else None,
        "last_saved_at": when,
        "created_at": when,
        "updated_at": when,
        "answered_count": answered,
        "required_count": required,
        "return_comment": "กรุณาตรวจสอบจำนวนนักเรียนอีกครั้ง" if status == ResponseStatus.RETURNED else None,
    }


def _moment(rnd: Round, rng: random.Random) -> datetime:
    """A moment between the opening and now; past a deadline only if it has passed and late answers count."""
    start = rnd.opens_at
    last = rnd.closes_at if rnd.late_policy == LatePolicy.REFUSE else rnd.closes_at + LATE_TAIL
    span = max(60.0, (min(last, utcnow()) - start).total_seconds())
    return start + timedelta(seconds=rng.uniform(0, span))


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_responses(rows: list[dict[str, Any]]) -> list[int]:
    """Insert in bulk and return the new ids in the same order."""
    ids: list[int] = []
    for part in _chunks(rows):
        result = db.session.execute(insert(Response).returning(Response.id, sort_by_parameter_order=True), part)
        ids += [row[0] for row in result]
    return ids


def _insert_answers(defn: s.FormDefinition, ids: list[int], answer_sets: list[dict[str, AnswerValue]]) -> int:
    questions = repeats.question_finder(defn)  # a row field's key finds its field
    rows = [
        {
            "response_id": rid,
            "question_key": key,
            "state": a.state.value,
            "value": a.value if a.state == AnswerState.VALUE else None,
            "value_num": numeric_value(questions(key), a),
            "changed_in_version": 2,
            "updated_at": utcnow(),
        }
        for rid, answers in zip(ids, answer_sets, strict=True)
        for key, a in answers.items()
    ]
    for part in _chunks(rows):
        db.session.execute(insert(Answer), part)
    return len(rows)


def _pdf_records(ru: RoundUnit) -> list[dict[str, Any]]:
    """A placeholder record; replaced by a real stored upload once the response id is known."""
    return [{"id": 0, "name": f"ผลการอ่านเขียน-{ru.org_unit.code}.pdf", "size": len(PDF), "kind": "pdf"}]


def _attach_uploads(ids: list[int], answer_sets: list[dict[str, AnswerValue]]) -> None:
    """Store a small real PDF for every file answer and point the answer at it."""
    storage = storage_for(current_app)
    for rid, answers in zip(ids, answer_sets, strict=True):
        for key, answer in list(answers.items()):
            if not (
                answer.has_value
                and isinstance(answer.value, list)
                and answer.value
                and isinstance(answer.value[0], dict)
                and answer.value[0].get("id") == 0
            ):
                continue
            received = storage.receive(io.BytesIO(PDF), len(PDF))
            upload = Upload(
                response_id=rid,
                question_key=key,
                storage_key=storage.commit(received),
                original_name=answer.value[0]["name"],
                kind="pdf",
                content_type="application/pdf",
                size=received.size,
                sha256=received.sha256,
            )
            db.session.add(upload)
            db.session.flush()
            answers[key] = AnswerValue.of([upload.record()])
