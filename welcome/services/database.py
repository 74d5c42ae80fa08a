"""Database-wide settings that every connection needs."""

import zlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, event, exists, func, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

#: How long a SQLite connection waits for the writer ahead of it (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Name of the function SQLite connections get for :class:`local_date`.
SQLITE_LOCAL_DATE = "welcome_local_date"


def configure_sqlite() -> None:
    """Make SQLite behave like PostgreSQL where the app relies on it (idempotent).

    Foreign keys and their ON DELETE rules are enforced, and transactions start with an
    explicit BEGIN, so savepoints and rollbacks work as SQLAlchemy documents for pysqlite
    (Python's sqlite3 module otherwise opens and commits transactions on its own).

    Two colleagues saving at the same moment must both succeed, one after the other. SQLite
    allows one writer at a time: the write-ahead log lets readers go on while somebody writes,
    and a busy timeout makes a connection wait for the lock instead of failing at once. Every
    transaction takes the write lock when it begins (BEGIN IMMEDIATE), because nearly every
    request may write (even opening a person's record is written to the audit log): a
    transaction that read first and asked for the lock later would fail with "database is
    locked" whenever somebody else wrote in between, and no timeout helps it.

    Each connection also learns :class:`local_date`, which PostgreSQL has built in.
    """
    if not event.contains(Engine, "connect", _sqlite_on_connect):
        event.listen(Engine, "connect", _sqlite_on_connect)
        event.listen(Engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        dbapi_connection.create_function(SQLITE_LOCAL_DATE, 2, _sqlite_local_date,
                                         deterministic=True)


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def take_turn(session: Session, name: str) -> None:
    """Wait until no other transaction holds the lock called ``name``, then hold it until this
    transaction ends: for work that must not run twice at once (importing the same list).

    PostgreSQL takes a transaction-level advisory lock; SQLite needs nothing more, as
    ``BEGIN IMMEDIATE`` already lets one writing transaction run at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(name.encode()))))


def referencing_tables(session: Session, record: Any) -> list[str]:
    """Names of the tables with a row that points at ``record`` through a foreign key.

    Walks the schema rather than a hand-written list, so a table added later is checked too.
    """
    table = inspect(record).mapper.local_table
    key = inspect(record).identity
    if key is None:
        return []
    found = []
    for other in table.metadata.sorted_tables:
        for foreign_key in other.foreign_keys:
            if foreign_key.column.table is not table:
                continue
            value = dict(zip(table.primary_key.columns, key, strict=True))[foreign_key.column]
            if session.scalar(select(exists().where(foreign_key.parent == value))):
                found.append(other.name)
                break
    return found


class local_date(FunctionElement):
    """The calendar date of a UTC timestamp in a zone: ``local_date(column, "Europe/Berlin")``.

    Monitoring counts calendar days in the configured zone while timestamps are stored in UTC.
    PostgreSQL converts natively; SQLite has no time zones, so each connection gets a small
    deterministic function that does the same with Python's zoneinfo.
    """

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    moment, zone = list(element.clauses)
    return (f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(moment, **kw)})"
            " AS DATE)")


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_LOCAL_DATE}({compiler.process(element.clauses, **kw)})"


class days_between(FunctionElement):
    """Whole days from the second date to the first: ``days_between(later, earlier)``."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)})"
            f" - julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


def _sqlite_local_date(moment: str | None, zone: str) -> str | None:
    """SQLite's side of :class:`local_date`: stored UTC text in, ISO date in the zone out."""
    if moment is None:
        return None
    utc = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return utc.astimezone(ZoneInfo(zone)).date().isoformat()
