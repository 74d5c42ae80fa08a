"""The schema comes from the Alembic migrations only, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import fresh_database, separate_app
from welcome import MIGRATIONS_DIR
from welcome.extensions import db


def test_models_and_migrations_agree(app, engine):
    """Would `flask db migrate` find anything to do? Then a migration is missing."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_builds_every_table_and_downgrade_removes_them(database_url, tmp_path):
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url) as app, app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(directory=str(MIGRATIONS_DIR), revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
