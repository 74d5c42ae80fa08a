"""Constraints the database itself enforces, whatever code writes to it."""

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.helpers import make_case, make_need, make_partner, make_person, make_referral
from welcome.models import AuditAction, AuditEvent, Case, Need, Referral
from welcome.models.types import utcnow
from welcome.services import audit, cases


def test_references_count_up_per_year(db):
    first = make_case(opened_on=date(2026, 1, 5))
    second = make_case(opened_on=date(2026, 2, 9))
    older = make_case(opened_on=date(2025, 12, 30))
    assert (first.reference, second.reference, older.reference) == (
        "WC-2026-0001", "WC-2026-0002", "WC-2025-0001")


def test_reference_of_a_deleted_case_is_never_reused(db):
    gone = make_case()
    reference = gone.reference
    db.session.delete(gone)
    db.session.commit()
    assert make_case().reference != reference


def test_references_are_unique_in_the_database(db):
    case = make_case()
    other = make_case()
    other.reference = case.reference
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize(("statement", "params"), [
    ("UPDATE cases SET status = 'gone' WHERE id = :id", {}),
    ("UPDATE cases SET source = 'rumour' WHERE id = :id", {}),
    ("UPDATE cases SET status = 'closed' WHERE id = :id", {}),
    ("UPDATE cases SET closed_on = '2020-01-01' WHERE id = :id", {}),
    ("UPDATE cases SET main_person_id = NULL WHERE id = :id", {}),
    ("UPDATE cases SET main_person_id = 999999 WHERE id = :id", {}),
])
def test_database_refuses_impossible_cases(db, statement, params):
    case = make_case()
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement), {"id": case.id, **params})


def test_deleting_a_case_deletes_its_needs_and_referrals(db):
    referral = make_referral()
    case_id, need_id = referral.case_id, referral.need_id
    db.session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": case_id})
    db.session.expunge_all()
    assert db.session.get(Need, need_id) is None
    assert db.session.scalar(select(func.count(Referral.id)).where(
        Referral.case_id == case_id)) == 0


def test_a_partner_with_referrals_cannot_be_deleted(db):
    partner = make_partner()
    make_referral(partner=partner)
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM partners WHERE id = :id"), {"id": partner.id})


def test_a_person_who_heads_a_case_cannot_be_deleted(db):
    case = make_case()
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM persons WHERE id = :id"),
                           {"id": case.main_person_id})


def test_deleting_a_household_member_is_refused_while_in_the_household(db):
    case = make_case()
    child = make_person(given_name="Leon")
    cases.add_member(case, child, "child")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM persons WHERE id = :id"), {"id": child.id})


def test_a_need_about_a_deleted_person_stays_with_the_household(db):
    case = make_case()
    member = make_person(given_name="Adam")
    cases.add_member(case, member, "spouse")
    need = make_need(case, person=member)
    db.session.execute(text("DELETE FROM case_members WHERE person_id = :id"), {"id": member.id})
    db.session.execute(text("DELETE FROM persons WHERE id = :id"), {"id": member.id})
    db.session.expire_all()
    assert db.session.get(Need, need.id).person_id is None


def test_audit_log_is_append_only_in_the_database(db):
    audit.record(db.session, AuditAction.VIEW, "Case", 1)
    db.session.flush()
    event_id = db.session.scalar(select(func.max(AuditEvent.id)))
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_events SET username = 'mallory' WHERE id = :id"),
                           {"id": event_id})


def test_audit_log_refuses_deletes_through_the_orm(db):
    event = AuditEvent(at=utcnow(), action=AuditAction.VIEW, username="someone")
    db.session.add(event)
    db.session.flush()
    db.session.delete(event)
    with pytest.raises(PermissionError):
        db.session.flush()


def test_timestamps_are_utc(db):
    case = make_case()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.created_at.utcoffset().total_seconds() == 0
