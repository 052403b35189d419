"""Published form versions: immutable, hashed copies of a checked definition."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.core.db import Base, UTCDateTime, utcnow
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.loader import from_stored


class FormVersion(Base):
    """One published version of a form. Rows are never updated: a changed file makes a new row."""

    __tablename__ = "form_version"
    __table_args__ = (
        UniqueConstraint("form_key", "version"),
        UniqueConstraint("form_key", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    title_th: Mapped[str] = mapped_column(String(500))
    respondent: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    @cached_property
    def parsed(self) -> s.FormDefinition:
        """The typed definition (parsed once per loaded row)."""
        return from_stored(self.definition)

    @property
    def label(self) -> str:
        return f"{self.title_th} (ฉบับที่ {self.version})"
