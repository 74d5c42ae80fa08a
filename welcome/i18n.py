"""Languages of the staff UI: German by default, English on request; dates and names per locale."""

from datetime import date, datetime
from functools import cache

from babel import Locale
from flask import Flask, has_request_context, session
from flask_babel import Domain, force_locale, format_date, format_datetime, get_locale
from flask_login import current_user

from welcome.config import TRANSLATIONS_DIR
from welcome.extensions import babel

#: UI languages, German first (the default).
UI_LOCALES = ("de", "en")
#: Languages of the documents handed to people (consent form, welcome folder). German and
#: English are reviewed; the others are printed with a "not yet reviewed" note until a
#: reviewer sets the flag on the language in the catalogue.
DOCUMENT_LANGUAGES = ("de", "en", "tr", "ru", "uk", "ro", "ar")
#: Texts of those documents live in their own gettext domain, marked dt("…") in the code.
documents = Domain(translation_directories=str(TRANSLATIONS_DIR), domain="documents")


def document_text(language: str, message: str, /, **variables: object) -> str:
    """``message`` from the documents catalogue in ``language`` (German when unknown)."""
    with force_locale(language if language in DOCUMENT_LANGUAGES else "de"):
        return documents.gettext(message, **variables)


def dt(message: str) -> str:
    """Marks a document text for extraction; translate it later with :func:`document_text`."""
    return message
#: CLDR territory codes that are not countries a person can hold a passport of.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}


def select_locale() -> str:
    """The signed-in user's language, else the one chosen on the login page, else German."""
    if has_request_context():
        if current_user and current_user.is_authenticated:
            return str(current_user.locale)
        chosen = session.get("locale")
        if chosen in UI_LOCALES:
            return chosen
    return UI_LOCALES[0]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(country_name=country_name, get_locale=get_locale)
    app.jinja_env.filters.update(date=format_day, datetime=format_moment)


@cache
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).territories
    return tuple(
        sorted(
            ((code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()
             and code not in _NOT_COUNTRIES),
            key=lambda item: item[1],
        )
    )


def country_choices() -> list[tuple[str, str]]:
    """(ISO 3166 code, localised name) pairs, sorted by name in the UI language."""
    return list(_countries(_ui_language()))


def country_name(code: str | None) -> str:
    """The country's name in the UI language; the code itself when CLDR does not know it."""
    if not code:
        return ""
    return dict(_countries(_ui_language())).get(code.upper(), code)


def is_country_code(code: str) -> bool:
    return code.upper() in dict(_countries("en"))


def format_day(value: date | None) -> str:
    return format_date(value, "medium") if value else ""


def format_moment(value: datetime | None) -> str:
    return format_datetime(value, "short") if value else ""


def _ui_language() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else UI_LOCALES[0]
