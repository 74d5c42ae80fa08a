"""The duplicate check: which spellings count as the same person, and what is compared."""

from datetime import date

import pytest

from tests.helpers import make_intake, make_person, make_user
from welcome.models import Intake, IntakeOffice, IntakeStatus, Role
from welcome.services import intakes
from welcome.services.duplicates import (
    EMAIL,
    NAME_AND_BIRTH,
    PHONE,
    find_duplicates,
    name_keys,
    phone_key,
    same_name,
)

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
