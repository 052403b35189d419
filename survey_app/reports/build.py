"""A whole report: results per section and indicator, completeness, OD gap ranking, per-agency breakdowns,
and last year's figures where the same question exists. Writers (page, xlsx, csv) render this object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.scope import ScopedUser
from survey_app.core.thai import EQUAL_WIDTH_BANDS, STANDARD_BANDS
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.models import FormVersion
from survey_app.reports.aggregate import QuestionResult, Table, aggregate, paired_values, rating_stats
from survey_app.reports.data import Filters, RoundData, load_round
from survey_app.rounds.models import Round

RECEIVED = ("submitted", "certified", "accepted")
CERTIFIED = ("certified", "accepted")


@dataclass
class SectionReport:
    section: s.Section
    groups: list[tuple[s.Indicator | None, list[QuestionResult]]]


@dataclass
class Report:
    data: RoundData
    sections: list[SectionReport]
    completeness: Table | None
    gaps: tuple[Table, Table] | None
    previous_round: Round | None = None
    agencies: dict[int, str] = field(default_factory=dict)

    @property
    def respondents(self) -> int:
        return len(self.data.responses)


def build_report(user: ScopedUser, rnd: Round, filters: Filters) -> Report:
    """Everything a report page or workbook shows, computed once."""
    data = load_round(user, rnd, filters)
    previous = previous_round(rnd)
    prev_data = load_round(user, previous, filters) if previous is not None else None
    sections = [_section(data, prev_data, sec) for sec in data.defn.sections]
    agencies = _agency_names(data)
    return Report(data, sections, completeness(data, agencies), gap_ranking(data), previous, agencies)


def _section(data: RoundData, prev: RoundData | None, section: s.Section) -> SectionReport:
    groups: list[tuple[s.Indicator | None, list[QuestionResult]]] = []
    for indicator in section.indicators:
        groups.append((indicator, _results(data, prev, indicator.questions)))
    if section.questions:
        groups.append((None, _results(data, prev, section.questions)))
    return SectionReport(section, groups)


def _results(data: RoundData, prev: RoundData | None, questions: list[s.Question]) -> list[QuestionResult]:
    results = []
    for q in questions:
        result = aggregate(data, q)
        if result is None:
            continue
        if prev is not None:
            old_q = prev.defn.question_map().get(q.key)
            if old_q is not None and old_q.type == q.type:
                old = aggregate(prev, old_q)
                result.previous = old.stats if old else None
        results.append(result)
    return results


def previous_round(rnd: Round) -> Round | None:
    """Last fiscal year's latest round of the same form (any version), for year-over-year columns."""
    stmt = (
        select(Round)
        .join(FormVersion, FormVersion.id == Round.form_version_id)
        .where(FormVersion.form_key == rnd.form_version.form_key, Round.fiscal_year == rnd.fiscal_year - 1)
        .order_by(Round.closes_at.desc())
    )
    return db.session.scalars(stmt.limit(1)).first()


def _agency_names(data: RoundData) -> dict[int, str]:
    ids = set(data.responses["agency_id"]) | (set(data.expected["agency_id"]) if len(data.expected) else set())
    if not ids:
        return {}
    return dict(
        db.session.execute(select(OrgUnit.id, OrgUnit.name_th).where(OrgUnit.id.in_([int(i) for i in ids]))).all()
    )


def completeness(data: RoundData, agencies: dict[int, str]) -> Table | None:
    """Expected, received, certified and on time per agency and for the whole scope (org rounds)."""
    if data.rnd.per_person or data.expected.empty:
        return None
    rows = []
    for agency_id, group in data.expected.groupby("agency_id", sort=False):
        rows.append(_completeness_row(agencies.get(int(agency_id), str(agency_id)), group))
    rows.sort(key=lambda r: r[0])
    rows.append(_completeness_row("รวม", data.expected))
    columns = ["หน่วยงาน", "ต้องตอบ", "ส่งแล้ว", "ร้อยละส่งแล้ว", "รับรองแล้ว", "ร้อยละรับรอง", "ส่งตรงเวลา", "ร้อยละตรงเวลา"]
    return Table(columns, rows, "ร้อยละคิดจากจำนวนหน่วยงานที่ต้องตอบ")


def _completeness_row(name: str, group: pd.DataFrame) -> list[Any]:
    expected = len(group)
    received = int(group["status"].isin(RECEIVED).sum())
    certified = int(group["status"].isin(CERTIFIED).sum())
    on_time = int(group["on_time"].sum())
    pct = lambda n: round(100.0 * n / expected, 2) if expected else None  # noqa: E731
    return [name, expected, received, pct(received), certified, pct(certified), on_time, pct(on_time)]


def gap_ranking(data: RoundData) -> tuple[Table, Table] | None:
    """OD survey: GAP per item and per dimension, largest first (the development priorities)."""
    items, dims = [], []
    for section in data.defn.sections:
        paired = [q for q in section.all_questions() if isinstance(q, s.PairedRating)]
        frames = []
        for q in paired:
            frame = paired_values(data, q)
            frames.append(frame)
            a, b = q.gap or (q.ratings[1].key, q.ratings[0].key)
            items.append(
                [
                    q.code or q.key,
                    q.label.th,
                    section.title.th,
                    len(frame),
                    _mean(frame[b]),
                    _mean(frame[a]),
                    _mean(frame["gap"]),
                ]
            )
        if frames:
            joined = pd.concat(frames)
            a, b = paired[0].gap or (paired[0].ratings[1].key, paired[0].ratings[0].key)
            dims.append([section.title.th, len(paired), _mean(joined[b]), _mean(joined[a]), _mean(joined["gap"])])
    if not items:
        return None
    items.sort(key=lambda r: -(r[6] if r[6] is not None else -99))
    dims.sort(key=lambda r: -(r[4] if r[4] is not None else -99))
    item_rows = [[i + 1, *row] for i, row in enumerate(items)]
    dim_rows = [[i + 1, *row] for i, row in enumerate(dims)]
    return (
        Table(["อันดับ", "ข้อ", "รายการ", "ด้าน", "n", "สภาพที่เป็นอยู่", "ความสำคัญ", "GAP"], item_rows,
              "GAP = ค่าเฉลี่ยความสำคัญ − ค่าเฉลี่ยสภาพที่เป็นอยู่ เรียงจากมากไปน้อย (ลำดับความสำคัญของการพัฒนา)"),
        Table(["อันดับ", "ด้าน", "จำนวนข้อ", "สภาพที่เป็นอยู่", "ความสำคัญ", "GAP"], dim_rows, "ค่าเฉลี่ยของทุกข้อในด้าน"),
    )  # fmt: skip


def _mean(series: pd.Series) -> float | None:
    return float(series.mean()) if series.count() else None


def privacy_minimum() -> int:
    return int(current_app.config.get("PRIVACY_MIN_RESPONDENTS", 5))


def breakdown(
    data: RoundData, q: s.Question, by: str = "agency_id", names: dict[int, str] | None = None
) -> Table | None:
    """Headline figures of one question per agency (or per unit); person surveys hide groups below the
    privacy minimum, whose answers still count in the totals."""
    if q.type not in ("integer", "decimal", "rating", "paired_rating", "single_choice", "multiple_choice"):
        return None
    answers = data.answers_of(q.key).merge(data.responses[["response_id", by]], on="response_id")
    sizes = data.responses.groupby(by)["response_id"].count()
    rows = []
    for group_id, group in answers.groupby(by, sort=False):
        label = (names or {}).get(int(group_id), str(group_id))
        if data.rnd.per_person and sizes.get(group_id, 0) < privacy_minimum():
            rows.append([label, int(sizes.get(group_id, 0)), f"ไม่แสดง (ผู้ตอบน้อยกว่า {privacy_minimum()} คน)"])
            continue
        rows.append([label, *_headline(data, q, group)])
    rows.sort(key=lambda r: str(r[0]))
    return Table(["กลุ่ม", "n", "ผล"], rows, "")


def _headline(data: RoundData, q: s.Question, group: pd.DataFrame) -> list[Any]:
    values = group[group["state"] == "value"]
    if q.type in ("integer", "decimal"):
        numbers = values["value_num"].astype(float)
        return [len(values), f"เฉลี่ย {numbers.mean():,.2f} · รวม {numbers.sum():,.2f}" if len(values) else "-"]
    if q.type == "rating":
        stats = rating_stats(values["value_num"].astype(float), data.defn.scales[q.scale], _bands_of(data))
        return [
            stats["n"],
            f"{stats['mean']:.2f} (S.D. {stats['sd'] or 0:.2f}) {stats['level']}" if stats["n"] else "-",
        ]
    if q.type == "paired_rating":
        sub = RoundData(data.rnd, data.defn, data.filters, data.responses, group)
        frame = paired_values(sub, q)
        return [len(frame), f"GAP {frame['gap'].mean():.2f}" if len(frame) else "-"]
    nones = int((group["state"] == "none").sum())
    return [len(group), f"เลือกตัวเลือก {len(values)} · ไม่มี {nones}"]


def _bands_of(data: RoundData):  # type: ignore[no-untyped-def]
    return EQUAL_WIDTH_BANDS if data.defn.levels == "equal_width" else STANDARD_BANDS
