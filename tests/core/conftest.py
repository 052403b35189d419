"""Fixtures shared from the answering tests (a small province with the published forms)."""

from tests.responses.conftest import plan_round, world  # noqa: F401  (fixtures)
