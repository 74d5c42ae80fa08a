"""Languages of the staff UI: German by default, English on request; dates and names per locale."""

from datetime import date, datetime
from functools import cache
from typing import Any

from babel import Locale, dates
from flask import Flask, has_request_context, session
from flask_babel import Domain, force_locale, get_locale, to_user_timezone
from flask_babel import gettext as _
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
    app.jinja_env.globals.update(country_name=country_name, get_locale=get_locale,
                                 widget_texts=widget_texts)
    app.jinja_env.filters.update(date=format_day, datetime=format_moment)


def widget_texts() -> dict[str, Any]:
    """Texts of Flask-Admin's script widgets (Select2 lookups, the date-range picker of list
    filters), which ship in English only; the base template hands them to welcome.js.

    Day and month names and the first day of the week come from CLDR for the UI language.
    """
    locale = Locale.parse(_ui_language())
    days = locale.days["stand-alone"]["abbreviated"]
    months = locale.months["stand-alone"]["abbreviated"]
    return {
        "select2": {
            "noMatches": _("No matches found"),
            "searching": _("Searching …"),
            "loadMore": _("Loading more results …"),
            "ajaxError": _("The list could not be loaded. Please try again."),
            "inputTooShort": _("Please type {n} more character(s)"),
            "inputTooLong": _("Please delete {n} character(s)"),
            "selectionTooBig": _("You can choose at most {n} entries"),
            "matches": _("{n} results; choose one with the arrow keys"),
        },
        "dates": {
            "applyLabel": _("Apply"),
            "cancelLabel": _("Cancel"),
            "fromLabel": _("From"),
            "toLabel": _("To"),
            "weekLabel": _("Wk"),
            "customRangeLabel": _("Custom range"),
            # The picker counts days from Sunday (0); CLDR counts from Monday (0).
            "daysOfWeek": [days[(index + 6) % 7] for index in range(7)],
            "monthNames": [months[month] for month in range(1, 13)],
            "firstDay": (locale.first_week_day + 1) % 7,
        },
    }


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


#: How each UI language writes dates and times. English in a German office is written the
#: British way, day before month, like the DD.MM.YYYY the forms ask for ("15 Oct 1984").
DATE_LOCALES = {"de": "de_DE", "en": "en_GB"}


def format_day(value: date | None) -> str:
    """A date as the UI language writes it ("15.10.1984", "15 Oct 1984"); German outside a
    request, so models can use it in ``__str__`` anywhere."""
    if not value:
        return ""
    return dates.format_date(value, "medium", locale=DATE_LOCALES[_ui_language()])


def format_moment(value: datetime | None) -> str:
    """A stored (UTC) time in the center's time zone: "01.12.26, 22:36", "01/12/2026, 22:36"."""
    if not value:
        return ""
    return dates.format_datetime(to_user_timezone(value), "short",
                                 locale=DATE_LOCALES[_ui_language()])


def _ui_language() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else UI_LOCALES[0]
