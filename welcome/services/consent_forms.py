"""The printed consent form: what the person reads and signs, in their language and German."""

from collections.abc import Iterable
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import (
    Case,
    CaseMember,
    Consent,
    ConsentPurpose,
    DataCategory,
    HandoverChannel,
    Language,
    Partner,
    PartnerType,
    Person,
    Referral,
    ReferralStatus,
)
from welcome.pdf import Pdf, render_document
from welcome.services import referrals
from welcome.services.consents import CONSENT_FORM_VERSION

#: What the draft form proposes when nothing else was chosen.
DEFAULT_CATEGORIES = (DataCategory.NAME, DataCategory.CONTACT, DataCategory.PREFERRED_LANGUAGE,
                      DataCategory.NEED)
DEFAULT_CHANNELS = (HandoverChannel.ACCOMPANIED, HandoverChannel.PHONE, HandoverChannel.EMAIL)


def document_language(session: Session, code: str | None) -> Language:
    """The catalogue entry of a document language; German for any other language."""
    code = code if code in DOCUMENT_LANGUAGES else "de"
    return session.scalar(select(Language).where(Language.code == code))


def form_for_consent(session: Session, consent: Consent) -> Pdf:
    """The form of a recorded consent, in the version and language it was given in."""
    return _render(
        document_language(session, consent.form_language.code if consent.form_language else None),
        person=consent.person, purpose=consent.purpose, partners=consent.partners,
        partner_types=consent.partner_types, categories=consent.categories,
        channels=consent.channels, valid_until=consent.valid_until,
        form_version=consent.form_version,
    )


def draft_form(
    session: Session,
    person: Person,
    language_code: str | None,
    partners: Iterable[Partner] = (),
    partner_types: Iterable[PartnerType] = (),
    categories: Iterable[DataCategory] = DEFAULT_CATEGORIES,
    channels: Iterable[HandoverChannel] = DEFAULT_CHANNELS,
    valid_until: date | None = None,
) -> Pdf:
    """A form to be signed before the consent is recorded (current form version)."""
    code = language_code or (person.preferred_language.code if person.preferred_language else None)
    return _render(
        document_language(session, code), person=person,
        purpose=ConsentPurpose.SHARE_WITH_PARTNERS, partners=list(partners),
        partner_types=list(partner_types), categories=list(categories),
        channels=[c for c in channels if c in HandoverChannel.passing_data()],
        valid_until=valid_until, form_version=CONSENT_FORM_VERSION,
    )


def partners_awaiting_consent(session: Session, person: Person) -> list[Partner]:
    """The partners of the planned referrals whose handover needs this person's consent: the
    ones a form printed from the person's page should name."""
    cases = select(Case.id).where(Case.main_person_id == person.id).union(
        select(CaseMember.case_id).where(CaseMember.person_id == person.id))
    planned = session.scalars(
        select(Referral)
        .where(Referral.case_id.in_(cases), Referral.status == ReferralStatus.PLANNED,
               Referral.channel != HandoverChannel.INFORMATION_ONLY)
        .options(joinedload(Referral.partner), joinedload(Referral.need),
                 joinedload(Referral.case).selectinload(Case.members))
    )
    partners = {r.partner for r in planned
                if r.partner.active and referrals.consenting_person(r) is person}
    return sorted(partners, key=lambda partner: (partner.name, partner.id))


def _render(language: Language, **context: object) -> Pdf:
    return render_document(
        "documents/consent_form.html", language.code, reviewed=language.documents_reviewed,
        right_to_left=language.right_to_left,
        retention_months=current_app.config["WELCOME_RETENTION_MONTHS"], **context,
    )
