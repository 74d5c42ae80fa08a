"""Command-line tasks for IT: catalogues, demo data, user accounts, translations."""

import functools
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup
from flask_babel import force_locale

from welcome.config import TRANSLATIONS_DIR
from welcome.extensions import db
from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import Role
from welcome.services import audit, catalogues, demo, users
from welcome.services.errors import DomainError

welcome_cli = AppGroup("welcome", help="Welcome Center tasks.")
translate_cli = AppGroup("translate", help="Extract, update and compile the UI translations.")

ROOT = Path(__file__).resolve().parent.parent


def in_english(command: Callable[..., Any]) -> Callable[..., Any]:
    """The command line speaks English throughout, also in the messages services raise
    (which otherwise follow the web UI's German default)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with force_locale("en"):
            return command(*args, **kwargs)

    return run


@welcome_cli.command("seed-catalogues")
@in_english
def seed_catalogues_command() -> None:
    """Load fields of action, residence purposes, partner types, languages and reasons.

    Only missing entries are added; labels edited by staff stay as they are.
    """
    with audit.acting_as(None, "cli:seed-catalogues"):
        added = catalogues.seed_catalogues(db.session)
        db.session.commit()
    for table, count in added.items():
        click.echo(f"{table}: {count} added")


@welcome_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already holds data.")
@in_english
def seed_demo_command(if_empty: bool) -> None:
    """Fill an empty database with the fictional demo data set and one user per role.

    Only on a demo instance (WELCOME_DEMO=1, as `make run` sets it), and only when the database
    holds nothing but the catalogues: no accounts, no audit entries, no records of any kind.
    """
    if not demo.is_demo_instance():
        raise click.ClickException(
            "This is not a demo instance. Demo data is only added with WELCOME_DEMO=1."
        )
    if demo.holds_demo_data(db.session) or demo.holds_other_data(db.session):
        if if_empty:
            click.echo("The database already holds data; no demo data added.")
            return
        raise click.ClickException(
            "The database already holds data. Demo data is only added to an empty database."
        )
    with audit.acting_as(None, "cli:seed-demo"):
        summary = demo.seed_demo(db.session)
        db.session.commit()
    click.echo("Demo data created: " + ", ".join(f"{n} {k}" for k, n in summary.counts.items()))
    if summary.passwords:
        click.echo("")
        click.echo("Demo users (the passwords are shown only now; note them down):")
        for username, password in summary.passwords.items():
            role = users.find_user(db.session, username).role
            click.echo(f"  {username:<14} {password}   ({role.value})")
        click.echo("")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@welcome_cli.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", "display_name", help="Name shown in the app (default: the user name).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@in_english
def create_user_command(username: str, role: str, display_name: str | None,
                        password_stdin: bool) -> None:
    """Create a staff account."""
    password = _read_password(password_stdin)
    with audit.acting_as(None, "cli:create-user"):
        try:
            users.create_user(db.session, username, Role(role), password, display_name)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        db.session.commit()
    click.echo(f"User {username} ({role}) created.")


@welcome_cli.command("set-password")
@click.option("--username", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@in_english
def set_password_command(username: str, password_stdin: bool) -> None:
    """Give a user a new password (also lifts a lockout)."""
    user = users.find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"There is no user {username}.")
    password = _read_password(password_stdin)
    with audit.acting_as(None, "cli:set-password"):
        try:
            users.set_password(user, password)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        db.session.commit()
    click.echo(f"Password of {username} changed.")


@welcome_cli.command("deactivate-user")
@click.option("--username", required=True)
@in_english
def deactivate_user_command(username: str) -> None:
    """Stop a user from signing in and end their open sessions; their history stays."""
    user = users.find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"There is no user {username}.")
    with audit.acting_as(None, "cli:deactivate-user"):
        users.deactivate_user(user)
        db.session.commit()
    click.echo(f"User {username} deactivated.")


def _pybabel(*args: str) -> None:
    """Run pybabel with an argument list (no shell) from the repository root."""
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise click.ClickException(result.stderr.strip() or "pybabel failed")


def _extract() -> Path:
    pot = TRANSLATIONS_DIR / "messages.pot"
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location",
             "--sort-output", "-o", str(pot), "welcome", "admin_views")
    return pot


#: Markers of document texts: dt("…"), and the welcome folder's macros that print a text in
#: the person's language with German under it (both, both_p).
DOCUMENT_KEYWORDS = ("dt", "both", "both_p")


def _extract_documents() -> Path:
    """Document texts (consent form, welcome folder) are marked dt("…") and kept apart."""
    pot = TRANSLATIONS_DIR / "documents.pot"
    keywords = [arg for keyword in DOCUMENT_KEYWORDS for arg in ("-k", keyword)]
    _pybabel("extract", "-F", "babel.cfg", "--no-default-keywords", *keywords,
             "--no-location", "--sort-output", "-o", str(pot), "welcome")
    return pot


def _update_documents() -> list[str]:
    pot = _extract_documents()
    for language in DOCUMENT_LANGUAGES:
        catalogue = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "documents.po"
        command = "update" if catalogue.exists() else "init"
        _pybabel(command, "-D", "documents", "-i", str(pot), "-d", str(TRANSLATIONS_DIR),
                 "-l", language, *(["--no-fuzzy-matching"] if command == "update" else []))
    fill_source_language(TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "documents.po")
    missing = []
    for language in DOCUMENT_LANGUAGES:
        if language != "en":
            path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "documents.po"
            missing += [f"{language}: {msgid}" for msgid in untranslated(path)]
    return missing


@translate_cli.command("update")
def translate_update() -> None:
    """Extract the strings from the code and merge them into the de and en catalogues.

    The msgids are English, so the English catalogue is completed with them; German entries
    still to translate are listed.
    """
    pot = _extract()
    _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS_DIR), "--no-fuzzy-matching")
    fill_source_language(TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po")
    missing = untranslated(TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po")
    missing += _update_documents()
    click.echo(f"Catalogues updated in {TRANSLATIONS_DIR}; {len(missing)} entries to translate.")
    for msgid in missing:
        click.echo(f"  {msgid}")


def fill_source_language(po_path: Path) -> None:
    """Give every empty entry of the source-language catalogue its msgid as translation."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = message.id
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100)


def untranslated(po_path: Path) -> list[str]:
    """Entries of a catalogue that are empty or fuzzy."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    return [
        str(message.id) for message in catalog
        if message.id and (message.fuzzy or not all(
            message.string if isinstance(message.string, tuple) else [message.string]))
    ]


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile the catalogues to the .mo files the app reads."""
    for domain in ("messages", "admin", "documents"):
        _pybabel("compile", "-D", domain, "-d", str(TRANSLATIONS_DIR))
    click.echo("Catalogues compiled.")


@translate_cli.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start a catalogue for a new UI language."""
    pot = _extract()
    _pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS_DIR), "-l", language)
    click.echo(f"Catalogue for {language} created.")

