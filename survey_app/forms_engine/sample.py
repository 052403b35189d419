"""Plausible answers for any definition: used by the demo generator, the benchmarks and the tests."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, question_visible, section_applies

PROJECT_WORDS = ("โครงการ", "กิจกรรม", "งานประจำ")
PROJECT_TOPICS = (
    "ส่งเสริมการอ่าน", "โรงเรียนปลอดยาเสพติด", "พัฒนาครูด้านดิจิทัล", "ลดเวลาเรียนเพิ่มเวลารู้",
    "สถานศึกษาสีขาว", "ห้องเรียนคุณภาพ", "ธนาคารขยะ", "สะเต็มศึกษา", "คุณธรรมนำชีวิต", "ทุนการศึกษา",
)  # fmt: skip


def sample_answers(
    defn: s.FormDefinition,
    rng: random.Random,
    org_kind: str | None = None,
    *,
    none_rate: float = 0.15,
    complete: bool = True,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Answer]:
    """A full (or, with complete=False, partial) set of answers that passes the definition's rules.

    Numbers that other questions must not exceed are answered before those questions, so cross-item
    checks hold; `files` are the stored upload records to use for file questions.
    """
    answers: dict[str, Answer] = {}
    for section in defn.sections:
        if not section_applies(section, org_kind):
            continue
        for q in section.all_questions():
            if q.type == "info" or not question_visible(q, answers, org_kind):
                continue
            if not complete and rng.random() < 0.4:
                continue
            answer = _answer(defn, q, rng, none_rate, answers, files)
            if answer is not None:
                answers[q.key] = answer
    return answers


def _answer(
    defn: s.FormDefinition,
    q: s.Question,
    rng: random.Random,
    none_rate: float,
    answers: dict[str, Answer],
    files: list[dict[str, Any]] | None,
) -> Answer | None:
    can_none = bool(getattr(q, "none_label", None) or getattr(q, "allow_none", False))
    if can_none and rng.random() < none_rate:
        return NONE_ANSWER
    if q.allow_na and rng.random() < 0.05:
        return NA_ANSWER
    value = _value(defn, q, rng, answers, files)
    return None if value is None else Answer.of(value)


def _value(defn, q, rng, answers, files):  # type: ignore[no-untyped-def]  # dispatch on the question type
    if isinstance(q, s.SingleChoice):
        return rng.choice(q.options).value
    if isinstance(q, s.MultipleChoice):
        low = q.min_choices or 1
        high = min(q.max_choices or len(q.options), len(q.options))
        picked = rng.sample([o.value for o in q.options], rng.randint(low, max(low, high)))
        return [o.value for o in q.options if o.value in picked]
    if isinstance(q, s.ShortText | s.LongText):
        return f"{rng.choice(PROJECT_WORDS)}{rng.choice(PROJECT_TOPICS)}"[: q.max_length]
    if isinstance(q, s.IntegerQuestion | s.DecimalQuestion):
        return _number(q, rng, answers)
    if isinstance(q, s.DateQuestion):
        start = q.min or date(2019, 10, 1)
        end = q.max or date(2020, 9, 30)
        return (start + timedelta(days=rng.randint(0, max(0, (end - start).days)))).isoformat()
    if isinstance(q, s.FileQuestion):
        return files[: q.max_files] if files else None
    if isinstance(q, s.RatingQuestion):
        scale = defn.scales[q.scale]
        return _skewed_point(scale, rng)
    if isinstance(q, s.PairedRating):
        return _paired(defn.scales[q.scale], q, rng)
    return None


def _paired(scale: s.Scale, q: s.PairedRating, rng: random.Random) -> dict[str, int]:
    """Importance usually at or above the current state, as OD surveys find."""
    high, low = q.gap or (q.ratings[1].key, q.ratings[0].key)
    current = _skewed_point(scale, rng)
    return {low: current, high: min(scale.max, current + rng.choice((0, 0, 1, 1, 2)))}


def _skewed_point(scale: s.Scale, rng: random.Random) -> int:
    """Ratings lean to the upper half, as satisfaction answers do."""
    points = scale.points()
    weights = [1 + i for i in range(len(points))]
    return rng.choices(points, weights=weights)[0]


def _number(q: s.IntegerQuestion | s.DecimalQuestion, rng: random.Random, answers: dict[str, Answer]) -> float | int:
    low = q.min if q.min is not None else 0
    high = q.max if q.max is not None else max(low, 0) + 500
    for check in q.checks:
        other = answers.get(check.other)
        if other is not None and other.has_value and check.op in ("le", "lt"):
            high = min(high, other.value - (1 if check.op == "lt" else 0))
        if other is not None and other.has_value and check.op in ("ge", "gt"):
            low = max(low, other.value + (1 if check.op == "gt" else 0))
        if other is not None and other.has_value and check.op == "eq":
            return other.value
    high = max(high, low)
    if isinstance(q, s.IntegerQuestion):
        return rng.randint(int(low), int(high))
    return round(rng.uniform(float(low), float(high)), q.decimals)
