"""Database-wide settings that every connection needs."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def configure_sqlite() -> None:
    """Make SQLite behave like PostgreSQL where the app relies on it (idempotent).

    Foreign keys and their ON DELETE rules are enforced, and transactions start with an
    explicit BEGIN, so savepoints and rollbacks work as SQLAlchemy documents for pysqlite
    (Python's sqlite3 module otherwise opens and commits transactions on its own).
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
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
