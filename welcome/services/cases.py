"""Cases: references, household and closing."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from welcome.models import (
    Case,
    CaseMember,
    CaseReferenceCounter,
    CaseStatus,
    MemberRelation,
    Person,
    ReasonKind,
)
from welcome.services.dates import FOLLOW_UP_AHEAD, check_day
from welcome.services.errors import DomainError
from welcome.services.reasons import check_reason_kind

REFERENCE_PREFIX = "WC"


def install() -> None:
    """Give every new case its reference as it is first flushed, whichever path created it."""
    if not event.contains(Session, "before_flush", _assign_references):
        event.listen(Session, "before_flush", _assign_references)


def _assign_references(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Case) and not obj.reference:
            year = (obj.opened_on or date.today()).year
            obj.reference = next_reference(session, year)


def next_reference(session: Session, year: int) -> str:
    """Take the next number of ``year`` from the counter table: ``WC-2026-0042``.

    The counter row is incremented in the same statement that reads it, so two concurrent
    sessions never receive the same number, and a deleted case's number is never reused.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CaseReferenceCounter.__table__
    statement = (
        insert(table)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.year], set_={"last_number": table.c.last_number + 1}
        )
        .returning(table.c.last_number)
    )
    number = session.connection().execute(statement).scalar_one()
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:04d}"


def open_case(session: Session, main_person: Person, **values: Any) -> Case:
    """Open a case for a household whose contact is ``main_person``."""
    case = Case(main_person=main_person, **values)
    check_case(case)
    session.add(case)
    session.flush()
    return case


def add_member(case: Case, person: Person, relation: MemberRelation) -> CaseMember:
    """Add ``person`` to the household of ``case``.

    :raises DomainError: when the person already belongs to the household.
    """
    if person is case.main_person or any(m.person is person for m in case.members):
        raise DomainError(_("%(name)s already belongs to this household.", name=person.full_name))
    member = CaseMember(person=person, relation=relation)
    case.members.append(member)
    return member


def remove_member(case: Case, member: CaseMember) -> None:
    """Take ``member`` out of the household of ``case`` (a row entered by mistake, say).

    :raises DomainError: while a need of the case concerns that person.
    """
    if any(need.person is member.person for need in case.needs):
        raise DomainError(_("%(name)s is named in a need of this case; change that need first.",
                            name=member.person.full_name), "members")
    case.members.remove(member)


def close_case(case: Case, closed_on: date, reason: Any) -> None:
    """Close a case with the date and the reason monitoring counts."""
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.closure_reason = reason
    check_case(case)


def check_case(case: Case) -> None:
    """The rules a case must satisfy before it is saved, whatever screen changed it.

    :raises DomainError: naming the field that breaks a rule.
    """
    check_day(case.opened_on, "opened_on")
    check_day(case.closed_on, "closed_on")
    check_day(case.follow_up_on, "follow_up_on", ahead=FOLLOW_UP_AHEAD)
    check_reason_kind(case, "closure_reason", ReasonKind.CASE_CLOSED)
    if case.status == CaseStatus.CLOSED:
        if case.closed_on is None:
            raise DomainError(_("A closed case needs the date it was closed."), "closed_on")
        if case.closure_reason is None and case.closure_reason_id is None:
            raise DomainError(_("A closed case needs a reason for closing."), "closure_reason")
    elif case.closed_on is not None:
        raise DomainError(
            _("Only a closed case has a closing date. Set the status to closed or clear the date."),
            "closed_on",
        )
    if case.closed_on and case.opened_on and case.closed_on < case.opened_on:
        raise DomainError(_("A case cannot be closed before it was opened."), "closed_on")
    main_id = case.main_person.id if case.main_person else case.main_person_id
    seen: set[int] = set()
    for member in case.members:
        person_id = member.person.id if member.person else member.person_id
        if person_id is not None and person_id == main_id:
            raise DomainError(
                _("The main person is already part of the household; do not add them again."),
                "members",
            )
        if person_id in seen:
            raise DomainError(_("A person is listed twice in the household."), "members")
        seen.add(person_id)
