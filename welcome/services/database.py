"""Database-wide settings that every connection needs."""

from typing import Any

from sqlalchemy import event, exists, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


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
