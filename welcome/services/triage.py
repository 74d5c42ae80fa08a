"""The coordinator's decisions on intakes: accept, merge, mark contacted, reject.

Each decision is a function that locks the intake's row, checks the intake is still open,
changes it, and flushes; the session hooks write the audit log (status, person and case of
the intake, and the new person and case records). The caller commits. The lock makes two
coordinators deciding the same intake at the same moment take turns: the second sees the
first one's decision and is refused, instead of opening a second person and case.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import Session

from welcome.i18n import format_day
from welcome.models import (
    Case,
    CaseMember,
    CaseSource,
    CaseStatus,
    ContactChannel,
    Intake,
    IntakeOffice,
    IntakeStatus,
    MemberRelation,
    Person,
    Reason,
    ReasonKind,
    Role,
    User,
)
from welcome.services import cases, duplicates
from welcome.services.duplicates import OPEN_STATUSES, find_duplicates, flag_duplicates_many
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


class AlreadyDecidedError(DomainError):
    """The intake was decided (by a colleague, a moment ago) before this decision."""

    status_code = 409


def is_open(intake: Intake) -> bool:
    return intake.status in OPEN_STATUSES


def already_decided_message(intake: Intake) -> str:
    return _("This intake was already decided (%(status)s); nothing was changed.",
             status=intake.status.label)


def _lock(session: Session, ids: Iterable[int]) -> list[Intake]:
    """Lock the intakes' rows until the transaction ends and read them afresh.

    One statement in id order: two sessions that lock overlapping intakes take them in the
    same order, so they wait for each other instead of deadlocking.
    """
    return list(session.scalars(
        select(Intake).where(Intake.id.in_(sorted(set(ids)))).order_by(Intake.id)
        .with_for_update().execution_options(populate_existing=True)
    ))


def _lock_open(session: Session, *intakes: Intake) -> list[Intake]:
    """Lock the intakes and the open intakes that match them, then refuse a decided one.

    The intakes keep the duplicate check as it stood when they were decided.

    :returns: the matching open intakes, whose duplicate check the decision changes.
    :raises AlreadyDecidedError: naming the decided intake's status.
    """
    found = {intake.id: find_duplicates(session, intake) for intake in intakes}
    own = set(found)
    related = {match.id for matches in found.values() for match in matches
               if match.kind == "intake"} - own
    locked = _lock(session, own | related)
    for intake in intakes:
        if not is_open(intake):
            raise AlreadyDecidedError(already_decided_message(intake))
        duplicates.record(intake, found[intake.id])
    return [other for other in locked if other.id in related and is_open(other)]


def _recheck(session: Session, others: list[Intake]) -> None:
    """Run the duplicate check again for the open intakes that matched a decided one: they
    no longer point at it, but at the person it became, if it became one."""
    if others:
        flag_duplicates_many(session, others, reciprocal=False)
    else:
        session.flush()


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


def _merge_notes(intake: Intake) -> str:
    """What a merged intake adds to the notes of the case (or person) it joins."""
    return "\n".join([_("Intake of %(name)s, received on %(day)s:", name=intake.full_name,
                        day=format_day(intake.created_at.date() if intake.created_at
                                       else date.today())),
                      _case_notes(intake)])


def _append(notes: str | None, text: str) -> str:
    return f"{notes.rstrip()}\n\n{text}" if notes and notes.strip() else text


def _responsible(by: User | None) -> User | None:
    return by if by is not None and by.role in (Role.COORDINATOR, Role.ASSISTANT) else None


def accept_intake(session: Session, intake: Intake, by: User | None) -> Case:
    """Accept the intake: a new person and a new case, filled from the intake.

    :returns: the new case (status new, source from the office, ``by`` responsible).
    :raises DomainError: when the intake is no longer open or its data breaks a rule.
    """
    others = _lock_open(session, intake)
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
    _recheck(session, others)
    return case


def merge_into_case(session: Session, intake: Intake, case: Case,
                    relation: MemberRelation | None) -> Case:
    """The intake is a new member of a household the center already has (family
    reunification): a person filled from the intake joins the case with ``relation``.

    :raises DomainError: when the intake is no longer open, the case is closed, no relation
        was chosen, or the data breaks a rule.
    """
    others = _lock_open(session, intake)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("This case is closed; choose an open case."), "case")
    if relation is None:
        raise DomainError(_("Choose how the person is related to the main person."),
                          "relation")
    check_intake(intake)
    person = person_from_intake(intake)
    check_person(person)
    session.add(person)
    cases.add_member(case, person, relation)
    case.notes = _append(case.notes, _merge_notes(intake))
    cases.check_case(case)
    intake.status = IntakeStatus.ACCEPTED
    intake.person = person
    intake.case = case
    _recheck(session, others)
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


def open_cases_by_person(session: Session, person_ids: Iterable[int]) -> dict[int, list[Case]]:
    """The open cases of each person (as main person or household member), newest first,
    in one statement: the households an intake may join as a new member."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    links = union_all(
        select(Case.id.label("case_id"), Case.main_person_id.label("person_id"))
        .where(Case.main_person_id.in_(ids)),
        select(CaseMember.case_id, CaseMember.person_id).where(CaseMember.person_id.in_(ids)),
    ).subquery()
    result: dict[int, list[Case]] = defaultdict(list)
    for person_id, found in session.execute(
        select(links.c.person_id, Case).join(Case, Case.id == links.c.case_id)
        .where(Case.status != CaseStatus.CLOSED).order_by(Case.opened_on.desc(), Case.id.desc())
    ):
        result[person_id].append(found)
    return dict(result)


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
    The intake's note and household size are added to the notes of the case (or of the
    person, when there is no case), so nothing the office passed on is lost.

    :raises DomainError: when the intake is no longer open or the case is not the person's.
    """
    others = _lock_open(session, intake)
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
    elif case is not None:
        case.notes = _append(case.notes, _merge_notes(intake))
    else:
        person.notes = _append(person.notes, _merge_notes(intake))
    intake.status = IntakeStatus.DUPLICATE
    intake.person = person
    intake.case = case
    _recheck(session, others)
    return case


def merge_into_intake(session: Session, intake: Intake, target: Intake,
                      take_over: Iterable[str] = ()) -> Intake:
    """The same resident was logged twice: keep ``target``, mark ``intake`` as its duplicate.

    :raises DomainError: when either intake is no longer open, or they are the same.
    """
    if target.id == intake.id:
        raise DomainError(_("An intake cannot be merged into itself."))
    others = _lock_open(session, intake, target)
    _take_over(intake, target, list(take_over))
    check_intake(target)
    intake.status = IntakeStatus.DUPLICATE
    intake.decision_note = _("Duplicate of intake no. %(id)d.", id=target.id)
    _recheck(session, [target, *(other for other in others if other is not target)])
    return target


def mark_contacted(session: Session, intake: Intake, on: date | None,
                   channel: ContactChannel | None) -> None:
    """The center reached the person (or tried): date and channel, the intake stays open.

    :raises DomainError: for a missing or future date, a date before the intake, or no channel.
    """
    _lock(session, [intake.id])
    if not is_open(intake):
        raise AlreadyDecidedError(already_decided_message(intake))
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
    others = _lock_open(session, intake)
    if reason is None or reason.kind != ReasonKind.INTAKE_REJECTED:
        raise DomainError(_("Choose a reason for rejecting."), "decision_reason")
    intake.status = IntakeStatus.REJECTED
    intake.decision_reason = reason
    intake.decision_note = (note or "").strip() or None
    _recheck(session, others)
