"""Declarative base with a naming convention, so migrations name constraints the same on every database;
SQLite's transaction start, lock timeouts on both databases, and the "busy, try again" answer."""

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum

from flask import Flask, current_app, has_request_context, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Dialect, Enum, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from survey_app.core.i18n import N_, gettext

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; its metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The database handle lives in core, beside the base it is built on, so core's own modules (audit trail,
# rate limits) use it without importing the app's extensions; survey_app/extensions.py re-exports it.
db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Timezone-aware now in UTC; the database stores UTC and pages show Asia/Bangkok."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC, always returned timezone-aware (SQLite keeps no zone, PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def str_enum(enum_class: type[StrEnum], length: int = 40) -> Enum:
    """A portable VARCHAR enum column that stores the member's value ("draft"), not its Python name."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda cls: [m.value for m in cls])


class TimestampMixin:
    """created_at / updated_at columns, set by Python so both databases agree."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# SQLite: a transaction that starts by reading and later writes cannot wait for another writer (it fails
# at once with "database is locked"). Requests that may write (POST…) and CLI commands therefore begin with
# BEGIN IMMEDIATE, which waits for the write lock up to the lock timeout; GET requests begin deferred so
# readers never queue behind writers. PostgreSQL needs none of this.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

# What a user is told when another writer kept the database longer than the lock timeout: nothing was lost
# and pressing save again will very likely work (long jobs commit in short batches, see accounts/cli.py).
BUSY_TITLE = N_("ระบบไม่ว่างชั่วคราว")
BUSY_MESSAGE = N_("ระบบกำลังบันทึกงานอื่นอยู่ กรุณากดบันทึกอีกครั้ง")
BUSY_READ_MESSAGE = N_("ระบบมีงานมากในขณะนี้ กรุณาลองอีกครั้งในอีกสักครู่")
BUSY_RETRY_AFTER_SECONDS = 5
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (extended codes share the low byte)
_POSTGRES_LOCK_STATES = frozenset({"55P03", "40P01"})  # lock_not_available (lock_timeout), deadlock_detected


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL, foreign keys and a default busy timeout on every SQLite connection; no-op on PostgreSQL.

    The app's engine then sets its configured lock timeout (`wait_for_locks`)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """BEGIN IMMEDIATE when the request may write; when the lock stays taken past the timeout, a request
    goes on reading a snapshot instead, so its page can still be drawn: its first write then fails at once
    with "database is locked", which the save turns into "press save again" with the typing kept."""
    if conn.dialect.name != "sqlite":
        return
    if not write_intent.get():
        conn.exec_driver_sql("BEGIN")
        return
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if not (has_request_context() and is_busy(exc)):
            raise
        write_intent.set(False)  # the rest of this request reads without queueing for the lock again
        conn.exec_driver_sql("BEGIN")


def is_busy(exc: BaseException) -> bool:
    """True when a database error means "another transaction holds the lock": trying again will work.

    SQLite says "database is locked" (SQLITE_BUSY) after its busy timeout; PostgreSQL raises
    lock_not_available after `lock_timeout`, or picks a deadlock victim."""
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_BUSY_CODES
    if getattr(exc.orig, "sqlstate", None) in _POSTGRES_LOCK_STATES:
        return True
    return "database is locked" in str(exc.orig)


def busy_message() -> str:
    """The "busy, press save again" sentence in the user's language."""
    return gettext(BUSY_MESSAGE)


def wait_for_locks(engine: Engine, timeout_ms: Callable[[], int]) -> None:
    """How long a statement of this engine waits for another transaction's lock before failing as busy.

    Read on every new connection, so a changed setting applies once the pool is disposed."""

    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_connection, _record) -> None:
        ms = int(timeout_ms())
        if engine.dialect.name == "sqlite":
            dbapi_connection.execute(f"PRAGMA busy_timeout={ms}")
        elif engine.dialect.name == "postgresql":
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True  # a SET outside any transaction lasts for the connection
            dbapi_connection.execute(f"SET lock_timeout = {ms}")
            dbapi_connection.autocommit = autocommit


def init_app(app: Flask) -> None:
    """Lock timeouts on the app's engines, and a clear "busy, try again" answer instead of a 500."""
    with app.app_context():
        for engine in db.engines.values():
            wait_for_locks(engine, lambda: app.config["DB_LOCK_TIMEOUT_MS"])
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(PoolTimeoutError, _database_error)


def _database_error(exc: Exception) -> ResponseReturnValue:
    """A lock or connection-pool wait that ran out answers 503 with a Thai "try again"; anything else
    is still a server error (re-raised, so it is logged and shown as the 500 page)."""
    if not (isinstance(exc, PoolTimeoutError) or is_busy(exc)):
        raise exc
    current_app.logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
    db.session.rollback()
    write_intent.set(False)  # drawing the answer only reads
    posted = request.method not in ("GET", "HEAD", "OPTIONS")
    message = busy_message() if posted else gettext(BUSY_READ_MESSAGE)
    if request.headers.get("X-Autosave") or request.accept_mimetypes.best == "application/json":
        response = jsonify(saved=False, busy=True, message=message)
    else:
        html = render_template("busy.html", title=gettext(BUSY_TITLE), message=message, posted=posted)
        response = make_response(html)
    response.status_code = 503
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response
