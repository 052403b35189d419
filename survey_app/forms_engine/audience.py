"""Audiences: which org kinds get a form, a section or a question. Shorthands name common groups."""

from __future__ import annotations

from collections.abc import Iterable

from survey_app.accounts.kinds import ESA_KINDS, Level, OrgKind

SHORTHANDS: dict[str, frozenset[OrgKind]] = {
    "all": frozenset(OrgKind),
    "esa": frozenset(ESA_KINDS),
    "agencies": frozenset(k for k in OrgKind if k.level in (Level.AGENCY, Level.PROVINCE)),
    "schools": frozenset(k for k in OrgKind if k.level == Level.SCHOOL),
}
KNOWN_NAMES = frozenset(SHORTHANDS) | frozenset(k.value for k in OrgKind)


def expand(names: Iterable[str] | None) -> frozenset[OrgKind]:
    """The org kinds a list of names means; None means everyone."""
    if names is None:
        return SHORTHANDS["all"]
    kinds: set[OrgKind] = set()
    for name in names:
        kinds |= SHORTHANDS.get(name) or {OrgKind(name)}
    return frozenset(kinds)


def includes(names: Iterable[str] | None, kind: OrgKind | str | None) -> bool:
    """Whether an org kind is in an audience (a missing kind, as in previews, sees everything)."""
    if names is None or kind is None:
        return True
    return OrgKind(kind) in expand(names)
