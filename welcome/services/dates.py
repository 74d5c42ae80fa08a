"""Plausible dates: casework happens in this century and not far in the future.

A date picker accepts 01.01.0001 as readily as a typo like 2062 for 2026. Such a date breaks
what is derived from it (a case opened in year 1 would get the reference WC-0001-0001, monitoring
would count it in the wrong year), so every service check runs its dates through
:func:`check_day`.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import format_date
from flask_babel import gettext as _

from welcome.services.errors import DomainError

#: No casework record dates from before the center's software existed.
EARLIEST = date(2000, 1, 1)
#: How far ahead a date may lie, by what it means.
NOT_AHEAD = 0
PLANNED_AHEAD = 366
FOLLOW_UP_AHEAD = 2 * 366
VALIDITY_AHEAD = 10 * 366


def local_today() -> date:
    """Today where the center is (Europe/Berlin by default), not where the server runs."""
    zone = current_app.config["WELCOME_TIMEZONE"] if has_app_context() else "Europe/Berlin"
    return datetime.now(ZoneInfo(zone)).date()


def check_day(value: date | None, field: str, *, ahead: int = NOT_AHEAD,
              earliest: date = EARLIEST) -> None:
    """Refuse a date before ``earliest`` or more than ``ahead`` days after today.

    :param field: the form field the message belongs to.
    :raises DomainError: naming ``field``; nothing to do for an empty date.
    """
    if value is None:
        return
    if value < earliest:
        raise DomainError(_("Enter a date from %(day)s onwards.", day=format_date(earliest)),
                          field)
    latest = local_today().toordinal() + ahead
    if value.toordinal() > latest:
        if ahead == NOT_AHEAD:
            raise DomainError(_("The date lies in the future."), field)
        raise DomainError(_("The date lies too far in the future (at most %(day)s).",
                            day=format_date(date.fromordinal(latest))), field)
