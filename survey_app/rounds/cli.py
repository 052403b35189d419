"""`flask rounds …` and the demo hook that opens this year's rounds for the demo province."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click
from flask import Flask
from sqlalchemy import select

from survey_app.core.thai import fiscal_year_of, now_bangkok, thai_date
from survey_app.core.transactions import command_transaction
from survey_app.extensions import db
from survey_app.forms_engine import queries as form_queries
from survey_app.forms_engine.audience import expand
from survey_app.rounds import operations, queries
from survey_app.rounds.models import LatePolicy, Round, RoundPeriod

rounds_cli = click.Group("rounds", help="รอบการรายงาน")
DEMO_ROUNDS = {
    "phetchabun_plan": "รอบรายงานผลประจำปี (12 เดือน)",
    "tablet_satisfaction": "สำรวจความพึงพอใจการใช้แท็บเล็ต",
    "od_survey": "สำรวจการพัฒนาองค์การ (OD)",
    "buddhist_way": "ประเมินตนเองโรงเรียนวิถีพุทธ",
    "projects_per_indicator": "รายการโครงการตามตัวชี้วัด",
    "member_registration": "ลงทะเบียนสมาชิกเครือข่าย",
}
DEMO_PERIOD_ROUNDS = {  # a KPI form reported twice a year, so the demo's comparison page has two rounds
    "kpi_self_assessment": (
        (RoundPeriod.MONTH6, "รายงานผลตัวชี้วัด รอบ 6 เดือน"),
        (RoundPeriod.MONTH12, "รายงานผลตัวชี้วัด รอบ 12 เดือน"),
    ),
}
CLOSING_TIME = time(16, 30)  # a deadline falls at the end of the office day (Bangkok), not at the minute it was opened


@rounds_cli.command("open")
@click.option("--form", "form_key", required=True, help="key ของแบบสอบถาม")
@click.option("--year", "fiscal_year", type=int, default=None, help="ปีงบประมาณ พ.ศ. (ค่าเริ่มต้น: ปีปัจจุบัน)")
@click.option("--title", default=None)
@click.option("--days", default=30, show_default=True, help="เปิดรับกี่วันนับจากนี้")
@click.option("--late", type=click.Choice([p.value for p in LatePolicy]), default=LatePolicy.ACCEPT.value)
@click.option(
    "--period",
    type=click.Choice([p.value for p in RoundPeriod]),
    default=RoundPeriod.ANNUAL.value,
    show_default=True,
    help="annual = รายงานประจำปี, month6/month9/month12 = รอบ 6/9/12 เดือน",
)
def open_command(form_key: str, fiscal_year: int | None, title: str | None, days: int, late: str, period: str) -> None:
    """Open a round of the latest published version of a form for its audience."""
    with command_transaction():
        rnd = _open(
            form_key,
            fiscal_year,
            title or DEMO_ROUNDS.get(form_key, form_key),
            days,
            LatePolicy(late),
            RoundPeriod(period),
        )
    click.echo(
        f"เปิดรอบ {rnd.id}: {rnd.label} กำหนดส่ง {thai_date(rnd.closes_at, with_time=True)} "
        f"หน่วยงานที่ต้องตอบ {queries.expected_count(rnd.id)}"
    )


def _open(
    form_key: str,
    fiscal_year: int | None,
    title: str,
    days: int,
    late: LatePolicy,
    period: RoundPeriod = RoundPeriod.ANNUAL,
) -> Round:
    version = form_queries.latest_version(form_key)
    if version is None:
        raise click.ClickException(f"ไม่พบแบบสอบถาม {form_key}: สั่ง flask forms publish ก่อน")
    now = now_bangkok().replace(second=0, microsecond=0)
    try:
        return operations.open_round(
            version,
            fiscal_year=fiscal_year or fiscal_year_of(now.date()),
            title=title,
            opens_at=now - timedelta(days=1),
            closes_at=datetime.combine(now.date() + timedelta(days=days), CLOSING_TIME, tzinfo=now.tzinfo),
            late_policy=late,
            kinds=expand(version.parsed.audience),
            actor_id=None,
            period=period,
        )
    except operations.RoundError as exc:
        raise click.ClickException(str(exc)) from exc


def open_demo_rounds() -> None:
    """Demo hook: this fiscal year's rounds of the shipped questionnaires and the examples (the KPI
    self-assessment as a 6- and a 12-month round), once."""
    if db.session.scalar(select(Round.id).limit(1)) is not None:
        return
    for key, title in DEMO_ROUNDS.items():
        if form_queries.latest_version(key) is not None:
            _open(key, None, title, 30, LatePolicy.ACCEPT)
    for key, periods in DEMO_PERIOD_ROUNDS.items():
        if form_queries.latest_version(key) is not None:
            for period, title in periods:
                _open(key, None, title, 30, LatePolicy.ACCEPT, period)


def register_cli(app: Flask) -> None:
    app.cli.add_command(rounds_cli)
