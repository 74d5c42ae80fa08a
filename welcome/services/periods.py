"""Reporting periods: calendar months, quarters and years, or a custom range of days.

Periods are calendar periods in the configured time zone (``WELCOME_TIMEZONE``). Dates such as
the day a case was opened are already local; timestamps are stored in UTC, so a period also
knows the UTC instants it starts and ends at (a handover at 23:30 UTC on 31 December is on
1 January in Berlin).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from welcome.models import LabelledEnum
from welcome.services.errors import DomainError

#: The first year monitoring can be asked for; nothing older is in any center's records.
FIRST_YEAR = 2000
#: The longest custom period, in days (five years), so one page never scans decades.
MAX_CUSTOM_DAYS = 5 * 366


class PeriodKind(LabelledEnum):
    MONTH = "month", _l("Month")
    QUARTER = "quarter", _l("Quarter")
    YEAR = "year", _l("Year")
    CUSTOM = "custom", _l("Custom period")


class PeriodError(DomainError):
    """The period asked for in the URL cannot be used; the message says what to change."""

    status_code = 400


def month_start(day: date, months: int = 0) -> date:
    """The first day of the month ``months`` after (or before, if negative) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return month_start(day, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A range of calendar days, both ends included."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def month_aligned(self) -> bool:
        """Whether the period is made of whole calendar months."""
        return self.start.day == 1 and self.end == month_end(self.end)

    @property
    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def shifted(self, steps: int) -> "Period":
        """The period of the same kind and length ``steps`` periods later (earlier if < 0).

        Custom periods of whole months move by whole months, others by days, so a period and
        the one before it never overlap and never leave a gap.
        """
        if self.kind is PeriodKind.CUSTOM and not self.month_aligned:
            offset = timedelta(days=self.days * steps)
            return Period(self.kind, self.start + offset, self.end + offset)
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3,
                  PeriodKind.YEAR: 12}.get(self.kind, self.month_count) * steps
        start = month_start(self.start, months)
        return Period(self.kind, start, month_end(month_start(self.end, months)))

    def previous(self) -> "Period":
        return self.shifted(-1)

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches."""
        return [month_start(self.start, offset) for offset in range(self.month_count)]

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC instants of local midnight at the start and after the end of the period."""
        begin = datetime.combine(self.start, time.min, zone).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time.min, zone).astimezone(UTC)
        return begin, after

    def label(self) -> str:
        """How the period reads in the UI language: "Q3 2026", "March 2026", "2026", …"""
        if self.kind is PeriodKind.MONTH:
            return format_date(self.start, "LLLL y")
        if self.kind is PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d", quarter=(self.start.month - 1) // 3 + 1,
                     year=self.start.year)
        if self.kind is PeriodKind.YEAR:
            return str(self.start.year)
        return f"{format_date(self.start, 'medium')} – {format_date(self.end, 'medium')}"

    def query_args(self) -> dict[str, str]:
        """The URL arguments that ask for this period again."""
        if self.kind is PeriodKind.CUSTOM:
            return {"period": self.kind.value, "start": self.start.isoformat(),
                    "end": self.end.isoformat()}
        args = {"period": self.kind.value, "year": str(self.start.year)}
        if self.kind is PeriodKind.MONTH:
            args["month"] = str(self.start.month)
        if self.kind is PeriodKind.QUARTER:
            args["quarter"] = str((self.start.month - 1) // 3 + 1)
        return args


def _number(args: Mapping[str, str], name: str, default: int, low: int, high: int,
            message: Callable[[], str]) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise PeriodError(message(), name)
    return int(raw)


def _day(args: Mapping[str, str], name: str, today: date) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        raise PeriodError(_("Enter the first and the last day of the custom period."), name)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(_("Enter a valid date."), name) from None
    if not FIRST_YEAR <= day.year <= today.year + 1:
        raise PeriodError(_("Choose a day in the years %(first)d to %(last)d.",
                            first=FIRST_YEAR, last=today.year + 1), name)
    return day


def period_from_args(args: Mapping[str, str], today: date, whole_months: bool = False) -> Period:
    """The period a monitoring URL asks for; by default the current calendar year.

    :param whole_months: widen a custom period to whole calendar months (the board's view,
        so that two overlapping periods never differ by a few days' worth of people).
    :raises PeriodError: naming the argument that cannot be used, with a message saying why.
    """
    raw_kind = (args.get("period") or PeriodKind.YEAR.value).strip()
    if raw_kind not in {kind.value for kind in PeriodKind}:
        raise PeriodError(_("Choose a month, a quarter, a year or a custom period."), "period")
    kind = PeriodKind(raw_kind)
    if kind is PeriodKind.CUSTOM:
        start, end = _day(args, "start", today), _day(args, "end", today)
        if end < start:
            raise PeriodError(_("The period must end on or after the day it starts."), "end")
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise PeriodError(_("A custom period can be at most five years long."), "end")
        if whole_months:
            start, end = month_start(start), month_end(end)
        return Period(kind, start, end)
    year = _number(args, "year", today.year, FIRST_YEAR, today.year + 1,
                   lambda: _("Choose a year between %(first)d and %(last)d.", first=FIRST_YEAR,
                             last=today.year + 1))
    if kind is PeriodKind.YEAR:
        return Period(kind, date(year, 1, 1), date(year, 12, 31))
    if kind is PeriodKind.QUARTER:
        quarter = _number(args, "quarter", (today.month - 1) // 3 + 1, 1, 4,
                          lambda: _("Choose a quarter from 1 to 4."))
        start = date(year, 3 * quarter - 2, 1)
        return Period(kind, start, month_end(month_start(start, 2)))
    month = _number(args, "month", today.month, 1, 12, lambda: _("Choose a month from 1 to 12."))
    start = date(year, month, 1)
    return Period(kind, start, month_end(start))
