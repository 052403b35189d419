"""The bare baseline: a Flask app that renders a 60-field form with Jinja and inserts 60 answer rows in one
transaction, nothing else. The real app's numbers are read as a ratio of this one, measured in the same run."""

from __future__ import annotations

import os

from flask import Flask, render_template, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert

FIELDS = [f"q{i}" for i in range(60)]
metadata = MetaData()
answers = Table(
    "bench_answer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("response_id", Integer, index=True),
    Column("question_key", String(64)),
    Column("value", String(500)),
)


def create_app() -> Flask:
    app = Flask(__name__, template_folder="templates")
    url = os.environ.get("BASELINE_DATABASE_URL", "sqlite:////tmp/baseline.db")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_pre_ping=True)
    metadata.create_all(engine)

    @app.get("/form")
    def form():  # type: ignore[no-untyped-def]
        return render_template("form.html", fields=FIELDS)

    @app.post("/form")
    def save():  # type: ignore[no-untyped-def]
        response_id = int(request.form.get("response_id", "0"))
        rows = [{"response_id": response_id, "question_key": k, "value": request.form.get(k, "")} for k in FIELDS]
        with engine.begin() as connection:
            connection.execute(insert(answers), rows)
        return "", 302, {"Location": "/form"}

    return app


app = create_app()
