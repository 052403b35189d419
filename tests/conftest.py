"""Fixtures in the flaskr shape: `app`, `client`, `db`, `login`; the database is SQLite unless
SURVEY_TEST_DATABASE_URL points at PostgreSQL (the Makefile runs the suite on both)."""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from survey_app import create_app
from survey_app.core.db import write_intent
from survey_app.extensions import db as _db

PG_URL = os.environ.get("SURVEY_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgres")


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own `g`, db session and current_user.

    The test's pending writes are committed first (the request must see them), and the test's objects are
    expired afterwards (the test must see what the request changed).
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if has_app_context():
            _db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            _db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the session; the schema comes from the migrations, as in production."""
    base = tmp_path_factory.mktemp("instance")
    if ON_POSTGRES:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{base / 'test.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "PASSWORD_HASH_FAST": True,
            "UPLOAD_DIR": str(base / "uploads"),
            "EXPORT_DIR": str(base / "exports"),
            "WTF_CSRF_ENABLED": True,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield app


def _join_background_exports() -> None:
    """Export jobs run in threads; let them finish before their tables are emptied under them."""
    for thread in threading.enumerate():
        if thread.name.startswith("export-"):
            thread.join(timeout=60)


def _clear_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def db(app: Flask) -> Iterator[object]:
    """The database, emptied after each test (works with the browser tests' server thread too).

    On SQLite the test's own transactions take the write lock when they begin (as CLI commands do): a test
    that starts threads commits first, so it never holds the lock its threads are waiting for.
    """
    write_intent.set(True)  # a previous test may have switched its thread to deferred reads
    with app.app_context():
        yield _db
        _db.session.rollback()
        _join_background_exports()
        _clear_tables()
        _db.session.remove()


@pytest.fixture
def client(app: Flask, db: object) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db: object):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


class Auth:
    """Log in and out through the real pages, CSRF tokens included."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = "Secret-pass-123"):  # type: ignore[no-untyped-def]
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):  # type: ignore[no-untyped-def]
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from a page's form (or the session's token via any page)."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
