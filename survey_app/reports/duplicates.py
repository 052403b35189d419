"""Probable duplicate answers in person surveys: flagged and explained, never silently dropped or counted.

A person response is a probable duplicate of an earlier one of the same unit when it comes from the same
browser (the same device hash, see responses/person.py), or when it gives exactly the same answers to every
question within ten minutes of it. The earliest of each group stays unflagged; every later one is flagged,
once, under the first reason that holds (same device before same answers). Flags only inform: the report
still counts these answers and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from survey_app.core.i18n import N_, gettext
from survey_app.extensions import db
from survey_app.reports.data import RoundData
from survey_app.responses.models import Response

SAME_ANSWERS_WITHIN = pd.Timedelta(minutes=10)
SAME_DEVICE_LABEL = N_("อุปกรณ์เดียวกัน")
SAME_ANSWERS_LABEL = N_("คำตอบเหมือนกันทุกข้อภายใน 10 นาที")


@dataclass(frozen=True)
class DuplicateFlags:
    """The later responses of probable duplicate groups, how many for each reason, and a note for readers."""

    flagged: frozenset[int] = frozenset()
    same_device: int = 0
    same_answers: int = 0

    @property
    def count(self) -> int:
        return len(self.flagged)

    @property
    def note(self) -> str:
        """One line for the report (in the reader's language); empty when nothing is flagged."""
        if not self.flagged:
            return ""
        counts = ((SAME_DEVICE_LABEL, self.same_device), (SAME_ANSWERS_LABEL, self.same_answers))
        reasons = " · ".join(f"{gettext(label)} {n:,}" for label, n in counts if n)
        return gettext("พบคำตอบที่อาจซ้ำ {n} ชุด ({reasons}) นับรวมอยู่ในผลด้านล่าง", n=f"{self.count:,}", reasons=reasons)


def probable_duplicates(data: RoundData) -> DuplicateFlags:
    """Flag the responses of a person round that probably repeat an earlier one of the same unit.

    Org rounds have one response per unit, certified by people who know it: they are never flagged."""
    if not data.rnd.per_person or data.responses.empty:
        return DuplicateFlags()
    frame = data.responses[["response_id", "org_unit_id", "submitted_at"]].copy()
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    by_device = _later_in_group(frame.merge(_device_hashes(data.rnd.id), on="response_id"), ["device_hash"])
    same = frame.merge(_answer_signatures(data.answers), on="response_id")
    by_answers = _later_in_group(same, ["signature", "answered"], within=SAME_ANSWERS_WITHIN) - by_device
    return DuplicateFlags(frozenset(by_device | by_answers), len(by_device), len(by_answers))


def _device_hashes(round_id: int) -> pd.DataFrame:
    """Device hashes of the round's responses, in one query (by round, not by a list of ids: a large round
    has more responses than a statement may carry parameters); the merge keeps the responses in scope."""
    stmt = select(Response.id, Response.device_hash).where(
        Response.round_id == round_id, Response.device_hash.is_not(None)
    )
    rows = db.session.execute(stmt).all()
    return pd.DataFrame(rows, columns=["response_id", "device_hash"]).astype({"response_id": "int64"})


def _answer_signatures(answers: pd.DataFrame) -> pd.DataFrame:
    """One number per response that is equal exactly when the answers are (keys, states and values).

    Each answer row is hashed (64 bits) and the hashes are summed per response, so row order does not
    matter and a round of millions of answers needs no Python loop; the number of answers is kept beside
    it. Numbers are compared by value_num, other values by their text."""
    if answers.empty:
        return pd.DataFrame(columns=["response_id", "signature", "answered"]).astype("int64")
    text = answers["value"].where(answers["value_num"].isna(), "").astype(str)
    rows = pd.DataFrame(
        {"key": answers["question_key"], "state": answers["state"], "text": text, "number": answers["value_num"]}
    )
    hashes = pd.util.hash_pandas_object(rows, index=False)
    by_response = hashes.groupby(answers["response_id"].to_numpy())
    return (
        pd.DataFrame({"signature": by_response.sum(), "answered": by_response.size()})
        .rename_axis("response_id")
        .reset_index()
    )


def _later_in_group(frame: pd.DataFrame, columns: list[str], within: pd.Timedelta | None = None) -> set[int]:
    """Responses that follow an earlier one of the same unit with equal `columns` (and, when `within` is
    given, no longer than that after it). Each is compared with the one just before it in its group."""
    if frame.empty:
        return set()
    keys = ["org_unit_id", *columns]
    ordered = frame.sort_values([*keys, "submitted_at", "response_id"], na_position="last", kind="stable")
    later = np.zeros(len(ordered), dtype=bool)
    later[1:] = True
    for key in keys:  # compared as they are (a shift would turn 64-bit signatures into floats)
        values = ordered[key].to_numpy()
        later[1:] &= values[1:] == values[:-1]
    if within is not None:
        later &= (ordered["submitted_at"].diff() <= within).to_numpy()
    return {int(rid) for rid in ordered["response_id"].to_numpy()[later]}
