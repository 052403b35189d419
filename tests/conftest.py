"""The suite's shared fixtures live in `tests/fixtures/` and are registered here once, so every test finds
them by name and no test module or conftest imports fixtures from another.

- `tests.fixtures.app`: `app`, `db` (emptied after each test), `client`, `runner`, `auth` (flaskr's shape);
  the database is SQLite unless SURVEY_TEST_DATABASE_URL points at PostgreSQL (the Makefile runs both).
- `tests.fixtures.answering`: `world` (a small province with the published forms) and `plan_round`.
- `tests.fixtures.reports`: `reported` (a round with certified responses).

Helpers that are not fixtures (`csrf_token`, `make_round`, `save`, `submitted`, …) are imported from those
modules (and `tests.fixtures.review`) like any other code; data factories are in `tests/factories.py`.
"""

pytest_plugins = ["tests.fixtures.app", "tests.fixtures.answering", "tests.fixtures.reports"]
