"""Reading a definition file: safe YAML, the typed schema, whole-form checks, one line per problem.

`load_text` never raises for bad input: every problem comes back as `FILE: PATH: message`, so that
`forms check` can list them all and the app can refuse to use a file with any.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from survey_app.forms_engine import schema as s
from survey_app.forms_engine.semantics import Problem, check_definition

MAX_FILE_BYTES = 1_000_000
_TYPE_NAMES = frozenset(s.QUESTION_TYPE_NAMES)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and aliases (no silent overwrites, no alias bombs)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "ไม่อนุญาตให้ใช้ alias (*name) ในไฟล์แบบสอบถาม", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(None, None, "ชื่อช่องต้องเป็นข้อความ", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"ชื่อช่อง '{key}' ซ้ำในระดับเดียวกัน", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads yes/no/on/off as booleans, so an option `value: yes` would silently become True.
# Definitions follow YAML 1.2 instead: only true/false are booleans.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class LoadResult:
    """A parsed definition, or the problems that stop it from being used."""

    name: str
    definition: s.FormDefinition | None = None
    problems: list[Problem] = field(default_factory=list)
    source: str = ""

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.problems

    def lines(self) -> list[str]:
        return [f"{self.name}: {p.path}: {p.message}" if p.path else f"{self.name}: {p.message}" for p in self.problems]


def load_file(path: Path) -> LoadResult:
    """Read and check one definition file; the form key must equal the file name."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadResult(path.name, problems=[Problem("", f"อ่านไฟล์ไม่ได้: {exc.strerror}")])
    if len(raw) > MAX_FILE_BYTES:
        return LoadResult(path.name, problems=[Problem("", f"ไฟล์ใหญ่เกิน {MAX_FILE_BYTES // 1000} KB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return LoadResult(path.name, problems=[Problem("", "ไฟล์ต้องเข้ารหัส UTF-8")])
    return load_text(text, path.name, expected_key=path.stem)


def load_text(text: str, name: str = "<text>", expected_key: str | None = None) -> LoadResult:
    """Parse and check definition text; `expected_key` is the file stem the key must match."""
    result = LoadResult(name, source=text)
    data = _parse_yaml(text, result)
    if data is None:
        return result
    try:
        definition = s.FormDefinition.model_validate(data)
    except ValidationError as exc:
        result.problems = [Problem(_error_path(err), _message(err)) for err in exc.errors()]
        return result
    result.problems = check_definition(definition)
    if expected_key is not None and definition.key != expected_key:
        result.problems.insert(0, Problem("key", f"key '{definition.key}' ต้องตรงกับชื่อไฟล์ '{expected_key}'"))
    result.definition = definition
    return result


def _parse_yaml(text: str, result: LoadResult) -> dict[str, Any] | None:
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        result.problems = [Problem(where, f"YAML ไม่ถูกต้อง: {exc.problem or exc.context}")]
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        result.problems = [Problem("", f"YAML ไม่ถูกต้อง: {exc}")]
        return None
    if not isinstance(data, dict):
        result.problems = [Problem("", "ไฟล์ต้องเป็น mapping (ช่อง: ค่า) ที่มี schema_version, key, title, sections")]
        return None
    return data


def _error_path(err: ErrorDetails) -> str:
    path = _path(err["loc"])
    return f"{path}.type" if err["type"] in ("union_tag_invalid", "union_tag_not_found") else path


def _path(loc: tuple[Any, ...]) -> str:
    """('sections', 2, 'questions', 4, 'integer', 'min') -> 'sections[2].questions[4].min'."""
    parts: list[str] = []
    previous: Any = None
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in _TYPE_NAMES and isinstance(previous, int):
            pass  # pydantic names the union member; the reader knows the type already
        elif isinstance(item, str) and not item.startswith("function-"):
            parts.append(f".{item}" if parts else item)
        previous = item
    return "".join(parts)


_MESSAGES = {
    "missing": "ต้องมีช่องนี้",
    "extra_forbidden": "ไม่รู้จักช่องนี้ (สะกดผิด หรือใช้กับคำถามชนิดนี้ไม่ได้)",
    "string_type": "ต้องเป็นข้อความ",
    "int_type": "ต้องเป็นจำนวนเต็ม",
    "int_parsing": "ต้องเป็นจำนวนเต็ม",
    "float_parsing": "ต้องเป็นตัวเลข",
    "bool_type": "ต้องเป็น true หรือ false",
    "bool_parsing": "ต้องเป็น true หรือ false",
    "list_type": "ต้องเป็นรายการ (list)",
    "dict_type": "ต้องเป็น mapping (ช่อง: ค่า)",
    "model_type": "ต้องเป็น mapping (ช่อง: ค่า)",
    "date_from_datetime_parsing": "ต้องเป็นวันที่แบบ YYYY-MM-DD",
    "date_parsing": "ต้องเป็นวันที่แบบ YYYY-MM-DD",
}


def _message(err: ErrorDetails) -> str:
    """A Thai message for a schema error, with the specific hints officers need most."""
    kind, loc = err["type"], err["loc"]
    field_name = loc[-1] if loc else ""
    if kind == "extra_forbidden" and field_name == "none_option":
        return "none_option ใช้กับคำถามแบบเลือกตอบเท่านั้น คำถามข้อความ/ตัวเลข/วันที่ให้ใช้ allow_none"
    if kind == "extra_forbidden" and field_name == "allow_none":
        return "allow_none ใช้กับคำถามข้อความ/ตัวเลข/วันที่ คำถามแบบเลือกตอบให้ใช้ none_option"
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag", "")
        return f"ไม่รู้จักชนิดคำถาม '{tag}' (ใช้ได้: {', '.join(s.QUESTION_TYPE_NAMES)})"
    if kind == "union_tag_not_found":
        return "ต้องระบุ type ของคำถาม"
    if kind == "string_pattern_mismatch":
        return "ต้องเป็นอักษรภาษาอังกฤษตัวเล็ก ตัวเลข หรือ _ และขึ้นต้นด้วยตัวอักษร"
    if kind in ("literal_error", "enum"):
        return f"ค่าไม่ถูกต้อง: ต้องเป็น {err.get('ctx', {}).get('expected', '')}"
    if kind == "too_short":
        return "ต้องมีอย่างน้อยหนึ่งรายการ"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"ค่าอยู่นอกช่วงที่อนุญาต ({err['msg']})"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    return _MESSAGES.get(kind, err["msg"])


def canonical_json(definition: s.FormDefinition) -> str:
    """The parsed definition as stable JSON: what is stored and hashed for a version."""
    data = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(definition: s.FormDefinition) -> str:
    """SHA-256 of the canonical JSON: a changed meaning gives a new hash, reformatting the file does not."""
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


def from_stored(data: dict[str, Any] | str) -> s.FormDefinition:
    """A definition from a stored version (already checked when it was published)."""
    if isinstance(data, str):
        data = json.loads(data)
    return s.FormDefinition.model_validate(data)
