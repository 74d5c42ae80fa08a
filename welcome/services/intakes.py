"""Intakes: what registration-office clerks pass to the center, and what clerks may see of it.

A clerk sees the intakes they logged themselves in the last 30 days and nothing else; every
query a clerk's screen runs goes through :func:`own_intakes` or :func:`own_intake`.
"""

import re
import unicodedata
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from welcome.models import Intake, IntakeStatus, User
from welcome.models.types import utcnow
from welcome.services.duplicates import flag_duplicates
from welcome.services.errors import DomainError
from welcome.services.persons import check_birth_date
from welcome.validation import EmailAddress, PhoneNumber, normalise_phone

MAX_HOUSEHOLD = 30
MAX_NAME = 100
MAX_NOTE = 500
MAX_EMAIL = 254
#: How far back a clerk sees what they logged.
CLERK_WINDOW_DAYS = 30
#: Most rows the clerk's list shows (a busy counter logs far fewer in 30 days).
CLERK_LIST_LIMIT = 300
#: Characters a name may hold besides letters and combining marks of any script; the
#: zero-width (non-)joiner belongs to Persian spelling (حسین‌زاده).
NAME_PUNCTUATION = frozenset(" -‐'’ʼʻ.\u200c\u200d")
#: The one-time key of the clerk's form: 32 hex digits (uuid4().hex).
SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def clean_name(value: str | None) -> str:
    """The name with surrounding and doubled spaces removed, in composed Unicode form."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def check_name(value: str | None, field: str) -> None:
    """Names in any script with diacritics, hyphens, apostrophes and dots; no digits or symbols.

    :raises DomainError: naming ``field``.
    """
    name = clean_name(value)
    if not name:
        raise DomainError(_("Enter the name."), field)
    if len(name) > MAX_NAME:
        raise DomainError(_("A name can have at most %(n)d characters.", n=MAX_NAME), field)
    for char in name:
        if char in NAME_PUNCTUATION:
            continue
        if unicodedata.category(char)[0] not in "LM":
            if char.isprintable():
                message = _("A name may contain letters of any script, spaces, hyphens, "
                            "apostrophes and dots, but not “%(char)s”.", char=char)
            else:
                message = _("A name may contain letters of any script, spaces, hyphens, "
                            "apostrophes and dots, but not the invisible character "
                            "%(code)s.", code=f"U+{ord(char):04X}")
            raise DomainError(message, field)
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise DomainError(_("Enter the name."), field)


def check_intake(intake: Intake) -> None:
    """The rules an intake must satisfy before it is saved, whatever screen or script changed
    it; phone and e-mail are brought into the form they are stored and compared in.

    :raises DomainError: naming the field that breaks a rule.
    """
    if not intake.consent_to_contact:
        raise DomainError(
            _("Without the person's agreement to be contacted nothing may be stored. "
              "Please hand over the Welcome Center's flyer instead."),
            "consent_to_contact",
        )
    check_name(intake.given_name, "given_name")
    check_name(intake.family_name, "family_name")
    intake.phone = check_phone(intake.phone)
    intake.email = check_email(intake.email)
    if not intake.phone and not intake.email:
        raise DomainError(_("Enter a phone number or an e-mail address."), "phone")
    if intake.household_size is None or not 1 <= intake.household_size <= MAX_HOUSEHOLD:
        raise DomainError(
            _("The household size must be between 1 and %(n)d.", n=MAX_HOUSEHOLD),
            "household_size",
        )
    check_birth_date(intake.date_of_birth)
    if intake.note and len(intake.note) > MAX_NOTE:
        raise DomainError(_("The note can have at most %(n)d characters.", n=MAX_NOTE), "note")


def check_phone(value: str | None) -> str | None:
    """A plausible phone number in international format, or None for an empty one.

    :raises DomainError: naming the field ``phone``.
    """
    if not value or not value.strip():
        return None
    try:
        return normalise_phone(value)
    except ValueError as error:
        raise DomainError(str(PhoneNumber.message), "phone") from error


def check_email(value: str | None) -> str | None:
    """A syntactically valid e-mail address in normalised form, or None for an empty one.

    :raises DomainError: naming the field ``email``.
    """
    if not value or not value.strip():
        return None
    try:
        address = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise DomainError(str(EmailAddress.message), "email") from error
    if len(address) > MAX_EMAIL:
        raise DomainError(str(EmailAddress.message), "email")
    return address


def log_intake(session: Session, intake: Intake, by: User,
               submission_key: str) -> tuple[Intake, bool]:
    """Save what a clerk entered, once per form, and run the duplicate check.

    A form sent twice (a double click, a reload after a slow answer) carries the same
    ``submission_key``; the second time the intake saved the first time is returned. When
    both arrive at the same moment, the second insert waits for the first transaction and
    then fails on the key's unique index; only a savepoint is rolled back, and the intake the
    first request saved is returned.

    :returns: the intake, and whether it was created now.
    :raises DomainError: when a rule refuses the intake or the key is not a form key.
    """
    if not SUBMISSION_KEY.match(submission_key or ""):
        raise DomainError(_("The form has expired. Please enter the person again."))
    saved = _saved_with_key(session, by, submission_key)
    if saved is not None:
        return saved, False
    intake.given_name = clean_name(intake.given_name)
    intake.family_name = clean_name(intake.family_name)
    intake.status = IntakeStatus.NEW
    intake.created_by = by
    intake.submission_key = submission_key
    check_intake(intake)
    try:
        with session.begin_nested():
            session.add(intake)
            session.flush()
    except IntegrityError:
        saved = _saved_with_key(session, by, submission_key)
        if saved is None:
            raise
        return saved, False
    flag_duplicates(session, intake)
    return intake, True


def _saved_with_key(session: Session, by: User, submission_key: str) -> Intake | None:
    """The intake saved with ``submission_key`` before, if any.

    :raises DomainError: when another user's form carried the key.
    """
    saved = session.scalar(select(Intake).where(Intake.submission_key == submission_key))
    if saved is not None and saved.created_by_id != by.id:
        raise DomainError(_("The form has expired. Please enter the person again."))
    return saved


def clerk_status(intake: Intake) -> IntakeStatus:
    """The status a clerk reads. An intake merged into a record the center already had reads
    as "accepted", like a new case: the clerk must not learn whether the person was known."""
    return IntakeStatus.ACCEPTED if intake.status == IntakeStatus.DUPLICATE else intake.status


def own_intakes(session: Session, clerk: User) -> list[Intake]:
    """What ``clerk`` logged in the last 30 days, newest first; never anybody else's."""
    since = utcnow() - timedelta(days=CLERK_WINDOW_DAYS)
    return list(session.scalars(
        select(Intake)
        .where(Intake.created_by_id == clerk.id, Intake.created_at >= since)
        .order_by(Intake.created_at.desc(), Intake.id.desc())
        .limit(CLERK_LIST_LIMIT)
    ))


def own_intake(session: Session, clerk: User, intake_id: int) -> Intake | None:
    """One intake ``clerk`` logged within the last 30 days, or None (also for other clerks')."""
    since = utcnow() - timedelta(days=CLERK_WINDOW_DAYS)
    return session.scalar(select(Intake).where(Intake.id == intake_id,
                                               Intake.created_by_id == clerk.id,
                                               Intake.created_at >= since))


def latest_intake(session: Session, clerk: User) -> Intake | None:
    """The clerk's latest intake, whose office is the sensible default for the next one."""
    return session.scalar(select(Intake).where(Intake.created_by_id == clerk.id)
                          .order_by(Intake.created_at.desc(), Intake.id.desc()).limit(1))


def count_new(session: Session) -> int:
    """Intakes waiting for the coordinator, for the menu and the start page."""
    return session.scalar(select(func.count(Intake.id))
                          .where(Intake.status == IntakeStatus.NEW)) or 0
