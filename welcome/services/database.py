"""Database-wide settings that every connection needs."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

#: Milliseconds a SQLite connection waits for another one's transaction before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000


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


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
