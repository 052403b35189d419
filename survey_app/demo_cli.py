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
from survey_app.synthetic import fill_rounds


@click.command("demo")
@click.option("--responses", default=0, show_default=True, help="จำนวนผู้ตอบรายบุคคลสังเคราะห์ (รวมทุกแบบสอบถามรายบุคคล)")
@click.option("--quiet", is_flag=True, help="ไม่พิมพ์รายการบัญชีสาธิต")
def demo_command(responses: int, quiet: bool) -> None:
    """Load the demo Phetchabun province (safe to run again; existing answers are kept)."""
    summary, accounts = load_demo_directory()
    publish_all_for_demo()
    open_demo_rounds()
    db.session.commit()
    generated = None
    if responses:
        codes = [code for _user, code, _role, _label in demo.DEMO_ACCOUNTS]
        skip = frozenset(db.session.scalars(select(OrgUnit.id).where(OrgUnit.code.in_(codes))))
        generated = fill_rounds(responses, say=lambda m: click.echo(f"… {m}", err=True), skip_units=skip)
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
