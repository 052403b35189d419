"""The privacy rule of person surveys, decided once for a round; every writer asks it.

Teachers and ESA staff answer on the promise that nobody sees their own answers. So in a person round:

1. A group of people (a school, an agency, a district, a kind of unit, or any combination of the report's
   filters) is shown only when it has at least the privacy minimum of respondents (`PRIVACY_MIN_RESPONDENTS`,
   default 5).
2. No hidden group can be worked out by subtraction. Every shown figure is the sum of the groups it splits
   into (the province = its agencies = its districts = its schools; an agency = its schools; a district and
   kind = its schools…). In each such split, the hidden parts are either none or at least two, and when the
   whole is shown they hold at least the minimum together; otherwise the smallest shown part is hidden too
   (complementary suppression), and a hidden whole hides at least one of its parts. The rule is applied to
   every split of the round until nothing changes, so a group hidden in one table is hidden on every page,
   filter, export and command line.
3. Raw person data never names a hidden school (its rows show the agency when the agency is shown, else
   nothing), and times are given to the day.

The decision depends on the round's answers only, never on who asks, so two people cannot combine what they see.

A form that collects names (`identity: name`) tells its respondents so, and who will see them (the province and
the respondent's agency unless `identity_visible_to` says otherwise): for those readers its answers are not
anonymous, so nothing is hidden and the raw sheet has a name column (`named_disclosure`). Every other reader
gets the rule above, as for an anonymous form. Files of person rounds are never listed or zipped one by one
(see docs/form_definitions.md, "Files in person forms").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import select

from survey_app.core.i18n import gettext
from survey_app.core.permissions import REVIEWERS, ScopedUser, has_role, sees_every_agency
from survey_app.extensions import db
from survey_app.forms_engine import schema as s
from survey_app.responses.models import Response

if TYPE_CHECKING:
    from survey_app.reports.data import RoundData

DIMENSIONS = ("agency_id", "district", "kind")
Group = frozenset[int]


def privacy_minimum() -> int:
    """The smallest group of people a person-survey figure may describe."""
    return int(current_app.config.get("PRIVACY_MIN_RESPONDENTS", 5))


def withheld_message(minimum: int) -> str:
    return gettext(
        "ไม่แสดงผล: กลุ่มที่เลือกมีผู้ตอบน้อยกว่า {n} คน หรืออาจคำนวณย้อนหาคำตอบของกลุ่มที่มีผู้ตอบน้อยกว่า "
        "{n} คนได้ (ผลยังนับรวมอยู่ในภาพรวมที่ใหญ่กว่า)",
        n=minimum,
    )


def hidden_label(minimum: int) -> str:
    return gettext("ไม่แสดง (คุ้มครองผู้ตอบ: กลุ่มเล็กกว่า {n} คน)", n=minimum)


@dataclass(frozen=True)
class Disclosure:
    """Which groups of a person round's respondents may be shown (see the module's rule)."""

    minimum: int
    sizes: dict[int, int]  # respondents per unit
    cells: dict[Group, int]  # every group a page can show, by its set of units (with respondents)
    hidden: frozenset[Group]
    agency_units: dict[int, Group] = field(default_factory=dict)
    named: bool = False  # a form that collects names, seen by a reader it names: nothing is hidden

    def count(self, units: Iterable[int]) -> int:
        return sum(self.sizes.get(int(u), 0) for u in set(units))

    def shows(self, units: Iterable[int]) -> bool:
        """Whether the figures of these units' respondents may be shown together."""
        group = frozenset(int(u) for u in units if self.sizes.get(int(u), 0))
        if self.named or not group:
            return True  # nobody answered: there is nothing to disclose
        if group in self.cells:
            return group not in self.hidden
        return self._shows_other(group)

    def _shows_other(self, group: Group) -> bool:
        """A group no page split makes (a scope of its own): big enough, and big enough apart from the rest."""
        rest = sum(self.sizes.values()) - self.count(group)
        return self.count(group) >= self.minimum and (rest == 0 or rest >= self.minimum)

    def unit_shown(self, unit_id: int) -> bool:
        return self.shows([unit_id])

    def agency_shown(self, agency_id: int) -> bool:
        units = self.agency_units.get(int(agency_id))
        return bool(units) and self.shows(units or ())


def decide(units: pd.DataFrame, minimum: int) -> Disclosure:
    """The disclosure of a round from one row per unit with respondents: org_unit_id, agency_id, district,
    kind, n (respondents)."""
    units = units[units["n"] > 0]
    sizes = {int(u): int(n) for u, n in zip(units["org_unit_id"], units["n"], strict=True)}
    cells: dict[Group, int] = {}
    relations: set[tuple[Group, frozenset[Group]]] = set()  # (whole, its parts)
    for size in range(len(DIMENSIONS) + 1):
        for pattern in combinations(DIMENSIONS, size):
            for whole in _groups(units, list(pattern)):
                cells[whole.group] = whole.n
                for dim in DIMENSIONS:
                    if dim not in pattern:
                        _relate(relations, cells, whole.group, _groups(whole.frame, [dim]))
                _relate(relations, cells, whole.group, _groups(whole.frame, ["org_unit_id"]))
    hidden = _suppress(cells, relations, minimum)
    agency_units = {int(a): frozenset(int(u) for u in g["org_unit_id"]) for a, g in units.groupby("agency_id")}
    return Disclosure(minimum, sizes, cells, frozenset(hidden), agency_units)


@dataclass(frozen=True)
class _Part:
    group: Group
    n: int
    frame: pd.DataFrame


def _groups(frame: pd.DataFrame, by: list[str]) -> list[_Part]:
    if not by:
        return [_Part(frozenset(int(u) for u in frame["org_unit_id"]), int(frame["n"].sum()), frame)]
    return [
        _Part(frozenset(int(u) for u in part["org_unit_id"]), int(part["n"].sum()), part)
        for _key, part in frame.groupby(by, sort=False, observed=True, dropna=False)
    ]


def _relate(
    relations: set[tuple[Group, frozenset[Group]]], cells: dict[Group, int], whole: Group, parts: list[_Part]
) -> None:
    """Record that `whole` is the sum of `parts` (a split into one part says nothing new)."""
    if len(parts) < 2:
        return
    for part in parts:
        cells[part.group] = part.n
    relations.add((whole, frozenset(part.group for part in parts)))


def _suppress(cells: dict[Group, int], relations: set[tuple[Group, frozenset[Group]]], minimum: int) -> set[Group]:
    """Primary suppression (under the minimum), then complementary suppression until every split is safe."""
    hidden = {group for group, n in cells.items() if n < minimum}
    ordered = [(whole, sorted(parts, key=lambda g: (cells[g], sorted(g)))) for whole, parts in relations]
    changed = True
    while changed:
        changed = False
        for whole, parts in ordered:
            extra = _unsafe(whole, parts, hidden, cells, minimum)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden


def _unsafe(
    whole: Group, parts: list[Group], hidden: set[Group], cells: dict[Group, int], minimum: int
) -> Group | None:
    """The next group to hide so that this split cannot reveal a hidden group, or None when it is safe."""
    hidden_parts = [p for p in parts if p in hidden]
    shown_parts = [p for p in parts if p not in hidden]  # smallest first
    if whole in hidden:
        return shown_parts[0] if not hidden_parts and shown_parts else None
    if not hidden_parts:
        return None
    if len(hidden_parts) >= 2 and sum(cells[p] for p in hidden_parts) >= minimum:
        return None
    return shown_parts[0] if shown_parts else whole


# -- forms that collect names (`identity: name`) -------------------------------------------------------------

NAME_HEADER = "ชื่อผู้ตอบ"


def names_shown_to(user: ScopedUser, defn: s.FormDefinition) -> bool:
    """Whether this reader is one the form told its respondents would see their names: the province (every
    agency) and/or the respondent's agency (a certifier, who sees only its own units)."""
    if not defn.collects_names or not has_role(user, REVIEWERS):
        return False
    readers = defn.names_visible_to()
    return "province" in readers if sees_every_agency(user) else "agency" in readers


def person_disclosure(user: ScopedUser, defn: s.FormDefinition, units: pd.DataFrame, minimum: int) -> Disclosure:
    """The disclosure of a person round for this reader: nothing hidden for a named form's readers, else the
    privacy rule (which then depends on the round's answers only, as for an anonymous form)."""
    if names_shown_to(user, defn):
        shown = units[units["n"] > 0]
        sizes = {int(u): int(n) for u, n in zip(shown["org_unit_id"], shown["n"], strict=True)}
        return Disclosure(minimum, sizes, {}, frozenset(), named=True)
    return decide(units, minimum)


def name_headers(disclosure: Disclosure | None) -> list[str]:
    """The raw sheet's name column header, for a reader who may see names (else none)."""
    return [NAME_HEADER] if disclosure is not None and disclosure.named else []


def name_columns(data: RoundData, response_ids: np.ndarray) -> list[np.ndarray]:
    """The raw sheet's name column, in `response_ids` order, for a reader who may see names (else none)."""
    if data.disclosure is None or not data.disclosure.named:
        return []
    stmt = select(Response.id, Response.respondent_label).where(Response.round_id == data.rnd.id)
    names = dict(db.session.execute(stmt).all())
    return [np.array([names.get(int(i)) for i in response_ids], dtype=object)]
