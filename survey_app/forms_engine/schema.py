"""The typed schema of a form definition file (schema_version 1), checked with pydantic v2.

Everything after the loader trusts these objects. Field-level rules live here; rules that need the whole
form (unique keys, references, audiences) live in `semantics.py`. See docs/form_definitions.md.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

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


def _show_if_kind(value: Any) -> str:
    return "function-text" if isinstance(value, str) else "function-condition"


# A condition is structured ({question: …, equals: …}) or an expression ("a > 0 and not is_none(b)",
# forms_engine/expressions.py). The tags start with "function-" so the loader's error paths leave them out.
ShowIf = Annotated[
    Annotated[Condition, Tag("function-condition")] | Annotated[str, Tag("function-text")],
    Discriminator(_show_if_kind),
]


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


# allow_na: false (never), true (always), or "interim": only in interim rounds (6, 9 months); a final round
# (12 months, annual) refuses N/A. The rule is answers.na_allowed.
NAPolicy = bool | Literal["interim"]


class QuestionBase(Strict):
    key: Key
    code: str | None = Field(default=None, max_length=20)
    label: Text
    help: Text | None = None
    required: bool = True
    allow_na: NAPolicy = False
    audience: list[str] | None = None
    show_if: ShowIf | None = None
    checks: list[Check] = Field(default_factory=list)
    report: bool = True
    constraint: str | None = Field(default=None, max_length=2000)  # an expression; `.` is this answer
    constraint_message: Text | None = None
    _within: tuple[Condition | str, ...] = PrivateAttr(default=())  # show_if of its section and indicator

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


OTHER_VALUE = "__other__"  # the value "other, specify" is stored and compared as (show_if equals: __other__)
DEFAULT_OTHER_LABEL = "อื่น ๆ (โปรดระบุ)"
SEARCH_AFTER = 30  # a choice question with more options than this is a searchable field unless `display` says
MAX_OPTIONS = 5000


class ChoiceBase(QuestionBase):
    options: Annotated[list[Option], BeforeValidator(_to_options)] = Field(min_length=1, max_length=MAX_OPTIONS)
    none_option: bool | Text = False
    # "other, specify" (qtypes/choice.py). None, not False, by default, and so the display of a long list: a
    # default that is None stays out of the stored JSON, so the hash of every published form is unchanged.
    other_option: bool | Text | None = None
    other_max_length: int | None = Field(default=None, ge=1, le=2000)

    @model_validator(mode="before")
    @classmethod
    def _long_lists_search(cls, data: Any) -> Any:
        """A list longer than SEARCH_AFTER without a `display` is a type-ahead field (written into the
        definition, so a published version keeps the display it was published with)."""
        options = data.get("options") if isinstance(data, dict) else None
        if isinstance(options, list) and "display" not in data and len(options) > SEARCH_AFTER:
            return {**data, "display": "search"}
        return data

    @property
    def none_label(self) -> LocalText | None:
        if self.none_option is False:
            return None
        return (
            LocalText(th=DEFAULT_NONE_LABEL, en="None / not applicable")
            if self.none_option is True
            else self.none_option
        )

    @property
    def other_label(self) -> LocalText | None:
        if self.other_option is None or self.other_option is False:
            return None
        return (
            LocalText(th=DEFAULT_OTHER_LABEL, en="Other (please specify)")
            if self.other_option is True
            else self.other_option
        )

    @property
    def other_limit(self) -> int:
        """The longest "other" text accepted (characters)."""
        return self.other_max_length or 500

    @property
    def searchable(self) -> bool:
        """Shown as a type-ahead field (`display: search`; a long list gets it when `display` is not given)."""
        return getattr(self, "display", None) == "search"


class SingleChoice(ChoiceBase):
    type: Literal["single_choice"]
    display: Literal["radio", "select", "search"] = "radio"


class MultipleChoice(ChoiceBase):
    type: Literal["multiple_choice"]
    display: Literal["checkbox", "search"] | None = None  # None: checkboxes
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


FileType = Literal["pdf", "jpg", "png", "docx", "xlsx", "pptx"]


def _pdf_only() -> list[FileType]:
    return ["pdf"]


class FileQuestion(QuestionBase):
    type: Literal["file"]
    accept: list[FileType] = Field(default_factory=_pdf_only, min_length=1)
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


class UnitSet(Strict):
    """Which directory units a unit_choice offers: kinds (org kind names or shorthands such as `schools`)
    within the province, the respondent's agency, or the units under the respondent's own unit."""

    kinds: list[str] = Field(default_factory=lambda: ["schools"], min_length=1)
    within: Literal["province", "own_agency", "own_unit_children"] = "province"


class UnitChoice(NoneableBase):
    """A unit picked from the directory (a school of the province...); the answer is the unit's code."""

    type: Literal["unit_choice"]
    units: UnitSet = Field(default_factory=UnitSet)


class GridItem(Strict):
    key: Key
    label: Text


class GridQuestion(QuestionBase):
    """A matrix: rows of items rated on one scale (a table on a desktop, cards on a phone)."""

    type: Literal["grid"]
    scale: Key
    items: list[GridItem] = Field(min_length=1, max_length=60)


class RepeatGroup(QuestionBase):
    """Rows of the same questions, 0..N (XLSForm's `repeat`, SurveyJS's dynamic panel): "every project under
    this indicator". Stored row by row (forms_engine/repeats.py); `allow_none` offers an explicit "none" for the
    whole group ("no projects"), which is what `required` then accepts instead of rows."""

    type: Literal["repeat"]
    questions: list[Question] = Field(min_length=1)
    min_rows: int = Field(default=0, ge=0, le=200)
    max_rows: int = Field(default=50, ge=1, le=200)
    allow_none: bool = False
    none_label: Text | None = None
    row_label: Text | None = None  # each row's heading; "{n}" is the row's number ("โครงการที่ {n}")

    @model_validator(mode="after")
    def _rows(self) -> RepeatGroup:
        if self.min_rows > self.max_rows:
            raise ValueError("min_rows ต้องไม่มากกว่า max_rows")
        return self


class CalculatedQuestion(QuestionBase):
    """A value computed from other answers (XLSForm `calculate`, SurveyJS expression): shown read-only, live
    in the browser, recomputed by the server at every save (forms_engine/qtypes/calculate.py)."""

    type: Literal["calculate"]
    required: bool = False
    expression: str = Field(min_length=1, max_length=2000)
    decimals: int = Field(default=2, ge=0, le=6)
    unit: Text | None = None


class FormRule(Strict):
    """A form-wide rule (`checks:` on the form or a section): an expression that must hold before submitting."""

    expression: str = Field(min_length=1, max_length=2000)
    message: Text
    fields: list[Key] | None = None  # shown beside these; default: the questions the expression reads


class InfoBlock(QuestionBase):
    type: Literal["info"]
    required: bool = False


Question = Annotated[
    SingleChoice | MultipleChoice | ShortText | LongText | IntegerQuestion | DecimalQuestion | DateQuestion
    | FileQuestion | RatingQuestion | PairedRating | InfoBlock | RepeatGroup | CalculatedQuestion | UnitChoice | GridQuestion,
    Field(discriminator="type"),
]  # fmt: skip
QUESTION_TYPE_NAMES = (
    "single_choice", "multiple_choice", "text", "long_text", "integer", "decimal", "date", "file", "rating",
    "paired_rating", "info", "repeat", "calculate", "unit_choice", "grid",
)  # fmt: skip
RepeatGroup.model_rebuild()


class Indicator(Strict):
    key: Key
    code: str | None = Field(default=None, max_length=20)
    title: Text
    description: Text | None = None
    show_if: ShowIf | None = None
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
    show_if: ShowIf | None = None
    checks: list[FormRule] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    # Whether the section's own `questions:` come before its `indicators:` on the page (as written in the file).
    # Set from the file's order, never written by hand; None (indicators first) stays out of the stored JSON,
    # so the hash of every form without such a section is unchanged, and a stored version keeps its order.
    questions_first: Literal[True] | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="before")
    @classmethod
    def _written_order(cls, data: Any) -> Any:
        """Remember that `questions:` was written above `indicators:` (a dict keeps the file's order)."""
        if isinstance(data, dict) and data.get("questions") and data.get("indicators"):
            keys = list(data)
            if "questions_first" not in data and keys.index("questions") < keys.index("indicators"):
                return {**data, "questions_first": True}
        return data

    @model_validator(mode="after")
    def _not_empty(self) -> Section:
        if not self.indicators and not self.questions:
            raise ValueError("ส่วนนี้ไม่มีคำถาม: ต้องมี questions หรือ indicators อย่างน้อยหนึ่งข้อ")
        return self

    def parts(self) -> list[tuple[Indicator | None, list[Question]]]:
        """The section's blocks in page order: each indicator with its questions, and (None, loose questions),
        in the order the file wrote `indicators:` and `questions:`."""
        blocks: list[tuple[Indicator | None, list[Question]]] = [(ind, list(ind.questions)) for ind in self.indicators]
        if not self.questions:
            return blocks
        loose: tuple[Indicator | None, list[Question]] = (None, list(self.questions))
        return [loose, *blocks] if self.questions_first else [*blocks, loose]

    def all_questions(self) -> list[Question]:
        """The section's questions in page order (indicators and loose questions in the order written)."""
        return [q for _, questions in self.parts() for q in questions]


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
    identity_visible_to: list[Literal["province", "agency"]] | None = None  # identity: name only (person)
    audience: list[str] = Field(min_length=1)
    allow_na: NAPolicy = False
    certified_by_agency: bool | None = None
    levels: Literal["standard", "equal_width"] = "standard"
    scales: dict[Key, Scale] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)
    checks: list[FormRule] = Field(default_factory=list)  # form-wide rules ("sum(kpis.weight) = 100")

    @model_validator(mode="after")
    def _containers(self) -> FormDefinition:
        """Each question learns the show_if of its section and indicator (a hidden one hides it)."""
        for section in self.sections:
            outer = (section.show_if,) if section.show_if is not None else ()
            for indicator in section.indicators:
                inner = outer + ((indicator.show_if,) if indicator.show_if is not None else ())
                for q in indicator.questions:
                    q._within = inner
            for q in section.questions:
                q._within = outer
        return self

    def questions(self) -> list[Question]:
        """Every question of the form in order."""
        return [q for section in self.sections for q in section.all_questions()]

    def question_map(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions()}

    @property
    def per_person(self) -> bool:
        return self.respondent == "person"

    @property
    def collects_names(self) -> bool:
        """A person form that records each respondent's name (`identity: name`): its answers are attributable."""
        return self.per_person and self.identity == "name"

    def names_visible_to(self) -> tuple[str, ...]:
        """Who may see the names of a form that collects them: the province and the respondent's agency unless
        the definition says otherwise (`identity_visible_to`)."""
        return tuple(self.identity_visible_to) if self.identity_visible_to is not None else ("province", "agency")

    @property
    def needs_certification(self) -> bool:
        return self.certified_by_agency if self.certified_by_agency is not None else not self.per_person
