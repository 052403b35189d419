"""What a question type's aggregate returns, and what it reads: the report value objects live here so the
types in forms_engine/qtypes/ can build them without importing the reports package (which imports them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from survey_app.core.figures import percent
from survey_app.core.i18n import N_, gettext
from survey_app.forms_engine import schema as s

NONE_ROW = N_("ไม่มี/ไม่เกี่ยวข้อง")
NA_ROW = N_("N/A (ยังไม่มีข้อมูล)")


@dataclass
class Table:
    """A report table: what every writer (page, xlsx, csv) knows how to show."""

    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Chart:
    """A bar chart of one table: categories and one or more series."""

    categories: list[str]
    series: list[tuple[str, list[float]]]
    title: str = ""
    horizontal: bool = False


@dataclass
class QuestionResult:
    question: s.Question
    table: Table
    chart: Chart | None = None
    stats: dict[str, Any] = field(default_factory=dict)  # the headline figures, also used year over year
    previous: dict[str, Any] | None = None


class AnswerData(Protocol):
    """A round's answers as an aggregate reads them (reports.data.RoundData is one)."""

    defn: s.FormDefinition
    responses: pd.DataFrame  # one row per response: response_id, code, unit, …

    @property
    def per_person(self) -> bool:
        """A person survey: texts are listed without the unit that wrote them."""
        ...

    def answers_of(self, key: str) -> pd.DataFrame:
        """One question's answers: response_id, state, value, value_num."""
        ...

    def repeat_rows(self, group: str) -> pd.DataFrame:
        """A repeat group's current rows: response_id, row (the row id's code) and number (1, 2, … within
        the response)."""
        ...


def states(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """The rows with a value, and how many said "none" and N/A."""
    values = frame[frame["state"] == "value"]
    return values, int((frame["state"] == "none").sum()), int((frame["state"] == "na").sum())


def pct(count: float, denominator: float) -> float | None:
    return percent(int(count), int(denominator))


def share_columns(first: str, n_value: int, n_all: int, explicit: bool) -> list[str]:
    """Percentage columns, one denominator each, named with it: of those who gave a value (options, scale
    points), and, when none or N/A may be answered, of everyone who answered the item."""
    columns = [gettext(first, n=f"{n_value:,}")]
    return [*columns, gettext("ร้อยละของผู้ตอบข้อนี้ทั้งหมด (n={n})", n=f"{n_all:,}")] if explicit else columns


def share_rows(
    counted: list[tuple[str, int]], n_value: int, nones: int, nas: int, none_row: bool, na_row: bool
) -> tuple[list[list[Any]], bool]:
    """Rows of (label, count, % of the n_value who gave a value[, % of all who answered]); none and N/A rows
    carry only the second percentage. (A multiple-choice count is of picks; its base is still people.)"""
    n_all = n_value + nones + nas
    explicit = none_row or na_row
    rows = [[label, count, pct(count, n_value), *([pct(count, n_all)] if explicit else [])] for label, count in counted]
    if none_row:
        rows.append([gettext(NONE_ROW), nones, None, pct(nones, n_all)])
    if na_row:
        rows.append([gettext(NA_ROW), nas, None, pct(nas, n_all)])
    return rows, explicit
