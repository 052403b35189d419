"""Test data: org units, users and small directories, made through the real operations."""

from __future__ import annotations

import itertools

from survey_app.accounts import operations
from survey_app.accounts.kinds import OrgKind
from survey_app.accounts.models import OrgUnit, User
from survey_app.core.scope import Role
from survey_app.extensions import db

PASSWORD = "Secret-pass-123"
_codes = itertools.count(1)


def make_unit(
    kind: OrgKind, parent: OrgUnit | None = None, name: str | None = None, code: str | None = None
) -> OrgUnit:
    code = code or f"T{next(_codes):07d}"
    unit = OrgUnit(code=code, kind=kind, name_th=name or f"หน่วยทดสอบ {code}", parent=parent, alt_codes={})
    db.session.add(unit)
    db.session.flush()
    operations.recompute_paths()
    return db.session.get(OrgUnit, unit.id)  # type: ignore[return-value]


def make_user(
    unit: OrgUnit, role: Role = Role.RESPONDENT, username: str | None = None, *, must_change: bool = False
) -> User:
    username = username or f"user{next(_codes)}"
    return operations.create_user(username, PASSWORD, role, unit, must_change_password=must_change)


def small_province() -> dict[str, OrgUnit]:
    """A province with two agencies (X, Y), two schools under X and one under Y."""
    province = make_unit(OrgKind.PROVINCIAL_OFFICE, name="ศธจ.ทดสอบ", code="P0000001")
    x = make_unit(OrgKind.PRIMARY_ESA, province, "สพป.ทดสอบ เขต 1", "X0000001")
    y = make_unit(OrgKind.SECONDARY_ESA, province, "สพม.ทดสอบ", "Y0000001")
    a = make_unit(OrgKind.BASIC_SCHOOL, x, "โรงเรียนเอ", "A0000001")
    b = make_unit(OrgKind.BASIC_SCHOOL, x, "โรงเรียนบี", "B0000001")
    c = make_unit(OrgKind.BASIC_SCHOOL, y, "โรงเรียนซี", "C0000001")
    db.session.commit()
    return {"province": province, "x": x, "y": y, "a": a, "b": b, "c": c}


def province_with_users() -> dict[str, object]:
    """small_province plus one user per role and place: school_a, school_b, cert_x, cert_y, province, sysadmin."""
    units = small_province()
    users = {
        "school_a": make_user(units["a"], Role.RESPONDENT, "school_a"),
        "school_b": make_user(units["b"], Role.RESPONDENT, "school_b"),
        "school_c": make_user(units["c"], Role.RESPONDENT, "school_c"),
        "cert_x": make_user(units["x"], Role.CERTIFIER, "cert_x"),
        "cert_y": make_user(units["y"], Role.CERTIFIER, "cert_y"),
        "province": make_user(units["province"], Role.PROVINCE_ADMIN, "province"),
        "sysadmin": make_user(units["province"], Role.SYSTEM_ADMIN, "sysadmin"),
    }
    db.session.commit()
    return {**units, **users}
