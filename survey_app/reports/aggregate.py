"""Aggregates per question type, computed on the round's answer table.

"None" and N/A are counted in their own rows and never enter a mean or the denominator of another
option's percentage; every table says which denominator it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from survey_app.core.figures import (
    exact_sum,
    exact_values,
    figure_text,
    half_up,
    mean,
    median,
    percent,
    sample_sd,
    whole,
)
from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.thai import EQUAL_WIDTH_BANDS, STANDARD_BANDS, LevelBand, likert_level
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.none_words import looks_like_none
from survey_app.reports.data import RoundData

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


def _states(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    values = frame[frame["state"] == "value"]
    return values, int((frame["state"] == "none").sum()), int((frame["state"] == "na").sum())


def _pct(count: float, denominator: float) -> float | None:
    return percent(int(count), int(denominator))


def share_columns(first: str, n_value: int, n_all: int, explicit: bool) -> list[str]:
    """Percentage columns, one denominator each, named with it: of those who gave a value (options, scale
    points), and, when none or N/A may be answered, of everyone who answered the item."""
    columns = [gettext(first, n=f"{n_value:,}")]
    return [*columns, gettext("ร้อยละของผู้ตอบข้อนี้ทั้งหมด (n={n})", n=f"{n_all:,}")] if explicit else columns


def _share_rows(
    counted: list[tuple[str, int]], n_value: int, nones: int, nas: int, none_row: bool, na_row: bool
) -> tuple[list[list[Any]], bool]:
    """Rows of (label, count, % of the n_value who gave a value[, % of all who answered]); none and N/A rows
    carry only the second percentage. (A multiple-choice count is of picks; its base is still people.)"""
    n_all = n_value + nones + nas
    explicit = none_row or na_row
    rows = [
        [label, count, _pct(count, n_value), *([_pct(count, n_all)] if explicit else [])] for label, count in counted
    ]
    if none_row:
        rows.append([gettext(NONE_ROW), nones, None, _pct(nones, n_all)])
    if na_row:
        rows.append([gettext(NA_ROW), nas, None, _pct(nas, n_all)])
    return rows, explicit


def choice(data: RoundData, q: s.ChoiceBase) -> QuestionResult:
    """Count and percentage per option; none and N/A as their own rows, out of the options' denominator."""
    values, nones, nas = _states(data.answers_of(q.key))
    picks = values["value"].explode() if q.type == "multiple_choice" else values["value"]
    counts = picks.value_counts()
    n_value, n_all = len(values), len(values) + nones + nas
    counted = [(pick(o.label.th, o.label.en), int(counts.get(o.value, 0))) for o in q.options]
    rows, explicit = _share_rows(
        counted, n_value, nones, nas, q.none_label is not None or nones > 0, q.allow_na or nas > 0
    )
    count = gettext("จำนวน")
    columns = [gettext("ตัวเลือก"), count, *share_columns(N_("ร้อยละของผู้เลือกตัวเลือก (n={n})"), n_value, n_all, explicit)]
    note = (gettext("ร้อยละของตัวเลือกคิดจากผู้ที่เลือกตัวเลือก (n={n})", n=f"{n_value:,}")
            + (gettext(" ตอบได้มากกว่า 1 ข้อ ผลรวมจึงอาจเกิน 100") if q.type == "multiple_choice" else "")
            + (gettext("; ร้อยละของ ไม่มี/N/A คิดจากผู้ตอบข้อนี้ทั้งหมด (n={n}) ในคอลัมน์ของตัวเอง", n=f"{n_all:,}") if explicit else ""))  # fmt: skip
    chart = Chart([r[0] for r in rows], [(count, [r[1] for r in rows])], horizontal=True)
    stats = {"n": n_value, "none": nones, "na": nas, "pct": {o.value: rows[i][2] for i, o in enumerate(q.options)}}
    return QuestionResult(q, Table(columns, rows, note), chart, stats)


def number(data: RoundData, q: s.Question) -> QuestionResult:
    """n, sum, mean, median, min, max of real values; none and N/A counted apart, never as 0."""
    values, nones, nas = _states(data.answers_of(q.key))
    stats = number_stats(values["value_num"], q.type == "integer") | {"none": nones, "na": nas}
    unit = f" ({pick(q.unit.th, q.unit.en)})" if getattr(q, "unit", None) else ""  # type: ignore[attr-defined]
    rows = [
        [gettext("จำนวนผู้ตอบที่ระบุตัวเลข (n)"), stats["n"]], [gettext("ผลรวม") + unit, stats["sum"]],
        [gettext("ค่าเฉลี่ย") + unit, stats["mean"]], [gettext("มัธยฐาน") + unit, stats["median"]],
        [gettext("ต่ำสุด") + unit, stats["min"]], [gettext("สูงสุด") + unit, stats["max"]],
        [gettext(NONE_ROW), nones], [gettext(NA_ROW), nas],
    ]  # fmt: skip
    note = gettext("คำนวณจากผู้ที่ระบุตัวเลขเท่านั้น (n={n})", n=f"{stats['n']:,}")
    return QuestionResult(q, Table([gettext("สถิติ"), gettext("ค่า")], rows, note), None, stats)


def number_stats(numbers: pd.Series, integer: bool) -> dict[str, Any]:
    """Figures of a number question, exact then rounded once; sums, minima and maxima of whole numbers stay whole."""
    exact = exact_values(numbers.to_numpy(dtype=float))
    if not exact:
        return {"n": 0, "sum": None, "mean": None, "median": None, "min": None, "max": None}
    keep = whole if integer else half_up
    return {
        "n": len(exact), "sum": keep(_plain(exact_sum(exact))), "mean": half_up(mean(exact)),
        "median": half_up(median(exact)), "min": keep(_plain(min(exact))), "max": keep(_plain(max(exact))),
    }  # fmt: skip


def _plain(value: int | Fraction) -> int | float:
    """An exact value as an int when whole, else as the float of its printed figure."""
    if isinstance(value, int) or value.denominator == 1:
        return int(value)
    return half_up(value) or 0.0


def text(data: RoundData, q: s.Question) -> QuestionResult:
    """The named projects/activities with the unit that named them; 'ไม่มี' counted apart, and so is text that
    only says none ("ไม่มี", "-" typed in the box): it is not a named project. In a person survey the texts are
    listed without their unit and in text order, so nobody is singled out."""
    frame = data.answers_of(q.key).merge(data.responses[["response_id", "code", "unit"]], on="response_id")
    values, nones, nas = _states(frame)
    typed_none = values["value"].map(looks_like_none).astype(bool) if len(values) else pd.Series(dtype=bool)
    named = values[~typed_none] if len(values) else values
    note = (
        gettext("ระบุ {named} รายการ · ไม่มี {nones}", named=f"{len(named):,}", nones=f"{nones:,}")
        + (gettext(" · พิมพ์ว่าไม่มี {n} (ไม่นับเป็นรายการ)", n=f"{int(typed_none.sum()):,}") if typed_none.any() else "")
        + f" · N/A {nas:,}"
    )
    if data.rnd.per_person:
        rows = [[v] for v in sorted(str(v) for v in named["value"])]
        table = Table([gettext("คำตอบ")], rows, note + gettext(" · ไม่แสดงชื่อหน่วยงานของผู้ตอบ"))
    else:
        table = Table(
            [gettext("รหัส"), gettext("หน่วยงาน"), gettext("คำตอบ")],
            [[r.code, r.unit, r.value] for r in named.sort_values("code").itertuples()],
            note,
        )
    stats = {"n": len(named), "none": nones, "typed_none": int(typed_none.sum())}
    return QuestionResult(q, table, None, stats)


def upload(data: RoundData, q: s.Question) -> QuestionResult:
    """Which units uploaded what (file records carry their ids for scoped links); a person survey counts only."""
    frame = data.answers_of(q.key).merge(data.responses[["response_id", "code", "unit"]], on="response_id")
    values, _nones, nas = _states(frame)
    if data.rnd.per_person:
        return QuestionResult(
            q,
            Table([gettext("ไฟล์")], [], gettext("แนบไฟล์ {n} คน · N/A {na}", n=f"{len(values):,}", na=f"{nas:,}")),
            None,
            {"n": len(values)},
        )
    rows = [[r.code, r.unit, ", ".join(f.get("name", "") for f in r.value), [f.get("id") for f in r.value]]
            for r in values.sort_values("code").itertuples()]  # fmt: skip
    columns = [gettext("รหัส"), gettext("หน่วยงาน"), gettext("ไฟล์"), "_ids"]
    note = gettext("แนบไฟล์ {n} หน่วยงาน · N/A {na}", n=f"{len(values):,}", na=f"{nas:,}")
    return QuestionResult(q, Table(columns, rows, note), None, {"n": len(values)})


def bands_of(defn: s.FormDefinition) -> tuple[LevelBand, ...]:
    """The Likert reading a form asks for."""
    return EQUAL_WIDTH_BANDS if defn.levels == "equal_width" else STANDARD_BANDS


def rating(data: RoundData, q: s.RatingQuestion) -> QuestionResult:
    """n, mean, S.D. (sample), the Thai level of the mean, share at 'มาก' or above, and the distribution;
    N/A counted in its own row, over everyone who answered the item."""
    scale = data.defn.scales[q.scale]
    values, _nones, nas = _states(data.answers_of(q.key))
    points = values["value_num"].astype(float)
    stats = rating_stats(points, scale, bands_of(data.defn)) | {"na": nas}
    counted = [
        (pick(scale.labels[p].th, scale.labels[p].en) if p in scale.labels else str(p), int((points == p).sum()))
        for p in reversed(scale.points())
    ]
    rows, explicit = _share_rows(counted, stats["n"], 0, nas, False, q.allow_na or nas > 0)
    count = gettext("จำนวน")
    columns = [
        gettext("ระดับ"),
        count,
        *share_columns(N_("ร้อยละของผู้ให้คะแนน (n={n})"), stats["n"], stats["n"] + nas, explicit),
    ]
    note = (gettext("n={n} · ค่าเฉลี่ย {mean} · S.D. {sd} · ระดับ{level} · ร้อยละที่ระดับมากขึ้นไป {high}",
                    n=f"{stats['n']:,}", mean=figure_text(stats["mean"]), sd=figure_text(stats["sd"]),
                    level=gettext(stats["level"]), high=figure_text(stats["pct_high"]))
            + (gettext(" · N/A {n} (ไม่นำมาคิดค่าเฉลี่ย)", n=f"{nas:,}") if explicit else ""))  # fmt: skip
    chart = Chart([r[0] for r in rows], [(count, [r[1] for r in rows])])
    return QuestionResult(q, Table(columns, rows, note), chart, stats)


def rating_stats(points: pd.Series, scale: s.Scale, bands: tuple[LevelBand, ...]) -> dict[str, Any]:
    """Mean and sample S.D. on raw values (rounded once, for display), the Thai level read from the printed
    mean, the share at 'มาก' or above; a group of one has no S.D."""
    exact = exact_values(points.to_numpy(dtype=float))
    shown_mean = half_up(mean(exact))
    high = scale.max - 1 if scale.max - scale.min >= 3 else scale.max
    return {
        "n": len(exact),
        "mean": shown_mean,
        "sd": half_up(sample_sd(exact)),
        "level": likert_level(shown_mean, bands),
        "pct_high": _pct(sum(1 for p in exact if p >= high), len(exact)),
    }


def paired_values(data: RoundData, q: s.PairedRating) -> pd.DataFrame:
    """One row per answer with a column per rating (e.g. current, importance) and the gap; only people who
    rated both parts (a GAP is importance − current state over the same people)."""
    values, _, _ = _states(data.answers_of(q.key))
    keys = [r.key for r in q.ratings]
    frame = pd.DataFrame([[v.get(k) for k in keys] for v in values["value"]], columns=keys, dtype=float).dropna()
    first, second = gap_keys(q)
    frame["gap"] = frame[first] - frame[second]
    return frame


def gap_keys(q: s.PairedRating) -> tuple[str, str]:
    """(minuend, subtrahend) of the GAP: importance − current state unless the definition says otherwise."""
    return q.gap or (q.ratings[1].key, q.ratings[0].key)


def paired_means(frame: pd.DataFrame, q: s.PairedRating) -> dict[str, Fraction | None]:
    """Exact means of each rating and the GAP of one item (never rounded here: a dimension averages them)."""
    first, second = gap_keys(q)
    means = {r.key: mean(exact_values(frame[r.key].to_numpy())) for r in q.ratings}
    both = means[first] is not None and means[second] is not None
    return means | {"gap": means[first] - means[second] if both else None}  # type: ignore[operator]


def paired(data: RoundData, q: s.PairedRating) -> QuestionResult:
    """Mean of each rating and the GAP (e.g. importance − current state); N/A counted apart."""
    frame = paired_values(data, q)
    _values, _nones, nas = _states(data.answers_of(q.key))
    exact = paired_means(frame, q)
    stats: dict[str, Any] = {"n": len(frame)} | {key: half_up(value) for key, value in exact.items()} | {"na": nas}
    rows: list[list[Any]] = [
        [pick(r.label.th, r.label.en), stats[r.key], gettext(likert_level(stats[r.key], bands_of(data.defn)))]
        for r in q.ratings
    ]
    rows.append(["GAP", stats["gap"], ""])
    note = gettext("n={n} (ผู้ที่ให้คะแนนครบทั้งสองด้าน)", n=f"{stats['n']:,}") + (
        gettext(" · N/A {n} (ไม่นำมาคิดค่าเฉลี่ย)", n=f"{nas:,}") if q.allow_na or nas else ""
    )
    return QuestionResult(q, Table(["", gettext("ค่าเฉลี่ย"), gettext("ระดับ")], rows, note), None, stats)


AGGREGATORS: dict[str, Callable[[RoundData, Any], QuestionResult]] = {
    "single_choice": choice, "multiple_choice": choice, "integer": number, "decimal": number, "text": text,
    "long_text": text, "date": text, "file": upload, "rating": rating, "paired_rating": paired,
}  # fmt: skip


def aggregate(data: RoundData, q: s.Question) -> QuestionResult | None:
    """The aggregate of one question (None for display-only items and questions kept out of reports)."""
    function = AGGREGATORS.get(q.type)
    return function(data, q) if function and q.report else None
