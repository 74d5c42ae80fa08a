"""The orientation interview: each step saves into the case's own records.

The interview row only remembers the step a coordinator reached, so leaving and coming back
resumes there. Every step is idempotent — saving it twice (a double click, the browser's back
button) updates the same records instead of creating new ones.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from welcome.models import (
    Case,
    CaseStatus,
    Consultation,
    ConsultationKind,
    ContactChannel,
    FieldOfAction,
    HandoverChannel,
    Interview,
    InterviewStep,
    Language,
    MemberRelation,
    Need,
    NeedStatus,
    Partner,
    Person,
    Priority,
    Reason,
    Referral,
    ReferralStatus,
    User,
)
from welcome.models.types import utcnow
from welcome.services import cases, consultations, needs, persons, referrals
from welcome.services.errors import DomainError
from welcome.services.versioning import check_version

#: Person fields the household step edits.
PERSON_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "nationality",
                 "preferred_language", "languages", "phone", "email")
#: Fields of the arrival step.
ARRIVAL_FIELDS = ("residence_purpose", "arrival_date", "employer", "street", "postcode", "city",
                  "district")


def touch(case: Case) -> None:
    """Count an interview step as a change of the case, so a colleague's stale form is refused."""
    case.updated_at = utcnow()


def open_interview(session: Session, case: Case, by: User | None) -> Interview:
    """The case's unfinished interview, or a new one starting with the household."""
    interview = session.scalar(select(Interview).where(
        Interview.case_id == case.id, Interview.finished_at.is_(None)))
    if interview is None:
        interview = Interview(case=case, step=InterviewStep.HOUSEHOLD, started_by=by)
        session.add(interview)
        session.flush()
    return interview


def reach(interview: Interview, step: InterviewStep) -> None:
    """Remember the furthest step reached (going back to look does not lose progress)."""
    steps = list(InterviewStep)
    if steps.index(step) > steps.index(interview.step):
        interview.step = step


# --- step 1: household ----------------------------------------------------------------------


@dataclass
class MemberRow:
    """One household member as entered; ``person_id`` is set for members already recorded.

    ``created`` is filled in for a new member, so the caller can recognise the row if the same
    form is sent again.
    """

    person_id: int | None
    relation: MemberRelation
    values: dict[str, Any]
    key: str | None = None
    created: Person | None = None


def save_household(session: Session, case: Case, main: dict[str, Any],
                   members: Iterable[MemberRow], versions: dict[str, Any]) -> None:
    """Update the main person and the household members; add new members.

    :param versions: the versions of the case and main person the form was rendered with.
    :raises StaleEditError: when a colleague changed the case or person meanwhile.
    :raises DomainError: for implausible values or a person listed twice.
    """
    check_version(case, versions.get("case"))
    check_version(case.main_person, versions.get("person"))
    _apply(case.main_person, main, PERSON_FIELDS)
    persons.check_person(case.main_person)
    by_person = {member.person_id: member for member in case.members}
    for row in members:
        if row.person_id is not None:
            member = by_person.get(row.person_id)
            if member is None:
                raise DomainError(_("This person does not belong to the household."))
            member.relation = row.relation
            _apply(member.person, row.values, PERSON_FIELDS)
            persons.check_person(member.person)
        else:
            person = Person(**{key: row.values[key] for key in PERSON_FIELDS
                               if key in row.values})
            persons.check_person(person)
            session.add(person)
            cases.add_member(case, person, row.relation)
            row.created = person
    session.flush()


def _apply(person: Person, values: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if name in values:
            setattr(person, name, values[name])


# --- step 2: arrival ------------------------------------------------------------------------


def save_arrival(session: Session, case: Case, values: dict[str, Any],
                 whole_household: bool) -> None:
    """Arrival facts for the main person, and for members who have none of their own."""
    _apply(case.main_person, values, ARRIVAL_FIELDS)
    persons.check_person(case.main_person)
    if whole_household:
        for member in case.members:
            for name in ARRIVAL_FIELDS:
                if getattr(member.person, name) in (None, "") and values.get(name):
                    setattr(member.person, name, values[name])
            persons.check_person(member.person)
    session.flush()


# --- step 3: needs --------------------------------------------------------------------------


@dataclass
class NeedChoice:
    field: FieldOfAction
    person: Person | None
    priority: Priority
    topics: list[str] = field(default_factory=list)
    note: str = ""


def open_need_for(case: Case, field_of_action: FieldOfAction) -> Need | None:
    """The case's open need in a field, which the interview updates instead of duplicating."""
    return next((need for need in case.needs
                 if need.field_of_action_id == field_of_action.id
                 and need.status in NeedStatus.open_statuses()), None)


def save_needs(session: Session, case: Case, choices: Iterable[NeedChoice]) -> list[Need]:
    """Record the chosen needs; an open need of the same field is updated, not duplicated."""
    saved = []
    for choice in choices:
        description = ", ".join(choice.topics)
        if choice.note:
            description = f"{description} – {choice.note}" if description else choice.note
        need = open_need_for(case, choice.field)
        if need is None:
            need = Need(case=case, field_of_action=choice.field, identified_on=date.today())
            session.add(need)
        need.person = choice.person
        need.priority = choice.priority
        need.description = description[:500] or None
        needs.check_need(need)
        saved.append(need)
    session.flush()
    return saved


# --- step 4: partners -----------------------------------------------------------------------


def default_channel(partner: Partner) -> HandoverChannel:
    """E-mail where the partner takes it, otherwise a phone call."""
    if partner.accepts_email_handover and partner.email:
        return HandoverChannel.EMAIL
    return HandoverChannel.PHONE


def refer_to(session: Session, need: Need, partners: Iterable[Partner]) -> list[Referral]:
    """Plan a referral of ``need`` to each partner not already planned for it."""
    present = {r.partner_id for r in need.case.referrals
               if r.need_id == need.id and r.status != ReferralStatus.CANCELLED}
    planned = []
    for partner in partners:
        if partner.id not in present:
            planned.append(referrals.plan_referral(session, need, partner,
                                                   default_channel(partner)))
            present.add(partner.id)
    return planned


def mark_unmet(need: Need, reason: Reason) -> None:
    """No suitable partner: the need stays a gap that monitoring reports."""
    need.status = NeedStatus.UNMET
    need.unmet_reason = reason
    needs.check_need(need)


# --- step 5: consent ------------------------------------------------------------------------


def make_information_only(referral: Referral) -> None:
    """Without consent, the person gets the partner's contact details and calls themselves."""
    if referral.status != ReferralStatus.PLANNED:
        raise DomainError(_("Only a planned referral can become information only."))
    referral.channel = HandoverChannel.INFORMATION_ONLY


# --- step 6: summary ------------------------------------------------------------------------


def finish(session: Session, interview: Interview, *, held_on: date, duration_minutes: int | None,
           channel: ContactChannel, language: Language | None, interpreter_used: bool,
           staff: User | None, summary: str | None, follow_up_on: date | None) -> Consultation:
    """Record the interview as a consultation and close it; the case becomes active."""
    if interview.finished_at is not None:
        raise DomainError(_("This interview was already saved."))
    case = interview.case
    consultation = Consultation(
        case=case, kind=ConsultationKind.ORIENTATION, held_on=held_on,
        duration_minutes=duration_minutes, channel=channel, language=language,
        interpreter_used=interpreter_used, staff=staff, summary=summary,
        follow_up_on=follow_up_on,
    )
    consultations.check_consultation(consultation)
    session.add(consultation)
    case.follow_up_on = follow_up_on
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.ACTIVE
    interview.step = InterviewStep.SUMMARY
    interview.finished_at = utcnow()
    interview.consultation = consultation
    session.flush()
    return consultation
