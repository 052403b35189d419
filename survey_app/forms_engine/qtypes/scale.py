"""Rating questions on a scale, single and paired (current state and importance, as in the OD survey)."""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pandas as pd
from wtforms import RadioField
from wtforms.fields.core import UnboundField

from survey_app.core.figures import exact_values, figure_text, half_up, mean, sample_sd
from survey_app.core.i18n import N_, gettext, pick
from survey_app.core.thai import EQUAL_WIDTH_BANDS, STANDARD_BANDS, LevelBand, arabic_digits, likert_level
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, Answer, AnswerState
from survey_app.forms_engine.qtypes.base import (
    BLANK,
    NA_LABEL,
    NA_VALUE,
    Q,
    QuestionType,
    ReadResult,
    number_cell,
    register,
)
from survey_app.forms_engine.results import (
    AnswerData,
    Chart,
    QuestionResult,
    Table,
    pct,
    share_columns,
    share_rows,
    states,
)


class ScaleType(QuestionType[Q]):
    """What every question on a scale shares (rating, paired_rating, grid): its points as choices, reading a point."""

    @staticmethod
    def point_choices(scale: s.Scale) -> list[tuple[str, str]]:
        return [(str(p), scale.labels[p].th if p in scale.labels else str(p)) for p in scale.points()]

    def read_point(self, raw: Any, scale: s.Scale) -> tuple[int | None, str | None]:
        if raw in (None, "", "None"):
            return None, None
        try:
            point = int(arabic_digits(str(raw)))
        except ValueError:
            return None, gettext("กรุณาเลือกระดับจากมาตราส่วน")
        if not scale.min <= point <= scale.max:
            return None, gettext("ระดับต้องอยู่ระหว่าง {low}–{high}", low=scale.min, high=scale.max)
        return point, None


@register
class RatingType(ScaleType[s.RatingQuestion]):
    name = "rating"
    numeric = True

    def make_fields(self, q: s.RatingQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        choices = self.point_choices(defn.scales[q.scale])
        if q.allow_na:
            choices.append((NA_VALUE, gettext(NA_LABEL)))
        return {q.key: RadioField(q.label.th, choices=select_choices(choices), validate_choice=False)}

    def read(self, q: s.RatingQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        raw = data.get(q.key)
        if q.allow_na and raw == NA_VALUE:
            return ReadResult(NA_ANSWER)
        point, error = self.read_point(raw, defn.scales[q.scale])
        if error:
            return ReadResult(errors=[error])
        return ReadResult(Answer.of(point) if point is not None else BLANK)

    def form_data(self, q: s.RatingQuestion, answer: Answer | None) -> dict[str, Any]:
        if answer is None:
            return {q.key: None}
        return {q.key: NA_VALUE if answer.state == AnswerState.NA else str(answer.value)}

    def sample(self, defn: s.FormDefinition, q: s.RatingQuestion, rng: random.Random, *_: Any) -> Any:
        return _skewed_point(defn.scales[q.scale], rng)

    def aggregate(self, data: AnswerData, q: s.RatingQuestion) -> QuestionResult:
        """n, mean, S.D. (sample), the Thai level of the mean, share at 'มาก' or above, and the distribution;
        N/A counted in its own row, over everyone who answered the item."""
        scale = data.defn.scales[q.scale]
        values, _nones, nas = states(data.answers_of(q.key))
        points = values["value_num"].astype(float)
        stats = rating_stats(points, scale, bands_of(data.defn)) | {"na": nas}
        counted = [
            (pick(scale.labels[p].th, scale.labels[p].en) if p in scale.labels else str(p), int((points == p).sum()))
            for p in reversed(scale.points())
        ]
        rows, explicit = share_rows(counted, stats["n"], 0, nas, False, bool(q.allow_na) or nas > 0)
        count = gettext("จำนวน")
        columns = [
            gettext("ระดับ"),
            count,
            *share_columns(N_("ร้อยละของผู้ให้คะแนน (n={n})"), stats["n"], stats["n"] + nas, explicit),
        ]
        note = gettext(
            "n={n} · ค่าเฉลี่ย {mean} · S.D. {sd} · ระดับ{level} · ร้อยละที่ระดับมากขึ้นไป {high}",
            n=f"{stats['n']:,}",
            mean=figure_text(stats["mean"]),
            sd=figure_text(stats["sd"]),
            level=gettext(stats["level"]),
            high=figure_text(stats["pct_high"]),
        ) + (gettext(" · N/A {n} (ไม่นำมาคิดค่าเฉลี่ย)", n=f"{nas:,}") if explicit else "")
        chart = Chart([r[0] for r in rows], [(count, [r[1] for r in rows])])
        return QuestionResult(q, Table(columns, rows, note), chart, stats)

    def headline_columns(self, q: s.RatingQuestion) -> list[str]:
        return [N_("ค่าเฉลี่ย"), "S.D.", N_("ระดับ")]

    def headline(self, data: AnswerData, q: s.RatingQuestion, group: pd.DataFrame) -> list[Any]:
        points = states(group)[0]["value_num"].astype(float)
        stats = rating_stats(points, data.defn.scales[q.scale], bands_of(data.defn))
        return [stats["n"], stats["mean"], stats["sd"], gettext(stats["level"]) if stats["n"] else None]

    def cell(self, q: s.RatingQuestion, part: str | None, codes: bool) -> Callable[[Any], Any]:
        return lambda v: number_cell(v, True)


@register
class PairedRatingType(ScaleType[s.PairedRating]):
    name = "paired_rating"
    numeric = False  # the value is a pair of points, not one number

    def make_fields(self, q: s.PairedRating, defn: s.FormDefinition) -> dict[str, UnboundField]:
        choices = self.point_choices(defn.scales[q.scale])
        return {
            f"{q.key}__{r.key}": RadioField(r.label.th, choices=select_choices(choices), validate_choice=False)
            for r in q.ratings
        }

    def read(self, q: s.PairedRating, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        points: dict[str, int] = {}
        for part in q.ratings:
            point, error = self.read_point(data.get(f"{q.key}__{part.key}"), defn.scales[q.scale])
            if error:
                return ReadResult(errors=[f"{pick(part.label.th, part.label.en)}: {error}"])
            if point is not None:
                points[part.key] = point
        if not points:
            return ReadResult()
        if len(points) < len(q.ratings):
            missing = [pick(r.label.th, r.label.en) for r in q.ratings if r.key not in points]
            return ReadResult(
                errors=[gettext("กรุณาให้คะแนนให้ครบทั้งสองด้าน (ยังไม่ได้ให้: {missing})", missing=", ".join(missing))]
            )
        return ReadResult(Answer.of(points))

    def form_data(self, q: s.PairedRating, answer: Answer | None) -> dict[str, Any]:
        values = answer.value if answer is not None and answer.has_value else {}
        return {f"{q.key}__{r.key}": str(values[r.key]) if r.key in values else None for r in q.ratings}

    def display_value(self, q: s.PairedRating, value: Any) -> str:
        return " / ".join(f"{pick(r.label.th, r.label.en)} {value.get(r.key, '-')}" for r in q.ratings)

    def sample(self, defn: s.FormDefinition, q: s.PairedRating, rng: random.Random, *_: Any) -> Any:
        """Importance usually at or above the current state, as OD surveys find."""
        scale = defn.scales[q.scale]
        high, low = q.gap or (q.ratings[1].key, q.ratings[0].key)
        current = _skewed_point(scale, rng)
        return {low: current, high: min(scale.max, current + rng.choice((0, 0, 1, 1, 2)))}

    def aggregate(self, data: AnswerData, q: s.PairedRating) -> QuestionResult:
        """Mean of each rating and the GAP (e.g. importance − current state); N/A counted apart."""
        answers = data.answers_of(q.key)
        frame = paired_values(answers, q)
        _values, _nones, nas = states(answers)
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

    def headline_columns(self, q: s.PairedRating) -> list[str]:
        return [*(pick(r.label.th, r.label.en) for r in q.ratings), "GAP"]

    def headline(self, data: AnswerData, q: s.PairedRating, group: pd.DataFrame) -> list[Any]:
        frame = paired_values(group, q)
        exact = paired_means(frame, q)
        return [len(frame), *(half_up(exact[r.key]) for r in q.ratings), half_up(exact["gap"])]

    def raw_columns(self, q: s.PairedRating, title: str, codes: bool) -> list[tuple[str, str | None]]:
        """A column per rating (e.g. current state, importance)."""
        return [(f"{q.key}__{r.key}" if codes else f"{title} ({r.label.th})", r.key) for r in q.ratings]

    def cell(self, q: s.PairedRating, part: str | None, codes: bool) -> Callable[[Any], Any]:
        return lambda v: number_cell(v.get(part), True) if isinstance(v, dict) else None


def _skewed_point(scale: s.Scale, rng: random.Random) -> int:
    """Ratings lean to the upper half, as satisfaction answers do."""
    points = scale.points()
    weights = [1 + i for i in range(len(points))]
    return rng.choices(points, weights=weights)[0]


def bands_of(defn: s.FormDefinition) -> tuple[LevelBand, ...]:
    """The Likert reading a form asks for."""
    return EQUAL_WIDTH_BANDS if defn.levels == "equal_width" else STANDARD_BANDS


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
        "pct_high": pct(sum(1 for p in exact if p >= high), len(exact)),
    }


def paired_values(answers: pd.DataFrame, q: s.PairedRating) -> pd.DataFrame:
    """One row per answer with a column per rating (e.g. current, importance) and the gap; only people who
    rated both parts (a GAP is importance − current state over the same people)."""
    values, _, _ = states(answers)
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
    minuend, subtrahend = means[first], means[second]
    return means | {"gap": minuend - subtrahend if minuend is not None and subtrahend is not None else None}
