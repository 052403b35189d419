"""One commit per request, after the view; one per command: what a returned 4xx keeps and a raised one drops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import select
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.core.transactions import TransactionalFlask, command_transaction, commit_now

store = SQLAlchemy()


class Note(store.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "transaction_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


def _write_then(outcome: str):  # type: ignore[no-untyped-def]
    store.session.add(Note(text=outcome))
    store.session.flush()
    if outcome == "early":
        commit_now()
        store.session.add(Note(text="after-early"))
        abort(404)
    if outcome == "abort":
        abort(404)
    if outcome == "raise":
        raise RuntimeError("a bug after the write")
    status = {"ok": 200, "redirect": 302, "invalid": 422, "server": 503}[outcome]
    return outcome, status


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[Flask]:
    app = TransactionalFlask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'notes.db'}"
    store.init_app(app)
    app.add_url_rule("/<outcome>", view_func=_write_then, methods=["POST"])
    with app.app_context():
        store.create_all()
    yield app


def _kept(app: Flask) -> set[str]:
    with app.app_context():
        return set(store.session.scalars(select(Note.text)))


@pytest.mark.parametrize(("outcome", "kept"), [
    ("ok", True), ("redirect", True),
    ("invalid", True),  # a form answered 422 keeps what its operation saved (e.g. the valid answers)
    ("server", False), ("abort", False), ("raise", False),
])  # fmt: skip
def test_the_request_commits_once_when_its_view_returns_below_500(tiny, outcome, kept):
    status = tiny.test_client().post(f"/{outcome}").status_code
    assert status == {"abort": 404, "raise": 500}.get(outcome, status)
    assert (outcome in _kept(tiny)) is kept


def test_commit_now_keeps_what_came_before_a_refusal(tiny):
    assert tiny.test_client().post("/early").status_code == 404
    assert _kept(tiny) == {"early"}


def test_a_command_commits_at_the_end_and_keeps_nothing_when_it_fails(tiny):
    with tiny.app_context():
        with command_transaction():
            store.session.add(Note(text="done"))
        with pytest.raises(RuntimeError), command_transaction():
            store.session.add(Note(text="half"))
            store.session.flush()
            raise RuntimeError("stopped")
    assert _kept(tiny) == {"done"}
