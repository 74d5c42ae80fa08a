"""Fixtures in the style of Flask's tutorial and Indico.

Every test module runs once on SQLite and, when WELCOME_TEST_DATABASE_URL points at a
PostgreSQL server, once more on PostgreSQL. Each run creates its own database (a file, or a
database with a random name that is dropped afterwards), builds the schema with the Alembic
migrations and loads the catalogues. Each test then runs inside a transaction that is rolled
back, so no test sees another's data.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from tests.helpers import CsrfClient
from welcome import MIGRATIONS_DIR, create_app
from welcome.extensions import db as _db
from welcome.services import catalogues

POSTGRES_URL = os.environ.get("WELCOME_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
#: Statements the test transaction itself issues; production runs without them.
TRANSACTION_NOISE = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """A new, empty database of ``kind``; dropped again afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'welcome-{uuid.uuid4().hex}.db'}"
        return
    server = make_url(POSTGRES_URL)
    name = f"welcome_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_app(database_url: str, **overrides: object):
    config = {
        "TESTING": True,
        "WELCOME_DATABASE_URL": database_url,
        "WELCOME_SECRET_KEY": "test-secret-key-not-for-production",
        "FLASK_ADMIN_RAISE_ON_VIEW_EXCEPTION": True,
        "WELCOME_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    config.update(overrides)
    return create_app(config)


@contextmanager
def separate_app(database_url: str, **overrides: object):
    """An app of its own (other settings than the shared one); its connections are closed after."""
    application = build_app(database_url, **overrides)
    try:
        yield application
    finally:
        with application.app_context():
            _db.engine.dispose()


def prepare_schema(app) -> None:
    """Build the schema the only way production does: with the migrations."""
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        catalogues.seed_catalogues(_db.session)
        _db.session.commit()
        _db.session.remove()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    """One application per database for the whole run; tests roll their changes back."""
    application = build_app(database_url)
    prepare_schema(application)
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def engine(app):
    with app.app_context():
        return _db.engine


@pytest.fixture
def db(app, engine, monkeypatch):
    """The database session, inside a transaction that is rolled back after the test.

    Views commit as usual; their commits only release a savepoint of the outer transaction.
    """
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
    session = scoped_session(factory)
    monkeypatch.setattr(_db, "session", session)
    try:
        yield _db
    finally:
        session.remove()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app, db) -> CsrfClient:
    app.test_client_class = CsrfClient
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def app_context(app, db):
    """For tests that call services which render templates or read the config."""
    with app.test_request_context():
        yield


@pytest.fixture
def count_queries(engine):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            if not statement.lstrip().upper().startswith(TRANSACTION_NOISE):
                statements.append(statement)

        event.listen(engine, "after_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "after_cursor_execute", record)

    return counter


# --- browser tests ------------------------------------------------------------------------------

BROWSER_TESTS = os.environ.get("WELCOME_BROWSER_TESTS") == "1"
CHROMIUM = os.environ.get("WELCOME_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    """Browser tests run when WELCOME_BROWSER_TESTS=1 (as in .ci/run); they need Chromium."""
    if BROWSER_TESTS:
        return
    deselected = [item for item in items if item.get_closest_marker("browser")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with demo data and a user per role, on a database file of its own.

    Browser tests check what they entered by reading this app's database afterwards.
    """
    from tests.helpers import PASSWORD
    from welcome.models import Role
    from welcome.services import audit, demo, users

    with fresh_database("sqlite", tmp_path_factory.mktemp("live")) as url:
        application = build_app(url, WELCOME_DEMO=True)
        prepare_schema(application)
        with application.app_context(), audit.acting_as(None, "tests"):
            demo.seed_demo(_db.session)
            for role in Role:
                users.create_user(_db.session, f"test-{role.value}", role, PASSWORD,
                                  f"Test {role.label}")
            _db.session.commit()
            _db.session.remove()
        try:
            yield application
        finally:
            with application.app_context():
                _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """``live_app`` served on a free local port by a real HTTP server."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; console errors (a CSP violation, say) fail the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:
        # A page answered 4xx on purpose shows up as "Failed to load resource"; assets are
        # checked through their responses below instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    tab.on("console", on_console)
    tab.on("response", on_response)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()
    assert errors == [], errors
