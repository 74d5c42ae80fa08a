"""Database-wide settings that every connection needs."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def enable_sqlite_foreign_keys() -> None:
    """Make SQLite enforce foreign keys and ON DELETE rules, as PostgreSQL always does."""
    if not event.contains(Engine, "connect", _sqlite_on_connect):
        event.listen(Engine, "connect", _sqlite_on_connect)


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
