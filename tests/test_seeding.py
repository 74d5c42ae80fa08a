"""Catalogues and demo data from the command line."""

from sqlalchemy import func, select

from tests.helpers import catalogue, make_person
from welcome.extensions import db
from welcome.models import (
    Case,
    CaseMember,
    Consent,
    FieldOfAction,
    InstanceSetting,
    Language,
    Need,
    NeedStatus,
    Partner,
    PartnerType,
    Person,
    Reason,
    Referral,
    ReferralStatus,
    ResidencePurpose,
    User,
)
from welcome.services import catalogues, consents


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_catalogues_are_loaded_with_both_labels(db):
    assert _count(FieldOfAction) == len(catalogues.read_entries("fields_of_action.json")) == 14
    assert _count(ResidencePurpose) == 16
    assert _count(PartnerType) == 15
    assert _count(Language) == 16
    assert _count(Reason) >= 4 * 3
    housing = catalogue(FieldOfAction, "housing")
    assert (housing.label_de, housing.label_en) == ("Wohnungssuche", "Finding a home")
    assert catalogue(ResidencePurpose, "blue_card").legal_basis == "§ 18g AufenthG"
    assert catalogue(Language, "fa").right_to_left


def test_seeding_twice_changes_nothing_and_keeps_edited_labels(runner):
    housing = catalogue(FieldOfAction, "housing")
    housing.label_de = "Wohnen"
    db.session.commit()
    counts = [_count(model) for model in catalogues.CATALOGUES.values()]

    result = runner.invoke(args=["welcome", "seed-catalogues"])

    assert result.exit_code == 0, result.output
    assert "fields_of_action: 0 added" in result.output
    assert [_count(model) for model in catalogues.CATALOGUES.values()] == counts
    db.session.expire_all()
    assert catalogue(FieldOfAction, "housing").label_de == "Wohnen"


def test_seeding_adds_a_missing_entry(runner):
    db.session.delete(catalogue(PartnerType, "other"))
    db.session.commit()
    result = runner.invoke(args=["welcome", "seed-catalogues"])
    assert "partner_types: 1 added" in result.output
    assert catalogue(PartnerType, "other") is not None


def test_demo_data_set(runner, app):
    with app.app_context():
        result = runner.invoke(args=["welcome", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert 35 <= _count(Case) <= 45
    assert 55 <= _count(Person) <= 65
    assert 110 <= _count(Need) <= 130
    assert _count(Partner) == 25
    assert _count(CaseMember) >= 15
    assert {row for row in db.session.scalars(select(Need.status).distinct())} == set(NeedStatus)
    assert {row for row in db.session.scalars(select(Referral.status).distinct())} == \
        set(ReferralStatus)
    states = {consents.state_of(consent) for consent in db.session.scalars(select(Consent))}
    assert {"valid", "expires_soon", "expired", "withdrawn"} <= {s.value for s in states}
    assert _count(User) == 5
    assert "koordination" in result.output
    assert db.session.get(InstanceSetting, "demo_data") is not None
    emails = db.session.scalars(select(Person.email).where(Person.email.is_not(None)))
    assert all(email.endswith("@example.org") for email in emails)


def test_demo_refuses_a_database_with_real_data(runner):
    make_person(family_name="Echt")
    result = runner.invoke(args=["welcome", "seed-demo"])
    assert result.exit_code != 0
    assert "already holds data" in result.output
    assert _count(Case) == 0


def test_demo_if_empty_is_quiet_on_a_used_database(runner):
    make_person(family_name="Echt")
    result = runner.invoke(args=["welcome", "seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert _count(Person) == 1
