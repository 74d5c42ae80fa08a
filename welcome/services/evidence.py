"""Records that prove a disclosure are kept: handed-over referrals and consents.

A handed-over referral says which data went to whom, how, when and on which consent; a consent
shows what the person agreed to. The person may ask whom their data went to, so neither record
is deleted, and neither is the case, need or person it belongs to. Erasing personal data after
the retention period will be a feature of its own; until then deleting is refused with a
message that says what to do instead.
"""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session

from welcome.models import Case, Consent, Need, Person, Referral
from welcome.services.errors import DomainError


def install() -> None:
    """Refuse deleting evidence on every path: admin, list actions, CLI, scripts (idempotent)."""
    if not event.contains(Session, "before_flush", _refuse_deleting_evidence):
        event.listen(Session, "before_flush", _refuse_deleting_evidence)


def _refuse_deleting_evidence(session: Session, flush_context: Any, instances: Any) -> None:
    for record in session.deleted:
        check_deletion(session, record)


def check_deletion(session: Session, record: Any) -> None:
    """Whether ``record`` may be deleted.

    :raises DomainError: for a handed-over referral, a consent a handover relied on, a case or
        need with handed-over referrals, and a person with consents or handed-over referrals.
    """
    handed_over = Referral.handed_over_at.is_not(None)
    if isinstance(record, Referral) and record.handed_over_at is not None:
        raise DomainError(_("This referral was handed over: it records which data went to "
                            "whom and is kept. Record its outcome instead of deleting it."))
    if isinstance(record, Case) and _any(session, Referral.case_id == record.id, handed_over):
        raise DomainError(_("Case %(reference)s cannot be deleted: data was handed over to "
                            "partners from it, and that record is kept. Close the case "
                            "instead.", reference=record.reference))
    if isinstance(record, Need) and _any(session, Referral.need_id == record.id, handed_over):
        raise DomainError(_("This need cannot be deleted: it was handed over to a partner, and "
                            "that record is kept. Mark it as met or unmet instead."))
    if isinstance(record, Consent) and _any(session, Referral.consent_id == record.id):
        raise DomainError(_("Handovers relied on this consent, so it is kept as proof. "
                            "Withdraw it instead of deleting it."))
    if isinstance(record, Person):
        if session.scalar(select(exists().where(Consent.person_id == record.id))):
            raise DomainError(_("%(name)s cannot be deleted while consents are recorded for "
                                "them. A consent recorded by mistake can be deleted first, "
                                "unless a handover relied on it.", name=record.full_name))
        concerned = select(Need.id).where(Need.person_id == record.id)
        if _any(session, Referral.need_id.in_(concerned), handed_over):
            raise DomainError(_("%(name)s cannot be deleted: data about them was handed over "
                                "to partners, and that record is kept.", name=record.full_name))


def _any(session: Session, *criteria: Any) -> bool:
    return bool(session.scalar(select(exists().where(*criteria))))
