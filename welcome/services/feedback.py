"""Feedback links: a partner reports back on one referral without an account.

The link carries a random token; only its hash is stored. A link belongs to one referral,
expires after WELCOME_FEEDBACK_LINK_DAYS, can be revoked, and answers once.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from welcome.models import FeedbackLink, Reason, Referral, ReferralStatus, User
from welcome.models.types import utcnow
from welcome.services import referrals
from welcome.services.errors import DomainError

#: Statuses in which a partner can still report something.
OPEN_FOR_FEEDBACK = (ReferralStatus.HANDED_OVER, ReferralStatus.APPOINTMENT_MADE)


class PartnerAnswer(StrEnum):
    APPOINTMENT = "appointment"
    COMPLETED = "completed"
    NOT_HELPED = "not_helped"


class LinkUnusable(DomainError):
    """The link is unknown, expired, revoked or already used."""

    status_code = 410


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(session: Session, referral: Referral, by: User | None = None) -> str:
    """A new feedback link for ``referral``; older links of the referral are revoked.

    :return: the token (shown once; only its hash is kept).
    """
    now = utcnow()
    for link in referral.feedback_links:
        if link.revoked_at is None and link.used_at is None:
            link.revoked_at = now
    token = secrets.token_urlsafe(32)
    days = current_app.config["WELCOME_FEEDBACK_LINK_DAYS"]
    session.add(FeedbackLink(referral=referral, token_hash=hash_token(token), created_by=by,
                             created_at=now, expires_at=now + timedelta(days=days)))
    session.flush()
    return token


def revoke_link(link: FeedbackLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()


def usable_link(session: Session, token: str, now: datetime | None = None) -> FeedbackLink:
    """The link for ``token`` if a partner may still answer through it.

    :raises LinkUnusable: with a message for the partner saying why not.
    """
    now = now or utcnow()
    link = None
    if 20 <= len(token) <= 100:
        link = session.scalar(select(FeedbackLink).where(
            FeedbackLink.token_hash == hash_token(token)))
    if link is None:
        raise LinkUnusable(_("This feedback link is not valid. Please check that you copied "
                             "the whole link, or ask the Welcome Center for a new one."))
    if link.revoked_at is not None:
        raise LinkUnusable(_("This feedback link was withdrawn by the Welcome Center."))
    if link.used_at is not None:
        raise LinkUnusable(_("Feedback was already given through this link. Thank you! For "
                             "anything else, please contact the Welcome Center."))
    if link.expires_at <= now:
        raise LinkUnusable(_("This feedback link has expired. Please contact the Welcome "
                             "Center."))
    if link.referral.status not in OPEN_FOR_FEEDBACK:
        raise LinkUnusable(_("This referral needs no more feedback. Thank you!"))
    return link


def record_answer(
    link: FeedbackLink,
    answer: PartnerAnswer,
    on: date | None = None,
    reason: Reason | None = None,
    note: str | None = None,
) -> None:
    """Apply the partner's answer to the referral and close the link.

    :raises DomainError: when the answer is incomplete (a date for an appointment, a reason
        when the partner could not help) or the state machine does not allow it.
    """
    referral = link.referral
    answer = PartnerAnswer(answer)
    if answer is PartnerAnswer.APPOINTMENT:
        if on is None:
            raise DomainError(_("Please give the date of the appointment."), "day")
        if referral.status != ReferralStatus.APPOINTMENT_MADE:
            referrals.record_outcome(referral, ReferralStatus.APPOINTMENT_MADE, on=on)
        referral.appointment_on = on
        summary = _("Appointment made for %(day)s.", day=on.isoformat())
    elif answer is PartnerAnswer.COMPLETED:
        referrals.record_outcome(referral, ReferralStatus.COMPLETED, on=on or date.today())
        summary = _("Completed.")
    else:
        if reason is None:
            raise DomainError(_("Please choose why you could not help."), "reason")
        referrals.record_outcome(referral, ReferralStatus.FAILED, on=on or date.today(),
                                 reason=reason)
        summary = _("Could not help: %(reason)s.", reason=reason.label)
    if note:
        summary += " " + note.strip()
    referral.partner_feedback = summary
    referral.partner_feedback_at = utcnow()
    link.used_at = utcnow()
