"""grid: a matrix of items rated on one scale (XLSForm's table-list of ratings, SurveyJS's matrix).

Stored like paired_rating stores its parts: one answer whose value maps each item's key to its point, or to
"__na__" where the item was marked N/A (`allow_na`). Aggregated per item as a rating is: n, mean, S.D., the
Thai level of the mean and the distribution, N/A counted apart. A required grid needs every item answered;
an optional one keeps the items that were answered.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pandas as pd
from wtforms import RadioField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer
from survey_app.forms_engine.qtypes.base import NA_LABEL, NA_VALUE, ReadResult, number_cell, register
from survey_app.forms_engine.qtypes.scale import ScaleType, _skewed_point, bands_of, rating_stats
from survey_app.forms_engine.results import AnswerData, Chart, QuestionResult, Table, states

NA_CELL = "N/A"
MISSING_ITEMS = N_("กรุณาตอบให้ครบทุกข้อย่อย (ยังไม่ได้ตอบ: {missing})")


def item_field(q: s.GridQuestion, item: s.GridItem) -> str:
    """The form field (and raw-data code column) of one item: <key>__<item>."""
    return f"{q.key}__{item.key}"


@register
class GridType(ScaleType[s.GridQuestion]):
    name = "grid"
    numeric = False  # the value is a point per item, not one number

    def make_fields(self, q: s.GridQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        choices = self.point_choices(defn.scales[q.scale])
        if q.allow_na:
            choices.append((NA_VALUE, gettext(NA_LABEL)))
        return {
            item_field(q, item): RadioField(item.label.th, choices=select_choices(choices), validate_choice=False)
            for item in q.items
        }

    def read(self, q: s.GridQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        """Every item's point (or N/A); unknown fields are never read: only the definition's items are."""
        points: dict[str, int | str] = {}
        for item in q.items:
            raw = data.get(item_field(q, item))
            if q.allow_na and raw == NA_VALUE:
                points[item.key] = NA_VALUE
                continue
            point, error = self.read_point(raw, defn.scales[q.scale])
            if error:
                return ReadResult(errors=[f"{pick(item.label.th, item.label.en)}: {error}"])
            if point is not None:
                points[item.key] = point
        if not points:
            return ReadResult()
        missing = [pick(i.label.th, i.label.en) for i in q.items if i.key not in points]
        if missing and q.required:
            return ReadResult(errors=[gettext(MISSING_ITEMS, missing=", ".join(missing))])
        return ReadResult(Answer.of(points))

    def form_data(self, q: s.GridQuestion, answer: Answer | None) -> dict[str, Any]:
        values = answer.value if answer is not None and answer.has_value and isinstance(answer.value, dict) else {}
        return {item_field(q, i): str(values[i.key]) if i.key in values else None for i in q.items}

    def display_value(self, q: s.GridQuestion, value: Any) -> str:
        value = value if isinstance(value, dict) else {}
        return "; ".join(
            f"{pick(i.label.th, i.label.en)} {NA_CELL if value.get(i.key) == NA_VALUE else value.get(i.key, '-')}"
            for i in q.items
        )

    def sample(self, defn: s.FormDefinition, q: s.GridQuestion, rng: random.Random, *_: Any) -> Any:
        scale = defn.scales[q.scale]
        return {i.key: NA_VALUE if q.allow_na and rng.random() < 0.05 else _skewed_point(scale, rng) for i in q.items}

    # reports

    def item_points(self, answers: pd.DataFrame, q: s.GridQuestion) -> pd.DataFrame:
        """One row per answer, a column per item: the point, or NaN (not answered or N/A)."""
        values = states(answers)[0]["value"]
        keys = [i.key for i in q.items]
        rows = [[_point(v.get(k)) if isinstance(v, dict) else None for k in keys] for v in values]
        return pd.DataFrame(rows, columns=keys, dtype=float)

    def item_nas(self, answers: pd.DataFrame, q: s.GridQuestion) -> dict[str, int]:
        values = states(answers)[0]["value"]
        return {i.key: sum(1 for v in values if isinstance(v, dict) and v.get(i.key) == NA_VALUE) for i in q.items}

    def aggregate(self, data: AnswerData, q: s.GridQuestion) -> QuestionResult:
        """Per item: n, mean, S.D. (sample), the Thai level, and how many chose each point; N/A apart."""
        answers = data.answers_of(q.key)
        scale, bands = data.defn.scales[q.scale], bands_of(data.defn)
        frame, nas = self.item_points(answers, q), self.item_nas(answers, q)
        points = list(reversed(scale.points()))
        rows, per_item = [], {}
        for item in q.items:
            column = frame[item.key].dropna()
            stats = rating_stats(column, scale, bands) | {"na": nas[item.key]}
            per_item[item.key] = stats
            dist = [int((column == p).sum()) for p in points]
            level = gettext(stats["level"]) if stats["n"] else ""
            na = [nas[item.key]] if q.allow_na or any(nas.values()) else []
            rows.append([pick(item.label.th, item.label.en), stats["n"], stats["mean"], stats["sd"], level, *dist, *na])
        heads = [pick(scale.labels[p].th, scale.labels[p].en) if p in scale.labels else str(p) for p in points]
        na_head = ["N/A"] if q.allow_na or any(nas.values()) else []
        columns = [gettext("ข้อ"), "n", gettext("ค่าเฉลี่ย"), "S.D.", gettext("ระดับ"), *heads, *na_head]
        note = gettext("n={n} (ผู้ตอบข้อนี้) · ค่าเฉลี่ยและ S.D. คิดจากผู้ให้คะแนนแต่ละข้อย่อย ไม่นับ N/A", n=f"{len(frame):,}")
        means = [(r[0], r[2]) for r in rows]
        chart = Chart([m[0] for m in means], [(gettext("ค่าเฉลี่ย"), [m[1] or 0 for m in means])], horizontal=True)
        stats = {"n": len(frame), "items": per_item, "na": sum(nas.values())}
        return QuestionResult(q, Table(columns, rows, note), chart, stats)

    def headline_columns(self, q: s.GridQuestion) -> list[str]:
        return [pick(i.label.th, i.label.en) for i in q.items]

    def headline(self, data: AnswerData, q: s.GridQuestion, group: pd.DataFrame) -> list[Any]:
        frame = self.item_points(group, q)
        scale, bands = data.defn.scales[q.scale], bands_of(data.defn)
        return [len(frame), *(rating_stats(frame[i.key].dropna(), scale, bands)["mean"] for i in q.items)]

    def raw_columns(self, q: s.GridQuestion, title: str, codes: bool) -> list[tuple[str, str | None]]:
        """A column per item."""
        return [(item_field(q, i) if codes else f"{title} ({i.label.th})", i.key) for i in q.items]

    def cell(self, q: s.GridQuestion, part: str | None, codes: bool) -> Callable[[Any], Any]:
        def item_cell(v: Any) -> Any:
            point = v.get(part) if isinstance(v, dict) else None
            return NA_CELL if point == NA_VALUE else number_cell(point, True)

        return item_cell


def _point(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
