"""Aggregates per question type, computed on the round's answer table.

"None" and N/A are counted in their own rows and never enter a mean or the denominator of another
option's percentage; every table says which denominator it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from survey_app.core.thai import EQUAL_WIDTH_BANDS, STANDARD_BANDS, likert_level
from survey_app.forms_engine import schema as s
from survey_app.reports.data import RoundData

NONE_ROW = "ไม่มี/ไม่เกี่ยวข้อง"
NA_ROW = "N/A (ยังไม่มีข้อมูล)"


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
    return round(100.0 * count / denominator, 2) if denominator else None


def choice(data: RoundData, q: s.ChoiceBase) -> QuestionResult:
    """Count and percentage per option; none and N/A as their own rows, out of the options' denominator."""
    values, nones, nas = _states(data.answers_of(q.key))
    picks = values["value"].explode() if q.type == "multiple_choice" else values["value"]
    counts = picks.value_counts()
    n_value, n_all = len(values), len(values) + nones + nas
    rows = [[o.label.th, int(counts.get(o.value, 0)), _pct(counts.get(o.value, 0), n_value)] for o in q.options]
    if q.none_label is not None or nones:
        rows.append([NONE_ROW, nones, _pct(nones, n_all)])
    if q.allow_na or nas:
        rows.append([NA_ROW, nas, _pct(nas, n_all)])
    note = (f"ร้อยละของตัวเลือกคิดจากผู้ที่เลือกตัวเลือก (n={n_value})"
            + (" ตอบได้มากกว่า 1 ข้อ ผลรวมจึงอาจเกิน 100" if q.type == "multiple_choice" else "")
            + f"; ร้อยละของ ไม่มี/N/A คิดจากผู้ตอบข้อนี้ทั้งหมด (n={n_all})")  # fmt: skip
    chart = Chart([r[0] for r in rows], [("จำนวน", [r[1] for r in rows])], horizontal=True)
    stats = {"n": n_value, "none": nones, "na": nas, "pct": {o.value: rows[i][2] for i, o in enumerate(q.options)}}
    return QuestionResult(q, Table(["ตัวเลือก", "จำนวน", "ร้อยละ"], rows, note), chart, stats)


def number(data: RoundData, q: s.Question) -> QuestionResult:
    """n, sum, mean, median, min, max of real values; none and N/A counted apart, never as 0."""
    values, nones, nas = _states(data.answers_of(q.key))
    numbers = values["value_num"].astype(float)
    stats = _number_stats(numbers) | {"none": nones, "na": nas}
    unit = f" ({q.unit.th})" if getattr(q, "unit", None) else ""
    rows = [
        ["จำนวนผู้ตอบที่ระบุตัวเลข (n)", stats["n"]], [f"ผลรวม{unit}", stats["sum"]], [f"ค่าเฉลี่ย{unit}", stats["mean"]],
        [f"มัธยฐาน{unit}", stats["median"]], [f"ต่ำสุด{unit}", stats["min"]], [f"สูงสุด{unit}", stats["max"]],
        [NONE_ROW, nones], [NA_ROW, nas],
    ]  # fmt: skip
    return QuestionResult(q, Table(["สถิติ", "ค่า"], rows, f"คำนวณจากผู้ที่ระบุตัวเลขเท่านั้น (n={stats['n']})"), None, stats)


def _number_stats(numbers: pd.Series) -> dict[str, Any]:
    if numbers.empty:
        return {"n": 0, "sum": None, "mean": None, "median": None, "min": None, "max": None}
    return {
        "n": int(numbers.count()), "sum": float(numbers.sum()), "mean": float(numbers.mean()),
        "median": float(numbers.median()), "min": float(numbers.min()), "max": float(numbers.max()),
    }  # fmt: skip


def text(data: RoundData, q: s.Question) -> QuestionResult:
    """The named projects/activities with the unit that named them; 'ไม่มี' counted apart."""
    frame = data.answers_of(q.key).merge(data.responses[["response_id", "code", "unit"]], on="response_id")
    values, nones, nas = _states(frame)
    rows = [[r.code, r.unit, r.value] for r in values.sort_values("code").itertuples()]
    note = f"ระบุ {len(values)} รายการ · ไม่มี {nones} · N/A {nas}"
    return QuestionResult(q, Table(["รหัส", "หน่วยงาน", "คำตอบ"], rows, note), None, {"n": len(values), "none": nones})


def upload(data: RoundData, q: s.Question) -> QuestionResult:
    """Which units uploaded what (file records carry their ids for scoped links)."""
    frame = data.answers_of(q.key).merge(data.responses[["response_id", "code", "unit"]], on="response_id")
    values, _nones, nas = _states(frame)
    rows = [[r.code, r.unit, ", ".join(f.get("name", "") for f in r.value), [f.get("id") for f in r.value]]
            for r in values.sort_values("code").itertuples()]  # fmt: skip
    return QuestionResult(q, Table(["รหัส", "หน่วยงาน", "ไฟล์", "_ids"], rows, f"แนบไฟล์ {len(values)} หน่วยงาน · N/A {nas}"),
                          None, {"n": len(values)})  # fmt: skip


def _bands(data: RoundData):  # type: ignore[no-untyped-def]
    return EQUAL_WIDTH_BANDS if data.defn.levels == "equal_width" else STANDARD_BANDS


def rating(data: RoundData, q: s.RatingQuestion) -> QuestionResult:
    """n, mean, S.D. (sample), the Thai level of the mean, share at 'มาก' or above, and the distribution."""
    scale = data.defn.scales[q.scale]
    values, _nones, nas = _states(data.answers_of(q.key))
    points = values["value_num"].astype(float)
    stats = rating_stats(points, scale, _bands(data)) | {"na": nas}
    rows = [[scale.labels[p].th if p in scale.labels else str(p), int((points == p).sum()), _pct((points == p).sum(), len(points))]
            for p in reversed(scale.points())]  # fmt: skip
    note = (f"n={stats['n']} · ค่าเฉลี่ย {_fmt(stats['mean'])} · S.D. {_fmt(stats['sd'])} · ระดับ{stats['level']} · "
            f"ร้อยละที่ระดับมากขึ้นไป {_fmt(stats['pct_high'])}")  # fmt: skip
    chart = Chart([r[0] for r in rows], [("จำนวน", [r[1] for r in rows])])
    return QuestionResult(q, Table(["ระดับ", "จำนวน", "ร้อยละ"], rows, note), chart, stats)


def rating_stats(points: pd.Series, scale: s.Scale, bands) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Mean and sample S.D. on raw values (rounded only for display), Thai level, share at 'มาก' or above."""
    n = int(points.count())
    mean = float(points.mean()) if n else None
    sd = float(points.std(ddof=1)) if n > 1 else None
    high = scale.max - 1 if scale.max - scale.min >= 3 else scale.max
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "level": likert_level(mean, bands),
        "pct_high": _pct((points >= high).sum(), n),
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def paired_values(data: RoundData, q: s.PairedRating) -> pd.DataFrame:
    """One row per answer with a column per rating (e.g. current, importance) and the gap."""
    values, _, _ = _states(data.answers_of(q.key))
    keys = [r.key for r in q.ratings]
    frame = pd.DataFrame([[v.get(k) for k in keys] for v in values["value"]], columns=keys, dtype=float)
    first, second = q.gap or (keys[1], keys[0])
    frame["gap"] = frame[first] - frame[second]
    return frame


def paired(data: RoundData, q: s.PairedRating) -> QuestionResult:
    """Mean of each rating and the GAP (e.g. importance − current state)."""
    frame = paired_values(data, q)
    stats = {"n": len(frame)} | {r.key: (float(frame[r.key].mean()) if len(frame) else None) for r in q.ratings}
    stats["gap"] = float(frame["gap"].mean()) if len(frame) else None
    rows = [[r.label.th, stats[r.key], likert_level(stats[r.key], _bands(data))] for r in q.ratings]
    rows.append(["GAP", stats["gap"], ""])
    return QuestionResult(q, Table(["", "ค่าเฉลี่ย", "ระดับ"], rows, f"n={stats['n']}"), None, stats)


AGGREGATORS: dict[str, Callable[[RoundData, Any], QuestionResult]] = {
    "single_choice": choice, "multiple_choice": choice, "integer": number, "decimal": number, "text": text,
    "long_text": text, "date": text, "file": upload, "rating": rating, "paired_rating": paired,
}  # fmt: skip


def aggregate(data: RoundData, q: s.Question) -> QuestionResult | None:
    """The aggregate of one question (None for display-only items and questions kept out of reports)."""
    function = AGGREGATORS.get(q.type)
    return function(data, q) if function and q.report else None
