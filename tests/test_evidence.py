"""What a handover passed, and the consent it relied on, cannot be deleted on any path."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import (
    flashes,
    login_as,
    make_case,
    make_consent,
    make_need,
    make_partner,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.models import (
    Case,
    Consent,
    DataCategory,
    HandoverChannel,
    MemberRelation,
    Need,
    Person,
    Referral,
    Role,
)
from welcome.services import cases, evidence, referrals
from welcome.services.errors import DomainError


@pytest.fixture
def handed_over(app_context):
    """A case whose spouse's need was handed over on the spouse's consent."""
    main, spouse = make_person(given_name="Amina"), make_person(given_name="Karim")
    case = make_case(main)
    cases.add_member(case, spouse, MemberRelation.SPOUSE)
    partner = make_partner()
    consent = make_consent(spouse, [partner])
    referral = make_referral(make_need(case, person=spouse), partner)
    referrals.hand_over(db.session, referral, HandoverChannel.EMAIL,
                        [DataCategory.NAME, DataCategory.NEED])
    db.session.commit()
    return referral, consent


@pytest.mark.parametrize(("record", "message"), [
    ("referral", "Ergebnis"),
    ("case", "Schließen Sie den Fall"),
    ("need", "gedeckt oder nicht gedeckt"),
    ("consent", "Widerrufen Sie sie"),
])
def test_evidence_is_not_deleted_through_the_orm(handed_over, record, message):
    referral, consent = handed_over
    target = {"referral": referral, "case": referral.case, "need": referral.need,
              "consent": consent}[record]
    db.session.delete(target)
    with pytest.raises(DomainError, match=message):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Referral, referral.id) is not None


def test_a_person_with_consents_is_not_deleted(app_context):
    person = make_person(given_name="Selin")
    make_consent(person)
    db.session.delete(person)
    with pytest.raises(DomainError, match="Selin"):
        db.session.flush()


def test_a_person_whose_data_was_handed_over_is_not_deleted(app_context):
    """A child has no consent of its own (the parent's covers it), but its need went out."""
    parent, child = make_person(given_name="Farah"), make_person(given_name="Omar")
    case = make_case(parent)
    cases.add_member(case, child, MemberRelation.CHILD)
    partner = make_partner()
    make_consent(parent, [partner])
    referral = make_referral(make_need(case, person=child), partner)
    referrals.hand_over(db.session, referral, HandoverChannel.EMAIL, [DataCategory.NEED])
    db.session.commit()
    with pytest.raises(DomainError, match="Omar"):
        evidence.check_deletion(db.session, child)
    evidence.check_deletion(db.session, make_person())


def test_planned_referrals_and_unused_consents_can_still_be_deleted(app_context):
    referral = make_referral()
    consent = make_consent(make_person())
    db.session.delete(referral)
    db.session.delete(consent)
    db.session.commit()
    assert db.session.get(Referral, referral.id) is None
    assert db.session.get(Consent, consent.id) is None


# --- through the admin --------------------------------------------------------------------


@pytest.fixture
def coordinator_with_handover(client):
    login_as(client, Role.COORDINATOR)
    person = make_person(given_name="Lina")
    partner = make_partner()
    consent = make_consent(person, [partner])
    referral = make_referral(make_need(make_case(person)), partner)
    with client.application.test_request_context():
        referrals.hand_over(db.session, referral, HandoverChannel.EMAIL,
                            [DataCategory.NAME, DataCategory.NEED])
        db.session.commit()
    return referral, consent


@pytest.mark.parametrize(("endpoint", "model", "attribute"), [
    ("referral", Referral, None),
    ("case", Case, "case"),
    ("need", Need, "need"),
])
def test_admin_delete_button_refuses_evidence(client, coordinator_with_handover, endpoint, model,
                                              attribute):
    referral, _ = coordinator_with_handover
    record = getattr(referral, attribute) if attribute else referral
    response = client.post(f"/admin/{endpoint}/delete/", data={"id": str(record.id)})
    assert response.status_code == 302
    page = flashes(client.get(response.headers["Location"]))
    assert "kann nicht gelöscht werden" in page or "statt sie zu löschen" in page
    db.session.expire_all()
    assert db.session.get(model, record.id) is not None
    assert db.session.get(Referral, referral.id).handed_over_at is not None


def test_admin_mass_delete_refuses_evidence(client, coordinator_with_handover):
    referral, consent = coordinator_with_handover
    planned = make_referral()
    response = client.post("/admin/referral/action/", data={
        "action": "delete", "rowid": [str(referral.id), str(planned.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id) is not None
    assert db.session.get(Referral, planned.id) is None
    response = client.post("/admin/consent/action/", data={
        "action": "delete", "rowid": [str(consent.id)]})
    db.session.expire_all()
    assert db.session.get(Consent, consent.id) is not None


def test_admin_refuses_deleting_a_person_with_consents(client):
    login_as(client, Role.COORDINATOR)
    person = make_person(given_name="Nour")
    make_consent(person, given_on=date(2026, 5, 4))
    response = client.post("/admin/person/delete/", data={"id": str(person.id)})
    assert response.status_code == 302
    assert "Nour" in flashes(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.scalar(select(Person).where(Person.id == person.id)) is not None
