"""The raw answers of a round: one row per response, one column per question (per rating part for paired
ratings), built with pandas one question column at a time, never cell by cell over all answers.

Cells keep their meaning: numbers stay numbers, an explicit "none" is the text "ไม่มี", N/A is "N/A" (never 0),
a missing answer is empty. Labels by default; option values and question keys with `codes=True`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_app.accounts import queries as account_queries
from survey_app.accounts.kinds import OrgKind
from survey_app.core.i18n import gettext
from survey_app.core.thai import BANGKOK, thai_date
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.qtypes import QuestionType
from survey_app.forms_engine.results import Table
from survey_app.reports.data import RoundData, row_keys
from survey_app.reports.privacy import name_columns, name_headers
from survey_app.reports.repeats import field_question, repeat_groups, report_type
from survey_app.responses.models import ResponseStatus

NONE_CELL = "ไม่มี"
NA_CELL = "N/A"
KEY_HEADER = "เลขที่แบบสอบถาม"  # only in a form with repeat groups: what their long tables are keyed by
ROW_HEADER = "แถวที่"
UNIT_HEADERS = ["รหัสหน่วยงาน", "หน่วยงาน", "ประเภท", "อำเภอ", "หน่วยงานต้นสังกัดที่รับรอง", "สถานะ", "ส่งช้า", "ส่งเมื่อ"]
CHUNK_ROWS = 5000


@dataclass(frozen=True)
class RawColumn:
    """One question column of the raw table, with the type that reports it; `part` is the rating key of a
    paired rating's column."""

    header: str
    question: s.Question
    qtype: QuestionType[Any]
    part: str | None = None


def question_columns(defn: s.FormDefinition, codes: bool = False) -> list[RawColumn]:
    """The question columns in form order (display-only items left out; a repeat group is its number of
    rows, its fields are on the group's own long table)."""
    columns = []
    for q in defn.questions():
        qt = report_type(q)
        if qt is None:
            continue
        columns += [RawColumn(header, q, qt, part) for header, part in qt.raw_columns(q, _title(q, codes), codes)]
    return columns


def _title(q: s.Question, codes: bool) -> str:
    return q.key if codes else f"{q.code} {q.label.th}" if q.code else q.label.th


def raw_header(data: RoundData, codes: bool = False) -> list[str]:
    keyed = [KEY_HEADER] if repeat_groups(data.defn) else []
    return keyed + UNIT_HEADERS + name_headers(data.disclosure) + [c.header for c in question_columns(data.defn, codes)]


def response_keys(data: RoundData, responses: pd.DataFrame) -> np.ndarray:
    """What joins a response's long-table rows to its row of the wide table: the response id in an org round;
    in a person survey the row's number in the (anonymised) wide table, since an id would tell who came when."""
    if data.disclosure is not None:
        return np.arange(1, len(responses) + 1).astype(object)
    return responses["response_id"].to_numpy().astype(object)


def raw_columns(data: RoundData, codes: bool = False, agencies: dict[int, str] | None = None) -> list[np.ndarray]:
    """The raw table as one object array per column (None where empty), rows in data.responses order
    (in a person survey: the privacy rule's order and unit names, see `anonymised`).

    Columns, not a DataFrame: a 2-D frame of Python objects would be copied whole on construction and again
    to blank its NaNs; for 100,000 responses those copies were most of an export's peak memory.
    """
    if not data.shown:
        return [np.empty(0, dtype=object) for _ in raw_header(data, codes)]
    responses = anonymised(data, agencies or {}) if data.disclosure is not None else data.responses
    ids = responses["response_id"].to_numpy()
    columns = [
        _blanked(column.to_numpy(dtype=object))
        for column in _unit_columns(responses, codes, agencies or {}, data.disclosure is not None)
    ]
    if repeat_groups(data.defn):
        columns.insert(0, response_keys(data, responses))
    columns += name_columns(data, ids)  # a form that collects names, for the readers it names
    hide_file_names = data.disclosure is not None and not data.defn.collects_names  # an anonymous person survey
    for column in question_columns(data.defn, codes):
        cells = question_cells(data.answers_of(column.question.key), column, codes, files_counted=hide_file_names)
        columns.append(_blanked(cells.reindex(ids).to_numpy(dtype=object)))
    return columns


def field_columns(group: s.RepeatGroup, codes: bool = False) -> list[RawColumn]:
    """A repeat group's field columns in its long table (each reads the field over all rows)."""
    columns = []
    for field in group.questions:
        qt = report_type(field)
        if qt is None:
            continue
        over_rows = field_question(group, field)
        columns += [RawColumn(h, over_rows, qt, part) for h, part in qt.raw_columns(field, _title(field, codes), codes)]
    return columns


def long_header(data: RoundData, group: s.RepeatGroup, codes: bool = False) -> list[str]:
    return [KEY_HEADER, *UNIT_HEADERS, ROW_HEADER, *(c.header for c in field_columns(group, codes))]


def long_rows(
    data: RoundData, group: s.RepeatGroup, codes: bool = False, agencies: dict[int, str] | None = None
) -> Iterator[list[Any]]:
    """A repeat group's long table, one row per current row of the group: the response's key and unit cells
    exactly as its row of the wide table shows them (anonymised alike in a person survey, nothing when the
    selection is withheld), the row's number within its response, then the row's fields."""
    if not data.shown:
        return
    person = data.disclosure is not None
    responses = anonymised(data, agencies or {}) if person else data.responses
    keys = response_keys(data, responses)
    units = [_blanked(c.to_numpy(dtype=object)) for c in _unit_columns(responses, codes, agencies or {}, person)]
    rows = data.repeat_rows(group.key)
    at = pd.Index(responses["response_id"]).get_indexer(rows["response_id"])
    rows, at = rows[at >= 0], at[at >= 0]
    order = np.lexsort((rows["number"].to_numpy(), at))  # the wide table's order, then row order
    rows, at = rows.iloc[order], at[order]
    index = pd.Index(row_keys(rows["response_id"], rows["row"]))
    fields = [
        _blanked(
            question_cells(data.answers_of(c.question.key), c, codes, by_row=True).reindex(index).to_numpy(dtype=object)
        )
        for c in field_columns(group, codes)
    ]
    numbers = rows["number"].to_numpy().astype(object)
    for start in range(0, len(rows), CHUNK_ROWS):
        part, where = slice(start, start + CHUNK_ROWS), at[start : start + CHUNK_ROWS]
        columns = [keys[where], *(u[where] for u in units), numbers[part], *(f[part] for f in fields)]
        yield from map(list, zip(*columns, strict=True))


def long_table(
    data: RoundData, group: s.RepeatGroup, codes: bool = False, agencies: dict[int, str] | None = None
) -> Table:
    """The long table as one Table (tests, small rounds); writers stream `long_rows`."""
    rows = list(long_rows(data, group, codes, agencies))
    return Table(long_header(data, group, codes), rows, f"{len(rows)} แถว · หนึ่งแถวต่อหนึ่งรายการ")


def anonymised(data: RoundData, agencies: dict[int, str]) -> pd.DataFrame:
    """A person survey's responses as its raw data may show them: a school the privacy rule hides is not named
    (its rows carry the agency when the agency is shown, else nothing, and no district or kind), times are
    days, and rows are ordered by what is shown, so their position does not tell the school either."""
    disclosure = data.disclosure
    assert disclosure is not None
    frame = data.responses.copy()
    for column in ("code", "unit", "kind", "district"):
        frame[column] = frame[column].astype(object)
    hidden = ~frame["org_unit_id"].map(disclosure.unit_shown).astype(bool)
    agency_shown = frame["agency_id"].map(disclosure.agency_shown).astype(bool)
    frame.loc[hidden, ["code", "kind", "district"]] = None
    frame.loc[hidden, "unit"] = [
        f"(ไม่ระบุสถานศึกษา) {agencies.get(int(a), '')}".strip() if shown else None
        for a, shown in zip(frame.loc[hidden, "agency_id"], agency_shown[hidden], strict=True)
    ]
    frame.loc[hidden & ~agency_shown, "agency_id"] = -1
    bangkok = pd.to_datetime(frame["submitted_at"], utc=True).dt.tz_convert(BANGKOK)
    frame["submitted_at"] = bangkok.dt.tz_localize(None).dt.floor("D")
    frame["_order"] = [hash_order(int(i)) for i in frame["response_id"]]
    frame = frame.sort_values(["unit", "submitted_at", "_order"], na_position="last", kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def _file_count(value: Any) -> str | None:
    return gettext("แนบ {n} ไฟล์", n=len(value)) if isinstance(value, list) else None


def hash_order(response_id: int) -> str:
    """An order within a day that says nothing of when (or from where) a response came."""
    return hashlib.blake2b(response_id.to_bytes(8, "little"), digest_size=8, key=b"raw-order").hexdigest()


def _blanked(column: np.ndarray) -> np.ndarray:
    """None for the missing cells (NaN, NaT, pd.NA), in a copy."""
    blanked = column.astype(object)
    blanked[pd.isna(column)] = None
    return blanked


def raw_table(data: RoundData, codes: bool = False, agencies: dict[int, str] | None = None) -> Table:
    """One row per response (in data.responses order), unit columns first, then a column per question."""
    rows = list(raw_rows(data, codes, agencies))
    return Table(raw_header(data, codes), rows, f"{len(rows)} แบบสอบถาม · ไม่มี = ตอบว่าไม่มี · N/A = ยังไม่มีข้อมูล")


def raw_rows(data: RoundData, codes: bool = False, agencies: dict[int, str] | None = None) -> Iterator[list[Any]]:
    """The raw table's rows one at a time, for writers that stream."""
    columns = raw_columns(data, codes, agencies)
    for start in range(0, len(data.responses), CHUNK_ROWS):
        yield from map(list, zip(*(c[start : start + CHUNK_ROWS] for c in columns), strict=True))


def _unit_columns(responses: pd.DataFrame, codes: bool, agencies: dict[int, str], person: bool) -> list[pd.Series]:
    """Code, name, kind, district (by name), certifying agency, status, late, submitted at (Bangkok, Buddhist
    Era; to the day in a person survey). A person response is never "awaiting certification": it is sent."""
    r = responses
    districts = district_names()
    return [
        r["code"],
        r["unit"],
        r["kind"].map(lambda k: k if codes or k is None else OrgKind(k).label_th),
        r["district"].map(lambda d: d if codes or d is None else districts.get(str(d), str(d))),
        r["agency_id"].map(lambda a: None if int(a) < 0 else agencies.get(int(a), str(a))),
        r["status"].map(lambda v: v if codes else PERSON_SENT if person else ResponseStatus(v).label_th),
        r["is_late"].map(lambda late: int(bool(late)) if codes else "ใช่" if late else "ไม่ใช่"),
        _day_texts(r["submitted_at"]) if person else _minute_texts(r["submitted_at"]),
    ]


PERSON_SENT = "ส่งแล้ว"


def district_names() -> dict[str, str]:
    """District code -> Thai name, for tables that show districts (people read names, not codes)."""
    return {d.code: d.name_th for d in account_queries.districts()}


def _day_texts(days: pd.Series) -> pd.Series:
    texts = {d: thai_date(d.date()) for d in days.dropna().unique()}
    return days.map(texts)


def _minute_texts(times: pd.Series) -> pd.Series:
    """Bangkok Buddhist-Era date and time of each timestamp, to the minute. Each distinct minute is written
    once and its text shared (100,000 responses come in far fewer minutes: less time and memory)."""
    minutes = pd.to_datetime(times).dt.floor("min")
    texts = {m: thai_date(m, with_time=True) for m in minutes.dropna().unique()}
    return minutes.map(texts)


def question_cells(
    answers: pd.DataFrame, column: RawColumn, codes: bool = False, by_row: bool = False, files_counted: bool = False
) -> pd.Series:
    """One question's cells indexed by response id (by (response, row) key for a repeat field with
    `by_row`, see data.row_keys): converted values, "ไม่มี", "N/A". With `files_counted` (an anonymous person
    survey) a file question says how many files were attached, never their names: a file is named by its
    owner ("order_somchai.pdf"), which would single the respondent out."""
    cells = pd.Series(None, index=answers.index, dtype=object)
    cells[answers["state"] == "none"] = NONE_CELL
    cells[answers["state"] == "na"] = NA_CELL
    is_value = answers["state"] == "value"
    if is_value.any():
        cell: Callable[[Any], Any] = (
            _file_count
            if files_counted and column.question.type == "file"
            else column.qtype.cell(column.question, column.part, codes)
        )
        convert = np.frompyfunc(cell, 1, 1)  # keeps Python ints (Series.map would make 3.0)
        cells[is_value] = convert(answers.loc[is_value, "value"].to_numpy(dtype=object))
    if by_row:
        row = answers["row"].to_numpy() if "row" in answers.columns else np.zeros(len(answers), dtype=np.int64)
        cells.index = row_keys(answers["response_id"].to_numpy(), row)
    else:
        cells.index = answers["response_id"].to_numpy()
    return cells


@dataclass(frozen=True)
class UploadRow:
    """One uploaded file of a response, read from the file answers (no database access)."""

    agency: str
    code: str
    unit: str
    question: s.Question
    upload_id: int | None
    name: str
    size: int | None


def upload_rows(data: RoundData, agencies: dict[int, str] | None = None) -> list[UploadRow]:
    """Every file record of the round's file answers, by unit code then question order (none for a person
    survey: a list of files by school would single people out)."""
    if data.disclosure is not None:
        return []
    units = data.responses[["response_id", "code", "unit", "agency_id"]]
    names = agencies or {}
    rows = []
    for q in (q for q in data.defn.questions() if q.type == "file"):
        answers = data.answers_of(q.key)
        frame = answers.loc[answers["state"] == "value", ["response_id", "value"]].merge(units, on="response_id")
        for r in frame.itertuples(index=False):
            agency = names.get(int(r.agency_id), str(r.agency_id))
            files = r.value if isinstance(r.value, list) else []
            rows += [
                UploadRow(agency, r.code, r.unit, q, f.get("id"), str(f.get("name", "")), f.get("size")) for f in files
            ]
    order = {q.key: i for i, q in enumerate(data.defn.questions())}
    return sorted(rows, key=lambda r: (r.code, order[r.question.key]))


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = re.compile(r'[/\\:*?"<>|]')  # folders, and what Windows refuses in a name


def safe_part(text: str, fallback: str = "ไม่ระบุ", limit: int = 120) -> str:
    """One path part of a ZIP entry: no folders, controls, bidi marks or characters Windows refuses; Thai kept."""
    cleaned = _SEPARATORS.sub("_", _CONTROLS.sub("", unicodedata.normalize("NFC", text or "")))
    cleaned = " ".join(cleaned.split()).strip(" .")
    if not any(ch.isalnum() for ch in cleaned):  # nothing left but dots and underscores ("..", "/")
        return fallback
    if len(cleaned) <= limit:
        return cleaned
    stem, dot, ext = cleaned.rpartition(".")
    suffix = dot + ext if stem and len(ext) <= 10 else ""
    return cleaned[: limit - len(suffix)].rstrip(" .") + suffix


def zip_path(row: UploadRow) -> str:
    """<agency>/<unit code> <unit name>/<question code or key> - <original name>."""
    question = row.question.code or row.question.key
    return "/".join([safe_part(row.agency), safe_part(f"{row.code} {row.unit}"), safe_part(f"{question} - {row.name}")])


def unique_name(name: str, used: set[str]) -> str:
    """The name itself or "name (2).ext", "name (3).ext", … so two files never share an entry."""
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, dot + ext) if stem and "/" not in ext else (name, "")
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}){ext}"
    used.add(candidate.casefold())
    return candidate
