"""Persons: plausibility of what is recorded about them."""

from datetime import date

from flask_babel import gettext as _

from welcome.i18n import is_country_code
from welcome.models import Person
from welcome.services.dates import PLANNED_AHEAD, check_day
from welcome.services.errors import DomainError

#: Oldest age the app accepts as plausible.
MAX_AGE_YEARS = 120
#: People who arrived long ago come too (a second move, a family reunion much later).
EARLIEST_ARRIVAL = date(1900, 1, 1)


def check_birth_date(born: date | None, field: str = "date_of_birth") -> None:
    """:raises DomainError: for a birth date in the future or more than 120 years ago."""
    if born is None:
        return
    today = date.today()
    if born > today:
        raise DomainError(_("The date of birth lies in the future."), field)
    if today.year - born.year > MAX_AGE_YEARS:
        raise DomainError(_("The date of birth is more than %(n)d years ago.", n=MAX_AGE_YEARS),
                          field)


def check_person(person: Person) -> None:
    """The rules a person record must satisfy before it is saved, whatever screen changed it.

    :raises DomainError: naming the field that breaks a rule.
    """
    check_birth_date(person.date_of_birth)
    check_day(person.arrival_date, "arrival_date", ahead=PLANNED_AHEAD, earliest=EARLIEST_ARRIVAL)
    if person.arrival_date and person.date_of_birth and person.arrival_date < person.date_of_birth:
        raise DomainError(_("The arrival cannot be before the date of birth."), "arrival_date")
    if person.nationality and not is_country_code(person.nationality):
        raise DomainError(_("Choose a country from the list."), "nationality")
