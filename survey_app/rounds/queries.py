"""Reading rounds and expected units, always through the one scope check."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, column, exists, func, select, table

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.core.permissions import RESPONDENTS
from survey_app.core.scope import ScopedUser, ensure_in_scope, scope_clause
from survey_app.extensions import db
from survey_app.rounds.models import Round, RoundUnit


def all_rounds(*, archived: bool = False) -> list[Round]:
    """The rounds in use (or, with archived=True, only the archived ones), newest first. Every list a
    respondent or reviewer sees comes from here, so an archived round is out of their sight."""
    kept = Round.archived_at.is_not(None) if archived else Round.archived_at.is_(None)
    return list(db.session.scalars(select(Round).where(kept).order_by(Round.fiscal_year.desc(), Round.opens_at.desc())))


def get_round_or_404(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        abort(404)
    return rnd


def round_units_in_scope(user: ScopedUser, round_id: int) -> Select[RoundUnit]:
    """Expected units of a round that the user may see."""
    return (
        select(RoundUnit)
        .join(OrgUnit, OrgUnit.id == RoundUnit.org_unit_id)
        .where(RoundUnit.round_id == round_id, scope_clause(user, OrgUnit.id, OrgUnit.path))
    )


def round_unit_by_code(user: ScopedUser, round_id: int, unit_code: str) -> RoundUnit | None:
    """An expected unit of the round, by its org code, when it is in the user's scope."""
    return db.session.scalar(round_units_in_scope(user, round_id).where(OrgUnit.code == unit_code))


def extended_units(user: ScopedUser, round_id: int) -> list[RoundUnit]:
    """Expected units in scope whose deadline was extended."""
    stmt = round_units_in_scope(user, round_id).where(RoundUnit.deadline_override.is_not(None))
    return list(db.session.scalars(stmt))


def units_to_share(user: ScopedUser, round_id: int) -> list[RoundUnit]:
    """Expected units in scope, in directory order (the share list and the QR sheet)."""
    return list(db.session.scalars(round_units_in_scope(user, round_id).order_by(OrgUnit.path)))


def get_round_unit_or_404(user: ScopedUser, round_id: int, org_unit_id: int) -> RoundUnit:
    """The unit's place in a round, or 404 when it is not expected or not in scope."""
    ru = db.session.scalar(
        select(RoundUnit).where(RoundUnit.round_id == round_id, RoundUnit.org_unit_id == org_unit_id)
    )
    if ru is None or (ru.round.archived and user.role in RESPONDENTS):
        abort(404)  # an archived round is out of its respondents' sight
    ensure_in_scope(user, ru.org_unit.id, ru.org_unit.path, object_type="round_unit", object_id=ru.id)
    return ru


def round_unit_by_token(token: str) -> RoundUnit | None:
    """A person-survey link; unknown tokens find nothing (404 upstream).

    Tokens are what secrets.token_urlsafe makes (rounds.models.new_link_token): 16 to 64 URL-safe base64
    letters. Anything else is refused before the query: PostgreSQL rejects some characters outright (a NUL
    byte is an error there, not a miss), and a mistyped link costs no query."""
    if not 16 <= len(token) <= 64 or not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return db.session.scalar(select(RoundUnit).where(RoundUnit.link_token == token))


def rounds_for_unit(org_unit_id: int) -> list[RoundUnit]:
    """Every round this unit is expected to answer, newest first (archived rounds left out: the home page)."""
    stmt = (
        select(RoundUnit)
        .join(Round, Round.id == RoundUnit.round_id)
        .where(RoundUnit.org_unit_id == org_unit_id, Round.archived_at.is_(None))
        .order_by(Round.fiscal_year.desc(), Round.closes_at.desc())
    )
    return list(db.session.scalars(stmt))


def expected_count(round_id: int) -> int:
    return db.session.scalar(select(func.count()).where(RoundUnit.round_id == round_id)) or 0


def expected_by_kind(round_id: int) -> list[tuple[str, int]]:
    stmt = (
        select(OrgUnit.kind, func.count())
        .join(RoundUnit, RoundUnit.org_unit_id == OrgUnit.id)
        .where(RoundUnit.round_id == round_id)
        .group_by(OrgUnit.kind)
        .order_by(OrgUnit.kind)
    )
    return [(kind, n) for kind, n in db.session.execute(stmt)]


# Responses belong to a later feature (responses/ imports rounds/, never the reverse), so whether anyone has
# answered is asked of the table by name: the one fact rounds/ needs before it may delete a round.
_RESPONSE = table("response", column("round_id"))


def has_answers(round_id: int) -> bool:
    """Whether any response row (a draft included, org or person) exists for the round."""
    return bool(db.session.scalar(select(exists().where(_RESPONSE.c.round_id == round_id))))


def kinds_of(round_id: int) -> set[OrgKind]:
    """The kinds of unit the round expects (its audience as it stands)."""
    return {OrgKind(kind) for kind, _ in expected_by_kind(round_id)}
