"""Database-wide settings that every connection needs."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

#: Execution option of a transaction that will write: SQLite then takes the write lock as it
#: begins (BEGIN IMMEDIATE).
WRITE_LOCK = "welcome_sqlite_write_lock"


def configure_sqlite() -> None:
    """Make SQLite behave like PostgreSQL where the app relies on it (idempotent).

    Foreign keys and their ON DELETE rules are enforced, and transactions start with an
    explicit BEGIN, so savepoints and rollbacks work as SQLAlchemy documents for pysqlite
    (Python's sqlite3 module otherwise opens and commits transactions on its own). The
    write-ahead log lets requests that read (a folder being rendered, say) run while another
    request commits, instead of making it wait until "database is locked".
    """
    if not event.contains(Engine, "connect", _sqlite_on_connect):
        event.listen(Engine, "connect", _sqlite_on_connect)
        event.listen(Engine, "begin", _sqlite_on_begin)


def begin_writing(session: Session) -> None:
    """Begin the session's next transaction as one that writes.

    SQLite cannot let a transaction that began by reading write once another connection has
    written meanwhile; it fails at once with "database is locked". A transaction begun with
    BEGIN IMMEDIATE instead waits its turn (the busy timeout). PostgreSQL needs nothing.
    Call it before the transaction's first statement.
    """
    session.connection(execution_options={WRITE_LOCK: True})


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get(WRITE_LOCK)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
