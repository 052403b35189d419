"""A province N times over: copies of the demo directory's units, for scale tests and benchmarks.

`flask demo --scale 10` makes the directory ten times the demo province (about 7,000 units, 40× about
28,000: a large region or a small country), with the same kinds, districts and parent structure, and
every round expecting the copies of the units it expects. Copies are coded "<code>~<k>" and named
"<name> ชุด k", so they are never mistaken for the real directory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select

from survey_app.accounts.models import OrgUnit
from survey_app.accounts.operations import recompute_paths
from survey_app.extensions import db
from survey_app.rounds.models import Round, RoundUnit, new_link_token

MARK = "~"


def current_factor() -> int:
    """How many times over the directory already is (1 when it holds no copies)."""
    codes = db.session.scalars(select(OrgUnit.code).where(OrgUnit.code.contains(MARK)))
    return max((int(code.rsplit(MARK, 1)[1]) for code in codes), default=1)


def replicate_province(factor: int, say: Callable[[str], None] = lambda _m: None) -> dict[int, list[int]]:
    """Add copies 2..factor of every unit below the root; returns the new units' ids per original unit."""
    originals = list(db.session.scalars(select(OrgUnit).where(~OrgUnit.code.contains(MARK)).order_by(OrgUnit.path)))
    levels: dict[int, list[OrgUnit]] = {}
    for unit in originals:
        if unit.parent_id is not None:
            levels.setdefault(unit.path.count("/"), []).append(unit)
    copies: dict[int, list[int]] = {u.id: [] for level in levels.values() for u in level}
    for k in range(current_factor() + 1, factor + 1):
        new_id: dict[int, int] = {}
        for depth in sorted(levels):  # parents are inserted before their children
            units = levels[depth]
            rows = [_copy_row(u, k, new_id.get(u.parent_id or 0, u.parent_id)) for u in units]
            result = db.session.execute(insert(OrgUnit).returning(OrgUnit.id, sort_by_parameter_order=True), rows)
            for unit, (unit_id,) in zip(units, result, strict=True):
                new_id[unit.id] = unit_id
                copies[unit.id].append(unit_id)
        say(f"ชุดที่ {k}: {len(new_id):,} หน่วยงาน")
    recompute_paths()
    _expect_copies(copies)
    return copies


def _copy_row(unit: OrgUnit, k: int, parent_id: int | None) -> dict[str, Any]:
    return {
        "code": f"{unit.code}{MARK}{k}",
        "parent_id": parent_id,
        "kind": unit.kind,
        "name_th": f"{unit.name_th} ชุด {k}",
        "name_en": f"{unit.name_en} set {k}" if unit.name_en else None,
        "district_code": unit.district_code,
        "alt_codes": {},
        "path": "",
        "active": unit.active,
    }


def _expect_copies(copies: dict[int, list[int]]) -> None:
    """Every round expects the copies of the units it expects (person rounds get their links)."""
    for rnd in db.session.scalars(select(Round)):
        have = set(db.session.scalars(select(RoundUnit.org_unit_id).where(RoundUnit.round_id == rnd.id)))
        rows = [
            {"round_id": rnd.id, "org_unit_id": copy, "link_token": new_link_token() if rnd.per_person else None}
            for original in have
            for copy in copies.get(original, [])
            if copy not in have
        ]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(RoundUnit), rows[start : start + 5000])
    db.session.flush()
