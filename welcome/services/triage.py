"""The coordinator's decisions on intakes: accept, merge, mark contacted, reject.

Each decision is a function that checks the intake is still open, changes it, and flushes;
the session hooks write the audit log (status, person and case of the intake, and the new
person and case records). The caller commits.
"""

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from welcome.models import (
    Case,
    CaseMember,
    CaseSource,
    CaseStatus,
    ContactChannel,
    Intake,
    IntakeOffice,
    IntakeStatus,
    Person,
    Reason,
    ReasonKind,
    Role,
    User,
)
from welcome.services import cases
from welcome.services.duplicates import OPEN_STATUSES
from welcome.services.errors import DomainError
from welcome.services.intakes import check_intake
from welcome.services.persons import check_person

#: Where a case opened from an intake came from.
SOURCE_OF_OFFICE = {
    IntakeOffice.REGISTRATION_OFFICE: CaseSource.REGISTRATION_OFFICE,
    IntakeOffice.FOREIGNERS_AUTHORITY: CaseSource.FOREIGNERS_AUTHORITY,
    IntakeOffice.OTHER: CaseSource.OTHER,
}
#: Intake fields a merge may copy onto the existing record, in the order they are shown.
TAKE_OVER_FIELDS = ("date_of_birth", "phone", "email", "preferred_language",
                    "residence_purpose")


def is_open(intake: Intake) -> bool:
    return intake.status in OPEN_STATUSES


def _require_open(intake: Intake) -> None:
    if not is_open(intake):
        raise DomainError(_("This intake was already decided (%(status)s); nothing was changed.",
                            status=intake.status.label))


def person_from_intake(intake: Intake) -> Person:
    """A person record filled with everything the clerk recorded."""
    language = intake.preferred_language
    return Person(
        given_name=intake.given_name,
        family_name=intake.family_name,
        date_of_birth=intake.date_of_birth,
        phone=intake.phone,
        email=intake.email,
        preferred_language=language,
        languages=[language] if language is not None else [],
        residence_purpose=intake.residence_purpose,
    )


def _case_notes(intake: Intake) -> str:
    lines = [_("From the intake of %(office)s: household of %(n)d person(s).",
               office=intake.office.label, n=intake.household_size)]
    if intake.note:
        lines.append(_("Note from the office: %(note)s", note=intake.note))
    return "\n".join(lines)


def _responsible(by: User | None) -> User | None:
    return by if by is not None and by.role in (Role.COORDINATOR, Role.ASSISTANT) else None


def accept_intake(session: Session, intake: Intake, by: User | None) -> Case:
    """Accept the intake: a new person and a new case, filled from the intake.

    :returns: the new case (status new, source from the office, ``by`` responsible).
    :raises DomainError: when the intake is no longer open or its data breaks a rule.
    """
    _require_open(intake)
    check_intake(intake)
    person = person_from_intake(intake)
    check_person(person)
    session.add(person)
    case = cases.open_case(
        session, person,
        source=SOURCE_OF_OFFICE[intake.office],
        status=CaseStatus.NEW,
        opened_on=date.today(),
        responsible=_responsible(by),
        notes=_case_notes(intake),
    )
    intake.status = IntakeStatus.ACCEPTED
    intake.person = person
    intake.case = case
    session.flush()
    return case


def open_cases_of(session: Session, person: Person) -> list[Case]:
    """The person's cases that are not closed (as main person or household member), newest first."""
    return list(session.scalars(
        select(Case).where(
            Case.status != CaseStatus.CLOSED,
            or_(Case.main_person_id == person.id,
                Case.id.in_(select(CaseMember.case_id).where(CaseMember.person_id == person.id))),
        ).order_by(Case.opened_on.desc(), Case.id.desc())
    ))


def differing_fields(intake: Intake, target: Person | Intake) -> list[str]:
    """Fields the intake knows and the target lacks or records differently."""
    result = []
    for name in TAKE_OVER_FIELDS:
        value = getattr(intake, name)
        if value is not None and value != "" and value != getattr(target, name):
            result.append(name)
    return result


def _take_over(intake: Intake, target: Person | Intake, fields: Iterable[str]) -> None:
    for name in fields:
        if name not in TAKE_OVER_FIELDS:
            raise DomainError(_("This field cannot be taken over."))
        setattr(target, name, getattr(intake, name))
    language = intake.preferred_language
    if (isinstance(target, Person) and "preferred_language" in fields and language is not None
            and language not in target.languages):
        target.languages.append(language)


def merge_into_person(session: Session, intake: Intake, person: Person,
                      take_over: Iterable[str] = (), case: Case | None = None,
                      open_new_case: bool = False, by: User | None = None) -> Case | None:
    """The intake is a person the center already knows: link it to them (and their case).

    :param take_over: intake fields copied onto the person (newer phone, e-mail …).
    :param case: one of the person's open cases to link; by default the newest one.
    :param open_new_case: open a case for the person when they have no open case.
    :returns: the case the intake now belongs to, if any.
    :raises DomainError: when the intake is no longer open or the case is not the person's.
    """
    _require_open(intake)
    fields = list(take_over)
    _take_over(intake, person, fields)
    check_person(person)
    open_cases = open_cases_of(session, person)
    if case is not None and case not in open_cases:
        raise DomainError(_("Choose one of the person's open cases."), "case")
    if case is None and open_cases:
        case = open_cases[0]
    if case is None and open_new_case:
        case = cases.open_case(
            session, person, source=SOURCE_OF_OFFICE[intake.office], status=CaseStatus.NEW,
            opened_on=date.today(), responsible=_responsible(by), notes=_case_notes(intake),
        )
    intake.status = IntakeStatus.DUPLICATE
    intake.person = person
    intake.case = case
    session.flush()
    return case


def merge_into_intake(session: Session, intake: Intake, target: Intake,
                      take_over: Iterable[str] = ()) -> Intake:
    """The same resident was logged twice: keep ``target``, mark ``intake`` as its duplicate.

    :raises DomainError: when either intake is no longer open, or they are the same.
    """
    _require_open(intake)
    _require_open(target)
    if target.id == intake.id:
        raise DomainError(_("An intake cannot be merged into itself."))
    _take_over(intake, target, list(take_over))
    check_intake(target)
    intake.status = IntakeStatus.DUPLICATE
    intake.decision_note = _("Duplicate of intake no. %(id)d.", id=target.id)
    session.flush()
    return target


def mark_contacted(session: Session, intake: Intake, on: date | None,
                   channel: ContactChannel | None) -> None:
    """The center reached the person (or tried): date and channel, the intake stays open.

    :raises DomainError: for a missing or future date, a date before the intake, or no channel.
    """
    _require_open(intake)
    if on is None:
        raise DomainError(_("Enter the date of the contact."), "contacted_on")
    if on > date.today():
        raise DomainError(_("The date of the contact lies in the future."), "contacted_on")
    if intake.created_at is not None and on < intake.created_at.date():
        raise DomainError(_("The contact cannot be before the intake was received."),
                          "contacted_on")
    if channel is None:
        raise DomainError(_("Choose how the person was contacted."), "contacted_channel")
    intake.contacted_on = on
    intake.contacted_channel = channel
    intake.status = IntakeStatus.CONTACTED
    session.flush()


def reject_intake(session: Session, intake: Intake, reason: Reason | None,
                  note: str | None = None) -> None:
    """Reject the intake with a reason from the catalogue (monitoring counts them).

    :raises DomainError: when the intake is no longer open or the reason is not an intake reason.
    """
    _require_open(intake)
    if reason is None or reason.kind != ReasonKind.INTAKE_REJECTED:
        raise DomainError(_("Choose a reason for rejecting."), "decision_reason")
    intake.status = IntakeStatus.REJECTED
    intake.decision_reason = reason
    intake.decision_note = (note or "").strip() or None
    session.flush()
