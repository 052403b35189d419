"""Checks that need the whole definition: unique keys, references, audiences, scales, bounds.

Each problem carries the path inside the file, in the same notation as the schema errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.audience import KNOWN_NAMES
from survey_app.forms_engine.expression_checks import expression_problems, section_blocks
from survey_app.forms_engine.types import question_type


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


def _located_questions(defn: s.FormDefinition) -> Iterator[tuple[str, s.Question]]:
    """Every question with its path, in form order (a section's blocks in the order the file wrote them)."""
    for si, section in enumerate(defn.sections):
        for base, questions in section_blocks(si, section):
            for qi, question in enumerate(questions):
                yield f"{base}.questions[{qi}]", question


def check_definition(defn: s.FormDefinition) -> list[Problem]:
    """All whole-form problems of a parsed definition (empty when it is sound)."""
    problems: list[Problem] = []
    problems += _audience_problems("audience", defn.audience)
    problems += _form_level(defn)
    problems += _unique_keys(defn)
    located = list(_located_questions(defn))
    order = {q.key: i for i, (_, q) in enumerate(located)}
    types = {q.key: q for _, q in located}
    for index, (path, question) in enumerate(located):
        problems += _question_problems(defn, path, question, index, order, types)
        if isinstance(question, s.RepeatGroup):
            problems += _repeat_problems(defn, path, question, index, order, types)
    problems += _container_conditions(defn, order, types)
    problems += [Problem(path, message) for path, message in expression_problems(defn)]
    return problems


def _container_conditions(defn: s.FormDefinition, order: dict[str, int], types: dict[str, s.Question]) -> list[Problem]:
    """Structured show_if on sections and indicators read answers before their first question (expressions:
    expression_checks.py)."""
    problems: list[Problem] = []
    for si, section in enumerate(defn.sections):
        places: list[tuple[str, s.Section | s.Indicator, list[s.Question]]]
        places = [(f"sections[{si}]", section, section.all_questions())]
        places += [
            (f"sections[{si}].indicators[{ii}]", ind, ind.questions) for ii, ind in enumerate(section.indicators)
        ]
        for path, holder, questions in places:
            if isinstance(holder.show_if, s.Condition) and questions:
                problems += _condition_problems(
                    f"{path}.show_if", holder.show_if, order[questions[0].key], order, types
                )
    return problems


def _form_level(defn: s.FormDefinition) -> list[Problem]:
    problems = []
    if defn.identity is not None and defn.respondent != "person":
        problems.append(Problem("identity", "identity ใช้กับแบบสอบถามรายบุคคล (respondent: person) เท่านั้น"))
    if defn.identity_visible_to is not None and defn.identity != "name":
        problems.append(Problem("identity_visible_to", "identity_visible_to ใช้กับ identity: name เท่านั้น"))
    elif defn.identity_visible_to is not None and not defn.identity_visible_to:
        problems.append(Problem("identity_visible_to", "ต้องระบุอย่างน้อยหนึ่งผู้เห็นชื่อ (province, agency)"))
    for si, section in enumerate(defn.sections):
        problems += _audience_problems(f"sections[{si}].audience", section.audience)
    return problems


def _audience_problems(path: str, names: list[str] | None) -> list[Problem]:
    return [
        Problem(f"{path}[{i}]", f"ไม่รู้จักประเภทหน่วยงาน '{name}'")
        for i, name in enumerate(names or [])
        if name not in KNOWN_NAMES
    ]


def _unique_keys(defn: s.FormDefinition) -> list[Problem]:
    problems = []
    seen_sections: set[str] = set()
    seen_groups: set[str] = set()
    for si, section in enumerate(defn.sections):
        if section.key in seen_sections:
            problems.append(Problem(f"sections[{si}].key", f"key ของส่วน '{section.key}' ซ้ำ"))
        seen_sections.add(section.key)
        for ii, indicator in enumerate(section.indicators):
            if indicator.key in seen_groups or indicator.key in seen_sections:
                problems.append(Problem(f"sections[{si}].indicators[{ii}].key", f"key '{indicator.key}' ซ้ำ"))
            seen_groups.add(indicator.key)
    seen_questions: set[str] = set()
    for path, question in _located_questions(defn):
        if question.key in seen_questions:
            problems.append(Problem(f"{path}.key", f"key ของคำถาม '{question.key}' ซ้ำกับคำถามก่อนหน้า"))
        seen_questions.add(question.key)
    return problems


def _question_problems(
    defn: s.FormDefinition, path: str, q: s.Question, index: int, order: dict[str, int], types: dict[str, s.Question]
) -> list[Problem]:
    problems = _audience_problems(f"{path}.audience", q.audience)
    if q.allow_na and not defn.allow_na:
        problems.append(Problem(f"{path}.allow_na", "แบบสอบถามนี้ไม่อนุญาต N/A (ตั้ง allow_na: true ที่ระดับแบบสอบถามก่อน)"))
    if isinstance(q.show_if, s.Condition):
        problems += _condition_problems(f"{path}.show_if", q.show_if, index, order, types)
    for ci, check in enumerate(q.checks):
        problems += _check_problems(f"{path}.checks[{ci}]", q, check, types)
    problems += _type_specific(defn, path, q)
    return problems


def _condition_problems(
    path: str, cond: s.Condition, index: int, order: dict[str, int], types: dict[str, s.Question]
) -> list[Problem]:
    if cond.question is None:
        subs = cond.all if cond.all is not None else cond.any or []
        name = "all" if cond.all is not None else "any"
        return [
            p
            for i, sub in enumerate(subs)
            for p in _condition_problems(f"{path}.{name}[{i}]", sub, index, order, types)
        ]
    if cond.question not in order:
        return [Problem(f"{path}.question", f"ไม่พบคำถาม '{cond.question}' ที่อ้างถึง")]
    if order[cond.question] >= index:
        return [Problem(f"{path}.question", f"เงื่อนไขอ้างถึงคำถาม '{cond.question}' ที่อยู่หลังข้อนี้ (ต้องอ้างถึงข้อก่อนหน้า)")]
    ref, op = types[cond.question], cond.operator()
    if op == "includes" and ref.type != "multiple_choice":
        return [Problem(f"{path}.includes", "includes ใช้กับคำถามเลือกได้หลายข้อ (multiple_choice) เท่านั้น")]
    if op in ("gt", "ge", "lt", "le") and not question_type(ref).numeric:
        return [Problem(f"{path}.{op}", f"{op} ใช้กับคำถามตัวเลขหรือมาตราส่วนเท่านั้น")]
    if op == "is_none" and not _can_be_none(ref):
        return [Problem(f"{path}.is_none", f"คำถาม '{ref.key}' ไม่มีคำตอบ \"ไม่มี\" (none_option / allow_none)")]
    if isinstance(ref, s.ChoiceBase) and op in ("equals", "not_equals", "in", "includes"):
        return _unknown_values(path, cond, op, ref)
    return []


def _can_be_none(q: s.Question) -> bool:
    return bool(getattr(q, "none_option", False) or getattr(q, "allow_none", False))


def _unknown_values(path: str, cond: s.Condition, op: str, ref: s.ChoiceBase) -> list[Problem]:
    """A condition on a choice question must name values that the question offers."""
    known = {o.value for o in ref.options} | ({s.OTHER_VALUE} if ref.other_label is not None else set())
    given = getattr(cond, "in_" if op == "in" else op)
    wanted = [str(v) for v in (given if isinstance(given, list) else [given])]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        return [Problem(f"{path}.{op}", f"คำถาม '{ref.key}' ไม่มีตัวเลือก {', '.join(repr(v) for v in unknown)}")]
    return []


def _check_problems(path: str, q: s.Question, check: s.Check, types: dict[str, s.Question]) -> list[Problem]:
    if not question_type(q).checkable:
        return [Problem(path, "การตรวจสอบข้ามข้อ (checks) ใช้กับคำถามตัวเลขเท่านั้น")]
    if check.other not in types:
        return [Problem(f"{path}.{check.op}", f"ไม่พบคำถาม '{check.other}' ที่อ้างถึง")]
    if not question_type(types[check.other]).checkable:
        return [Problem(f"{path}.{check.op}", f"คำถาม '{check.other}' ไม่ใช่คำถามตัวเลข จึงเปรียบเทียบไม่ได้")]
    if check.other == q.key:
        return [Problem(f"{path}.{check.op}", "เปรียบเทียบคำถามกับตัวเองไม่ได้")]
    return []


def _type_specific(defn: s.FormDefinition, path: str, q: s.Question) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(q, s.ChoiceBase):
        values = [o.value for o in q.options]
        for oi, value in enumerate(values):
            if value in values[:oi]:
                problems.append(Problem(f"{path}.options[{oi}].value", f"ค่าตัวเลือก '{value}' ซ้ำ"))
    if isinstance(q, s.MultipleChoice) and q.min_choices and q.max_choices and q.min_choices > q.max_choices:
        problems.append(Problem(f"{path}.min_choices", "min_choices มากกว่า max_choices"))
    if isinstance(q, s.IntegerQuestion | s.DecimalQuestion | s.DateQuestion):
        low, high = q.min, q.max  # numbers, or dates (of the same question, so comparable)
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            problems.append(Problem(f"{path}.min", f"ค่าต่ำสุด ({low}) มากกว่าค่าสูงสุด ({high})"))
    if isinstance(q, s.RatingQuestion | s.PairedRating) and q.scale not in defn.scales:
        problems.append(Problem(f"{path}.scale", f"ไม่พบมาตราส่วน '{q.scale}' ใน scales ของแบบสอบถาม"))
    if isinstance(q, s.PairedRating):
        problems += _paired_problems(path, q)
    problems += _choice_family_problems(defn, path, q)
    if isinstance(q, s.ShortText) and q.pattern:
        try:
            re.compile(q.pattern)
        except re.error as exc:
            problems.append(Problem(f"{path}.pattern", f"รูปแบบ (regular expression) ไม่ถูกต้อง: {exc}"))
    return problems


def _paired_problems(path: str, q: s.PairedRating) -> list[Problem]:
    keys = [r.key for r in q.ratings]
    if len(keys) != 2:
        return [Problem(f"{path}.ratings", f"paired_rating ต้องมีการให้คะแนน 2 ด้านพอดี (พบ {len(keys)})")]
    if keys[0] == keys[1]:
        return [Problem(f"{path}.ratings[1].key", "key ของการให้คะแนนทั้งสองด้านต้องต่างกัน")]
    if q.gap is not None:
        for gi, key in enumerate(q.gap):
            if key not in keys:
                return [Problem(f"{path}.gap[{gi}]", f"gap อ้างถึง '{key}' ที่ไม่อยู่ใน ratings ({', '.join(keys)})")]
    return []


RESERVED_VALUES = ("__none__", "__na__", s.OTHER_VALUE)


def _choice_family_problems(defn: s.FormDefinition, path: str, q: s.Question) -> list[Problem]:
    """Reserved option values, a unit_choice's kinds, a grid's scale and item keys (owner: choice)."""
    problems: list[Problem] = []
    if isinstance(q, s.ChoiceBase):
        problems += [
            Problem(f"{path}.options[{oi}].value", f"ค่า '{o.value}' สงวนไว้ใช้ภายใน (ใช้ other_option / none_option แทน)")
            for oi, o in enumerate(q.options)
            if o.value in RESERVED_VALUES
        ]
    if isinstance(q, s.UnitChoice):
        problems += _audience_problems(f"{path}.units.kinds", q.units.kinds)
    if isinstance(q, s.GridQuestion):
        if q.scale not in defn.scales:
            problems.append(Problem(f"{path}.scale", f"ไม่พบมาตราส่วน '{q.scale}' ใน scales ของแบบสอบถาม"))
        keys = [item.key for item in q.items]
        problems += [
            Problem(f"{path}.items[{i}].key", f"key ของข้อย่อย '{key}' ซ้ำ")
            for i, key in enumerate(keys)
            if key in keys[:i]
        ]
        if len(q.key) + max(len(k) for k in keys) + 2 > 64:
            problems.append(Problem(f"{path}.items", "key ของคำถามรวมกับ key ของข้อย่อยยาวเกิน 62 ตัวอักษร"))
    return problems


def _repeat_problems(
    defn: s.FormDefinition,
    path: str,
    group: s.RepeatGroup,
    index: int,
    order: dict[str, int],
    types: dict[str, s.Question],
) -> list[Problem]:
    """A repeating group's fields: no nested group, no file, keys unique in the group and apart from the
    form's, short enough for the stored row key, and each field checked like a question (its show_if may
    name an earlier field of the same row or an earlier question of the form)."""
    problems: list[Problem] = []
    if defn.per_person:
        problems.append(Problem(f"{path}.type", "ยังใช้กลุ่มที่ทำซ้ำ (repeat) ในแบบสอบถามรายบุคคล (respondent: person) ไม่ได้"))
    row_order = {key: i * 1000 for key, i in order.items()}
    row_types = dict(types)
    for fi, field in enumerate(group.questions):
        fpath = f"{path}.questions[{fi}]"
        if isinstance(field, s.RepeatGroup):
            problems.append(Problem(f"{fpath}.type", "กลุ่มที่ทำซ้ำ (repeat) ซ้อนในกลุ่มที่ทำซ้ำไม่ได้"))
            continue
        if isinstance(field, s.FileQuestion):
            problems.append(Problem(f"{fpath}.type", "ยังแนบไฟล์ (file) ในกลุ่มที่ทำซ้ำไม่ได้ ให้ถามแนบไฟล์เป็นข้อแยกนอกกลุ่ม"))
        if field.key in types:
            problems.append(Problem(f"{fpath}.key", f"key '{field.key}' ซ้ำกับคำถามอื่นของแบบสอบถาม"))
        elif field.key in row_types:
            problems.append(Problem(f"{fpath}.key", f"key '{field.key}' ซ้ำกับข้ออื่นในกลุ่มเดียวกัน"))
        if len(group.key) + len(field.key) + 9 > 64:
            problems.append(
                Problem(f"{fpath}.key", f"key ของกลุ่มและของข้อรวมกันยาวเกิน 55 ตัวอักษร ('{group.key}' + '{field.key}')")
            )
        row_order.setdefault(field.key, index * 1000 + fi + 1)
        row_types.setdefault(field.key, field)
        problems += _question_problems(defn, fpath, field, index * 1000 + fi + 1, row_order, row_types)
    return problems
