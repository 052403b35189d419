"""Repeating groups (``type: repeat``): how their rows are stored as answers.

A group is one answer under its own key: the ordered list of its row ids (VALUE), or an explicit "none" for
the whole group ("no projects"). Each field of a row is an ordinary answer under ``<group>-<row id>-<field>``:
a hyphen never occurs in a key, so a row key cannot collide with a question key, and a row keeps its identity
(its id) when another row is removed. Reports read a row field as the column ``<group>.<field>``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from survey_app.core.i18n import N_, gettext, pick
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import Answer, AnswerState

ROW_ID_PATTERN = re.compile(r"^r[a-z0-9]{6}$")
_ROW_KEY = re.compile(r"^([a-z][a-z0-9_]*)-(r[a-z0-9]{6})-([a-z][a-z0-9_]*)$")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
ROW_KEY_LIMIT = 64  # the stored key's column width: len(group) + len(field) + 9 must fit


def new_row_id() -> str:
    """A fresh row id: 'r' and six random letters or digits (36^6 ≈ 2·10^9 per group)."""
    return "r" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def row_key(group: str, row_id: str, field: str) -> str:
    """The stored key of one field of one row."""
    return f"{group}-{row_id}-{field}"


def parse_row_key(key: str) -> tuple[str, str, str] | None:
    """(group, row id, field) of a row key, or None for an ordinary question key."""
    match = _ROW_KEY.match(key)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def column_key(group: str, field: str) -> str:
    """How reports and expressions name a field over all rows: ``<group>.<field>``."""
    return f"{group}.{field}"


def row_ids(answers: Mapping[str, Answer], group: str) -> list[str]:
    """The group's rows in order (empty when unanswered or answered "none")."""
    answer = answers.get(group)
    if answer is None or answer.state != AnswerState.VALUE or not isinstance(answer.value, list):
        return []
    return [rid for rid in answer.value if isinstance(rid, str) and ROW_ID_PATTERN.match(rid)]


# Expansion: a group's rows as concrete questions, so every page, read and count treats a row field like
# any other question (its key is the row key).

SEED_PREFIX = "r0000"  # the rows min_rows shows before anything is stored: r00001, r00002, …


def seed_ids(group: s.RepeatGroup) -> list[str]:
    """The ids of the first min_rows rows, shown before the group is stored; the same on every page, so a
    post of them is known to the server without storing anything on a GET."""
    return [f"r{n:06d}" for n in range(1, group.min_rows + 1)]


def shown_rows(group: s.RepeatGroup, answers: Mapping[str, Answer]) -> list[str]:
    """The rows a page shows: the stored ones, none under "none", else the min_rows seed rows."""
    answer = answers.get(group.key)
    if answer is None:
        return seed_ids(group)
    return row_ids(answers, group.key)


def row_questions(group: s.RepeatGroup, rid: str) -> list[s.Question]:
    """The group's field questions copied under this row's keys; a structured show_if naming a sibling
    field names the sibling of the same row."""
    siblings = {q.key for q in group.questions}
    return [
        q.model_copy(
            update={"key": row_key(group.key, rid, q.key), "show_if": _in_row(q.show_if, group, rid, siblings)}
        )
        for q in group.questions
    ]


def _in_row(cond: Any, group: s.RepeatGroup, rid: str, siblings: set[str]) -> Any:
    """A condition with sibling names turned into this row's keys (anything not a Condition is kept)."""
    if not isinstance(cond, s.Condition):
        return cond
    if cond.all is not None or cond.any is not None:
        parts = [_in_row(c, group, rid, siblings) for c in (cond.all or cond.any or [])]
        return cond.model_copy(update={"all": parts} if cond.all is not None else {"any": parts})
    if cond.question in siblings:
        return cond.model_copy(update={"question": row_key(group.key, rid, cond.question)})
    return cond


def expanded(source: s.Section | Iterable[s.Question], answers: Mapping[str, Answer]) -> list[s.Question]:
    """The questions with each group followed by the concrete questions of the rows a page shows."""
    questions = source.all_questions() if isinstance(source, s.Section) else source
    result: list[s.Question] = []
    for q in questions:
        result.append(q)
        if isinstance(q, s.RepeatGroup):
            for rid in shown_rows(q, answers):
                result.extend(row_questions(q, rid))
    return result


def rows_signature(questions: Iterable[s.Question], answers: Mapping[str, Answer]) -> str:
    """The shown rows of every group among these questions, for a form class's cache key."""
    return ";".join(f"{q.key}:{','.join(shown_rows(q, answers))}" for q in questions if isinstance(q, s.RepeatGroup))


def field_question(defn: s.FormDefinition, key: str) -> s.Question | None:
    """The concrete question of a row key (its field copied under that key), or None."""
    parts = parse_row_key(key)
    group = defn.question_map().get(parts[0]) if parts else None
    if parts is None or not isinstance(group, s.RepeatGroup):
        return None
    return next((q for q in row_questions(group, parts[1]) if q.key == key), None)


def question_lookup(defn: s.FormDefinition, key: str) -> s.Question | None:
    """A question by key: a question of the form, or a field of a row."""
    return defn.question_map().get(key) or field_question(defn, key)


ROW_HEADING = N_("รายการที่ {n}")


def row_heading(group: s.RepeatGroup, n: int) -> str:
    """A row's heading: the group's row_label with {n}, else "รายการที่ {n}"."""
    if group.row_label is not None:
        return pick(group.row_label.th, group.row_label.en).replace("{n}", str(n))
    return gettext(ROW_HEADING, n=n)


def row_title(defn: s.FormDefinition, key: str, answers: Mapping[str, Answer] | None = None) -> str | None:
    """How a person is told a row field: "<group label> · รายการที่ 2 · <field label>" (None: not a row key).
    The row's number comes from the answers; a row no longer there is told without it."""
    parts = parse_row_key(key)
    field_q = field_question(defn, key)
    group = defn.question_map().get(parts[0]) if parts is not None else None
    if parts is None or field_q is None or not isinstance(group, s.RepeatGroup):
        return None
    rows = row_ids(answers or {}, parts[0])
    head = [pick(group.label.th, group.label.en)]
    if parts[1] in rows:
        head.append(row_heading(group, rows.index(parts[1]) + 1))
    return " · ".join([*head, pick(field_q.label.th, field_q.label.en)])


# Reading a posted section: the group's switch, the seed rows, rows that are gone, and the add/remove buttons.


class _Read(Protocol):  # builder.SectionRead (builder imports this module)
    answers: dict[str, Answer]
    cleared: set[str]
    errors: dict[str, list[str]]


def settle(questions: Iterable[s.Question], stored: Mapping[str, Answer], read: _Read) -> None:
    """After reading: a switch turned off clears "none"; seed rows with an answer become the stored rows."""
    for group in _groups(questions):
        if group.key in read.errors or group.key in read.answers:
            continue  # "none"/N/A chosen (its rows are dropped by drop_orphans) or an error
        before = stored.get(group.key)
        if before is not None and before.state != AnswerState.VALUE:
            read.cleared.add(group.key)
        elif before is None and any(q.key in read.answers for q in row_seeds(group)):
            read.answers[group.key] = Answer.of(seed_ids(group))


def row_seeds(group: s.RepeatGroup) -> list[s.Question]:
    """The concrete questions of the seed rows."""
    return [q for rid in seed_ids(group) for q in row_questions(group, rid)]


def drop_orphans(questions: Iterable[s.Question], stored: Mapping[str, Answer], read: _Read) -> None:
    """Clear every field of a row its group no longer lists (removed, "none", hidden group)."""
    merged = {k: v for k, v in stored.items() if k not in read.cleared} | read.answers
    for group in _groups(questions):
        keep = set(row_ids(merged, group.key))
        for key in [*stored, *read.answers]:
            parts = parse_row_key(key)
            if parts and parts[0] == group.key and parts[1] not in keep:
                read.answers.pop(key, None)
                read.errors.pop(key, None)
                if key in stored:
                    read.cleared.add(key)


def _groups(questions: Iterable[s.Question]) -> list[s.RepeatGroup]:
    return [q for q in questions if isinstance(q, s.RepeatGroup)]


ROW_ACTION = re.compile(r"^(add):([a-z][a-z0-9_]{0,62})$|^(remove):([a-z][a-z0-9_]{0,62}):(r[a-z0-9]{6})$")
MAX_ROWS_MESSAGE = N_("เพิ่มได้ไม่เกิน {n} รายการ")
MIN_ROWS_MESSAGE = N_("ต้องมีอย่างน้อย {n} รายการ จึงลบรายการนี้ไม่ได้")


@dataclass(frozen=True)
class RowOutcome:
    """What an add/remove button did: the group, the row to show (added), or a Thai refusal."""

    group: str
    row: str | None = None
    error: str | None = None


def apply_row_action(
    questions: Iterable[s.Question], action: str | None, stored: Mapping[str, Answer], read: _Read
) -> RowOutcome | None:
    """Add a row (a new id made here) or remove one (its fields cleared) of a group of this section; an
    unknown group or row is ignored (None), min_rows/max_rows refused with a Thai message."""
    match = ROW_ACTION.match(action or "")
    group = next((g for g in _groups(questions) if match and g.key in (match.group(2), match.group(4))), None)
    if match is None or group is None or group.key in read.errors:
        return None
    merged = {k: v for k, v in stored.items() if k not in read.cleared} | read.answers
    rows = shown_rows(group, merged) if group.key not in merged or merged[group.key].has_value else []
    if match.group(1) == "add":
        if len(rows) >= group.max_rows:
            return RowOutcome(group.key, error=gettext(MAX_ROWS_MESSAGE, n=group.max_rows))
        rid = new_row_id()
        while rid in rows:
            rid = new_row_id()
        _set_rows(group, [*rows, rid], read)
        return RowOutcome(group.key, row=rid)
    rid = match.group(5)
    if rid not in rows:
        return None
    if len(rows) <= group.min_rows:
        return RowOutcome(group.key, error=gettext(MIN_ROWS_MESSAGE, n=group.min_rows))
    _set_rows(group, [r for r in rows if r != rid], read)
    drop_orphans([group], stored, read)
    return RowOutcome(group.key)


def _set_rows(group: s.RepeatGroup, rows: list[str], read: _Read) -> None:
    if rows:
        read.answers[group.key] = Answer.of(rows)
        read.cleared.discard(group.key)
    else:
        read.answers.pop(group.key, None)
        read.cleared.add(group.key)


def stored_row_questions(q: s.Question, answers: Mapping[str, Answer]) -> list[s.Question]:
    """The concrete questions of a group's stored rows (none for any other question)."""
    if not isinstance(q, s.RepeatGroup):
        return []
    return [rq for rid in row_ids(answers, q.key) for rq in row_questions(q, rid)]


def question_finder(defn: s.FormDefinition) -> Callable[[str], s.Question | None]:
    """A lookup by stored key for loops over many answers: the form's question, or for a row key the field
    it answers (as written in the group, for its type: numbers kept beside the value)."""
    questions = defn.question_map()
    fields = {(g.key, f.key): f for g in _groups(questions.values()) for f in g.questions}

    def find(key: str) -> s.Question | None:
        parts = parse_row_key(key) if key not in questions else None
        return fields.get((parts[0], parts[2])) if parts else questions.get(key)

    return find
