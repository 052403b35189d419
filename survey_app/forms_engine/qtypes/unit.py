"""unit_choice: a unit picked from the directory (accounts.models.OrgUnit), e.g. "your school" out of the
province's 600. The stored value is the unit's code; it is shown as "name (code)".

Which units a question offers (`units: {kinds, within}`) can depend on who answers: `own_agency` is the
answering unit's certifying agency's subtree, `own_unit_children` the units under the answering unit. The
answering page tells this module which unit answers through `flask.g.answering_unit` (a callable returning
the OrgUnit, set for the responses blueprint by responses/views/picklist.py, which also serves the search);
without one (previews, tools) the whole province is offered.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from flask import g, has_app_context
from sqlalchemy import ColumnElement, TextClause, and_, bindparam, func, select
from sqlalchemy import text as sql_text
from wtforms import StringField
from wtforms.fields.core import UnboundField

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.accounts.tree import certifying_agency
from survey_app.core.i18n import N_, gettext
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.audience import expand
from survey_app.forms_engine.qtypes.base import (
    QuestionType,
    ReadResult,
    explicit_flags,
    flag_data,
    flag_fields,
    register,
)
from survey_app.forms_engine.results import AnswerData, Chart, QuestionResult, Table, share_columns, share_rows, states

MAX_RESULTS = 20  # matches one search returns
LIST_LIMIT = 1000  # up to this many allowed units the page lists them all in a select (works without JS)
TOP_UNITS = 15  # units named in the report table; the rest are one "others" row
MAX_QUERY = 100  # characters of a search that are read
NOT_OFFERED = N_("ไม่พบหน่วยงานรหัส {code} ในรายการที่ข้อนี้ให้เลือก กรุณาค้นหาและเลือกจากรายการ")
CLOSED_UNIT = N_("หน่วยงาน {name} ปิดการใช้งานแล้ว กรุณาเลือกหน่วยงานอื่น")
OTHER_UNITS = N_("หน่วยงานอื่น ๆ ({n} หน่วยงาน)")


@dataclass(frozen=True)
class UnitScope:
    """The units a question offers to one answering unit: kinds, and a subtree (path prefix) or the province."""

    kinds: frozenset[OrgKind]
    under: str | None = None  # a path prefix ("/1/5/"); None: the whole directory
    exclude_id: int | None = None  # own_unit_children: the unit itself is not its own child

    def clause(self, *, active_only: bool = True) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [OrgUnit.kind.in_(sorted(self.kinds))]
        if active_only:
            parts.append(OrgUnit.active.is_(True))
        if self.under is not None:
            parts.append(OrgUnit.path.startswith(self.under, autoescape=True))
        if self.exclude_id is not None:
            parts.append(OrgUnit.id != self.exclude_id)
        return and_(*parts)


def answering_unit() -> OrgUnit | None:
    """The unit whose answers this request reads or shows (None outside an answering page)."""
    if not has_app_context():
        return None
    loader = g.get("answering_unit")
    return loader() if callable(loader) else None


def unit_scope(q: s.UnitChoice, unit: OrgUnit | None) -> UnitScope:
    """What `units.within` means for this answering unit."""
    kinds = frozenset(expand(q.units.kinds))
    if unit is None or q.units.within == "province":
        return UnitScope(kinds)
    if q.units.within == "own_unit_children":
        return UnitScope(kinds, unit.path, unit.id)
    ancestors = {
        u.id: u
        for u in db.session.execute(select(OrgUnit.id, OrgUnit.kind, OrgUnit.path).where(OrgUnit.id.in_(unit.path_ids)))
    }
    agency_id = certifying_agency(unit, ancestors)
    return UnitScope(kinds, ancestors[agency_id].path if agency_id in ancestors else unit.path)


def search_units(scope: UnitScope, text: str, limit: int = MAX_RESULTS) -> list[tuple[str, str]]:
    """(code, name) of at most `limit` allowed units whose name or code contains every typed word: codes that
    start with the first word first, then names that start with it, then the rest, each by name.

    Written as one cached text statement (the search runs on every keystroke: building the expression each
    time cost more than the query)."""
    words = [w.lower() for w in text.strip()[:MAX_QUERY].split()][:MAX_WORDS]
    if not words:
        return []
    params: dict[str, Any] = {"kinds": sorted(k.value for k in scope.kinds), "limit": limit}
    params |= {f"w{i}": f"%{_like(w)}%" for i, w in enumerate(words)} | {"first": f"{_like(words[0])}%"}
    if scope.under is not None:
        params["under"] = f"{_like(scope.under)}%"
    if scope.exclude_id is not None:
        params["exclude"] = scope.exclude_id
    statement = _search_statement(len(words), scope.under is not None, scope.exclude_id is not None)
    return [(row[0], row[1]) for row in db.session.execute(statement, params)]


MAX_WORDS = 5


def _like(text: str) -> str:
    """A text matched literally by LIKE ... ESCAPE '\\' (its %, _ and \\ escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@cache
def _search_statement(words: int, under: bool, exclude: bool) -> TextClause:
    escape = " ESCAPE '\\'"
    where = ["active = :active", "kind IN :kinds"]
    where += [f"(lower(name_th) LIKE :w{i}{escape} OR lower(code) LIKE :w{i}{escape})" for i in range(words)]
    if under:
        where.append(f"path LIKE :under{escape}")
    if exclude:
        where.append("id != :exclude")
    rank = f"CASE WHEN lower(code) LIKE :first{escape} THEN 0 WHEN lower(name_th) LIKE :first{escape} THEN 1 ELSE 2 END"
    sql = f"SELECT code, name_th FROM org_unit WHERE {' AND '.join(where)} ORDER BY {rank}, name_th LIMIT :limit"  # noqa: S608 (constants only; every value is bound)
    return sql_text(sql).bindparams(bindparam("kinds", expanding=True), bindparam("active", value=True))


def count_units(scope: UnitScope) -> int:
    return db.session.scalar(select(func.count()).select_from(OrgUnit).where(scope.clause())) or 0


def list_units(scope: UnitScope, limit: int = LIST_LIMIT) -> list[tuple[str, str]] | None:
    """Every allowed unit as (code, name) by name, or None when there are more than `limit`."""
    rows = db.session.execute(
        select(OrgUnit.code, OrgUnit.name_th).where(scope.clause()).order_by(OrgUnit.name_th).limit(limit + 1)
    ).all()
    return None if len(rows) > limit else [(code, name) for code, name in rows]


def unit_names(codes: list[str] | None = None) -> dict[str, str]:
    """Names by code (of these codes, or of the whole directory)."""
    stmt = select(OrgUnit.code, OrgUnit.name_th)
    if codes is not None:
        stmt = stmt.where(OrgUnit.code.in_(codes))
    return {row[0]: row[1] for row in db.session.execute(stmt)}


def shown(code: str, name: str | None) -> str:
    return f"{name} ({code})" if name else str(code)


def typed_code(raw: str) -> str:
    """The code in what was posted: a code, or "name (code)" as the page shows a unit."""
    raw = raw.strip()
    if raw.endswith(")") and "(" in raw:
        return raw[raw.rindex("(") + 1 : -1].strip()
    return raw


@register
class UnitChoiceType(QuestionType[s.UnitChoice]):
    name = "unit_choice"

    def make_fields(self, q: s.UnitChoice, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: StringField(q.label.th)} | flag_fields(q)

    def read(self, q: s.UnitChoice, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        raw = str(data.get(q.key) or "").strip()
        flags = explicit_flags(q, data, bool(raw))
        if flags is not None:
            return flags
        if not raw:
            return ReadResult()
        code = typed_code(raw)
        shown_code = code if len(code) <= 20 else code[:20] + "…"
        if len(code) > 20:
            return ReadResult(errors=[gettext(NOT_OFFERED, code=shown_code)])
        scope = unit_scope(q, answering_unit())
        row = db.session.execute(
            select(OrgUnit.code, OrgUnit.name_th, OrgUnit.active).where(
                OrgUnit.code == code, scope.clause(active_only=False)
            )
        ).first()
        if row is None:  # unknown and outside the allowed set read the same: nothing is learnt about other units
            return ReadResult(errors=[gettext(NOT_OFFERED, code=shown_code)])
        if not row.active:
            return ReadResult(errors=[gettext(CLOSED_UNIT, name=shown(row.code, row.name_th))])
        return ReadResult(Answer.of(row.code))

    def form_data(self, q: s.UnitChoice, answer: Answer | None) -> dict[str, Any]:
        return {q.key: answer.value if answer is not None and answer.has_value else ""} | flag_data(q, answer)

    def display_value(self, q: s.UnitChoice, value: Any) -> str:
        names = g.setdefault("unit_names", {}) if has_app_context() else {}
        if value not in names:
            names.update(unit_names([str(value)]))
        return shown(str(value), names.get(value))

    # the page (unit_choice.html)

    def page_units(self, q: s.UnitChoice) -> list[tuple[str, str]] | None:
        """The allowed units for the page's select, or None when there are too many (then a code box)."""
        return list_units(unit_scope(q, answering_unit()))

    def search_url(self, q: s.UnitChoice) -> str:
        """Where picklist.js searches (empty outside an answering page: it then filters the select)."""
        make = g.get("picklist_url") if has_app_context() else None
        return make(q.key) if callable(make) else ""

    def sample(self, defn: s.FormDefinition, q: s.UnitChoice, rng: random.Random, *_: Any) -> Any:
        """An allowed unit's code (the allowed codes are read once per app context: generators answer many)."""
        if not has_app_context():
            return None
        scope = unit_scope(q, answering_unit())
        known = g.setdefault("unit_sample_codes", {})
        if scope not in known:
            stmt = select(OrgUnit.code).where(scope.clause()).order_by(OrgUnit.code).limit(LIST_LIMIT)
            known[scope] = db.session.scalars(stmt).all()
        return rng.choice(known[scope]) if known[scope] else None

    # reports

    def aggregate(self, data: AnswerData, q: s.UnitChoice) -> QuestionResult:
        """Answers per unit, the most chosen first (ties by code), the rest as one "others" row; none and N/A
        as their own rows, as choice questions count them."""
        values, nones, nas = states(data.answers_of(q.key))
        counts = values["value"].astype(str).value_counts()
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        top, rest = ordered[:TOP_UNITS], ordered[TOP_UNITS:]
        names = unit_names([code for code, _ in top])
        counted = [(shown(code, names.get(code)), int(n)) for code, n in top]
        if rest:
            counted.append((gettext(OTHER_UNITS, n=f"{len(rest):,}"), int(sum(n for _, n in rest))))
        n_value, n_all = len(values), len(values) + nones + nas
        rows, explicit = share_rows(
            counted, n_value, nones, nas, q.allow_none or nones > 0, bool(q.allow_na) or nas > 0
        )
        count = gettext("จำนวน")
        columns = [
            gettext("หน่วยงาน"),
            count,
            *share_columns(N_("ร้อยละของผู้ระบุหน่วยงาน (n={n})"), n_value, n_all, explicit),
        ]
        note = gettext("n={n} · {units} หน่วยงานที่ถูกเลือก", n=f"{n_value:,}", units=f"{len(ordered):,}")
        chart = Chart([r[0] for r in rows], [(count, [r[1] for r in rows])], horizontal=True)
        stats = {"n": n_value, "none": nones, "na": nas, "units": len(ordered), "top": [[c, int(n)] for c, n in top]}
        return QuestionResult(q, Table(columns, rows, note), chart, stats)

    def headline_columns(self, q: s.UnitChoice) -> list[str]:
        return [N_("ระบุหน่วยงาน"), N_("ไม่มี"), "N/A"]

    def headline(self, data: AnswerData, q: s.UnitChoice, group: pd.DataFrame) -> list[Any]:
        values, nones, nas = states(group)
        return [len(group), len(values), nones, nas]

    def cell(self, q: s.UnitChoice, part: str | None, codes: bool) -> Callable[[Any], Any]:
        if codes:
            return lambda v: None if v is None else str(v)
        names = unit_names()
        return lambda v: names.get(str(v), str(v))
