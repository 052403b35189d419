"""A synthetic province: realistic answers in every status for the demo rounds, and N person responses.

Shared by `flask demo --responses N` and the benchmarks. Rows are written in bulk (Core executemany in
chunks), not one ORM object at a time, so 100,000 person responses load in minutes, not hours. The
synthetic rows carry no audit trail: they were never typed by anybody.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select

from survey_app.accounts.kinds import Level
from survey_app.core.db import utcnow
from survey_app.core.storage import storage_for
from survey_app.extensions import db
from survey_app.forms_engine.answers import Answer as AnswerValue
from survey_app.forms_engine.answers import AnswerState, progress
from survey_app.forms_engine.sample import sample_answers
from survey_app.responses.models import ORG_SLOT, Answer, Response, ResponseStatus, Upload
from survey_app.responses.operations import numeric_value
from survey_app.rounds.models import Round, RoundUnit

CHUNK = 5000
POOL = 3000  # distinct person answer sets drawn from; large runs reuse them (generation is the slow part)
# share of org units in each state (the rest never started)
ORG_STATES = [
    (ResponseStatus.DRAFT, 0.12), (ResponseStatus.SUBMITTED, 0.25), (ResponseStatus.RETURNED, 0.05),
    (ResponseStatus.CERTIFIED, 0.38), (ResponseStatus.ACCEPTED, 0.10),
]  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
) -> Generated:
    """Answers for every round that has none yet: org rounds in every status, person rounds N in all.

    `skip_units` are left unanswered (the demo keeps its login units free for a newcomer to try).
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
            _fill_org_round(rnd, rng, result, say, skip_units)
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
) -> None:
    defn = rnd.form_version.parsed
    units = [
        ru
        for ru in db.session.scalars(select(RoundUnit).where(RoundUnit.round_id == rnd.id))
        if ru.org_unit_id not in skip_units and (only is None or ru.org_unit_id in only)
    ]
    rows, answer_sets = [], []
    for ru in units:
        status = _pick_status(rng)
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


def _pick_status(rng: random.Random) -> ResponseStatus | None:
    roll, total = rng.random(), 0.0
    for status, share in ORG_STATES:
        total += share
        if roll < total:
            return status
    return None


def _fill_person_round(rnd: Round, count: int, rng: random.Random, result: Generated, say) -> None:  # type: ignore[no-untyped-def]
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
        db.session.commit()
        say(f"{rnd.title}: {done:,} คน")


def _response_row(rnd: Round, ru: RoundUnit, status: ResponseStatus, rng: random.Random, slot: int | None,
                  answered: int, required: int) -> dict[str, Any]:  # fmt: skip
    sent = status != ResponseStatus.DRAFT
    when = _moment(rnd, rng)
    late = sent and rng.random() < 0.1
    return {
        "round_id": rnd.id, "org_unit_id": ru.org_unit_id, "org_slot": slot, "status": status.value,
        "row_version": 2, "is_late": late, "submitted_at": when if sent else None, "last_saved_at": when,
        "created_at": when, "updated_at": when, "answered_count": answered, "required_count": required,
        "return_comment": "กรุณาตรวจสอบจำนวนนักเรียนอีกครั้ง" if status == ResponseStatus.RETURNED else None,
    }  # fmt: skip


def _moment(rnd: Round, rng: random.Random) -> datetime:
    start = rnd.opens_at
    span = max(60.0, (min(rnd.closes_at, utcnow()) - start).total_seconds())
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


def _insert_answers(defn, ids: list[int], answer_sets: list[dict[str, AnswerValue]]) -> int:  # type: ignore[no-untyped-def]
    questions = defn.question_map()
    rows = [
        {"response_id": rid, "question_key": key, "state": a.state.value, "value": a.value if a.state == AnswerState.VALUE else None,
         "value_num": numeric_value(questions.get(key), a), "changed_in_version": 2, "updated_at": utcnow()}
        for rid, answers in zip(ids, answer_sets, strict=True)
        for key, a in answers.items()
    ]  # fmt: skip
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
            if not (answer.has_value and isinstance(answer.value, list) and answer.value and isinstance(answer.value[0], dict)
                    and answer.value[0].get("id") == 0):  # fmt: skip
                continue
            received = storage.receive(io.BytesIO(PDF), len(PDF))
            upload = Upload(response_id=rid, question_key=key, storage_key=storage.commit(received),
                            original_name=answer.value[0]["name"], kind="pdf", content_type="application/pdf",
                            size=received.size, sha256=received.sha256)  # fmt: skip
            db.session.add(upload)
            db.session.flush()
            answers[key] = AnswerValue.of([upload.record()])
