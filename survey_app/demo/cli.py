"""`flask demo`: the demo province end to end: directory and accounts, published questionnaires, this
year's rounds, and (with --responses) synthetic answers in every status, telling the certification story:
ESA 1 left for a newcomer to answer and certify, ESA 2's set complete and waiting for its head's letter,
the secondary ESA's set certified and waiting for the province, ESA 3's set accepted by the province."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from sqlalchemy import select

from survey_app.accounts.models import OrgUnit
from survey_app.core.thai import thai_date
from survey_app.core.transactions import command_transaction
from survey_app.demo import directory as demo
from survey_app.demo.directory import load_demo_directory
from survey_app.demo.scale import current_factor, replicate_province
from survey_app.demo.synthetic import Generated, SetStage, fill_new_units, fill_rounds
from survey_app.extensions import db
from survey_app.forms_engine.cli import publish_all_for_demo
from survey_app.rounds.cli import open_demo_rounds
from survey_app.rounds.models import Round

STORY = {demo.SET_READY: SetStage.READY, demo.SET_CERTIFIED: SetStage.CERTIFIED, demo.SET_ACCEPTED: SetStage.ACCEPTED}


@click.command("demo")
@click.option("--responses", default=0, show_default=True, help="จำนวนผู้ตอบรายบุคคลสังเคราะห์ (รวมทุกแบบสอบถามรายบุคคล)")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(1, 100),
    help="ขยายทำเนียบเป็นกี่เท่าของจังหวัดสาธิต (เช่น 10 หรือ 40 สำหรับทดสอบขนาด)",
)
@click.option("--quiet", is_flag=True, help="ไม่พิมพ์รายการบัญชีสาธิต")
def demo_command(responses: int, scale: int, quiet: bool) -> None:
    """Load the demo Phetchabun province (safe to run again; existing answers are kept).

    With --scale N the directory is copied until it is N times the province; with answers, the copies
    answer too."""
    with command_transaction():  # three steps, each committed: a stopped run keeps what it finished
        summary, accounts = load_demo_directory()
        publish_all_for_demo()
        open_demo_rounds()
    say = lambda m: click.echo(f"… {m}", err=True)  # noqa: E731
    with command_transaction():
        copies = replicate_province(scale, say) if scale > current_factor() else {}
    with command_transaction():
        generated = _answers(responses, copies, say) if responses else None
    if quiet:
        return
    click.echo(f"ทำเนียบสาธิต: เพิ่ม {summary.created} แก้ไข {summary.updated}; บัญชีใหม่ {accounts}")
    if generated:
        click.echo(
            f"คำตอบสังเคราะห์: หน่วยงาน {generated.org_responses:,} · รายบุคคล {generated.person_responses:,} "
            f"· คำตอบ {generated.answers:,}"
        )
    click.echo(f"บัญชีสาธิต (รหัสผ่านทุกบัญชี: {demo.DEMO_PASSWORD})")
    for username, _code, _role, label in demo.DEMO_ACCOUNTS:
        click.echo(f"  {username:<12} {label}")
    if plan := db.session.scalars(select(Round).order_by(Round.id).limit(1)).first():
        click.echo(f"ปีงบประมาณ {plan.fiscal_year} · กำหนดส่ง {thai_date(plan.closes_at, with_time=True)}")
        click.echo(
            f"ส่งออก: flask --app survey_app report export --form {plan.form_version.form_key} --year {plan.fiscal_year}"
        )


def _answers(responses: int, copies: dict[int, list[int]], say: Callable[[str], None]) -> Generated:
    """Synthetic answers: the story units at their stage, the copies like the rounds they answered before."""
    unit_of = _unit_ids(set(STORY) | demo.RESPONDENT_LOGINS)
    skip = frozenset(unit_of[code] for code in demo.RESPONDENT_LOGINS if code in unit_of)
    story = {unit_of[code]: stage for code, stage in STORY.items() if code in unit_of}
    added = fill_new_units({c for ids in copies.values() for c in ids}, say=say)  # rounds answered before
    # rounds not answered yet, copies included
    generated = fill_rounds(responses, say=say, skip_units=skip, story=story)
    generated.org_responses += added.org_responses
    generated.answers += added.answers
    return generated


def _unit_ids(codes: set[str]) -> dict[str, int]:
    return dict(db.session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(codes))).all())


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
