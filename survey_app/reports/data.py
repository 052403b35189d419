"""One function turns a round's answers into tables (pandas DataFrames); every report is built from them.

`responses`: one row per response in scope and filter, with its unit, agency, status and timing.
`answers`: one row per answer of those responses (question key, state, JSON value, number).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select, text

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.core.scope import ScopedUser, scope_clause
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.responses.models import ORG_SLOT, Response, ResponseStatus
from survey_app.review.sets import certifying_agency
from survey_app.rounds.models import Round, RoundUnit

STATUS_SETS = {
    "certified": (ResponseStatus.CERTIFIED, ResponseStatus.ACCEPTED),
    "submitted": (ResponseStatus.SUBMITTED, ResponseStatus.CERTIFIED, ResponseStatus.ACCEPTED),
    "all": tuple(ResponseStatus),
}
STATUS_FILTER_LABELS = {
    "certified": "เฉพาะที่รับรองแล้ว",
    "submitted": "ที่ส่งแล้วทั้งหมด (รวมที่รอการรับรอง)",
    "all": "ทั้งหมด (รวมฉบับร่าง)",
}


@dataclass(frozen=True)
class Filters:
    """What a report covers; status 'certified' is the default for official reports."""

    status: str = "certified"
    kind: str = ""
    district: str = ""
    agency_id: int | None = None
    unit_id: int | None = None

    def describe(self) -> str:
        parts = [STATUS_FILTER_LABELS.get(self.status, self.status)]
        if self.kind:
            parts.append(OrgKind(self.kind).label_th)
        if self.district:
            parts.append(f"อำเภอรหัส {self.district}")
        return " · ".join(parts)


def default_status(rnd: Round) -> str:
    """Person surveys are not certified; their official figures are every submitted answer."""
    return "submitted" if rnd.per_person or not rnd.form_version.parsed.needs_certification else "certified"


@dataclass
class RoundData:
    """A round's responses and answers under a scope and filters, plus what is needed to read them."""

    rnd: Round
    defn: s.FormDefinition
    filters: Filters
    responses: pd.DataFrame
    answers: pd.DataFrame
    expected: pd.DataFrame = field(default_factory=pd.DataFrame)  # org rounds: one row per expected unit

    def answers_of(self, key: str) -> pd.DataFrame:
        """One question's answers. Row positions per question are computed once; the rows are taken
        when asked for, so the round is never held twice in memory."""
        positions = self._positions().get(key)
        return self.answers.iloc[positions] if positions is not None else self.answers.iloc[0:0]

    def _positions(self) -> dict[str, Any]:
        cache = self.__dict__.get("_positions_cache")
        if cache is None:
            cache = self.answers.groupby("question_key", sort=False, observed=True).indices
            self.__dict__["_positions_cache"] = cache
        return cache


RESPONSE_COLUMNS = ["response_id", "org_unit_id", "code", "unit", "kind", "district", "path", "status", "is_late",
                    "submitted_at"]  # fmt: skip
ANSWER_COLUMNS = ["response_id", "question_key", "state", "value", "value_num"]


def load_round(user: ScopedUser, rnd: Round, filters: Filters) -> RoundData:
    """Responses and answers of the round, in the user's scope, filtered."""
    responses = _responses(user, rnd, filters)
    answers = (
        _answers(rnd.id, responses["response_id"].tolist()) if len(responses) else pd.DataFrame(columns=ANSWER_COLUMNS)
    )
    data = RoundData(rnd, rnd.form_version.parsed, filters, responses, answers)
    if not rnd.per_person:
        data.expected = _expected(user, rnd, filters)
    return data


def _responses(user: ScopedUser, rnd: Round, filters: Filters) -> pd.DataFrame:
    """One row per response in scope and filter. Units are read once and joined in pandas, so a person
    survey with 100,000 answers does not carry each school's name 100,000 times."""
    units = _units(user, filters)
    stmt = (
        select(Response.id, Response.org_unit_id, Response.status, Response.is_late, Response.submitted_at)
        .join(OrgUnit, OrgUnit.id == Response.org_unit_id)
        .where(Response.round_id == rnd.id, scope_clause(user, OrgUnit.id, OrgUnit.path))
        .where(Response.status.in_(STATUS_SETS.get(filters.status, STATUS_SETS["certified"])))
        .order_by(OrgUnit.path, Response.id)
    )
    columns = ["response_id", "org_unit_id", "status", "is_late", "submitted_at"]
    chunks = [
        c.set_axis(columns, axis=1) for c in pd.read_sql_query(stmt, db.session.connection(), chunksize=CHUNK_ROWS)
    ]
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=columns)
    frame = frame.merge(units, on="org_unit_id", how="inner", sort=False)
    frame["status"] = frame["status"].map(lambda st: getattr(st, "value", st)).astype("category")
    if filters.agency_id:
        frame = frame[frame["agency_id"] == filters.agency_id].reset_index(drop=True)
    return frame[[*RESPONSE_COLUMNS, "agency_id"]]


def _units(user: ScopedUser, filters: Filters) -> pd.DataFrame:
    """The units in scope and filter, with their certifying agency; text columns as categories."""
    stmt = select(OrgUnit.id, OrgUnit.code, OrgUnit.name_th, OrgUnit.kind, OrgUnit.district_code, OrgUnit.path).where(
        scope_clause(user, OrgUnit.id, OrgUnit.path)
    )
    if filters.kind:
        stmt = stmt.where(OrgUnit.kind == filters.kind)
    if filters.district:
        stmt = stmt.where(OrgUnit.district_code == filters.district)
    if filters.unit_id:
        stmt = stmt.where(OrgUnit.id == filters.unit_id)
    units = pd.DataFrame(
        db.session.execute(stmt).all(), columns=["org_unit_id", "code", "unit", "kind", "district", "path"]
    )
    units["kind"] = units["kind"].map(lambda k: getattr(k, "value", k))
    units["agency_id"] = _agencies(units)
    for column in ("code", "unit", "kind", "district", "path"):
        units[column] = units[column].astype("category")
    return units


def _agencies(frame: pd.DataFrame) -> list[int]:
    """The certifying agency of each row's unit (computed once per distinct unit)."""
    if frame.empty:
        return []
    ids = {int(p) for path in frame["path"].unique() for p in path.strip("/").split("/") if p}
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    agency_of = {uid: certifying_agency(units[uid], units) for uid in frame["org_unit_id"].unique()}
    return [agency_of[uid] for uid in frame["org_unit_id"]]


ANSWERS_SQL = (
    "SELECT a.response_id, a.question_key, a.state, CASE WHEN a.value_num IS NULL THEN CAST(a.value AS TEXT) END, a.value_num "
    "FROM answer a JOIN response r ON r.id = a.response_id WHERE r.round_id = :round_id"
)
CHUNK_ROWS = 50_000


def _answers(round_id: int, response_ids: list[int]) -> pd.DataFrame:
    """Answers of these responses: one query for the round through the driver's cursor (no per-row
    SQLAlchemy objects), read in chunks into compact frames, then narrowed to the responses in filter.

    The JSON value is fetched only where there is no number beside it: numbers and ratings are read
    from value_num, so most rows of a person survey never touch a JSON decoder.
    """
    wanted = pd.Index(response_ids)
    chunks = [
        _compact(chunk[chunk["response_id"].isin(wanted)])
        for chunk in pd.read_sql_query(
            text(ANSWERS_SQL), db.session.connection(), params={"round_id": round_id}, chunksize=CHUNK_ROWS
        )
    ]
    if not chunks:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    frame = pd.concat(chunks, ignore_index=True)
    for column in ("question_key", "state"):
        frame[column] = frame[column].astype("category")  # a few dozen keys, millions of rows
    return frame


def _compact(chunk: pd.DataFrame) -> pd.DataFrame:
    chunk = chunk.set_axis(ANSWER_COLUMNS, axis=1).copy()
    chunk["value"] = chunk["value"].map(_decode, na_action="ignore").astype(object)
    numeric = chunk["value_num"].notna()
    chunk.loc[numeric, "value"] = chunk.loc[numeric, "value_num"].map(_whole).astype(object)
    chunk["question_key"] = chunk["question_key"].astype("category")
    chunk["state"] = chunk["state"].astype("category")
    return chunk


def _decode(value: Any) -> Any:
    """The JSON text of a value (cast to text in SQL, so both databases hand back the same thing)."""
    return json.loads(value) if isinstance(value, str) else value


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _expected(user: ScopedUser, rnd: Round, filters: Filters) -> pd.DataFrame:
    """Every expected unit with its response status, for completeness tables (one plain query)."""
    stmt = (
        select(
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.name_th,
            OrgUnit.kind,
            OrgUnit.district_code,
            OrgUnit.path,
            Response.status,
            Response.submitted_at,
            Response.is_late,
        )
        .join(RoundUnit, RoundUnit.org_unit_id == OrgUnit.id)
        .outerjoin(
            Response,
            (Response.round_id == RoundUnit.round_id)
            & (Response.org_unit_id == OrgUnit.id)
            & (Response.org_slot == ORG_SLOT),
        )
        .where(RoundUnit.round_id == rnd.id, scope_clause(user, OrgUnit.id, OrgUnit.path))
    )
    if filters.kind:
        stmt = stmt.where(OrgUnit.kind == filters.kind)
    if filters.district:
        stmt = stmt.where(OrgUnit.district_code == filters.district)
    rows = db.session.execute(stmt).all()
    columns = ["org_unit_id", "code", "unit", "kind", "district", "path", "status", "submitted_at", "is_late"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["agency_id"] = _agencies(frame)
    if filters.agency_id:
        frame = frame[frame["agency_id"] == filters.agency_id]
    frame["status"] = frame["status"].map(lambda st: getattr(st, "value", st) if st is not None else "not_started")
    frame["on_time"] = frame["submitted_at"].notna() & ~frame["is_late"].fillna(False).astype(bool)
    return frame[["org_unit_id", "code", "unit", "agency_id", "status", "on_time"]].reset_index(drop=True)
