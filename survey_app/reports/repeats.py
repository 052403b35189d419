"""Repeating groups (`type: repeat`) in reports: the group's own table (who has rows, who said "none", how many
rows) and each field aggregated over all rows by its own type, as the column `<group>.<field>`.

A field over all rows is reported through a copy of the field's question whose key is its column key
(forms_engine/repeats.column_key) and whose title names the group: every type's aggregate, breakdown and raw
cell then reads `RoundData.answers_of("projects.budget")` (every current row's answer) and works unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from survey_app.core.figures import half_up, percent
from survey_app.core.i18n import N_, gettext, pick
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.qtypes import REGISTRY, QuestionType
from survey_app.forms_engine.repeats import ROW_ID_PATTERN, column_key
from survey_app.forms_engine.results import NA_ROW, AnswerData, QuestionResult, Table

NO_ROWS = N_("ไม่มี")
# what a field's table calls n when its answers are rows, not respondents
ROW_LABELS = {N_("จำนวนผู้ตอบที่ระบุตัวเลข (n)"): N_("จำนวนแถวที่ระบุตัวเลข (n)")}


def row_code(row_id: str) -> int:
    """A row id ("r" + 6 of [a-z0-9]) as a number above 0 (0 in the `row` column: not a row's answer)."""
    return int(row_id[1:], 36) + 1


def row_keys(response_ids: Any, codes: Any) -> np.ndarray:
    """One int64 per (response, row): the response id in the high 32 bits, the row code (< 2^32) below."""
    return (np.asarray(response_ids, dtype=np.int64) << 32) | np.asarray(codes, dtype=np.int64)


def group_rows(group_answers: pd.DataFrame) -> pd.DataFrame:
    """The rows listed by a repeat group's answers (forms_engine/repeats.py): a group answered "none", N/A
    or not at all has none; an id listed twice or not shaped like a row id is ignored."""
    response_ids, codes, numbers = [], [], []
    listed = group_answers[group_answers["state"] == "value"]
    for response_id, value in zip(listed["response_id"], listed["value"], strict=True):
        seen: set[str] = set()
        for rid in value if isinstance(value, list) else []:
            if isinstance(rid, str) and ROW_ID_PATTERN.match(rid) and rid not in seen:
                seen.add(rid)
                response_ids.append(int(response_id))
                codes.append(row_code(rid))
                numbers.append(len(seen))
    return pd.DataFrame(
        {
            "response_id": np.asarray(response_ids, dtype=np.int64),
            "row": np.asarray(codes, dtype=np.int64),
            "number": np.asarray(numbers, dtype=np.int32),
        }
    )


def repeat_groups(defn: s.FormDefinition) -> list[s.RepeatGroup]:
    """The form's repeating groups in form order."""
    return [q for q in defn.questions() if isinstance(q, s.RepeatGroup)]


def field_question(group: s.RepeatGroup, field: s.Question) -> s.Question:
    """The field over all rows: its key is the column key, its title "<group> · <field>"."""
    th = f"{group.label.th} · {field.label.th}"
    en = f"{group.label.en or group.label.th} · {field.label.en or field.label.th}"
    label = s.LocalText(th=th, en=en if (group.label.en or field.label.en) else None)
    code = ".".join(c for c in (group.code, field.code) if c) or None
    return field.model_copy(update={"key": column_key(group.key, field.key), "label": label, "code": code})


def report_questions(questions: list[s.Question]) -> list[s.Question]:
    """The questions as reports list them: a repeat group, then each of its fields over all rows."""
    listed: list[s.Question] = []
    for q in questions:
        listed.append(q)
        if isinstance(q, s.RepeatGroup) and q.report:  # a group kept out of reports keeps its fields out
            listed += [field_question(q, f) for f in q.questions]
    return listed


def group_of(data: AnswerData, q: s.Question) -> s.RepeatGroup | None:
    """The repeat group a field-over-all-rows question belongs to (None for an ordinary question)."""
    if "." not in q.key:
        return None
    group = data.defn.question_map().get(q.key.split(".", 1)[0])
    return group if isinstance(group, s.RepeatGroup) else None


class RepeatReport(QuestionType[s.RepeatGroup]):
    """The report side of a repeat group: its own table and its per-group headline (its fields are reported
    by their own types, see `field_question`)."""

    name = "repeat"

    def aggregate(self, data: AnswerData, q: s.RepeatGroup) -> QuestionResult:
        """Responses with rows, "none", N/A and missing (each a share of all responses), and the rows:
        their total, the mean per response that has rows (a "none" is not a response with 0 rows), the most."""
        counts = group_counts(data, q, data.answers_of(q.key), data.responses["response_id"])
        n_all = len(data.responses)
        share = gettext("ร้อยละของแบบสอบถามทั้งหมด (n={n})", n=f"{n_all:,}")
        none_text = pick(q.none_label.th, q.none_label.en) if q.none_label else gettext(NO_ROWS)
        rows: list[list[Any]] = [
            [gettext("แบบสอบถามที่มีอย่างน้อย 1 แถว"), counts["n"], percent(counts["n"], n_all)],
            [gettext('ตอบว่า "{none}" (ไม่มีแถว)', none=none_text), counts["none"], percent(counts["none"], n_all)],
        ]
        if q.allow_na or counts["na"]:
            rows.append([gettext(NA_ROW), counts["na"], percent(counts["na"], n_all)])
        rows += [
            [gettext("ไม่ได้ตอบ"), counts["missing"], percent(counts["missing"], n_all)],
            [gettext("จำนวนแถวรวม"), counts["sum"], None],
            [gettext("ค่าเฉลี่ยจำนวนแถวต่อแบบสอบถามที่มีแถว (n={n})", n=f"{counts['n']:,}"), counts["mean"], None],
            [gettext("จำนวนแถวมากที่สุดในหนึ่งแบบสอบถาม"), counts["max"], None],
        ]
        note = gettext(
            'ร้อยละคิดจากแบบสอบถามทั้งหมด (n={n}) คำตอบ "ไม่มี" และ N/A นับแยก ไม่นับเป็น 0 แถวในค่าเฉลี่ย '
            "ผลของแต่ละข้อในกลุ่มคิดจากทุกแถวรวมกัน",
            n=f"{n_all:,}",
        )
        table = Table([gettext("รายการ"), gettext("จำนวน"), share], rows, note)
        stats = {k: counts[k] for k in ("n", "sum", "mean", "none", "na")}
        return QuestionResult(q, table, None, stats)

    def headline_columns(self, q: s.RepeatGroup) -> list[str]:
        return [N_("ไม่มี"), N_("จำนวนแถวรวม"), N_("ค่าเฉลี่ยแถวต่อแบบสอบถามที่มีแถว")]

    def raw_columns(self, q: s.RepeatGroup, title: str, codes: bool) -> list[tuple[str, str | None]]:
        """The wide raw table shows a group as its number of rows ("ไม่มี" for none); its rows are on a
        sheet of their own (reports/raw.py `long_table`)."""
        return [(title if codes else f"{title} (จำนวนแถว)", None)]  # raw headers are Thai, like the others

    def cell(self, q: s.RepeatGroup, part: str | None, codes: bool) -> Callable[[Any], Any]:
        return row_count

    def headline(self, data: AnswerData, q: s.RepeatGroup, group: pd.DataFrame) -> list[Any]:
        """n = responses of the group with rows; then their "none" answers, rows in total, mean rows."""
        counts = group_counts(data, q, group, group["response_id"].unique())
        return [counts["n"], counts["none"], counts["sum"], counts["mean"]]


def row_count(value: Any) -> int | None:
    """How many rows a group's stored list holds (None, an empty cell, when it lists none: not "ไม่มี", not 0)."""
    rows = (
        {rid for rid in value if isinstance(rid, str) and ROW_ID_PATTERN.match(rid)} if isinstance(value, list) else ()
    )
    return len(rows) or None


def rows_per_response(data: AnswerData, key: str) -> pd.Series:
    """Rows per response that has any, by response id (computed once per group: breakdowns ask per agency)."""
    cache = data.__dict__.setdefault("_rows_per_response", {})
    if key not in cache:
        cache[key] = data.repeat_rows(key).groupby("response_id").size()
    return cache[key]


def group_counts(data: AnswerData, q: s.Question, answers: pd.DataFrame, response_ids: Any) -> dict[str, Any]:
    """A group's figures over these responses: n (with rows), none, na, missing, sum (rows), mean, max."""
    wanted = pd.Index(pd.unique(pd.Series(response_ids, dtype="int64")))
    per_response = rows_per_response(data, q.key).reindex(wanted).dropna()
    with_rows = len(per_response)
    nones = int((answers["state"] == "none").sum())
    nas = int((answers["state"] == "na").sum())
    total = int(per_response.sum()) if with_rows else 0
    return {
        "n": with_rows,
        "none": nones,
        "na": nas,
        "missing": len(wanted) - with_rows - nones - nas,
        "sum": total,
        "mean": half_up(Fraction(total, with_rows)) if with_rows else None,
        "max": int(per_response.max()) if with_rows else None,
    }


REPEAT_REPORT = RepeatReport()


def report_type(q: s.Question) -> QuestionType[Any] | None:
    """The type that reports a question: a repeat group's report side, or the question's registered type
    (None for a type not registered, e.g. one being written: left out of reports rather than failing)."""
    if isinstance(q, s.RepeatGroup):
        return REPEAT_REPORT
    return REGISTRY.get(q.type)


def field_note(data: AnswerData, field_q: s.Question, result: QuestionResult) -> QuestionResult:
    """A field's result says its denominator is rows: "n" counts rows of the group, not respondents."""
    group = group_of(data, field_q)
    if group is None:
        return result
    rows = data.repeat_rows(group.key)
    note = gettext(
        'คิดจากทุกแถวของ "{group}" รวมกัน ({rows} แถว จาก {responses} แบบสอบถาม) n คือจำนวนแถว',
        group=pick(group.label.th, group.label.en),
        rows=f"{len(rows):,}",
        responses=f"{rows['response_id'].nunique():,}",
    )
    relabel = {gettext(old): gettext(new) for old, new in ROW_LABELS.items()}
    table = result.table
    table.rows = [[relabel.get(r[0], r[0]) if isinstance(r[0], str) else r[0], *r[1:]] for r in table.rows]
    table.note = f"{note} · {table.note}" if table.note else note
    return result
