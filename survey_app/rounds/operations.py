"""Opening rounds and extending deadlines. Operations flush; the request or command commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit
from survey_app.core import audit
from survey_app.core.i18n import gettext
from survey_app.core.thai import display_date
from survey_app.extensions import db
from survey_app.forms_engine.loader import load_text
from survey_app.forms_engine.models import FormVersion
from survey_app.rounds.models import Identity, LatePolicy, Round, RoundPeriod, RoundUnit, new_link_token


class RoundError(ValueError):
    """A round that cannot be opened or changed as asked; the message is for the user (Thai)."""


class DuplicateRound(RoundError):
    """The form already has a round of this fiscal year and period (shown beside the period field)."""


def open_round(
    version: FormVersion,
    *,
    fiscal_year: int,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    late_policy: LatePolicy,
    kinds: Iterable[OrgKind],
    actor_id: int | None,
    identity: Identity = Identity.ANONYMOUS,
    period: RoundPeriod = RoundPeriod.ANNUAL,
) -> Round:
    """A new round pinned to this exact version, with every active unit of the chosen kinds expected."""
    _refuse_unopenable(version, opens_at, closes_at)
    period = RoundPeriod(period)
    _refuse_duplicate(version.form_key, fiscal_year, period)
    rnd = Round(
        form_version_id=version.id,
        fiscal_year=fiscal_year,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        late_policy=late_policy,
        identity=Identity(identity),
        period=period,
        created_by_id=actor_id,
    )
    db.session.add(rnd)
    db.session.flush()
    _expect_units(rnd, version.respondent == "person", kinds)
    audit.record(
        "round.open",
        actor_id=actor_id,
        object_type="round",
        object_id=rnd.id,
        details={
            "form": version.form_key,
            "version": version.version,
            "fiscal_year": fiscal_year,
            "period": period.value,
        },
    )
    return rnd


def _refuse_unopenable(version: FormVersion, opens_at: datetime, closes_at: datetime) -> None:
    """A version the checker now refuses (checked again: the checker may have learnt since it was published), or
    a deadline that is not after the opening, cannot open a round."""
    problems = load_text(version.source_text, version.source_name).lines()
    if problems:
        raise RoundError(gettext("แบบสอบถามฉบับนี้มีข้อผิดพลาด เปิดรอบไม่ได้: {problems}", problems="; ".join(problems[:3])))
    if closes_at <= opens_at:
        raise RoundError(gettext("วันปิดรับต้องอยู่หลังวันเปิดรับ"))


def _expect_units(rnd: Round, per_person: bool, kinds: Iterable[OrgKind]) -> None:
    """Every active unit of the kinds is expected; in a person survey each gets its own public link."""
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.active, OrgUnit.kind.in_(list(kinds))))
    db.session.add_all(
        RoundUnit(round_id=rnd.id, org_unit_id=u.id, link_token=new_link_token() if per_person else None) for u in units
    )
    db.session.flush()


def _refuse_duplicate(form_key: str, fiscal_year: int, period: RoundPeriod) -> None:
    """One round per form, fiscal year and period: a second 6-month report of the same year is a mistake."""
    existing = db.session.scalar(
        select(Round)
        .join(FormVersion, FormVersion.id == Round.form_version_id)
        .where(FormVersion.form_key == form_key, Round.fiscal_year == fiscal_year, Round.period == period)
        .limit(1)
    )
    if existing is not None:
        raise DuplicateRound(
            gettext(
                "แบบสอบถามนี้มี{period}ของปีงบประมาณ {year} อยู่แล้ว ({title}) เปิดซ้ำไม่ได้",
                period=gettext(period.label_th),
                year=fiscal_year,
                title=existing.title,
            )
        )


def extend_deadline(round_unit: RoundUnit, new_deadline: datetime, reason: str, actor_id: int) -> None:
    """Give one unit a later deadline; who and why are kept on the unit and in the audit trail."""
    if not reason.strip():
        raise RoundError(gettext("กรุณาระบุเหตุผลของการขยายเวลา"))
    if new_deadline <= round_unit.round.closes_at:
        raise RoundError(
            gettext(
                "กำหนดใหม่ต้องอยู่หลังวันปิดรับของรอบ ({day})", day=display_date(round_unit.round.closes_at, with_time=True)
            )
        )
    old = round_unit.deadline()
    round_unit.deadline_override = new_deadline
    round_unit.extension_reason = reason.strip()
    round_unit.extended_by_id = actor_id
    db.session.flush()
    audit.record(
        "round.extend_unit",
        actor_id=actor_id,
        object_type="round_unit",
        object_id=round_unit.id,
        org_unit_id=round_unit.org_unit_id,
        comment=reason.strip(),
        details={"from": old.isoformat(), "to": new_deadline.isoformat()},
    )
