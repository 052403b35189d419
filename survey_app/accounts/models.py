"""The org directory (province → agency → school) and the users who act for its units."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.accounts.kinds import Level, OrgKind
from survey_app.core.db import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from survey_app.core.scope import Role


class District(Base):
    """An amphoe (อำเภอ), by its 4-digit code (province 2 + district 2)."""

    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))


class OrgUnit(TimestampMixin, Base):
    """A node of the directory. `path` is the chain of ids from the root ("/1/5/23/"), used for scope."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind), index=True)
    name_th: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    alt_codes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent")
    district: Mapped[District | None] = relationship()

    @property
    def level(self) -> Level:
        return self.kind.level

    @property
    def display_name(self) -> str:
        return self.name_th

    @property
    def path_ids(self) -> list[int]:
        """The ids from the root down to this unit itself, read from `path` (the one place it is parsed)."""
        return path_ids(self.path)

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.name_th}>"


def path_ids(path: str) -> list[int]:
    """ "/1/5/23/" → [1, 5, 23]."""
    return [int(part) for part in path.strip("/").split("/") if part]


class OrgUnitChange(Base):
    """History of a unit's name, parent, kind or district: re-imports update the unit and keep the old value."""

    __tablename__ = "org_unit_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str | None] = mapped_column(String(255))


class User(UserMixin, TimestampMixin, Base):
    """A login that acts for one org unit with one role."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(str_enum(Role, 20))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")

    @property
    def org_path(self) -> str:
        """The user's unit path, which the scope check compares against."""
        return self.org_unit.path

    if TYPE_CHECKING:  # declared for the type checker only: the ORM would try to map a runtime annotation
        session_token: str | None
    session_token = None  # set by the user loader; a plain attribute, not a column

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot log in
        return self.is_enabled

    def get_id(self) -> str | None:
        """Flask-Login stores the session token, not the user id, so sessions can be revoked."""
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class UserSession(Base):
    """A login session; the cookie holds only its random token, so logout or a password change can revoke it."""

    __tablename__ = "user_session"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Recent failed sign-ins of one key: an (account, client) pair or a client across accounts."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
