"""The duplicate check: which spellings count as the same person, and what is compared."""

from datetime import date

import pytest

from tests.helpers import login_as, make_intake, make_person, make_user, reason
from welcome.extensions import db
from welcome.models import Intake, IntakeOffice, IntakeStatus, ReasonKind, Role
from welcome.services import intakes, triage
from welcome.services.duplicates import (
    EMAIL,
    NAME_AND_BIRTH,
    PHONE,
    find_duplicates,
    name_keys,
    phone_key,
    same_name,
)
from welcome.services.errors import DomainError

BORN = date(1990, 3, 15)


@pytest.mark.parametrize(("a", "b"), [
    ("Müller", "Mueller"), ("Müller", "MULLER"), ("José", "Jose"), ("Yıldız", "Yildiz"),
    ("Strauß", "Strauss"), ("Hodžić", "Hodzic"), ("Ñúñez", "nunez"), ("Øster", "oster"),
])
def test_spellings_that_count_as_the_same_name(a, b):
    assert name_keys(a) & name_keys(b)


@pytest.mark.parametrize(("a", "b"), [("Müller", "Miller"), ("Jose", "Josef"), ("Anna", "Ana")])
def test_different_names_stay_different(a, b):
    assert not name_keys(a) & name_keys(b)


def test_family_names_that_sound_alike_match_with_the_same_given_name():
    assert same_name("Anna", "Meier", "Anna", "Mayer")
    assert same_name("Jürgen", "Schmidt", "Juergen", "Schmitt")
    assert not same_name("Anna", "Meier", "Berta", "Mayer")


def test_swapped_given_and_family_name_match():
    assert same_name("Minh", "Nguyen", "Nguyễn", "Minh")


def test_phone_numbers_compare_in_international_form():
    assert phone_key("0171 3920011") == phone_key("+49 171 3920011") == "+491713920011"
    assert phone_key("not a number") is None


def _intake(**kw) -> Intake:
    values = {"given_name": "José", "family_name": "Müller", "date_of_birth": BORN,
              "phone": "+49 171 3920099", "office": IntakeOffice.REGISTRATION_OFFICE,
              "consent_to_contact": True, "household_size": 1}
    values.update(kw)
    return Intake(**values)


def test_person_with_same_name_and_birth_date_is_found(db):
    person = make_person(given_name="Jose", family_name="MUELLER", date_of_birth=BORN,
                         phone=None, email=None)
    matches = find_duplicates(db.session, _intake())
    assert [(m.kind, m.id, m.on) for m in matches] == [("person", person.id, [NAME_AND_BIRTH])]


def test_same_name_with_other_birth_date_is_not_a_duplicate(db):
    make_person(given_name="José", family_name="Müller", date_of_birth=date(1991, 3, 15),
                phone=None, email=None)
    assert find_duplicates(db.session, _intake()) == []


def test_same_name_without_birth_date_is_not_a_duplicate(db):
    make_person(given_name="José", family_name="Müller", date_of_birth=None, phone=None,
                email=None)
    assert find_duplicates(db.session, _intake(date_of_birth=None)) == []


def test_email_matches_without_regard_to_case(db):
    person = make_person(family_name="Anders", email="Jose.Mueller@Example.org", phone=None)
    matches = find_duplicates(db.session, _intake(email="jose.mueller@example.org",
                                                  date_of_birth=None))
    assert [(m.id, m.on) for m in matches] == [(person.id, [EMAIL])]


def test_phone_matches_in_any_notation(db):
    person = make_person(family_name="Anders", email=None, phone="+49 171 3920099")
    matches = find_duplicates(db.session, _intake(phone="0171/3920099", date_of_birth=None))
    assert [(m.id, m.on) for m in matches] == [(person.id, [PHONE])]


def test_open_intakes_are_compared_but_decided_ones_are_not(db):
    open_one = make_intake(phone="+49 171 3920099")
    make_intake(phone="+49 171 3920099", status=IntakeStatus.REJECTED)
    matches = find_duplicates(db.session, _intake())
    assert [(m.kind, m.id) for m in matches] == [("intake", open_one.id)]


def test_logging_marks_the_intake_and_records_the_matches(db, app_context):
    person = make_person(given_name="Jose", family_name="Mueller", date_of_birth=BORN,
                         phone="+49 171 3920099", email=None)
    clerk = make_user(Role.CLERK)
    intake, created = intakes.log_intake(db.session, _intake(), clerk, "a" * 32)
    db.session.commit()
    assert created and intake.possible_duplicate
    assert intake.duplicate_matches == [
        {"kind": "person", "id": person.id, "on": [NAME_AND_BIRTH, PHONE]}]


def test_an_intake_without_match_is_not_marked(db, app_context):
    clerk = make_user(Role.CLERK)
    intake, _created = intakes.log_intake(db.session, _intake(), clerk, "b" * 32)
    assert not intake.possible_duplicate
    assert intake.duplicate_matches is None


def test_the_older_intake_is_marked_too(db, app_context):
    clerk = make_user(Role.CLERK)
    older, _ = intakes.log_intake(db.session, _intake(), clerk, "c" * 32)
    db.session.commit()
    assert not older.possible_duplicate
    newer, _ = intakes.log_intake(db.session, _intake(family_name="MUELLER"), clerk, "d" * 32)
    db.session.commit()
    db.session.expire_all()
    older = db.session.get(Intake, older.id)
    assert older.possible_duplicate
    assert older.duplicate_matches == [
        {"kind": "intake", "id": newer.id, "on": [NAME_AND_BIRTH, PHONE]}]
    assert newer.duplicate_matches == [
        {"kind": "intake", "id": older.id, "on": [NAME_AND_BIRTH, PHONE]}]


def test_after_an_accept_the_later_intake_points_at_the_new_person(db, app_context):
    clerk = make_user(Role.CLERK)
    older, _ = intakes.log_intake(db.session, _intake(), clerk, "e" * 32)
    newer, _ = intakes.log_intake(db.session, _intake(), clerk, "f" * 32)
    db.session.commit()
    case = triage.accept_intake(db.session, older, None)
    db.session.commit()
    db.session.expire_all()
    newer = db.session.get(Intake, newer.id)
    assert newer.possible_duplicate
    assert newer.duplicate_matches == [
        {"kind": "person", "id": case.main_person_id, "on": [NAME_AND_BIRTH, PHONE]}]
    assert db.session.get(Intake, older.id).duplicate_matches == [
        {"kind": "intake", "id": newer.id, "on": [NAME_AND_BIRTH, PHONE]}]


def test_a_rejected_intake_no_longer_marks_the_others(db, app_context):
    clerk = make_user(Role.CLERK)
    older, _ = intakes.log_intake(db.session, _intake(), clerk, "1" * 32)
    newer, _ = intakes.log_intake(db.session, _intake(), clerk, "2" * 32)
    db.session.commit()
    triage.reject_intake(db.session, newer, reason(ReasonKind.INTAKE_REJECTED))
    db.session.commit()
    db.session.expire_all()
    older = db.session.get(Intake, older.id)
    assert not older.possible_duplicate and older.duplicate_matches is None


def test_the_coordinator_sees_later_matches_and_persons_made_meanwhile(client, app_context):
    login_as(client, Role.COORDINATOR)
    older = make_intake(given_name="José", family_name="Müller", date_of_birth=BORN,
                        phone="+49 171 3920099")
    later = make_intake(given_name="Jose", family_name="Mueller", date_of_birth=BORN,
                        phone="+49 171 3920098")
    body = client.get(f"/admin/intakes/details/?id={older.id}").get_data(as_text=True)
    assert f"/admin/intakes/merge/confirm/?id={older.id}&amp;intake={later.id}" in body
    client.post(f"/admin/intakes/accept/?id={later.id}")
    person_id = db.session.get(Intake, later.id).person_id
    body = client.get(f"/admin/intakes/details/?id={older.id}").get_data(as_text=True)
    assert f"/admin/intakes/merge/confirm/?id={older.id}&amp;person={person_id}" in body
    assert f"intake={later.id}" not in body


def test_a_decided_intake_shows_a_decided_match_as_the_person_it_became(client, app_context):
    login_as(client, Role.COORDINATOR)
    first = make_intake(given_name="José", family_name="Müller", date_of_birth=BORN)
    second = make_intake(given_name="José", family_name="Müller", date_of_birth=BORN,
                         phone="+49 171 3920098")
    client.post(f"/admin/intakes/reject/?id={second.id}", data={
        "decision_reason": str(reason(ReasonKind.INTAKE_REJECTED).id)})
    client.post(f"/admin/intakes/accept/?id={first.id}")
    person = db.session.get(Intake, first.id).person
    body = client.get(f"/admin/intakes/details/?id={second.id}").get_data(as_text=True)
    assert f'href="/admin/person/details/?id={person.id}"' in body
    assert f'href="/admin/intakes/details/?id={first.id}"' not in body


def test_details_of_an_open_intake_check_duplicates_in_few_statements(
        client, app_context, count_queries):
    login_as(client, Role.COORDINATOR)
    intake = make_intake(given_name="José", family_name="Müller", date_of_birth=BORN)
    for index in range(2):
        make_person(given_name="Jose", family_name="Mueller", date_of_birth=BORN,
                    phone=f"+49 171 39201{index:02d}", email=None)
    client.get(f"/admin/intakes/details/?id={intake.id}")
    db.session.expire_all()
    with count_queries() as few:
        client.get(f"/admin/intakes/details/?id={intake.id}")
    for index in range(6):
        make_person(given_name="Jose", family_name="Mueller", date_of_birth=BORN,
                    phone=f"+49 171 39202{index:02d}", email=None)
    db.session.expire_all()
    with count_queries() as many:
        body = client.get(f"/admin/intakes/details/?id={intake.id}").get_data(as_text=True)
    assert body.count("Vergleichen und zusammenführen") == 8
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("phone", "123", "Telefonnummer"),
    ("phone", "0171 FLOWERS", "Telefonnummer"),
    ("email", "not-an-address", "E-Mail-Adresse"),
    ("note", "n" * 501, "500"),
])
def test_format_rules_hold_for_scripts_and_admin_forms_too(db, app_context, field, value,
                                                          message):
    intake = _intake(**{field: value})
    with pytest.raises(DomainError) as refused:
        intakes.check_intake(intake)
    assert refused.value.field == field and message in refused.value.message


def test_the_rules_store_contact_data_in_comparable_form(db, app_context):
    intake = _intake(phone="0171/3920099", email=" Jose@Example.ORG ")
    intakes.check_intake(intake)
    assert (intake.phone, intake.email) == ("+49 171 3920099", "Jose@example.org")
