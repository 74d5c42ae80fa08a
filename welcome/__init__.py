"""welcome: case management for a municipal Welcome Center."""

import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from welcome.config import DEMO_NEIGHBOURING_DISTRICTS, DefaultConfig, environment_overrides

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Shortest WELCOME_SECRET_KEY accepted outside demo and test instances.
MIN_SECRET_KEY_LENGTH = 32


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build one application, with its own admin and views, so tests can build many.

    :param config: settings that override everything else (tests pass the database URL here).
    :raises RuntimeError: outside a demo instance when no secret key is configured.
    """
    app = Flask(__name__, instance_relative_config=True)
    init_config(app, config)
    init_proxy(app)
    init_request_guards(app)
    init_extensions(app)
    init_i18n(app)
    init_auth(app)
    init_admin_site(app)
    init_errors(app)
    init_security_headers(app)
    init_cli(app)
    return app


def init_config(app: Flask, config: dict[str, Any] | None) -> None:
    app.config.from_object(DefaultConfig)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_overrides(app.config))
    app.config.update(config or {})

    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["WELCOME_DATABASE_URL"] or (
        f"sqlite:///{Path(app.instance_path) / 'welcome.db'}"
    )
    app.config["SECRET_KEY"] = _secret_key(app)
    app.config["SESSION_COOKIE_SECURE"] = app.config["WELCOME_HTTPS"]
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["WELCOME_HTTPS"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["WELCOME_TIMEZONE"]
    app.config["RATELIMIT_STORAGE_URI"] = app.config["WELCOME_RATELIMIT_STORAGE_URI"]
    if app.config["WELCOME_DEMO"] and not app.config["WELCOME_NEIGHBOURING_DISTRICTS"]:
        app.config["WELCOME_NEIGHBOURING_DISTRICTS"] = DEMO_NEIGHBOURING_DISTRICTS
    app.debug = bool(app.config["WELCOME_DEBUG"])
    _check_logo(app)


def _check_logo(app: Flask) -> None:
    """A configured logo that cannot be printed stops start-up instead of a print run."""
    from welcome.pdf import logo_file

    logo_file(app.config["WELCOME_LOGO_FILE"])


def _secret_key(app: Flask) -> str:
    """The configured key; a demo or test instance keeps a generated one in instance/.

    :raises RuntimeError: outside a demo or test instance, when the key is missing or shorter
        than MIN_SECRET_KEY_LENGTH (a short key can be guessed, and with it every session).
    """
    key = app.config["WELCOME_SECRET_KEY"]
    relaxed = app.config["WELCOME_DEMO"] or app.config.get("TESTING")
    if key and (relaxed or len(key) >= MIN_SECRET_KEY_LENGTH):
        return key
    if key:
        raise RuntimeError(
            f"WELCOME_SECRET_KEY is too short: use at least {MIN_SECRET_KEY_LENGTH} random "
            "characters (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    return _demo_secret_key(app)


def _demo_secret_key(app: Flask) -> str:
    """A demo or test instance keeps a generated key in instance/; production must set one."""
    if not (app.config["WELCOME_DEMO"] or app.config.get("TESTING")):
        raise RuntimeError(
            "WELCOME_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set WELCOME_DEMO=1 for a demo instance with fictional data."
        )
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def init_proxy(app: Flask) -> None:
    """Behind WELCOME_PROXY_COUNT reverse proxies, read the client's address and scheme from
    the headers they add (X-Forwarded-For, X-Forwarded-Proto), so that sign-in limits count
    per workstation rather than for the whole office behind the proxy.

    :raises RuntimeError: when the setting is negative.
    """
    count = app.config["WELCOME_PROXY_COUNT"]
    if count < 0:
        raise RuntimeError("WELCOME_PROXY_COUNT is the number of proxies in front (0 or more).")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def init_request_guards(app: Flask) -> None:
    from welcome import security

    security.init_guards(app)


def init_extensions(app: Flask) -> None:
    from welcome.extensions import csrf, db, limiter, migrate
    from welcome.services import audit, cases, consents, database, evidence, referrals

    database.configure_sqlite()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    audit.install()
    cases.install()
    consents.install()
    evidence.install()
    referrals.install()


def init_i18n(app: Flask) -> None:
    from welcome import i18n

    i18n.init_app(app)


def init_auth(app: Flask) -> None:
    from welcome import auth, partner_feedback

    auth.init_app(app)
    partner_feedback.init_app(app)


def init_admin_site(app: Flask) -> None:
    from admin_views import init_admin

    init_admin(app)


def init_errors(app: Flask) -> None:
    from welcome import errors

    errors.init_app(app)


def init_security_headers(app: Flask) -> None:
    from welcome import security

    security.init_app(app)


def init_cli(app: Flask) -> None:
    from welcome.cli import translate_cli, welcome_cli

    app.cli.add_command(welcome_cli)
    app.cli.add_command(translate_cli)
