"""Consultations: when they were held and when to follow up."""

from welcome.models import Consultation
from welcome.services.dates import FOLLOW_UP_AHEAD, check_day


def check_consultation(consultation: Consultation) -> None:
    """The rules a consultation must satisfy before it is saved, whatever screen changed it.

    :raises DomainError: naming the field that breaks a rule.
    """
    check_day(consultation.held_on, "held_on")
    check_day(consultation.follow_up_on, "follow_up_on", ahead=FOLLOW_UP_AHEAD)
