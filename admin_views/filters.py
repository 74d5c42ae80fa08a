"""List filters that Flask-Admin does not offer out of the box."""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateBetweenFilter
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from welcome.extensions import db

#: Seconds a filter's option list is reused before it is read from the database again.
OPTIONS_TTL = 60


class ExistsFilter(BaseSQLAFilter):
    """Rows that have at least one related row matching the chosen option.

    Filtering across a one-to-many relation by joining it would list a case once per matching
    need; an EXISTS subquery lists each case once and uses the foreign-key index.

    :param criteria: builds the WHERE clause of the subquery from the chosen value.
    """

    def __init__(self, column: Any, name: Any, options: Any,
                 criteria: Callable[[Any], Any]) -> None:
        super().__init__(column, name, options=options)
        self.criteria = criteria

    def validate(self, value: Any) -> bool:
        return str(value).isdecimal() and int(value) < 2**31

    def clean(self, value: Any) -> int:
        return int(value)

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        return query.filter(self.criteria(value).exists())

    def operation(self) -> Any:
        return _l("has")


class IdEqualFilter(BaseSQLAFilter):
    """Equality on a foreign key, with the options read from the database at request time."""

    def validate(self, value: Any) -> bool:
        return str(value).isdecimal() and int(value) < 2**31

    def clean(self, value: Any) -> int:
        return int(value)

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        return query.filter(self.get_column(alias) == value)

    def operation(self) -> Any:
        return _l("equals")


def catalogue_options(model: type) -> Callable[[], list[tuple[int, str]]]:
    """Filter options for a catalogue: every entry (also inactive ones, for old records)."""
    return choice_options(lambda: select(model).order_by(model.sort_order, model.id),
                          lambda row: row.label)


def choice_options(query: Callable[[], Any], label: Callable[[Any], str]) -> Callable[[], Any]:
    """Filter options from a query, read when a list is shown (never at start-up).

    Options change rarely and every list page shows them, so they are kept per process and
    language for OPTIONS_TTL seconds; a new partner appears in the filter within that time.
    """
    cache: dict[str, tuple[float, list[tuple[int, str]]]] = {}

    def options() -> list[tuple[int, str]]:
        if not has_request_context():
            return []
        locale = str(get_locale())
        cached = cache.get(locale)
        if cached is not None and monotonic() - cached[0] < OPTIONS_TTL:
            return cached[1]
        values = [(row.id, label(row)) for row in db.session.scalars(query())]
        cache[locale] = (monotonic(), values)
        return values

    return options


class DayRangeFilter(DateBetweenFilter):
    """Days in local time (Europe/Berlin) applied to a UTC timestamp column."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        start, end = value
        zone = ZoneInfo(current_app.config["WELCOME_TIMEZONE"])
        since = datetime.combine(start, time.min, zone)
        until = datetime.combine(end + timedelta(days=1), time.min, zone)
        column = self.get_column(alias)
        return query.filter(column >= since, column < until)
