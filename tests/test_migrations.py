"""The schema comes from the Alembic migrations only, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import fresh_database, separate_app
from welcome import MIGRATIONS_DIR
from welcome.extensions import db
from welcome.models.base import schema_filter


def test_models_and_migrations_agree(app, engine):
    """Would `flask db migrate` find anything to do? Then a migration is missing."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": schema_filter(connection.dialect.name)})
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


def test_upgrade_keeps_the_data_of_a_database_in_use(database_url, tmp_path):
    """Later migrations run on databases full of data (SQLite copies tables to alter them)."""
    from welcome.services import audit, catalogues, demo

    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url, WELCOME_DEMO=True) as app, \
            app.app_context():
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        script = ScriptDirectory.from_config(config)
        revisions = [rev.revision for rev in reversed(list(script.walk_revisions()))]
        upgrade(directory=str(MIGRATIONS_DIR), revision=revisions[0])
        db.session.execute(text(
            "INSERT INTO languages (code, label_de, label_en, active, sort_order, right_to_left, "
            "created_at, updated_at) VALUES ('de', 'Deutsch', 'German', TRUE, 1, FALSE, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.execute(text(
            "INSERT INTO persons (given_name, family_name, preferred_language_id, version, "
            "created_at, updated_at) VALUES ('Amra', 'Hodžić', 1, 1, CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"))
        db.session.commit()
        db.session.remove()
        upgrade(directory=str(MIGRATIONS_DIR))
        assert db.session.execute(text(
            "SELECT p.family_name, l.code FROM persons p JOIN languages l "
            "ON l.id = p.preferred_language_id")).all() == [("Hodžić", "de")]
        with audit.acting_as(None, "test"):
            catalogues.seed_catalogues(db.session)
            db.session.execute(text("DELETE FROM persons"))
            demo.seed_demo(db.session)
        db.session.rollback()
        db.session.remove()
