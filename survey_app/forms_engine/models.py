"""Published form versions: immutable, hashed copies of a checked definition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.core.db import Base, UTCDateTime, utcnow
from survey_app.core.i18n import gettext, pick
from survey_app.forms_engine import schema as s
from survey_app.forms_engine.loader import from_stored

_PARSED: dict[str, s.FormDefinition] = {}


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
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)  # read once per process (see parsed)
    source_text: Mapped[str] = mapped_column(Text, deferred=True)
    source_name: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    @property
    def parsed(self) -> s.FormDefinition:
        """The typed definition. Versions never change, so each process parses a version once (keyed by
        its content hash) and later requests skip both loading the JSON and validating it."""
        found = _PARSED.get(self.content_hash)
        if found is None:
            if len(_PARSED) > 256:
                _PARSED.clear()
            found = _PARSED[self.content_hash] = from_stored(self.definition)
        return found

    @property
    def title(self) -> str:
        """The form's title in the reader's language (Thai when the definition has no English)."""
        return pick(self.title_th, self.parsed.title.en)

    @property
    def label(self) -> str:
        return gettext("{title} (ฉบับที่ {version})", title=self.title, version=self.version)
