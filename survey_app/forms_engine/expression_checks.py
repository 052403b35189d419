"""Every expression of a definition, checked when the definition is checked (semantics.check_definition).

Each text must parse, name questions that exist, read a repeat's fields only through an aggregate (or inside
its own row), and respect order where order matters: a show_if reads only earlier answers (as structured
conditions do), a calculation reads only earlier calculations (no cycles); calculations, rules and
constraints may read any other answer. Problems are (path, Thai message) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.expressions import AGGREGATES, KEY_FUNCTIONS, ExpressionError, parse


@dataclass
class _Form:
    order: dict[str, int]  # top-level question key -> place in the form
    types: dict[str, str]
    groups: dict[str, list[str]]  # repeat group -> its field keys in order
    owner: dict[str, list[str]] = field(default_factory=dict)  # field key -> the groups that have it
    # the values a choice question accepts, by key (a row field: "group.field"), "__other__" included with
    # other_option, as the structured conditions accept (semantics._unknown_values)
    choices: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, defn: s.FormDefinition) -> _Form:
        questions = defn.questions()
        groups = {q.key: [f.key for f in q.questions] for q in questions if isinstance(q, s.RepeatGroup)}
        owner: dict[str, list[str]] = {}
        for g, fields in groups.items():
            for f in fields:
                owner.setdefault(f, []).append(g)
        rows = [(f"{q.key}.{f.key}", f) for q in questions if isinstance(q, s.RepeatGroup) for f in q.questions]
        choices = {
            key: _values(q) for key, q in [*((q.key, q) for q in questions), *rows] if isinstance(q, s.ChoiceBase)
        }
        order = {q.key: i for i, q in enumerate(questions)}
        return cls(order, {q.key: q.type for q in questions}, groups, owner, choices)


def _values(q: s.ChoiceBase) -> list[str]:
    return [o.value for o in q.options] + ([s.OTHER_VALUE] if q.other_label is not None else [])


@dataclass
class _Use:
    """What one expression may read, and what it read."""

    row: str | None = None  # the repeat group whose row it is evaluated in
    allow_self: bool = False
    read: set[str] = field(default_factory=set)  # top-level keys (groups included)
    row_fields: set[str] = field(default_factory=set)


def expression_problems(defn: s.FormDefinition) -> list[tuple[str, str]]:
    """Every problem of every expression in the definition."""
    form = _Form.of(defn)
    problems: list[tuple[str, str]] = []
    for ri, rule in enumerate(defn.checks):
        problems += _rule(form, f"checks[{ri}]", rule)
    for si, section in enumerate(defn.sections):
        questions = section.all_questions()
        first = form.order[questions[0].key] if questions else 0
        if isinstance(section.show_if, str):
            problems += _condition(form, f"sections[{si}].show_if", section.show_if, first, None)
        for ii, indicator in enumerate(section.indicators):
            if isinstance(indicator.show_if, str):
                where = form.order[indicator.questions[0].key]
                problems += _condition(form, f"sections[{si}].indicators[{ii}].show_if", indicator.show_if, where, None)
        for ri, rule in enumerate(section.checks):
            problems += _rule(form, f"sections[{si}].checks[{ri}]", rule)
    for path, q, index, group in _located(defn, form):
        problems += _question(form, path, q, index, group)
    return problems


def section_blocks(si: int, section: s.Section) -> list[tuple[str, list[s.Question]]]:
    """A section's indicators and loose questions in page order, each with the path of its holder."""
    where = {id(ind): ii for ii, ind in enumerate(section.indicators)}
    return [
        (f"sections[{si}]" if ind is None else f"sections[{si}].indicators[{where[id(ind)]}]", questions)
        for ind, questions in section.parts()
    ]


def _located(defn: s.FormDefinition, form: _Form) -> Iterator[tuple[str, s.Question, int, str | None]]:
    """Every question with its path, its place (a row field: its group's place) and its repeat group."""
    for si, section in enumerate(defn.sections):
        for base, questions in section_blocks(si, section):
            for qi, q in enumerate(questions):
                yield f"{base}.questions[{qi}]", q, form.order[q.key], None
                if isinstance(q, s.RepeatGroup):
                    for fi, sub in enumerate(q.questions):
                        yield f"{base}.questions[{qi}].questions[{fi}]", sub, form.order[q.key], q.key


def _question(form: _Form, path: str, q: s.Question, index: int, group: str | None) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if isinstance(q.show_if, str):
        problems += _condition(form, f"{path}.show_if", q.show_if, index, group, q.key)
    if q.constraint is not None:
        use = _Use(group, allow_self=True)
        problems += _checked(form, f"{path}.constraint", q.constraint, use)
    if isinstance(q, s.CalculatedQuestion):
        use = _Use(group)
        problems += _checked(form, f"{path}.expression", q.expression, use)
        if q.key in use.read or q.key in use.row_fields:
            problems.append((f"{path}.expression", f"การคำนวณ '{q.key}' อ้างถึงตัวเองไม่ได้"))
        later = sorted(k for k in use.read if form.types.get(k) == "calculate" and form.order[k] > index)
        if later:
            problems.append((f"{path}.expression", f"อ้างถึงการคำนวณ {', '.join(later)} ที่อยู่หลังข้อนี้ (ต้องเป็นข้อก่อนหน้า)"))
    return problems


def _condition(
    form: _Form, path: str, text: str, before: int, group: str | None, own: str = ""
) -> list[tuple[str, str]]:
    """A show_if expression: it reads only answers that come earlier (and its own row's fields)."""
    use = _Use(group)
    problems = _checked(form, path, text, use)
    later = sorted(k for k in use.read if form.order[k] >= before)
    if own and own in use.row_fields:
        later.append(own)
    if later and not problems:
        problems.append((path, f"เงื่อนไขอ้างถึงคำถาม {', '.join(later)} ที่อยู่หลังข้อนี้ (ต้องอ้างถึงข้อก่อนหน้า)"))
    return problems


def _rule(form: _Form, path: str, rule: s.FormRule) -> list[tuple[str, str]]:
    problems = _checked(form, f"{path}.expression", rule.expression, _Use())
    for fi, key in enumerate(rule.fields or []):
        if key not in form.order:
            problems.append((f"{path}.fields[{fi}]", f"ไม่พบคำถาม '{key}' ที่อ้างถึง"))
    return problems


def _checked(form: _Form, path: str, text: str, use: _Use) -> list[tuple[str, str]]:
    """Parse and resolve one expression, recording what it reads in `use`."""
    try:
        expr = parse(text)
    except ExpressionError as exc:
        return [(path, str(exc))]
    return [(path, message) for message in _resolve(form, expr.ast, use, use.row)]


def _resolve(form: _Form, node: Any, use: _Use, row: str | None) -> list[str]:
    kind = node[0]
    if kind == "self":
        return [] if use.allow_self else ["ใช้ . (คำตอบของข้อนี้) ได้เฉพาะใน constraint"]
    if kind == "name":
        return _name(form, node[1], use, row)
    if kind == "col":
        return _column(form, node[1], node[2], use)
    if kind == "call" and node[2][0] == "name" and node[2][1] in form.groups and node[1] in AGGREGATES:
        return _group_call(form, node, use, row)
    if kind == "call" and node[1] in (*KEY_FUNCTIONS, "selected", "count_selected"):
        first = node[2]
        key_problems = _name(form, first[1], use, row, key_only=True) if first[0] == "name" else []
        key_problems += _resolve(form, first, use, row) if first[0] == "self" else []
        if node[1] == "selected" and not key_problems:
            key_problems += _option_literal(form, first, node[3], row)
        return key_problems + [m for arg in node[3:] for m in _resolve(form, arg, use, row)]
    if kind in ("num", "str", "null"):
        return []
    if kind in ("=", "!="):
        problems = [m for child in node[1:] for m in _resolve(form, child, use, row)]
        if not problems:
            problems += _option_literal(form, node[1], node[2], row) + _option_literal(form, node[2], node[1], row)
        return problems
    start = 2 if kind == "call" else 1
    return [m for child in node[start:] for m in _resolve(form, child, use, row)]


def _name(form: _Form, name: str, use: _Use, row: str | None, key_only: bool = False) -> list[str]:
    if row is not None and name in form.groups.get(row, ()):
        use.row_fields.add(name)
        return []
    if name in form.groups and not key_only:
        return [f"'{name}' เป็นกลุ่มซ้ำ: ใช้ count({name}) หรือฟังก์ชันรวม เช่น sum({name}.ช่อง) หรือ sum({name}, ช่อง * 2)"]
    if name in form.order:
        use.read.add(name)
        return []
    if name in form.owner:
        group = form.owner[name][0]
        groups = ", ".join(f"'{g}'" for g in form.owner[name])
        return [f"'{name}' เป็นคำถามในกลุ่มซ้ำ {groups}: ใช้ในฟังก์ชันรวม เช่น sum({group}.{name})"]
    return [f"ไม่พบคำถาม '{name}' ที่อ้างถึง"]


def _option_literal(form: _Form, key_node: Any, literal: Any, row: str | None) -> list[str]:
    """`choice = 'value'`, `choice != 'value'` and `selected(choice, 'value')` must name a value the choice
    question offers (as a structured condition must); a misspelt value would silently never hold."""
    if key_node[0] != "name" or literal[0] != "str":
        return []
    name = key_node[1]
    in_row = row is not None and name in form.groups.get(row, ())
    values = form.choices.get(f"{row}.{name}" if in_row else name)
    if values is None or literal[1] in values:
        return []
    offered = ", ".join(f"'{v}'" for v in values[:20]) + (", …" if len(values) > 20 else "")
    return [f"คำถาม '{name}' ไม่มีตัวเลือก '{literal[1]}' (ตัวเลือกที่มี: {offered})"]


def _column(form: _Form, group: str, name: str, use: _Use) -> list[str]:
    if group not in form.groups:
        return [f"'{group}' ไม่ใช่กลุ่มซ้ำ (type: repeat) จึงใช้ '{group}.{name}' ไม่ได้"]
    if name not in form.groups[group]:
        return [f"กลุ่มซ้ำ '{group}' ไม่มีคำถาม '{name}'"]
    use.read.add(group)
    return []


def _group_call(form: _Form, node: list[Any], use: _Use, row: str | None) -> list[str]:
    """sum(group, per-row expression) and count(group)."""
    group = node[2][1]
    use.read.add(group)
    if len(node) == 3:
        return [] if node[1] == "count" else [f"{node[1]}({group}) ไม่มีค่า: ระบุช่อง เช่น {node[1]}({group}.ช่อง)"]
    if len(node) > 4:
        return [f"{node[1]}({group}, …) รับนิพจน์ต่อแถวได้หนึ่งนิพจน์"]
    return _resolve(form, node[3], use, group)
