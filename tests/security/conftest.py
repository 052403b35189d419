"""Security suites use the answering fixtures (a small province with published forms)."""

from tests.responses.conftest import plan_round, world  # noqa: F401  (fixtures)
