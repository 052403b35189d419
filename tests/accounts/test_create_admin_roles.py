"""`flask accounts create-admin --role` takes the roles as they are written everywhere else (province_admin)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.accounts.models import User
from survey_app.core.scope import Role
from tests.factories import small_province


def create_admin(runner, username: str, *role: str):  # type: ignore[no-untyped-def]
    args = ["accounts", "create-admin", "--username", username, "--password", "Strong-pass-2563", *role]
    return runner.invoke(args=args)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("province_admin", Role.PROVINCE_ADMIN),  # as README, SECURITY.md and the database write it
        ("system_admin", Role.SYSTEM_ADMIN),
        ("PROVINCE_ADMIN", Role.PROVINCE_ADMIN),  # the spelling the command used to ask for still works
        ("System_Admin", Role.SYSTEM_ADMIN),
    ],
)
def test_role_as_written_elsewhere_creates_that_administrator(runner, db, given, stored):
    province = small_province()["province"]
    result = create_admin(runner, "boss", "--role", given)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "boss"))
    assert user.role == stored and user.org_unit_id == province.id


def test_default_role_is_system_admin_and_other_roles_are_refused(runner, db):
    small_province()
    assert create_admin(runner, "root").exit_code == 0
    assert db.session.scalar(select(User.role).where(User.username == "root")) == Role.SYSTEM_ADMIN
    refused = create_admin(runner, "clerk", "--role", "respondent")
    assert refused.exit_code != 0 and "province_admin" in refused.output
    assert db.session.scalar(select(User).where(User.username == "clerk")) is None
