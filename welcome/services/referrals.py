"""Referrals: planning them, handing over (only with consent) and recording the outcome.

The state machine is explicit: planned → handed over → appointment made → completed, and
failed or cancelled (with a reason) on the way. Handing over is the one step that passes data,
so it happens only in :func:`hand_over`, which checks consent at that moment; a session hook
refuses any other code path that tries to set the handover fields.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from welcome.i18n import format_day
from welcome.models import (
    AuditAction,
    DataCategory,
    HandoverChannel,
    MemberRelation,
    Need,
    NeedStatus,
    Partner,
    Person,
    Reason,
    ReasonKind,
    Referral,
    ReferralStatus,
    User,
)
from welcome.models.types import utcnow
from welcome.services import audit, consents
from welcome.services.dates import PLANNED_AHEAD, check_day
from welcome.services.errors import DomainError, StaleEditError
from welcome.services.reasons import check_reason_kind

#: Allowed moves of the state machine. Handing over is reached only through ``hand_over``.
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.PLANNED: frozenset({ReferralStatus.HANDED_OVER, ReferralStatus.CANCELLED}),
    ReferralStatus.HANDED_OVER: frozenset({
        ReferralStatus.APPOINTMENT_MADE, ReferralStatus.COMPLETED,
        ReferralStatus.FAILED, ReferralStatus.CANCELLED,
    }),
    ReferralStatus.APPOINTMENT_MADE: frozenset({
        ReferralStatus.COMPLETED, ReferralStatus.FAILED, ReferralStatus.CANCELLED,
    }),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.FAILED: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
}
#: What a handover writes; nothing else may write these columns.
HANDOVER_FIELDS = ("handed_over_at", "handed_over_by_id", "handed_over_by", "consent_id",
                   "consent", "handover_text", "category_rows")
#: What a handover was about; fixed once the referral is handed over, since the record must
#: keep saying which data went to whom, how and for which need.
HANDED_OVER_FIELDS = ("partner", "partner_id", "channel", "case", "case_id", "need", "need_id")
#: Days the partner has to report back before the referral shows as overdue.
FEEDBACK_DAYS = 14
#: Languages a handover text can be written in; others fall back to German.
TEXT_LANGUAGES = ("de", "en")
#: How far ahead a partner can plausibly give an appointment.
MAX_APPOINTMENT_DAYS = 730
#: What the stored handover text shows instead of the feedback link's token.
TOKEN_MASK = "••••"


def install() -> None:
    """Refuse handover data written around :func:`hand_over` (idempotent)."""
    if not event.contains(Session, "before_flush", _guard_handover_fields):
        event.listen(Session, "before_flush", _guard_handover_fields)


def _guard_handover_fields(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, Referral) or getattr(obj, "_handover_authorised", False):
            continue
        state = inspect(obj)
        if obj in session.new:
            written = obj.handed_over_at or obj.consent or obj.consent_id or obj.handover_text \
                or obj.category_rows
            if obj.status not in (ReferralStatus.PLANNED, None) or written:
                raise DomainError(_("A new referral starts as planned; hand it over with the "
                                    "'Hand over' action, which checks consent."), "status")
        else:
            changed = [name for name in HANDOVER_FIELDS if state.attrs[name].history.has_changes()]
            if changed:
                raise DomainError(_("What was handed over is recorded by the 'Hand over' "
                                    "action only and cannot be edited."), "status")
            if obj.handed_over_at is not None:
                moved = [name for name in HANDED_OVER_FIELDS
                         if state.attrs[name].history.has_changes()]
                if moved:
                    raise DomainError(
                        _("This referral was handed over: partner, channel, case and need stay "
                          "as they were passed on. To refer the need elsewhere, record the "
                          "outcome and plan a new referral."),
                        moved[0].removesuffix("_id"),
                    )


def plan_referral(session: Session, need: Need, partner: Partner, channel: HandoverChannel,
                  planned_on: date | None = None, notes: str | None = None) -> Referral:
    """Plan to refer ``need`` to ``partner``; nothing is passed yet.

    :raises DomainError: when the partner is inactive.
    """
    if not partner.active:
        raise DomainError(_("%(partner)s is no longer active.", partner=partner.name), "partner")
    referral = Referral(
        case=need.case, need=need, partner=partner, channel=HandoverChannel(channel),
        status=ReferralStatus.PLANNED, planned_on=planned_on or date.today(), notes=notes,
    )
    if need.status == NeedStatus.IDENTIFIED:
        need.status = NeedStatus.IN_PROGRESS
    session.add(referral)
    session.flush()
    return referral


def check_handover(session: Session, referral: Referral, channel: HandoverChannel,
                   categories: Iterable[DataCategory]) -> consents.Coverage:
    """Whether ``referral`` may be handed over now on ``channel`` passing ``categories``.

    Information-only referrals pass nothing and need no consent. Every other channel needs a
    consent that covers this partner, these categories and this channel today.

    :return: the covering consent (``Coverage.consent`` is None for information only).
    :raises StaleEditError: when the referral was handed over already (a form sent twice).
    :raises DomainError: when the referral is no longer planned, the partner is no longer
        active, the channel cannot be used with this partner, or nothing was chosen to pass.
    """
    channel = HandoverChannel(channel)
    if referral.status == ReferralStatus.HANDED_OVER:
        raise StaleEditError(_("This referral was handed over already (perhaps the form was "
                               "sent twice); nothing more was passed on."))
    check_transition(referral.status, ReferralStatus.HANDED_OVER)
    partner = referral.partner
    if not partner.active:
        raise DomainError(_("%(partner)s is no longer active; plan the referral with another "
                            "partner.", partner=partner.name), "channel")
    if channel is HandoverChannel.INFORMATION_ONLY:
        return consents.Coverage(True)
    if channel is HandoverChannel.EMAIL and not (partner.accepts_email_handover and partner.email):
        raise DomainError(_("%(partner)s does not take handovers by e-mail; hand over by phone "
                            "or in person.", partner=partner.name), "channel")
    wanted = [DataCategory(c) for c in categories]
    if not wanted:
        raise DomainError(_("Choose the data to pass on."), "categories")
    return consents.covers(session, consenting_person(referral), partner, wanted, channel)


def hand_over(
    session: Session,
    referral: Referral,
    channel: HandoverChannel,
    categories: Iterable[DataCategory],
    by: User | None = None,
    feedback_url: str | None = None,
    at: Any = None,
) -> str | None:
    """Hand the person over to the partner, passing only ``categories``, and record exactly
    what was passed, to whom, how, by whom, when and on which consent.

    The text is composed here, from the covered categories only, so no caller can pass more.
    The referral row is locked first: of two coordinators (or a double click) handing over at
    once, the second sees the first one's handover and is refused.

    :param feedback_url: the partner's feedback link to put into the text; the stored copy
        shows it with the token masked, so staff reading the referral cannot answer in the
        partner's place.
    :return: the text to pass on, exactly as the partner gets it (None for information only).
    :raises StaleEditError: when the referral was handed over already.
    :raises DomainError: saying exactly what is missing (partner, category, channel, validity).
    """
    channel = HandoverChannel(channel)
    if inspect(referral).persistent:
        session.execute(select(Referral.id).where(Referral.id == referral.id).with_for_update())
        session.refresh(referral)
    wanted = [] if channel is HandoverChannel.INFORMATION_ONLY else \
        [DataCategory(c) for c in categories]
    coverage = check_handover(session, referral, channel, wanted)
    if not coverage:
        raise DomainError(" ".join(coverage.reasons), "categories")
    at = at or utcnow()
    text = stored = None
    if channel is not HandoverChannel.INFORMATION_ONLY:
        text = compose_text(referral, wanted, by, feedback_url=feedback_url)
        stored = text
        if feedback_url:
            stored = text.replace(feedback_url, mask_link(feedback_url))
    referral._handover_authorised = True
    try:
        referral.channel = channel
        referral.consent = coverage.consent
        referral.passed_categories = wanted
        if referral.need.status in (NeedStatus.IDENTIFIED, NeedStatus.IN_PROGRESS):
            referral.need.status = NeedStatus.REFERRED
        referral.handover_text = stored
        referral.handed_over_at = at
        referral.handed_over_by = by
        referral.status = ReferralStatus.HANDED_OVER
        # The partner of an information-only referral knows nothing of it and cannot report.
        referral.feedback_due_on = None if channel is HandoverChannel.INFORMATION_ONLY else \
            at.date() + timedelta(days=FEEDBACK_DAYS)
        referral.needs_attention = False
        audit.record(session, AuditAction.HANDOVER, "Referral", referral.id,
                     detail=f"partner={referral.partner_id} channel={channel.value} "
                            f"data={','.join(c.value for c in wanted) or '-'}")
        session.flush()
    finally:
        referral._handover_authorised = False
    return text


def take_back(session: Session, referral: Referral) -> None:
    """Undo a handover whose e-mail never left: the referral is planned again.

    The handover is committed before the e-mail is sent, so that no database lock is held
    during the SMTP conversation; when the mail server then refuses, nothing reached the
    partner and the record must not say otherwise. The audit log keeps both steps.
    """
    others = [r for r in referral.case.referrals
              if r is not referral and r.need_id == referral.need_id
              and r.handed_over_at is not None]
    referral._handover_authorised = True
    try:
        referral.consent = None
        referral.passed_categories = []
        referral.handover_text = None
        referral.handed_over_at = None
        referral.handed_over_by = None
        referral.feedback_due_on = None
        referral.status = ReferralStatus.PLANNED
        if referral.need.status == NeedStatus.REFERRED and not others:
            referral.need.status = NeedStatus.IN_PROGRESS
        audit.record(session, AuditAction.HANDOVER, "Referral", referral.id,
                     detail="taken back: the e-mail was not sent")
        session.flush()
    finally:
        referral._handover_authorised = False


def mask_link(url: str) -> str:
    """The link with its last part (the token) replaced by :data:`TOKEN_MASK`."""
    return url.rsplit("/", 1)[0] + "/" + TOKEN_MASK


def consenting_person(referral: Referral) -> Person:
    """Whose consent a handover needs: the member the need concerns, else the main person.

    Parents consent for their children, so a child's need is covered by the main person.
    """
    person = referral.need.person
    if person is None or person is referral.case.main_person:
        return referral.case.main_person
    member = next((m for m in referral.case.members if m.person is person), None)
    if member is None or member.relation == MemberRelation.CHILD:
        return referral.case.main_person
    return person


def compose_text(referral: Referral, categories: Iterable[DataCategory], by: User | None,
                 feedback_url: str | None = None) -> str:
    """The handover text in the partner's working language, with only the passed categories
    (and, when given, the link through which the partner reports back)."""
    language = referral.partner.working_language
    code = language.code if language is not None and language.code in TEXT_LANGUAGES else "de"
    with force_locale(code):
        return render_template(
            "handover/handover.txt",
            referral=referral,
            case=referral.case,
            person=consenting_person(referral),
            need=referral.need,
            categories=set(categories),
            DataCategory=DataCategory,
            by=by,
            language=code,
            feedback_url=feedback_url,
        ).strip() + "\n"


def record_outcome(
    referral: Referral,
    status: ReferralStatus,
    on: date | None = None,
    reason: Reason | None = None,
    note: str | None = None,
) -> None:
    """Move a handed-over referral on: appointment made, completed, failed or cancelled.

    :raises DomainError: for a move the state machine does not allow, a missing reason or an
        implausible date.
    """
    status = ReferralStatus(status)
    if status is ReferralStatus.HANDED_OVER:
        raise DomainError(_("Use 'Hand over' to hand a referral over."), "status")
    check_transition(referral.status, status)
    on = on or date.today()
    check_outcome_day(referral, status, on)
    if status is ReferralStatus.APPOINTMENT_MADE:
        referral.appointment_on = on
    elif status is ReferralStatus.COMPLETED:
        referral.completed_on = on
        if referral.need.status in NeedStatus.open_statuses():
            referral.need.status = NeedStatus.MET
    elif reason is None:
        raise DomainError(_("Say why the referral failed or was cancelled."), "outcome_reason")
    if reason is not None:
        referral.outcome_reason = reason
    if note:
        referral.outcome_note = note
    referral.status = status


def check_outcome_day(referral: Referral, status: ReferralStatus, on: date) -> None:
    """An outcome happens after the handover (or the planning) and, but for an appointment,
    not in the future; an appointment lies at most two years ahead.

    :raises DomainError: for the ``day`` field of the outcome and feedback forms.
    """
    field = "day"
    today = date.today()
    if referral.handed_over_at is not None:
        start = referral.handed_over_at.date()
        if on < start:
            raise DomainError(_("The date lies before the handover on %(day)s.",
                                day=format_day(start)), field)
    elif referral.planned_on is not None and on < referral.planned_on:
        raise DomainError(_("The date lies before the referral was planned (%(day)s).",
                            day=format_day(referral.planned_on)), field)
    if status is ReferralStatus.APPOINTMENT_MADE:
        if on > today + timedelta(days=MAX_APPOINTMENT_DAYS):
            raise DomainError(_("The appointment lies more than two years ahead; please check "
                                "the date."), field)
    elif on > today:
        raise DomainError(_("The date lies in the future."), field)


def check_transition(old: ReferralStatus | None, new: ReferralStatus) -> None:
    """:raises DomainError: when the state machine does not allow ``old`` → ``new``."""
    if old is None or old == new:
        return
    if new not in TRANSITIONS[ReferralStatus(old)]:
        raise DomainError(
            _("A referral cannot go from '%(old)s' to '%(new)s'.",
              old=ReferralStatus(old).label, new=ReferralStatus(new).label),
            "status",
        )


def check_referral(referral: Referral) -> None:
    """The rules a referral must satisfy before a generic form saves it.

    :raises DomainError: naming the field that breaks a rule.
    """
    check_day(referral.planned_on, "planned_on", ahead=PLANNED_AHEAD)
    check_day(referral.feedback_due_on, "feedback_due_on", ahead=PLANNED_AHEAD)
    check_day(referral.appointment_on, "appointment_on", ahead=PLANNED_AHEAD)
    check_day(referral.completed_on, "completed_on")
    check_reason_kind(referral, "outcome_reason", ReasonKind.REFERRAL_FAILED)
    state = inspect(referral)
    if referral.partner is not None and not referral.partner.active \
            and state.attrs.partner.history.has_changes():
        raise DomainError(_("%(partner)s is no longer active.", partner=referral.partner.name),
                          "partner")
    history = state.attrs.status.history
    old = history.deleted[0] if history.deleted else None
    if old is not None and referral.status != old:
        if referral.status == ReferralStatus.HANDED_OVER:
            raise DomainError(_("Use 'Hand over' to hand a referral over; it checks consent."),
                              "status")
        check_transition(old, referral.status)
    if referral.need is not None and referral.case is not None \
            and referral.need.case_id != referral.case.id:
        raise DomainError(_("The need belongs to another case."), "need")
    if referral.status in (ReferralStatus.FAILED, ReferralStatus.CANCELLED) \
            and referral.outcome_reason is None:
        raise DomainError(_("Say why the referral failed or was cancelled."), "outcome_reason")
    if referral.status == ReferralStatus.COMPLETED and referral.completed_on is None:
        referral.completed_on = date.today()
