"""`flask forms check | list | publish`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from survey_app.core.thai import thai_date
from survey_app.core.transactions import command_transaction
from survey_app.forms_engine import operations, queries
from survey_app.forms_engine.loader import load_file

forms_cli = click.Group("forms", help="แบบสอบถาม: ตรวจสอบ เผยแพร่ และรายการฉบับ")


def _paths(files: tuple[Path, ...]) -> list[Path]:
    if files:
        return list(files)
    return sorted(Path(current_app.config["FORM_DEFINITIONS_DIR"]).glob("*.yaml"))


@forms_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def check_command(files: tuple[Path, ...]) -> None:
    """Check definition files; one line per problem, exit 1 when any file has a problem."""
    paths = _paths(files)
    bad = 0
    for path in paths:
        result = load_file(path)
        if result.ok and result.definition is not None:
            click.echo(f"{path.name}: ผ่าน ({len(result.definition.questions())} คำถาม)")
        else:
            bad += 1
            for line in result.lines():
                click.echo(line, err=True)
    if bad:
        raise click.exceptions.Exit(1)
    if not paths:
        click.echo("ไม่พบไฟล์แบบสอบถาม")


@forms_cli.command("publish")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def publish_command(files: tuple[Path, ...]) -> None:
    """Publish definitions as immutable versions (unchanged files publish nothing new)."""
    with command_transaction():  # what was valid is published even when other files fail
        outcomes = operations.publish_files(_paths(files))
    failed = [o for o in outcomes if o.problems]
    for outcome in outcomes:
        if outcome.problems:
            for line in outcome.problems:
                click.echo(line, err=True)
        elif outcome.version is not None:
            state = "เผยแพร่ฉบับใหม่" if outcome.created else "ไม่เปลี่ยนแปลง"
            click.echo(f"{outcome.name}: {state} — {outcome.version.form_key} ฉบับที่ {outcome.version.version}")
    if failed:
        raise click.exceptions.Exit(1)


@forms_cli.command("list")
def list_command() -> None:
    """Every published form and version."""
    for version in queries.all_versions():
        click.echo(
            f"{version.form_key:<22} ฉบับที่ {version.version:<3} {version.content_hash[:12]} "
            f"{thai_date(version.published_at, with_time=True):<22} {version.title_th}"
        )


def publish_all_for_demo() -> None:
    """Demo hook: publish every file in form_definitions/ and its examples/ so rounds can be opened."""
    examples = sorted((Path(current_app.config["FORM_DEFINITIONS_DIR"]) / "examples").glob("*.yaml"))
    for outcome in operations.publish_files([*_paths(()), *examples]):
        if outcome.problems:
            raise click.ClickException("\n".join(outcome.problems))


def register_cli(app: Flask) -> None:
    app.cli.add_command(forms_cli)
