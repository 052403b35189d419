"""Rating questions on a scale, single and paired (current state and importance, as in the OD survey)."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import gettext, pick
from survey_app.core.thai import arabic_digits
from survey_app.core.web import select_choices
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, Answer, AnswerState
from survey_app.forms_engine.type_base import BLANK, NA_LABEL, NA_VALUE, QuestionType, ReadResult


class RatingType(QuestionType):
    name = "rating"

    @staticmethod
    def point_choices(scale: s.Scale) -> list[tuple[str, str]]:
        return [(str(p), scale.labels[p].th if p in scale.labels else str(p)) for p in scale.points()]

    def make_fields(self, q: s.RatingQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        choices = self.point_choices(defn.scales[q.scale])
        if q.allow_na:
            choices.append((NA_VALUE, gettext(NA_LABEL)))
        return {q.key: RadioField(q.label.th, choices=select_choices(choices), validate_choice=False)}

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

    def read(self, q: s.RatingQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        raw = data.get(q.key)
        if q.allow_na and raw == NA_VALUE:
            return ReadResult(NA_ANSWER)
        point, error = self.read_point(raw, defn.scales[q.scale])
        if error:
            return ReadResult(errors=[error])
        return ReadResult(Answer.of(point) if point is not None else BLANK)

    def form_data(self, q: s.Question, answer: Answer | None) -> dict[str, Any]:
        if answer is None:
            return {q.key: None}
        return {q.key: NA_VALUE if answer.state == AnswerState.NA else str(answer.value)}


class PairedRatingType(RatingType):
    name = "paired_rating"

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
