"""Feedback links: a partner reports back on one referral without an account.

The link carries a random token; only its hash is stored, and the handover text kept with the
referral shows the link with the token masked, so nobody who reads the database or the
referral page can answer on the partner's behalf. A link belongs to one referral, expires
after WELCOME_FEEDBACK_LINK_DAYS, can be revoked, and answers once. Information-only
referrals get no link: the partner knows nothing of them.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from welcome.models import (
    DataCategory,
    FeedbackLink,
    HandoverChannel,
    PartnerAnswer,
    Reason,
    Referral,
    ReferralStatus,
    User,
)
from welcome.models.types import utcnow
from welcome.services import referrals
from welcome.services.errors import DomainError

#: Statuses in which a partner can still report something.
OPEN_FOR_FEEDBACK = (ReferralStatus.HANDED_OVER, ReferralStatus.APPOINTMENT_MADE)


class LinkUnusable(DomainError):
    """The link is unknown, expired, revoked or already used."""

    status_code = 410


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_url(token: str) -> str:
    """The address a partner opens, on WELCOME_BASE_URL when set (the address partners use)."""
    base = current_app.config["WELCOME_BASE_URL"].rstrip("/")
    if base:
        return base + url_for("feedback.answer", token=token)
    return url_for("feedback.answer", token=token, _external=True)


def create_link(session: Session, referral: Referral, by: User | None = None,
                channel: HandoverChannel | None = None) -> str:
    """A new feedback link for ``referral``; older links of the referral are revoked.

    :param channel: for the text of a handover about to be made: the channel it will use.
        Without it the link is for a referral handed over already.
    :return: the token (shown once; only its hash is kept).
    :raises DomainError: for an information-only referral, which passes nothing to the partner,
        and for a referral that needs no more feedback.
    """
    allowed = OPEN_FOR_FEEDBACK if channel is None else (ReferralStatus.PLANNED,)
    channel = HandoverChannel(channel or referral.channel)
    if channel is HandoverChannel.INFORMATION_ONLY:
        raise DomainError(_("Information-only referrals pass nothing to the partner, so the "
                            "partner cannot report back on them."), "with_link")
    if referral.status not in allowed:
        raise DomainError(_("Feedback links are for referrals that were handed over and are "
                            "still open."), "with_link")
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


def first_name_for_partner(referral: Referral) -> str | None:
    """The one personal detail the feedback page shows: the first name of the person handed
    over, and only when the name was passed to the partner in the first place."""
    if DataCategory.NAME not in referral.passed_categories:
        return None
    return referrals.consenting_person(referral).given_name


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
    referral = link.referral
    if referral.status not in OPEN_FOR_FEEDBACK \
            or referral.channel is HandoverChannel.INFORMATION_ONLY:
        raise LinkUnusable(_("This referral needs no more feedback. Thank you!"))
    return link


def record_answer(
    link: FeedbackLink,
    answer: PartnerAnswer,
    on: date | None = None,
    reason: Reason | None = None,
    note: str | None = None,
) -> None:
    """Apply the partner's answer to the referral, keep it as given, and close the link.

    :raises DomainError: when the answer is incomplete (a date for an appointment, a reason
        when the partner could not help), the date is implausible, or the state machine does
        not allow it.
    """
    referral = link.referral
    answer = PartnerAnswer(answer)
    if answer is PartnerAnswer.APPOINTMENT:
        if on is None:
            raise DomainError(_("Please give the date of the appointment."), "day")
        if referral.status != ReferralStatus.APPOINTMENT_MADE:
            referrals.record_outcome(referral, ReferralStatus.APPOINTMENT_MADE, on=on)
        else:
            referrals.check_outcome_day(referral, ReferralStatus.APPOINTMENT_MADE, on)
        referral.appointment_on = on
    elif answer is PartnerAnswer.COMPLETED:
        on = None
        referrals.record_outcome(referral, ReferralStatus.COMPLETED, on=date.today())
    else:
        if reason is None:
            raise DomainError(_("Please choose why you could not help."), "reason")
        on = None
        referrals.record_outcome(referral, ReferralStatus.FAILED, on=date.today(),
                                 reason=reason)
    referral.partner_answer = answer
    referral.partner_answer_on = on
    referral.partner_answer_reason = reason if answer is PartnerAnswer.NOT_HELPED else None
    referral.partner_note = note.strip() if note and note.strip() else None
    referral.partner_feedback_at = utcnow()
    link.used_at = utcnow()
