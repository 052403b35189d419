"""What every question type shares: the base class, the registry, the read result, and the none / N/A flag
fields of text, number, date and file questions. Each family of types is one module beside this one."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

import pandas as pd
from wtforms import BooleanField
from wtforms.fields.core import UnboundField

from survey_app.core.i18n import N_, gettext, lazy_gettext, pick
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.answers import NA_ANSWER, NONE_ANSWER, Answer, AnswerState
from survey_app.forms_engine.results import AnswerData, QuestionResult

NONE_VALUE = "__none__"
NA_VALUE = "__na__"
NA_LABEL = N_("N/A (ยังไม่มีข้อมูล)")
NONE_TEXT_LABEL = N_("ไม่มี")
BLANK = None  # a read that found nothing typed: the question becomes unanswered

Q = TypeVar("Q", bound=s.QuestionBase)  # the question class a type handles (RatingType: s.RatingQuestion)


class ReadResult:
    """What a posted form said about one question: an answer (or BLANK) and any Thai errors."""

    __slots__ = ("answer", "errors", "unchanged")

    def __init__(self, answer: Answer | None = BLANK, errors: list[str] | None = None, *, unchanged: bool = False):
        self.answer = answer
        self.errors = errors or []
        self.unchanged = unchanged  # files: nothing new uploaded, keep what is stored


class QuestionType(Generic[Q]):
    """Base of every type: a type owns its fields, reading, display, sample answers, aggregate, breakdown
    figures, raw-data cells and template. Subclasses name their question class once (`QuestionType[s.RatingQuestion]`),
    override what differs, and register with @register."""

    name: ClassVar[str] = ""
    has_input: ClassVar[bool] = True  # False for display-only items: no field, no answer, no column
    numeric: ClassVar[bool] = False  # the value is a number, kept beside the JSON for sums and comparisons
    checkable: ClassVar[bool] = False  # cross-item checks (`checks:`) may compare it with another question
    hints: ClassVar[tuple[str, ...]] = ()  # ids its template writes under the field ("fmt" -> fmt-<key>)
    partial: ClassVar[str] = ""  # its template under forms_engine/qtypes/ (default: <name>.html)

    @property
    def template(self) -> str:
        """The partial template that renders this type's field (included by _questions.html)."""
        return f"forms_engine/qtypes/{self.partial or self.name + '.html'}"

    def hint_ids(self, q: Q) -> str:
        """The ids of those hints, for the field's aria-describedby ("fmt-<key> ")."""
        return "".join(f"{hint}-{q.key} " for hint in self.hints)

    # answering

    def make_fields(self, q: Q, defn: s.FormDefinition) -> dict[str, UnboundField]:
        return {}

    def read(self, q: Q, data: dict[str, Any], defn: s.FormDefinition) -> ReadResult:
        return ReadResult()

    def form_data(self, q: Q, answer: Answer | None) -> dict[str, Any]:
        return {}

    def display(self, q: Q, answer: Answer | None) -> str:
        if answer is None:
            return "-"
        if answer.state == AnswerState.NONE:
            return none_label(q)
        if answer.state == AnswerState.NA:
            return "N/A"
        return self.display_value(q, answer.value)

    def display_value(self, q: Q, value: Any) -> str:
        return str(value)

    def typed_none(self, q: Q, answer: Answer) -> bool:
        """Whether a stored answer is a typed word for "none" where the question has a "ไม่มี" switch.

        Only free text can say it in words; the page then warns and offers the switch (the answer stays)."""
        return False

    def sample(
        self,
        defn: s.FormDefinition,
        q: Q,
        rng: random.Random,
        answers: dict[str, Answer],
        files: list[dict[str, Any]] | None,
    ) -> Any:
        """A plausible value that passes the definition's rules (None: leave it unanswered)."""
        return None

    # reports

    def aggregate(self, data: AnswerData, q: Q) -> QuestionResult | None:
        """The question's table, chart and headline stats over a round (None: not aggregated)."""
        return None

    def headline_columns(self, q: Q) -> list[str] | None:
        """The figure columns of a per-group breakdown (msgids), or None when the type has no breakdown."""
        return None

    def headline(self, data: AnswerData, q: Q, group: pd.DataFrame) -> list[Any]:
        """n and the headline figures of one group's answers, as numbers (rounded once) and counts."""
        return []

    def raw_columns(self, q: Q, title: str, codes: bool) -> list[tuple[str, str | None]]:
        """The raw table's columns of this question as (header, part); `title` is the question's header."""
        return [(title, None)] if self.has_input else []

    def cell(self, q: Q, part: str | None, codes: bool) -> Callable[[Any], Any]:
        """The function that turns one stored value into its raw-data cell (labels, or values with codes)."""
        return lambda v: None if v is None else str(v)


T = TypeVar("T", bound=type[QuestionType[Any]])
REGISTRY: dict[str, QuestionType[Any]] = {}


def register(cls: T) -> T:
    """Class decorator: the one registry of question types, by the `type:` name definitions use."""
    REGISTRY[cls.name] = cls()
    return cls


def number_cell(value: Any, integer: bool) -> int | float | str | None:
    """A stored number as int (integers, rating points) or float; anything else stays as text."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if integer and number.is_integer() else number


def none_label(q: s.QuestionBase) -> str:
    """What an explicit "none" is called for this question (a choice question may name its own)."""
    if isinstance(q, s.ChoiceBase) and q.none_label is not None:
        return pick(q.none_label.th, q.none_label.en)
    return gettext(NONE_TEXT_LABEL)


def explicit_flags(q: s.QuestionBase, data: dict[str, Any], has_input: bool) -> ReadResult | None:
    """The none / N/A checkboxes of text, number and date questions; both, or either with a value, is an error."""
    none = bool(getattr(q, "allow_none", False) and data.get(f"{q.key}__none"))
    na = bool(q.allow_na and data.get(f"{q.key}__na"))
    if none and na:
        return ReadResult(errors=[gettext('เลือก "ไม่มี" และ "N/A" พร้อมกันไม่ได้')])
    if (none or na) and has_input:
        word = gettext(NONE_TEXT_LABEL) if none else "N/A"
        return ReadResult(
            errors=[gettext('เลือก "{word}" แล้ว ต้องไม่กรอกคำตอบในช่อง (ลบคำตอบ หรือยกเลิก "{word}")', word=word)]
        )
    if none:
        return ReadResult(NONE_ANSWER)
    if na:
        return ReadResult(NA_ANSWER)
    return None


def flag_fields(q: s.QuestionBase) -> dict[str, UnboundField]:
    """The "ไม่มี" and N/A checkboxes a question allows, named <key>__none and <key>__na."""
    fields: dict[str, UnboundField] = {}
    if getattr(q, "allow_none", False):
        fields[f"{q.key}__none"] = BooleanField(lazy_gettext(NONE_TEXT_LABEL))
    if q.allow_na:
        fields[f"{q.key}__na"] = BooleanField(lazy_gettext(NA_LABEL))
    return fields


def flag_data(q: s.QuestionBase, answer: Answer | None) -> dict[str, Any]:
    """Those checkboxes filled back from a stored answer."""
    data: dict[str, Any] = {}
    if getattr(q, "allow_none", False):
        data[f"{q.key}__none"] = answer is not None and answer.state == AnswerState.NONE
    if q.allow_na:
        data[f"{q.key}__na"] = answer is not None and answer.state == AnswerState.NA
    return data
