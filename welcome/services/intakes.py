"""Intakes: what registration-office clerks pass to the center."""

from flask_babel import gettext as _

from welcome.models import Intake
from welcome.services.errors import DomainError
from welcome.services.persons import check_birth_date

MAX_HOUSEHOLD = 30


def check_intake(intake: Intake) -> None:
    """The rules an intake must satisfy before it is saved, whatever screen changed it.

    :raises DomainError: naming the field that breaks a rule.
    """
    if not intake.consent_to_contact:
        raise DomainError(
            _("Without the person's agreement to be contacted nothing may be stored. "
              "Please hand over the Welcome Center's flyer instead."),
            "consent_to_contact",
        )
    if not intake.phone and not intake.email:
        raise DomainError(_("Enter a phone number or an e-mail address."), "phone")
    if intake.household_size is None or not 1 <= intake.household_size <= MAX_HOUSEHOLD:
        raise DomainError(
            _("The household size must be between 1 and %(n)d.", n=MAX_HOUSEHOLD),
            "household_size",
        )
    check_birth_date(intake.date_of_birth)
