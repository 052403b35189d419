"""The typed schema of a form definition file (schema_version 1), checked with pydantic v2.

Everything after the loader trusts these objects. Field-level rules live here; rules that need the whole
form (unique keys, references, audiences) live in `semantics.py`. See docs/form_definitions.md.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
FILE_TYPES = ("pdf", "jpg", "png", "docx", "xlsx", "pptx")
DEFAULT_NONE_LABEL = "ไม่มี/ไม่เกี่ยวข้องกับหน่วยงาน"
Key = Annotated[str, Field(pattern=KEY_PATTERN)]


class Strict(BaseModel):
    """Unknown fields are errors: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LocalText(Strict):
    """A Thai text with an optional English one."""

    th: str = Field(min_length=1, max_length=5000)
    en: str | None = Field(default=None, max_length=5000)

    def __str__(self) -> str:
        return self.th


def _to_local_text(value: Any) -> Any:
    if isinstance(value, str):
        return {"th": value}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"th": str(value)}
    return value


Text = Annotated[LocalText, BeforeValidator(_to_local_text)]


def _to_options(value: Any) -> Any:
    if isinstance(value, list):
        return [{"value": str(v), "label": str(v)} if isinstance(v, str | int | float) else v for v in value]
    return value


class Option(Strict):
    value: str = Field(min_length=1, max_length=100)
    label: Text

    @field_validator("value", mode="before")
    @classmethod
    def _value_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class Condition(Strict):
    """When a question is shown (and so required): a comparison with an earlier answer, or all/any of them."""

    question: Key | None = None
    equals: str | int | float | None = None
    not_equals: str | int | float | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    includes: str | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    is_none: bool | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_shape(self) -> Condition:
        ops = [
            n
            for n in ("equals", "not_equals", "in_", "includes", "gt", "ge", "lt", "le", "is_none")
            if getattr(self, n) is not None
        ]
        if self.all is not None or self.any is not None:
            if self.question is not None or ops or (self.all is not None and self.any is not None):
                raise ValueError("ใช้ all หรือ any อย่างใดอย่างหนึ่ง โดยไม่มี question หรือการเปรียบเทียบอื่นในระดับเดียวกัน")
            return self
        if self.question is None:
            raise ValueError("ต้องระบุ question ที่ใช้เป็นเงื่อนไข")
        if len(ops) != 1:
            raise ValueError("ต้องมีการเปรียบเทียบหนึ่งอย่าง: equals, not_equals, in, includes, gt, ge, lt, le หรือ is_none")
        return self

    def operator(self) -> str:
        """The comparison's name (for the checks on the referenced question's type)."""
        for name in ("equals", "not_equals", "in_", "includes", "gt", "ge", "lt", "le", "is_none"):
            if getattr(self, name) is not None:
                return name.rstrip("_")
        return "all" if self.all is not None else "any"

    def references(self) -> list[str]:
        """Every question key the condition reads."""
        if self.question:
            return [self.question]
        return [key for sub in (self.all or self.any or []) for key in sub.references()]


class Check(Strict):
    """A cross-item comparison of this number with another number question."""

    le: Key | None = None
    lt: Key | None = None
    ge: Key | None = None
    gt: Key | None = None
    eq: Key | None = None
    message: Text | None = None

    @model_validator(mode="after")
    def _one(self) -> Check:
        if sum(v is not None for v in (self.le, self.lt, self.ge, self.gt, self.eq)) != 1:
            raise ValueError("ต้องมีการเปรียบเทียบหนึ่งอย่าง: le, lt, ge, gt หรือ eq")
        return self

    @property
    def op(self) -> str:
        return next(n for n in ("le", "lt", "ge", "gt", "eq") if getattr(self, n) is not None)

    @property
    def other(self) -> str:
        return getattr(self, self.op)


class QuestionBase(Strict):
    key: Key
    code: str | None = Field(default=None, max_length=20)
    label: Text
    help: Text | None = None
    required: bool = True
    allow_na: bool = False
    audience: list[str] | None = None
    show_if: Condition | None = None
    checks: list[Check] = Field(default_factory=list)
    report: bool = True

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class ChoiceBase(QuestionBase):
    options: Annotated[list[Option], BeforeValidator(_to_options)] = Field(min_length=1, max_length=200)
    none_option: bool | Text = False

    @property
    def none_label(self) -> LocalText | None:
        if self.none_option is False:
            return None
        return (
            LocalText(th=DEFAULT_NONE_LABEL, en="None / not applicable")
            if self.none_option is True
            else self.none_option
        )


class SingleChoice(ChoiceBase):
    type: Literal["single_choice"]
    display: Literal["radio", "select"] = "radio"


class MultipleChoice(ChoiceBase):
    type: Literal["multiple_choice"]
    min_choices: int | None = Field(default=None, ge=1)
    max_choices: int | None = Field(default=None, ge=1)


class NoneableBase(QuestionBase):
    allow_none: bool = False


class ShortText(NoneableBase):
    type: Literal["text"]
    max_length: int = Field(default=500, ge=1, le=5000)
    pattern: str | None = None
    pattern_message: Text | None = None


class LongText(NoneableBase):
    type: Literal["long_text"]
    max_length: int = Field(default=5000, ge=1, le=20000)


class IntegerQuestion(NoneableBase):
    type: Literal["integer"]
    min: int | None = None
    max: int | None = None
    unit: Text | None = None


class DecimalQuestion(NoneableBase):
    type: Literal["decimal"]
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    decimals: int = Field(default=2, ge=0, le=6)


class DateQuestion(NoneableBase):
    type: Literal["date"]
    min: date | None = None
    max: date | None = None


class FileQuestion(QuestionBase):
    type: Literal["file"]
    accept: list[Literal["pdf", "jpg", "png", "docx", "xlsx", "pptx"]] = Field(
        default_factory=lambda: ["pdf"], min_length=1
    )
    max_size_mb: float = Field(default=10, gt=0, le=100)
    max_files: int = Field(default=1, ge=1, le=20)


class RatingQuestion(QuestionBase):
    type: Literal["rating"]
    scale: Key


class RatingPart(Strict):
    key: Key
    label: Text


class PairedRating(QuestionBase):
    type: Literal["paired_rating"]
    scale: Key
    ratings: list[RatingPart]
    gap: tuple[Key, Key] | None = None


class InfoBlock(QuestionBase):
    type: Literal["info"]
    required: bool = False


Question = Annotated[
    SingleChoice | MultipleChoice | ShortText | LongText | IntegerQuestion | DecimalQuestion | DateQuestion
    | FileQuestion | RatingQuestion | PairedRating | InfoBlock,
    Field(discriminator="type"),
]  # fmt: skip
QUESTION_TYPE_NAMES = (
    "single_choice", "multiple_choice", "text", "long_text", "integer", "decimal", "date", "file", "rating",
    "paired_rating", "info",
)  # fmt: skip


class Indicator(Strict):
    key: Key
    code: str | None = Field(default=None, max_length=20)
    title: Text
    description: Text | None = None
    questions: list[Question] = Field(min_length=1)

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class Section(Strict):
    key: Key
    code: str | None = Field(default=None, max_length=20)
    title: Text
    description: Text | None = None
    audience: list[str] | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _not_empty(self) -> Section:
        if not self.indicators and not self.questions:
            raise ValueError("ส่วนนี้ไม่มีคำถาม: ต้องมี questions หรือ indicators อย่างน้อยหนึ่งข้อ")
        return self

    def all_questions(self) -> list[Question]:
        """The section's questions in page order: indicators first as written, then loose questions."""
        return [q for ind in self.indicators for q in ind.questions] + list(self.questions)


class Scale(Strict):
    min: int = 1
    max: int = 5
    labels: dict[int, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _range(self) -> Scale:
        if self.min >= self.max:
            raise ValueError("min ของมาตราส่วนต้องน้อยกว่า max")
        if self.max - self.min > 10:
            raise ValueError("มาตราส่วนมีได้ไม่เกิน 11 ระดับ")
        outside = [k for k in self.labels if not self.min <= k <= self.max]
        if outside:
            raise ValueError(f"ป้ายของระดับ {outside} อยู่นอกช่วง {self.min}–{self.max}")
        return self

    def points(self) -> list[int]:
        return list(range(self.min, self.max + 1))


class FormDefinition(Strict):
    schema_version: Literal[1]
    key: Key
    title: Text
    instructions: Text | None = None
    respondent: Literal["organisation", "person"]
    identity: Literal["anonymous", "code", "name"] | None = None
    audience: list[str] = Field(min_length=1)
    allow_na: bool = False
    certified_by_agency: bool | None = None
    levels: Literal["standard", "equal_width"] = "standard"
    scales: dict[Key, Scale] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)

    def questions(self) -> list[Question]:
        """Every question of the form in order."""
        return [q for section in self.sections for q in section.all_questions()]

    def question_map(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions()}

    @property
    def per_person(self) -> bool:
        return self.respondent == "person"

    @property
    def needs_certification(self) -> bool:
        return self.certified_by_agency if self.certified_by_agency is not None else not self.per_person
