"""Comparing the rounds of one fiscal year (6, 9, 12 months): per numeric or rating question, the figure of
each round side by side, for the whole scope and for one unit, with the change from the first round.

Figures are exact (fractions) here and rounded half-up once by whoever prints them (`cell`, core/figures.py).
N/A, "none" and missing answers are counted apart, never as 0. Person rounds obey the privacy minimum: a
selection the round's disclosure does not show has no figures (reports/privacy.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import BinaryIO

import pandas as pd
from sqlalchemy import select
from xlsxwriter.workbook import Workbook

from survey_app.core.figures import exact, half_up
from survey_app.core.i18n import gettext, pick
from survey_app.core.scope import ScopedUser
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.models import FormVersion
from survey_app.forms_engine.results import Table
from survey_app.reports.data import Filters, RoundData, default_status, load_round
from survey_app.reports.xlsx_layout import Book, Sheet
from survey_app.rounds.models import Round, RoundPeriod

COMPARED_TYPES = ("integer", "decimal", "rating")  # one number per answer: a total or a mean per round
PERIOD_ORDER = (RoundPeriod.MONTH6, RoundPeriod.MONTH9, RoundPeriod.MONTH12, RoundPeriod.ANNUAL)


def sibling_rounds(rnd: Round) -> list[Round]:
    """The rounds of the same form and fiscal year as this one (itself included), in period order."""
    rounds = db.session.scalars(
        select(Round)
        .join(FormVersion, FormVersion.id == Round.form_version_id)
        .where(FormVersion.form_key == rnd.form_version.form_key, Round.fiscal_year == rnd.fiscal_year)
    )
    return sorted(rounds, key=lambda r: (PERIOD_ORDER.index(r.period), r.opens_at, r.id))


@dataclass(frozen=True)
class Figure:
    """One question in one round: the figure (a total for numbers, a mean for ratings) and its counts."""

    value: Fraction | int | None
    n: int  # answers with a value
    na: int
    none: int
    missing: int  # expected (org rounds) or responding (person rounds) without any answer
    shown: bool = True  # False: withheld by the privacy minimum


@dataclass
class CompareRow:
    question: s.Question
    measure: str  # "sum" or "mean"
    figures: list[Figure | None] = field(default_factory=list)  # None: the question is not in that round's form

    @property
    def change(self) -> Fraction | int | None:
        """The last round's figure minus the first one's (both shown and with a value)."""
        known = [f.value for f in self.figures if f is not None and f.shown and f.value is not None]
        return _whole(known[-1] - known[0], self.measure) if len(known) >= 2 else None


@dataclass
class Comparison:
    rounds: list[Round]
    rows: list[CompareRow]
    shown: list[bool]  # per round: whether the selection may be shown


def compare_rounds(user: ScopedUser, rounds: list[Round], unit_id: int | None = None) -> Comparison:
    """The comparison of these rounds for the user's scope, or for one unit of it (checked by the caller)."""
    data = [load_round(user, r, Filters(status=default_status(r), unit_id=unit_id)) for r in rounds]
    shown = [d.shown for d in data]
    rows = []
    for q in compared_questions(rounds[-1].form_version.parsed):
        row = CompareRow(q, "mean" if q.type == "rating" else "sum")
        for d, ok in zip(data, shown, strict=True):
            row.figures.append(_figure(d, q.key, row.measure, unit_id, ok) if q.key in d.defn.question_map() else None)
        rows.append(row)
    return Comparison(rounds, rows, shown)


def compared_questions(defn: s.FormDefinition) -> list[s.Question]:
    """The questions with one number per answer, in form order (report: false ones left out)."""
    return [q for q in defn.questions() if q.type in COMPARED_TYPES and q.report]


def _figure(data: RoundData, key: str, measure: str, unit_id: int | None, shown: bool) -> Figure:
    answers = data.answers_of(key)
    states = answers["state"].astype(str)
    values = [exact(v) for v in answers.loc[states == "value", "value_num"] if not pd.isna(v)]
    answered = int(answers["response_id"].nunique())
    missing = max(_expected(data, unit_id) - answered, 0)
    if not shown:
        return Figure(None, 0, 0, 0, 0, shown=False)
    total = sum(values, Fraction(0))
    value = _whole(total if measure == "sum" else total / len(values), measure) if values else None
    return Figure(value, len(values), int((states == "na").sum()), int((states == "none").sum()), missing)


def _whole(value: Fraction | int, measure: str) -> Fraction | int:
    """A whole total as an int, so it prints without decimals (1,000); means keep theirs (4.00)."""
    return int(value) if measure == "sum" and value.denominator == 1 else value


def _expected(data: RoundData, unit_id: int | None) -> int:
    """Who should have answered: the expected units (org rounds), or the people who responded (person)."""
    if data.per_person or data.expected.empty:
        return len(data.responses)
    expected = data.expected
    return int((expected["org_unit_id"] == unit_id).sum()) if unit_id is not None else len(expected)


def comparison_table(cmp: Comparison) -> Table:
    """The comparison as a table for a workbook: per round its figure (rounded once), n, N/A and missing."""
    columns = [gettext("ข้อ"), gettext("ค่าที่แสดง")]
    for r in cmp.rounds:
        period = gettext(r.period.label_th)
        columns += [period, f"{period} n", f"{period} N/A", f"{period} {gettext('ไม่ได้ตอบ')}"]
    columns.append(gettext("เปลี่ยนแปลง"))
    rows = []
    for row in cmp.rows:
        label = pick(row.question.label.th, row.question.label.en)
        cells: list[object] = [f"{row.question.code} {label}" if row.question.code else label]
        cells.append(gettext("ค่าเฉลี่ย") if row.measure == "mean" else gettext("ผลรวม"))
        for f in row.figures:
            cells += [_printed(f.value), f.n, f.na, f.missing] if f is not None and f.shown else [None] * 4
        cells.append(_printed(row.change))
        rows.append(cells)
    return Table(columns, rows)


def _printed(value: Fraction | int | None) -> float | int | None:
    """A figure as a workbook cell: whole totals as ints, others half-up to two decimals (once)."""
    return value if value is None or isinstance(value, int) else half_up(value)


_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")  # characters a worksheet name may not hold


def write_comparison(target: BinaryIO, sheets: list[tuple[str, Comparison]]) -> None:
    """The comparisons as an xlsx workbook, one sheet each (safe cells: core/spreadsheets.py)."""
    wb = Workbook(target, {"in_memory": True})
    book = Book(wb)
    for name, cmp in sheets:
        table = comparison_table(cmp)
        sheet = Sheet(book, _SHEET_UNSAFE.sub(" ", name)[:31] or "-", [48, 12, *([12] * (len(table.columns) - 2))])
        sheet.line(name, fmt="h1")
        sheet.table(table)
    wb.close()
