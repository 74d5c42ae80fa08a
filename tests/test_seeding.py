"""Catalogues and demo data from the command line."""

import pytest
from sqlalchemy import delete, func, select

from tests.helpers import catalogue, make_consent, make_person
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    AuditEvent,
    Case,
    CaseMember,
    Consent,
    FieldOfAction,
    InstanceSetting,
    Intake,
    IntakeStatus,
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
    Resource,
    Role,
    User,
)
from welcome.services import audit, catalogues, consents, demo, users
from welcome.services.errors import DomainError


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


@pytest.fixture
def demo_instance(app, monkeypatch):
    """The instance runs as a demo (WELCOME_DEMO=1), as `make run` starts it."""
    monkeypatch.setitem(app.config, "WELCOME_DEMO", True)


def test_demo_data_set(runner, app, demo_instance):
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
    assert {row for row in db.session.scalars(select(Intake.status).distinct())} == \
        set(IntakeStatus)
    assert _count(Intake, Intake.case_id.is_not(None), Intake.status == IntakeStatus.ACCEPTED)
    assert _count(Intake, Intake.person_id.is_not(None), Intake.status == IntakeStatus.DUPLICATE)
    assert _count(Intake, Intake.possible_duplicate.is_(True), Intake.status == IntakeStatus.NEW)


def test_demo_refuses_a_database_with_real_data(runner, demo_instance):
    make_person(family_name="Echt")
    result = runner.invoke(args=["welcome", "seed-demo"])
    assert result.exit_code != 0
    assert "already holds data" in result.output
    assert _count(Case) == 0


def test_demo_if_empty_is_quiet_on_a_used_database(runner, demo_instance):
    make_person(family_name="Echt")
    result = runner.invoke(args=["welcome", "seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert _count(Person) == 1


def _an_account() -> None:
    users.create_user(db.session, "it", Role.IT_ADMIN, "ein langes Passwort")


def _a_resource() -> None:
    db.session.add(Resource(title="Stadtportal", url="https://example.org/", active=True))


def _a_consent() -> None:
    make_consent(make_person())
    db.session.execute(delete(Person).where(Person.id.not_in(select(Consent.person_id))))


def _an_audit_entry() -> None:
    audit.record(db.session, AuditAction.LOGIN_FAILED, "User", detail="unknown user name")


@pytest.mark.parametrize("earlier", [_an_account, _a_resource, _a_consent, _an_audit_entry])
def test_demo_refuses_a_database_in_use(runner, demo_instance, earlier):
    """An account made with create-user, a link, a consent, a failed sign-in: the instance is
    in use, and no fictional people or demo passwords are added to it."""
    with audit.acting_as(None, "test"):
        earlier()
        db.session.commit()
    users_before = _count(User)
    for args in (["welcome", "seed-demo"], ["welcome", "seed-demo", "--if-empty"]):
        result = runner.invoke(args=args)
        assert "already holds data" in result.output
        assert "koordination" not in result.output
    assert result.exit_code == 0
    assert (_count(Case), _count(User)) == (0, users_before)


def test_demo_needs_a_demo_instance(runner):
    for args in (["welcome", "seed-demo"], ["welcome", "seed-demo", "--if-empty"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "WELCOME_DEMO=1" in result.output
    assert (_count(Person), _count(User)) == (0, 0)


def test_demo_service_refuses_outside_a_demo_instance(app_context):
    with pytest.raises(DomainError):
        demo.seed_demo(db.session)
    assert _count(Person) == 0


def test_catalogues_and_their_audit_rows_do_not_count_as_data(runner, demo_instance):
    db.session.delete(catalogue(PartnerType, "other"))
    db.session.commit()
    with audit.acting_as(None, "cli:seed-catalogues"):
        catalogues.seed_catalogues(db.session)
        db.session.commit()
    assert _count(AuditEvent)
    assert not demo.holds_other_data(db.session)
