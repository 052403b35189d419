"""One function turns a round's answers into tables (pandas DataFrames); every report is built from them.

`responses`: one row per response in scope and filter, with its unit, agency, status and timing.
`answers`: one row per answer of those responses (question key, state, JSON value, number). A field of a
repeat row (stored under `<group>-<row id>-<field>`) is read under its column key `<group>.<field>`, with its
row in a `row` column (present only when the round has such answers), so a round of many rows keeps a few
keys and every type's aggregate reads a field over all rows as it reads a question.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.accounts.tree import certifying_agencies
from survey_app.core.i18n import N_, gettext
from survey_app.core.scope import ScopedUser, scope_clause
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.repeats import column_key, parse_row_key
from survey_app.reports.privacy import Disclosure, person_disclosure, privacy_minimum
from survey_app.reports.repeats import group_rows, row_code, row_keys
from survey_app.responses.models import Response, ResponseStatus
from survey_app.responses.queries import round_unit_response
from survey_app.rounds.models import Round, RoundUnit

STATUS_SETS = {
    "certified": ResponseStatus.CERTIFIED_OR_ACCEPTED,
    "submitted": ResponseStatus.SENT,
    "all": tuple(ResponseStatus),
}
STATUS_FILTER_LABELS = {
    "certified": N_("เฉพาะที่รับรองแล้ว"),
    "submitted": N_("ที่ส่งแล้วทั้งหมด (รวมที่รอการรับรอง)"),
    "all": N_("ทั้งหมด (รวมฉบับร่าง)"),
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
        parts = [gettext(STATUS_FILTER_LABELS.get(self.status, self.status))]
        if self.kind:
            parts.append(gettext(OrgKind(self.kind).label_th))
        if self.district:
            parts.append(gettext("อำเภอรหัส {code}", code=self.district))
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
    disclosure: Disclosure | None = None  # person rounds: which groups may be shown (reports/privacy.py)

    @property
    def per_person(self) -> bool:
        """A person survey (many anonymous answers per unit), not one response per org."""
        return self.rnd.per_person

    @property
    def shown(self) -> bool:
        """Whether this selection's figures may be shown (always, for org rounds)."""
        return self.disclosure is None or self.disclosure.shows(self.responses["org_unit_id"].unique())

    def answers_of(self, key: str) -> pd.DataFrame:
        """One question's answers. Row positions per question are computed once; the rows are taken
        when asked for, so the round is never held twice in memory.

        A repeat field's column key (`projects.budget`, forms_engine/repeats.column_key) gives that field's
        answer in every row of every response, each with its response_id and its row (see `repeat_rows`);
        a row no longer in its group's list of rows (removed, or the group hidden or answered "none") is
        left out."""
        positions = self._positions().get(key)
        if positions is not None and "." in key:
            positions = self._current_rows(key, positions)
        return self.answers.iloc[positions] if positions is not None else self.answers.iloc[0:0]

    def repeat_rows(self, group: str) -> pd.DataFrame:
        """A repeat group's current rows, one per row in response order then row order: response_id, row
        (the row id's code, as in the answers' `row` column) and number (1, 2, … within the response)."""
        cache = self.__dict__.setdefault("_repeat_rows_cache", {})
        if group not in cache:
            cache[group] = group_rows(self.answers_of(group))
        return cache[group]

    def _current_rows(self, key: str, positions: np.ndarray) -> np.ndarray:
        """Positions of a repeat field's answers whose row is in its group's current list (cached)."""
        cache = self.__dict__.setdefault("_current_cache", {})
        if key not in cache:
            rows = self.repeat_rows(key.split(".", 1)[0])
            if "row" not in self.answers.columns or rows.empty:
                cache[key] = positions[:0]
            else:
                ids = self.answers["response_id"].to_numpy()[positions]
                codes = self.answers["row"].to_numpy()[positions]
                cache[key] = positions[np.isin(row_keys(ids, codes), row_keys(rows["response_id"], rows["row"]))]
        return cache[key]

    def _positions(self) -> dict[str, Any]:
        cache = self.__dict__.get("_positions_cache")
        if cache is None:
            cache = _positions_by_key(self.answers["question_key"])
            self.__dict__["_positions_cache"] = cache
        return cache


def _positions_by_key(keys: pd.Series) -> dict[str, np.ndarray]:
    """Row positions of each question key, as views into one stable int32 ordering of the rows (pandas'
    groupby indices build the same in several 64-bit copies, a third of a large export's peak)."""
    keys = keys if isinstance(keys.dtype, pd.CategoricalDtype) else keys.astype("category")
    codes = keys.cat.codes.to_numpy()
    order = np.argsort(codes, kind="stable").astype(np.int32)
    counts = np.bincount(codes[codes >= 0], minlength=len(keys.cat.categories))
    ends = np.cumsum(counts)
    starts = ends - counts
    skip = int((codes < 0).sum())  # missing keys (code -1) sort first
    return {
        key: order[skip + a : skip + b] for key, a, b in zip(keys.cat.categories, starts, ends, strict=True) if b > a
    }


RESPONSE_COLUMNS = [
    "response_id",
    "org_unit_id",
    "code",
    "unit",
    "kind",
    "district",
    "path",
    "status",
    "is_late",
    "submitted_at",
]
ANSWER_COLUMNS = ["response_id", "question_key", "state", "value", "value_num"]


def load_round(user: ScopedUser, rnd: Round, filters: Filters) -> RoundData:
    """Responses and answers of the round, in the user's scope, filtered."""
    responses = _responses(user, rnd, filters)
    answers = (
        _answers(rnd.id, responses["response_id"].tolist()) if len(responses) else pd.DataFrame(columns=ANSWER_COLUMNS)
    )
    data = RoundData(rnd, rnd.form_version.parsed, filters, responses, answers)
    if rnd.per_person:
        data.disclosure = person_disclosure(user, data.defn, unit_counts(rnd, filters.status), privacy_minimum())
    else:
        data.expected = _expected(user, rnd, filters)
    return data


def unit_counts(rnd: Round, status: str) -> pd.DataFrame:
    """Respondents per unit over the whole round (every scope: the privacy rule must not depend on who
    asks), with the unit's certifying agency, district and kind."""
    stmt = (
        select(OrgUnit.id, OrgUnit.district_code, OrgUnit.kind, func.count(Response.id))
        .join(Response, Response.org_unit_id == OrgUnit.id)
        .where(Response.round_id == rnd.id)
        .where(Response.status.in_(STATUS_SETS.get(status, STATUS_SETS["certified"])))
        .group_by(OrgUnit.id, OrgUnit.district_code, OrgUnit.kind)
    )
    frame = pd.DataFrame(db.session.execute(stmt).all(), columns=["org_unit_id", "district", "kind", "n"])
    frame["kind"] = frame["kind"].map(lambda k: getattr(k, "value", k))
    frame["agency_id"] = _agencies(frame)
    return frame


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
    agency_of = certifying_agencies(frame["org_unit_id"].unique().tolist())
    return [agency_of[uid] for uid in frame["org_unit_id"]]


ANSWERS_SQL = (
    "SELECT a.response_id, a.question_key, a.state, CASE WHEN a.value_num IS NULL THEN CAST(a.value AS TEXT) END, a.value_num "
    "FROM answer a JOIN response r ON r.id = a.response_id WHERE r.round_id = :round_id"
)
COUNT_SQL = "SELECT count(*) FROM answer a JOIN response r ON r.id = a.response_id WHERE r.round_id = :round_id"
CHUNK_ROWS = 50_000
ANSWER_CHUNK_ROWS = 10_000


def _answers(round_id: int, response_ids: list[int]) -> pd.DataFrame:
    """Answers of these responses, read in chunks straight into preallocated columns.

    Memory is what limits a large round (100,000 teachers × 30 questions is 3 million answers): the rows
    come through a server-side cursor on PostgreSQL (the driver never holds the whole result), each chunk
    is written into arrays sized once from a count (no concatenation that would hold the round twice), keys
    and states are stored as small category codes, and the JSON value is decoded only where there is no
    number beside it (ratings and numbers are read from value_num).
    """
    connection = db.session.connection()
    capacity = int(connection.execute(text(COUNT_SQL), {"round_id": round_id}).scalar() or 0)
    columns = _AnswerColumns(capacity, set(response_ids))
    result = connection.execution_options(stream_results=True, max_row_buffer=ANSWER_CHUNK_ROWS).execute(
        text(ANSWERS_SQL), {"round_id": round_id}
    )
    with paused_gc():
        for rows in result.partitions(ANSWER_CHUNK_ROWS):
            columns.add(rows)
    return columns.frame()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk read. Millions of short-lived row tuples make it
    run full collections over everything alive, again and again (two thirds of the plan report's load
    time); rows hold no cycles, so there is nothing for it to find."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _AnswerColumns:
    """The answer table being filled chunk by chunk (see _answers)."""

    def __init__(self, capacity: int, wanted: set[int]) -> None:
        self.wanted = wanted
        self.size = 0
        self.response_id = np.zeros(capacity, dtype=np.int32)  # the column is a 32-bit integer
        self.key_code = np.zeros(capacity, dtype=np.int16)
        self.state_code = np.zeros(capacity, dtype=np.int8)
        self.value = np.full(capacity, None, dtype=object)
        self.value_num = np.full(capacity, np.nan, dtype=np.float64)
        self.row: np.ndarray | None = None  # row codes of repeat-row answers, allocated at the first one
        self.keys: dict[str, int] = {}
        self.states: dict[str, int] = {}
        self.decoded: dict[str, Any] = {}

    def add(self, rows: Any) -> None:
        rows = [r for r in rows if r[0] in self.wanted]
        if not rows:
            return
        ids, keys, states, values, numbers = zip(*rows, strict=True)
        end = self.size + len(rows)
        if end > len(self.response_id):  # answers added since the count: grow (rare)
            self._grow(end)
        part = slice(self.size, end)
        self.response_id[part] = ids
        self.key_code[part] = self._key_codes(keys, self.size)
        self.state_code[part] = [self.states.setdefault(st, len(self.states)) for st in states]
        self.value[part] = [
            _whole(n) if n is not None else self._decode(v) for v, n in zip(values, numbers, strict=True)
        ]
        self.value_num[part] = [np.nan if n is None else n for n in numbers]
        if self.row is not None:
            self._row_numbers(self.row, part)
        self.size = end

    def _row_numbers(self, row: np.ndarray, part: slice) -> None:
        """A number typed in a repeat row is summed like any number, even where the saving side kept no
        number beside it (value_num is looked up by question key, which a row key is not)."""
        for i in np.flatnonzero(row[part]) + part.start:
            value = self.value[i]
            if np.isnan(self.value_num[i]) and isinstance(value, int | float) and not isinstance(value, bool):
                self.value_num[i] = value

    def _key_codes(self, keys: tuple[str, ...], start: int) -> list[int]:
        """Category codes of the keys; a repeat row's key is coded by its column key (`group.field`, a few
        per form) and its row kept in `row` (a round of 100,000 × 10 rows would otherwise be a million keys)."""
        known = self.keys
        codes = [known.get(k, -1) for k in keys]
        for i, code in enumerate(codes):
            if code < 0:
                codes[i] = self._new_key(keys[i], start + i)
        return codes

    def _new_key(self, key: str, position: int) -> int:
        parsed = parse_row_key(key) if "-" in key else None  # a question key never has a hyphen
        if parsed is None:
            return self.keys.setdefault(key, len(self.keys))
        group, rid, field = parsed
        if self.row is None:
            self.row = np.zeros(len(self.response_id), dtype=np.int64)
        self.row[position] = row_code(rid)
        return self.keys.setdefault(column_key(group, field), len(self.keys))

    def _decode(self, value: str | None) -> Any:
        """Short values (choices, "yes", small lists) repeat across a round: decode each once and share it.
        Fewer live objects, and far fewer scattered ones keeping the allocator's memory pinned."""
        if value is None or len(value) > 200:
            return _decode(value)
        found = self.decoded.get(value)
        if found is None:
            found = self.decoded[value] = _decode(value)
        return found

    def _grow(self, needed: int) -> None:
        for name in ("response_id", "key_code", "state_code", "value", "value_num", "row"):
            array = getattr(self, name)
            if array is None:
                continue
            grown = np.full(max(needed, 2 * len(array)), None if array.dtype == object else 0, dtype=array.dtype)
            grown[: len(array)] = array
            setattr(self, name, grown)

    def frame(self) -> pd.DataFrame:
        n = self.size
        columns = {
            "response_id": self.response_id[:n],
            "question_key": pd.Categorical.from_codes(self.key_code[:n], categories=list(self.keys)),
            "state": pd.Categorical.from_codes(self.state_code[:n], categories=list(self.states)),
            "value": pd.Series(self.value[:n], dtype=object, copy=False),  # no type inference pass
            "value_num": self.value_num[:n],
        }
        if self.row is not None:
            columns["row"] = self.row[:n]
        return pd.DataFrame(columns, columns=list(columns), copy=False)


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
        .outerjoin(Response, round_unit_response())
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
