"""The schema comes from the Alembic migrations only, and they match the models."""

import warnings

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
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the expression index on lower(username); PostgreSQL compares
        # it, and tests/test_users.py checks that both databases enforce it.
        warnings.filterwarnings("ignore",
                                message=".*expression-based index '?uq_users_username_lower")
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


def test_old_topic_lines_and_descriptions_become_topics_and_notes(database_url, tmp_path):
    """Migration 0012 turns the topic lines into rows with the catalogue's codes and splits
    descriptions the interview wrote ("topic, topic – note") into ticks and the note."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url) as app, app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="0007")
        now = "CURRENT_TIMESTAMP"
        db.session.execute(text(
            "INSERT INTO fields_of_action (id, code, label_de, label_en, active, sort_order, "
            f"topics_de, topics_en, created_at, updated_at) VALUES (1, 'housing', 'Wohnen', "
            "'Housing', TRUE, 1, 'Kaution\nMaklercourtage', 'Deposit\nBroker fees', "
            f"{now}, {now})"))
        db.session.execute(text(
            "INSERT INTO persons (id, given_name, family_name, version, created_at, updated_at) "
            f"VALUES (1, 'Amra', 'Hodžić', 1, {now}, {now})"))
        db.session.execute(text(
            "INSERT INTO cases (id, reference, main_person_id, status, source, opened_on, "
            f"version, created_at, updated_at) VALUES (1, 'WC-2026-0001', 1, 'new', 'self', "
            f"'2026-03-02', 1, {now}, {now})"))
        descriptions = ["Kaution, Maklercourtage – bis März – dringend", "Deposit",
                        "kein Kaution, lieber Miete", "Eine Notiz – mit Gedankenstrich"]
        for number, description in enumerate(descriptions, start=1):
            db.session.execute(text(
                "INSERT INTO needs (id, case_id, field_of_action_id, description, priority, "
                "status, identified_on, created_at, updated_at) VALUES (:id, 1, 1, :d, 'medium', "
                f"'identified', '2026-03-02', {now}, {now})"), {"id": number, "d": description})
        db.session.commit()
        db.session.remove()
        upgrade(directory=str(MIGRATIONS_DIR))
        topics = db.session.execute(text(
            "SELECT code, label_de, label_en FROM field_topics ORDER BY sort_order")).all()
        assert topics == [("housing.deposit", "Kaution", "Deposit"),
                          ("housing.broker_fees", "Maklercourtage", "Broker fees")]
        rows = db.session.execute(text(
            "SELECT n.id, n.description, n.version, t.code FROM needs n LEFT JOIN need_topics nt "
            "ON nt.need_id = n.id LEFT JOIN field_topics t ON t.id = nt.topic_id "
            "ORDER BY n.id, t.sort_order")).all()
        assert rows == [
            (1, "bis März – dringend", 1, "housing.deposit"),
            (1, "bis März – dringend", 1, "housing.broker_fees"),
            (2, None, 1, "housing.deposit"),
            (3, "kein Kaution, lieber Miete", 1, None),
            (4, "Eine Notiz – mit Gedankenstrich", 1, None),
        ]
        db.session.remove()
        downgrade(directory=str(MIGRATIONS_DIR), revision="0007")
        assert db.session.execute(text(
            "SELECT description FROM needs ORDER BY id")).scalars().all() == [
            "Kaution, Maklercourtage – bis März – dringend", "Kaution",
            "kein Kaution, lieber Miete", "Eine Notiz – mit Gedankenstrich"]
        assert db.session.execute(text("SELECT topics_en FROM fields_of_action")).scalar() == \
            "Deposit\nBroker fees"
        db.session.remove()
