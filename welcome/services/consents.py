"""Consent: giving it, withdrawing it, and asking whether it covers a handover."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from welcome.models import (
    AuditAction,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    HandoverChannel,
    LabelledEnum,
    Language,
    Partner,
    PartnerType,
    Person,
    Referral,
    ReferralStatus,
    WithdrawalMethod,
)
from welcome.services import audit
from welcome.services.dates import check_day, local_today
from welcome.services.errors import DomainError

#: A consent that ends within this many days is shown as "expires soon".
EXPIRES_SOON_DAYS = 30
DEFAULT_MAX_SCAN_BYTES = 5 * 1024 * 1024
#: The version of the printed consent form; a recorded consent keeps the version it was
#: given on, and its form is printed in that version.
CONSENT_FORM_VERSION = "2026-1"
#: File types a scanned form may have, recognised by their first bytes.
SCAN_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
              b"\x89PNG\r\n\x1a\n": "image/png"}
#: Plausible dates: a consent recorded from an older paper form, a validity far ahead.
MAX_AGE_YEARS = 10
MAX_VALIDITY_YEARS = 10
#: What the person signed. Once recorded these stay; a change of scope is a new consent.
SCOPE_FIELDS = ("person", "person_id", "purpose", "partners", "partner_types",
                "category_rows", "channel_rows", "given_on", "given_how", "form_version",
                "form_language", "form_language_id")
#: The form field an attribute of SCOPE_FIELDS is edited in, where the names differ.
FORM_FIELDS = {"person_id": "person", "form_language_id": "form_language",
               "category_rows": "categories", "channel_rows": "channels"}
#: The scope as the fields of a consent form.
SCOPE_FORM_FIELDS = tuple(dict.fromkeys(FORM_FIELDS.get(name, name) for name in SCOPE_FIELDS))


class ConsentState(LabelledEnum):
    VALID = "valid", _l("valid")
    EXPIRES_SOON = "expires_soon", _l("expires soon")
    EXPIRED = "expired", _l("expired")
    WITHDRAWN = "withdrawn", _l("withdrawn")
    NOT_YET_VALID = "not_yet_valid", _l("not yet valid")


def state_of(consent: Consent, on: date | None = None) -> ConsentState:
    """What the consent is worth on a given day (today by default)."""
    on = on or date.today()
    if consent.withdrawn_on is not None and consent.withdrawn_on <= on:
        return ConsentState.WITHDRAWN
    if consent.given_on > on:
        return ConsentState.NOT_YET_VALID
    if consent.valid_until is not None:
        if consent.valid_until < on:
            return ConsentState.EXPIRED
        if consent.valid_until <= on + timedelta(days=EXPIRES_SOON_DAYS):
            return ConsentState.EXPIRES_SOON
    return ConsentState.VALID


@dataclass
class Coverage:
    """The answer to "may we pass this?": yes with the consent, or no with every reason."""

    covered: bool
    consent: Consent | None = None
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.covered


def covers(
    session: Session,
    person: Person,
    partner: Partner,
    categories: Iterable[DataCategory],
    channel: HandoverChannel,
    at: date | None = None,
) -> Coverage:
    """Whether one of the person's consents covers passing ``categories`` to ``partner``.

    :return: a covering consent, or the reasons of the consent that came closest, so the
        coordinator learns exactly what is missing (partner, category, channel, validity).
    """
    return covers_many(session, [(person, partner, categories, channel)], at)[0]


def covers_many(
    session: Session,
    requests: Iterable[tuple[Person, Partner, Iterable[DataCategory], HandoverChannel]],
    at: date | None = None,
) -> list[Coverage]:
    """:func:`covers` for several (person, partner, categories, channel) at once.

    The consents of all the persons are read in one go, so a screen that checks every
    referral of a household runs the same few statements for two referrals as for twenty.
    """
    at = at or date.today()
    requests = list(requests)
    candidates: dict[int, list[Consent]] = {person.id: [] for person, *_rest in requests}
    if candidates:
        for consent in session.scalars(
            select(Consent)
            .where(Consent.person_id.in_(candidates),
                   Consent.purpose == ConsentPurpose.SHARE_WITH_PARTNERS)
            .order_by(Consent.given_on.desc(), Consent.id.desc())
            .options(selectinload(Consent.partners), selectinload(Consent.partner_types),
                     selectinload(Consent.category_rows), selectinload(Consent.channel_rows))
        ):
            candidates[consent.person_id].append(consent)
    return [_coverage(person, candidates[person.id], partner,
                      {DataCategory(c) for c in categories}, channel, at)
            for person, partner, categories, channel in requests]


def _coverage(person: Person, candidates: list[Consent], partner: Partner,
              wanted: set[DataCategory], channel: HandoverChannel, at: date) -> Coverage:
    if not candidates:
        return Coverage(False, reasons=[
            _("%(name)s has not consented to passing data to partners.", name=person.full_name)
        ])
    best: Coverage | None = None
    for consent in candidates:
        reasons = _shortcomings(consent, partner, wanted, channel, at)
        if not reasons:
            return Coverage(True, consent)
        if best is None or len(reasons) < len(best.reasons):
            best = Coverage(False, consent, reasons)
    assert best is not None
    return best


def _shortcomings(consent: Consent, partner: Partner, wanted: set[DataCategory],
                  channel: HandoverChannel, at: date) -> list[str]:
    state = state_of(consent, at)
    reasons = []
    if state is ConsentState.WITHDRAWN:
        reasons.append(_("The consent was withdrawn on %(day)s.",
                         day=format_date(consent.withdrawn_on)))
    elif state is ConsentState.EXPIRED:
        reasons.append(_("The consent expired on %(day)s.", day=format_date(consent.valid_until)))
    elif state is ConsentState.NOT_YET_VALID:
        reasons.append(_("The consent is only valid from %(day)s.",
                         day=format_date(consent.given_on)))
    named = partner in consent.partners or partner.partner_type_id in {
        kind.id for kind in consent.partner_types}
    if not named:
        reasons.append(_("The consent does not name %(partner)s or its type of partner.",
                         partner=partner.name))
    for category in sorted(wanted - set(consent.categories), key=list(DataCategory).index):
        reasons.append(_("The consent does not cover this data: %(category)s.",
                         category=category.label))
    if channel not in consent.channels:
        reasons.append(_("The consent does not allow handing over %(channel)s.",
                         channel=channel.label))
    return reasons


def give_consent(
    session: Session,
    person: Person,
    *,
    purpose: ConsentPurpose,
    given_how: ConsentMethod,
    form_version: str,
    form_language: Language,
    given_on: date | None = None,
    partners: Iterable[Partner] = (),
    partner_types: Iterable[PartnerType] = (),
    categories: Iterable[DataCategory] = (),
    channels: Iterable[HandoverChannel] = (),
    valid_until: date | None = None,
    witness: str | None = None,
    scan: bytes | None = None,
    scan_filename: str | None = None,
    scan_mimetype: str | None = None,
    recorded_by: Any = None,
    notes: str | None = None,
) -> Consent:
    """Record a consent as the person gave it.

    :raises DomainError: when the consent would be incomplete or contradictory.
    """
    consent = Consent(
        person=person,
        purpose=purpose,
        given_on=given_on or date.today(),
        given_how=given_how,
        witness=witness,
        form_version=form_version,
        form_language=form_language,
        valid_until=valid_until,
        partners=list(partners),
        partner_types=list(partner_types),
        scan=scan,
        scan_filename=scan_filename,
        scan_mimetype=scan_mimetype,
        recorded_by=recorded_by,
        notes=notes,
    )
    consent.categories = categories
    consent.channels = channels
    check_consent(consent)
    session.add(consent)
    session.flush()
    return consent


def withdraw_consent(
    session: Session, consent: Consent, withdrawn_on: date, how: WithdrawalMethod
) -> list[Referral]:
    """Withdraw a consent with effect for the future, in one step.

    :return: the open referrals that relied on it; they are marked as needing attention.
    :raises DomainError: when the consent was withdrawn already or the date is impossible
        (before it was given, or in the future: a withdrawal counts from the day it is made).
    """
    if consent.withdrawn_on is not None:
        raise DomainError(_("This consent was already withdrawn."), "withdrawn_on")
    if withdrawn_on > date.today():
        raise DomainError(_("A withdrawal cannot be dated in the future; record it on the day "
                            "the person withdraws."), "withdrawn_on")
    if withdrawn_on < consent.given_on:
        raise DomainError(_("A consent cannot be withdrawn before it was given."), "withdrawn_on")
    check_day(withdrawn_on, "withdrawn_on")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_how = WithdrawalMethod(how)
    affected = list(session.scalars(
        select(Referral).where(
            Referral.consent_id == consent.id,
            Referral.status.in_(ReferralStatus.open_statuses()),
        )
    ))
    for referral in affected:
        referral.needs_attention = True
    audit.record(session, AuditAction.CONSENT_WITHDRAWN, "Consent", consent.id,
                 detail=f"{len(affected)} referral(s) marked")
    session.flush()
    return affected


def attach_scan(consent: Consent, data: bytes, filename: str) -> None:
    """Keep the scanned, signed form with the consent (in the database, like every upload).

    :raises DomainError: for an empty or too large file, or one that is not PDF, JPEG or PNG.
    """
    if not data:
        raise DomainError(_("The file is empty."), "scan")
    if len(data) > max_scan_bytes():
        raise DomainError(
            _("The scanned form is larger than %(mb)d MB.", mb=max_scan_bytes() // 2**20), "scan"
        )
    mimetype = next((kind for magic, kind in SCAN_TYPES.items() if data.startswith(magic)), None)
    if mimetype is None:
        raise DomainError(_("Upload the scan as PDF, JPEG or PNG."), "scan")
    consent.scan = data
    consent.scan_filename = filename[-200:] or "scan"
    consent.scan_mimetype = mimetype


def max_scan_bytes() -> int:
    if has_app_context():
        return int(current_app.config["WELCOME_MAX_UPLOAD_BYTES"])
    return DEFAULT_MAX_SCAN_BYTES


def install() -> None:
    """Refuse changing a recorded consent's scope on every path (idempotent)."""
    if not event.contains(Session, "before_flush", _guard_scope):
        event.listen(Session, "before_flush", _guard_scope)


def _guard_scope(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, Consent):
            check_scope_unchanged(obj)


def check_scope_unchanged(consent: Consent) -> None:
    """A recorded consent keeps what the person signed; only its validity may be shortened.

    Handovers relied on exactly that scope, so widening it afterwards would make them look
    covered by something the person never agreed to.

    :raises DomainError: naming the first field that changed.
    """
    state = inspect(consent)
    if not state.persistent:
        return
    changed = [name for name in SCOPE_FIELDS if state.attrs[name].history.has_changes()]
    if changed:
        raise DomainError(
            _("A recorded consent keeps what the person agreed to. To change who receives "
              "which data or how, record a new consent (and withdraw this one if it no longer "
              "applies)."),
            FORM_FIELDS.get(changed[0], changed[0]),
        )
    before = state.attrs.valid_until.history.deleted
    if before and before[0] is not None and (
            consent.valid_until is None or consent.valid_until > before[0]):
        raise DomainError(
            _("A consent cannot be extended; record a new consent for a longer period."),
            "valid_until",
        )


def check_consent(consent: Consent) -> None:
    """The rules a consent must satisfy before it is saved, whatever screen changed it.

    :raises DomainError: naming the field that breaks a rule.
    """
    check_scope_unchanged(consent)
    today = local_today()
    if consent.given_on and consent.given_on > today:
        raise DomainError(_("A consent cannot be dated in the future."), "given_on")
    if consent.given_on and consent.given_on.year < today.year - MAX_AGE_YEARS:
        raise DomainError(_("A consent cannot be dated more than %(n)d years back.",
                            n=MAX_AGE_YEARS), "given_on")
    check_day(consent.withdrawn_on, "withdrawn_on")
    if consent.valid_until and consent.given_on and consent.valid_until < consent.given_on:
        raise DomainError(_("A consent cannot end before it was given."), "valid_until")
    if consent.valid_until and consent.valid_until.year > today.year + MAX_VALIDITY_YEARS:
        raise DomainError(_("A consent cannot be valid for more than %(n)d years ahead.",
                            n=MAX_VALIDITY_YEARS), "valid_until")
    if consent.given_how == ConsentMethod.VERBAL_WITH_WITNESS and not consent.witness:
        raise DomainError(_("A verbal consent needs the name of the witness."), "witness")
    if HandoverChannel.INFORMATION_ONLY in consent.channels:
        raise DomainError(
            _("Information-only referrals pass no data and need no consent; choose the "
              "channels by which the center itself passes data."),
            "channels",
        )
    if consent.purpose == ConsentPurpose.SHARE_WITH_PARTNERS:
        if not consent.partners and not consent.partner_types:
            raise DomainError(
                _("Name the partners or types of partner the person agreed to."), "partners"
            )
        if not consent.category_rows:
            raise DomainError(_("Choose the data the person agreed to pass on."), "categories")
        if not consent.channel_rows:
            raise DomainError(_("Choose how the data may be passed on."), "channels")
    if consent.scan is not None and len(consent.scan) > max_scan_bytes():
        raise DomainError(
            _("The scanned form is larger than %(mb)d MB.", mb=max_scan_bytes() // 2**20), "scan"
        )
