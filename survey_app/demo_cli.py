"""`flask demo`: the demo province end to end: directory and accounts, published questionnaires, this
year's rounds, and (with --responses) synthetic answers in every status."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from survey_app.accounts import demo
from survey_app.accounts.cli import load_demo_directory
from survey_app.accounts.models import OrgUnit
from survey_app.extensions import db
from survey_app.forms_engine.cli import publish_all_for_demo
from survey_app.rounds.cli import open_demo_rounds
from survey_app.scale import current_factor, replicate_province
from survey_app.synthetic import fill_new_units, fill_rounds


@click.command("demo")
@click.option("--responses", default=0, show_default=True, help="จำนวนผู้ตอบรายบุคคลสังเคราะห์ (รวมทุกแบบสอบถามรายบุคคล)")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 100),
              help="ขยายทำเนียบเป็นกี่เท่าของจังหวัดสาธิต (เช่น 10 หรือ 40 สำหรับทดสอบขนาด)")  # fmt: skip
@click.option("--quiet", is_flag=True, help="ไม่พิมพ์รายการบัญชีสาธิต")
def demo_command(responses: int, scale: int, quiet: bool) -> None:
    """Load the demo Phetchabun province (safe to run again; existing answers are kept).

    With --scale N the directory is copied until it is N times the province; with answers, the copies
    answer too."""
    summary, accounts = load_demo_directory()
    publish_all_for_demo()
    open_demo_rounds()
    db.session.commit()
    say = lambda m: click.echo(f"… {m}", err=True)  # noqa: E731
    copies = replicate_province(scale, say) if scale > current_factor() else {}
    db.session.commit()
    generated = None
    if responses:
        codes = [code for _user, code, _role, _label in demo.DEMO_ACCOUNTS]
        skip = frozenset(db.session.scalars(select(OrgUnit.id).where(OrgUnit.code.in_(codes))))
        added = fill_new_units({c for ids in copies.values() for c in ids}, say=say)  # rounds answered before
        generated = fill_rounds(responses, say=say, skip_units=skip)  # rounds not answered yet, copies included
        generated.org_responses += added.org_responses
        generated.answers += added.answers
    db.session.commit()
    if quiet:
        return
    click.echo(f"ทำเนียบสาธิต: เพิ่ม {summary.created} แก้ไข {summary.updated}; บัญชีใหม่ {accounts}")
    if generated:
        click.echo(f"คำตอบสังเคราะห์: หน่วยงาน {generated.org_responses:,} · รายบุคคล {generated.person_responses:,} "
                   f"· คำตอบ {generated.answers:,}")  # fmt: skip
    click.echo(f"บัญชีสาธิต (รหัสผ่านทุกบัญชี: {demo.DEMO_PASSWORD})")
    for username, _code, _role, label in demo.DEMO_ACCOUNTS:
        click.echo(f"  {username:<12} {label}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
