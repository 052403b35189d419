"""A whole report: results per section and indicator, completeness, OD gap ranking, per-agency breakdowns,
and last year's figures where the same question exists. Writers (page, xlsx, csv) render this object."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.figures import half_up, percent
from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.scope import ScopedUser
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.models import FormVersion
from survey_app.forms_engine.qtypes.scale import gap_keys, paired_means, paired_values
from survey_app.forms_engine.results import QuestionResult, Table
from survey_app.reports.data import Filters, RoundData, load_round
from survey_app.reports.duplicates import DuplicateFlags, probable_duplicates
from survey_app.reports.privacy import hidden_label, withheld_message
from survey_app.reports.repeats import field_note, report_questions, report_type
from survey_app.responses.models import ResponseStatus
from survey_app.rounds.models import Round

RECEIVED = ResponseStatus.SENT
CERTIFIED = ResponseStatus.CERTIFIED_OR_ACCEPTED


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
    withheld: str | None = None  # person rounds: why no figure of this selection may be shown
    duplicates: DuplicateFlags = field(default_factory=DuplicateFlags)  # person rounds: probable repeats

    @property
    def respondents(self) -> int:
        return len(self.data.responses)


def build_report(user: ScopedUser, rnd: Round, filters: Filters) -> Report:
    """Everything a report page or workbook shows, computed once. A person-survey selection that the privacy
    rule hides (reports/privacy.py) gets no figures at all, only the reason."""
    data = load_round(user, rnd, filters)
    agencies = _agency_names(data)
    if not data.shown:
        assert data.disclosure is not None
        return Report(data, [], None, None, None, agencies, withheld=withheld_message(data.disclosure.minimum))
    previous = previous_round(rnd)
    prev_data = load_round(user, previous, filters) if previous is not None else None
    if prev_data is not None and not prev_data.shown:
        prev_data = None  # last year's group was too small to show: no year-over-year figures
    sections = [_section(data, prev_data, sec) for sec in data.defn.sections]
    return Report(
        data,
        sections,
        completeness(data, agencies),
        gap_ranking(data),
        previous,
        agencies,
        duplicates=probable_duplicates(data),
    )


def _section(data: RoundData, prev: RoundData | None, section: s.Section) -> SectionReport:
    """The section's results in the order its page shows them (indicators and loose questions as written)."""
    groups = [(indicator, _results(data, prev, questions)) for indicator, questions in section.parts()]
    return SectionReport(section, groups)


def aggregate(data: RoundData, q: s.Question) -> QuestionResult | None:
    """The aggregate of one question, by its type (None for display-only items and questions kept out of
    reports). A repeat group has its own table; a field over all its rows (reports/repeats.py) is aggregated
    by the field's type over every current row, and says so."""
    qt = report_type(q)
    if qt is None or not q.report:
        return None
    result = qt.aggregate(data, q)
    return field_note(data, q, result) if result is not None and "." in q.key else result


def _results(data: RoundData, prev: RoundData | None, questions: list[s.Question]) -> list[QuestionResult]:
    results = []
    old_questions = {o.key: o for o in report_questions(prev.defn.questions())} if prev is not None else {}
    for q in report_questions(questions):
        result = aggregate(data, q)
        if result is None:
            continue
        if prev is not None:
            old_q = old_questions.get(q.key)
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
    rows = db.session.execute(
        select(OrgUnit.id, OrgUnit.name_th, OrgUnit.name_en).where(OrgUnit.id.in_([int(i) for i in ids]))
    ).all()
    return {unit_id: pick(name_th, name_en) for unit_id, name_th, name_en in rows}  # English name on an EN page


def completeness(data: RoundData, agencies: dict[int, str]) -> Table | None:
    """Expected, received, certified and on time per agency and for the whole scope (org rounds)."""
    if data.rnd.per_person or data.expected.empty:
        return None
    rows = []
    for agency_id, group in data.expected.groupby("agency_id", sort=False):
        rows.append(_completeness_row(agencies.get(int(agency_id), str(agency_id)), group))
    rows.sort(key=lambda r: r[0])
    rows.append(_completeness_row(gettext("รวม"), data.expected))
    names = (
        N_("หน่วยงาน"),
        N_("ต้องตอบ"),
        N_("ส่งแล้ว"),
        N_("ร้อยละส่งแล้ว"),
        N_("รับรองแล้ว"),
        N_("ร้อยละรับรอง"),
        N_("ส่งตรงเวลา"),
        N_("ร้อยละตรงเวลา"),
    )
    columns = [gettext(c) for c in names]
    return Table(columns, rows, gettext("ร้อยละคิดจากจำนวนหน่วยงานที่ต้องตอบ"))


def _completeness_row(name: str, group: pd.DataFrame) -> list[Any]:
    """Expected, sent, certified, on time (a part of sent: first sent by the deadline), each with its share."""
    expected = len(group)
    sent = group["status"].isin(RECEIVED)
    received = int(sent.sum())
    certified = int(group["status"].isin(CERTIFIED).sum())
    on_time = int((group["on_time"] & sent).sum())
    return [
        name,
        expected,
        received,
        percent(received, expected),
        certified,
        percent(certified, expected),
        on_time,
        percent(on_time, expected),
    ]


GAP_ITEM_COLUMNS = (N_("อันดับ"), N_("ข้อ"), N_("รายการ"), N_("ด้าน"), "n", N_("สภาพที่เป็นอยู่"), N_("ความสำคัญ"), "GAP")
GAP_DIMENSION_COLUMNS = (N_("อันดับ"), N_("ด้าน"), N_("จำนวนข้อ"), N_("สภาพที่เป็นอยู่"), N_("ความสำคัญ"), "GAP")


def gap_ranking(data: RoundData) -> tuple[Table, Table] | None:
    """OD survey: GAP per item and per dimension, largest first (the development priorities). An item's GAP is
    mean(importance) − mean(current) over the people who rated both; a dimension's is the mean of its items'
    GAPs (computed exactly, rounded once). Ties share a rank, by the value shown (1, 2, 2, 4)."""
    items, dims = [], []
    for section in data.defn.sections:
        paired = [q for q in section.all_questions() if isinstance(q, s.PairedRating)]
        if not paired:
            continue
        dimension = pick(section.title.th, section.title.en)
        means = []
        for q in paired:
            frame = paired_values(data.answers_of(q.key), q)
            means.append(paired_means(frame, q))
            items.append(_gap_item(q, dimension, len(frame), means[-1]))
        dims.append(_gap_dimension(paired[0], dimension, means))
    if not items:
        return None
    item_note = gettext(
        "GAP = ค่าเฉลี่ยความสำคัญ − ค่าเฉลี่ยสภาพที่เป็นอยู่ ของผู้ที่ให้คะแนนครบทั้งสองด้าน (n) "
        "เรียงจากมากไปน้อย (ลำดับความสำคัญของการพัฒนา) ค่าเท่ากันได้อันดับเดียวกัน"
    )
    dimension_note = gettext("ค่าเฉลี่ยของค่าเฉลี่ยรายข้อในด้าน (GAP ของด้าน = ค่าเฉลี่ยของ GAP รายข้อ)")
    return (
        Table([gettext(c) for c in GAP_ITEM_COLUMNS], _ranked(items, 6), item_note),
        Table([gettext(c) for c in GAP_DIMENSION_COLUMNS], _ranked(dims, 4), dimension_note),
    )


def _gap_item(q: s.PairedRating, dimension: str, n: int, exact: dict[str, Any]) -> list[Any]:
    """One item's row: code, label, dimension, n, current, importance, GAP (each rounded once)."""
    first, second = gap_keys(q)
    label = pick(q.label.th, q.label.en)
    return [q.code or q.key, label, dimension, n, half_up(exact[second]), half_up(exact[first]), half_up(exact["gap"])]


def _gap_dimension(q: s.PairedRating, dimension: str, means: list[dict[str, Any]]) -> list[Any]:
    """A dimension's row: the means of its items' exact means and GAPs, rounded once."""
    first, second = gap_keys(q)
    columns = (second, first, "gap")
    return [dimension, len(means), *(half_up(_mean_of(m[key] for m in means)) for key in columns)]


def _mean_of(values: Any) -> Fraction | None:
    present = [v for v in values if v is not None]
    return sum(present, start=Fraction(0)) / len(present) if present else None


def _ranked(rows: list[list[Any]], column: int) -> list[list[Any]]:
    """Rows sorted by one figure, largest first (no figure last), with competition ranks by the shown value."""
    ordered = sorted(rows, key=lambda r: (r[column] is None, -(r[column] or 0)))
    ranked: list[list[Any]] = []
    for i, row in enumerate(ordered):
        same = i > 0 and row[column] == ordered[i - 1][column]
        ranked.append([ranked[-1][0] if same else i + 1, *row])
    return ranked


def breakdown(
    data: RoundData,
    q: s.Question,
    by: str = "agency_id",
    names: dict[int, str] | None = None,
    links: dict[int, str] | None = None,
) -> Table | None:
    """Headline figures of one question per agency (by="agency_id") or per school (by="org_unit_id"), as
    number columns. In a person survey a group the privacy rule hides shows only its name and a note; its
    answers still count in the totals above it. `links` (group id -> URL) lets a page drill down."""
    qt = report_type(q)  # None: a type not registered, left out of reports
    heads = qt.headline_columns(q) if qt is not None else None
    if qt is None or heads is None or data.responses.empty:
        return None
    answers = data.answers_of(q.key).merge(data.responses[["response_id", by]], on="response_id")
    units = data.responses.groupby(by, observed=True)["org_unit_id"].unique()
    hidden = _hidden_groups(data, units)
    columns = [gettext("กลุ่ม"), "n", *(gettext(c) for c in heads)]
    rows = []
    for group_id, group in answers.groupby(by, sort=False, observed=True):
        label = (names or {}).get(int(group_id), str(group_id))
        if group_id in hidden:
            figures = [hidden_label(data.disclosure.minimum if data.disclosure else 0)]
            rows.append([label, None, *figures, *[None] * (len(columns) - 3)])
        else:
            rows.append([label, *qt.headline(data, q, group)])
        if links is not None:
            rows[-1].append(links.get(int(group_id)) if group_id not in hidden else None)
    rows.sort(key=lambda r: str(r[0]))
    note = gettext("ในแบบสำรวจรายบุคคล กลุ่มที่มีผู้ตอบน้อยกว่าเกณฑ์ไม่แสดงผลแยก") if data.disclosure is not None else ""
    return Table([*columns, *(["_href"] if links is not None else [])], rows, note)


def school_names(data: RoundData) -> dict[int, str]:
    """Unit id -> "code name", for per-school tables."""
    frame = data.responses[["org_unit_id", "code", "unit"]].drop_duplicates("org_unit_id")
    return {int(r.org_unit_id): f"{r.code} {r.unit}" for r in frame.itertuples(index=False)}


def _hidden_groups(data: RoundData, units: pd.Series) -> set[Any]:
    """Groups of a breakdown the privacy rule hides (none in org rounds)."""
    if data.disclosure is None:
        return set()
    return {group_id for group_id, ids in units.items() if not data.disclosure.shows(ids)}
