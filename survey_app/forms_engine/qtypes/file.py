"""File questions: uploads stored by the responses package; the value is a list of {"id", "name", "size"}."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from wtforms import MultipleFileField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import gettext
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, Answer
from survey_app.forms_engine.qtypes.base import QuestionType, ReadResult, flag_fields, register
from survey_app.forms_engine.results import AnswerData, QuestionResult, Table, states


@register
class FileType(QuestionType[s.FileQuestion]):
    """Files arrive as uploads; storing them is the responses package's job."""

    name = "file"

    def make_fields(self, q: s.FileQuestion, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {q.key: MultipleFileField(q.label.th), **flag_fields(q)}

    def read(self, q: s.FileQuestion, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        if q.allow_na and data.get(f"{q.key}__na"):
            return ReadResult(NA_ANSWER)
        files = [f for f in (data.get(q.key) or []) if getattr(f, "filename", "")]
        if not files:
            return ReadResult(unchanged=True)
        if len(files) > q.max_files:
            return ReadResult(errors=[gettext("แนบได้ไม่เกิน {n} ไฟล์", n=q.max_files)])
        return ReadResult(Answer.of(files))  # FileStorage objects, replaced by stored records by the caller

    def display_value(self, q: s.FileQuestion, value: Any) -> str:
        return ", ".join(str(item.get("name", "")) for item in value) if isinstance(value, list) else "-"

    def sample(
        self,
        defn: s.FormDefinition,
        q: s.FileQuestion,
        rng: random.Random,
        answers: dict[str, Answer],
        files: list[dict[str, Any]] | None,
    ) -> Any:
        return files[: q.max_files] if files else None

    def aggregate(self, data: AnswerData, q: s.FileQuestion) -> QuestionResult:
        """Which units uploaded what (file records carry their ids for scoped links); a person survey counts only."""
        frame = data.answers_of(q.key).merge(data.responses[["response_id", "code", "unit"]], on="response_id")
        values, _nones, nas = states(frame)
        if data.per_person:
            return QuestionResult(
                q,
                Table([gettext("ไฟล์")], [], gettext("แนบไฟล์ {n} คน · N/A {na}", n=f"{len(values):,}", na=f"{nas:,}")),
                None,
                {"n": len(values)},
            )
        rows = [
            [r.code, r.unit, ", ".join(f.get("name", "") for f in r.value), [f.get("id") for f in r.value]]
            for r in values.sort_values("code").itertuples()
        ]
        columns = [gettext("รหัส"), gettext("หน่วยงาน"), gettext("ไฟล์"), "_ids"]
        note = gettext("แนบไฟล์ {n} หน่วยงาน · N/A {na}", n=f"{len(values):,}", na=f"{nas:,}")
        return QuestionResult(q, Table(columns, rows, note), None, {"n": len(values)})

    def cell(self, q: s.FileQuestion, part: str | None, codes: bool) -> Callable[[Any], Any]:
        return lambda v: ", ".join(str(f.get("name", "")) for f in v) if isinstance(v, list) else None
