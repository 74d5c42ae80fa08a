"""Create, edit and delete every kind of record through the admin forms a coordinator uses."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import (
    catalogue,
    flashes,
    login_as,
    make_case,
    make_need,
    make_partner,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.models import (
    Case,
    Consent,
    Consultation,
    FieldOfAction,
    Intake,
    Language,
    Need,
    Partner,
    PartnerType,
    Person,
    Reason,
    ReasonKind,
    Referral,
    ResidencePurpose,
    Resource,
    Role,
    User,
)


def _person_form() -> dict[str, Any]:
    return {
        "given_name": "Iryna",
        "family_name": "Bondar",
        "date_of_birth": "1988-05-17",
        "sex": "female",
        "nationality": "UA",
        "preferred_language": str(catalogue(Language, "uk").id),
        "languages": [str(catalogue(Language, "uk").id), str(catalogue(Language, "en").id)],
        "phone": "0171 3920055",
        "email": "iryna.bondar@example.org",
        "district": "Süd",
        "arrival_date": "2026-09-01",
        "residence_purpose": str(catalogue(ResidencePurpose, "blue_card").id),
    }


def _case_form() -> dict[str, Any]:
    return {
        "main_person": str(make_person().id),
        "source": "registration_office",
        "status": "new",
        "opened_on": "2026-10-01",
    }


def _need_form() -> dict[str, Any]:
    return {
        "case": str(make_case().id),
        "field_of_action": str(catalogue(FieldOfAction, "language").id),
        "description": "Integrationskurs mit Kinderbetreuung",
        "priority": "high",
        "status": "identified",
        "identified_on": "2026-10-02",
    }


def _referral_form() -> dict[str, Any]:
    need = make_need()
    return {
        "case": str(need.case_id),
        "need": str(need.id),
        "partner": str(make_partner().id),
        "channel": "email",
        "status": "planned",
        "planned_on": "2026-10-03",
    }


def _consultation_form() -> dict[str, Any]:
    return {
        "case": str(make_case().id),
        "held_on": "2026-10-04",
        "kind": "orientation",
        "duration_minutes": "60",
        "channel": "in_person",
        "language": str(catalogue(Language, "de").id),
        "interpreter_used": "y",
        "summary": "Erstgespräch",
    }


def _consent_form() -> dict[str, Any]:
    return {
        "person": str(make_person().id),
        "purpose": "share_with_partners",
        "partners": [str(make_partner().id)],
        "categories": ["name", "contact", "need"],
        "channels": ["email", "phone"],
        "given_on": "2026-10-05",
        "given_how": "signed_paper",
        "form_version": "2026-1",
        "form_language": str(catalogue(Language, "de").id),
        "valid_until": "2027-10-05",
    }


def _intake_form() -> dict[str, Any]:
    return {
        "given_name": "Marta",
        "family_name": "Kowalczyk",
        "phone": "+48 512 345 678",
        "household_size": "3",
        "office": "registration_office",
        "consent_to_contact": "y",
        "status": "new",
    }


def _partner_form() -> dict[str, Any]:
    return {
        "name": "Nachbarschaftstreff Weststadt",
        "partner_type": str(catalogue(PartnerType, "welfare").id),
        "fields_of_action": [str(catalogue(FieldOfAction, "social_contacts").id)],
        "languages": [str(catalogue(Language, "de").id)],
        "district": "Weststadt",
        "phone": "089 99998555",
        "email": "treff@example.org",
        "website": "https://treff.example.org/",
        "accepts_email_handover": "y",
        "active": "y",
    }


def _resource_form() -> dict[str, Any]:
    return {
        "title": "Make it in Germany",
        "field_of_action": str(catalogue(FieldOfAction, "work").id),
        "url": "https://www.make-it-in-germany.com/de/",
        "active": "y",
        "sort_order": "10",
        "translations-0-language": str(catalogue(Language, "en").id),
        "translations-0-title": "Make it in Germany",
        "translations-0-url": "https://www.make-it-in-germany.com/en/",
    }


def _catalogue_form(**extra: str) -> Callable[[], dict[str, Any]]:
    def form() -> dict[str, Any]:
        return {"code": "test_entry", "label_de": "Testeintrag", "label_en": "Test entry",
                "active": "y", "sort_order": "990", **extra}
    return form


def _user_form() -> dict[str, Any]:
    return {"username": "praktikant2", "display_name": "Jana Praktikum", "role": "assistant",
            "active": "y", "locale": "de", "password": "ein langes Passwort"}


#: endpoint, model, who may do it, form builder, (field to edit, new value, attribute)
ENTITIES = [
    ("person", Person, Role.COORDINATOR, _person_form, ("family_name", "Bondar-Shevchenko")),
    ("case", Case, Role.COORDINATOR, _case_form, ("status", "active")),
    ("need", Need, Role.COORDINATOR, _need_form, ("priority", "low")),
    ("referral", Referral, Role.COORDINATOR, _referral_form, ("notes", "ruft selbst an")),
    ("consultation", Consultation, Role.COORDINATOR, _consultation_form,
     ("duration_minutes", "90")),
    ("consent", Consent, Role.COORDINATOR, _consent_form, ("valid_until", "2027-04-30")),
    ("intakes", Intake, Role.COORDINATOR, _intake_form, ("household_size", "4")),
    ("partner", Partner, Role.COORDINATOR, _partner_form, ("district", "Nordost")),
    ("resource", Resource, Role.COORDINATOR, _resource_form, ("title", "Make it in Germany!")),
    ("field_of_action", FieldOfAction, Role.IT_ADMIN, _catalogue_form(), ("label_en", "Tests")),
    ("residence_purpose", ResidencePurpose, Role.IT_ADMIN,
     _catalogue_form(legal_basis="§ 1 TestG"), ("legal_basis", "§ 2 TestG")),
    ("partner_type", PartnerType, Role.IT_ADMIN, _catalogue_form(), ("label_de", "Geändert")),
    ("language", Language, Role.IT_ADMIN, _catalogue_form(), ("right_to_left", "y")),
    ("reason", Reason, Role.IT_ADMIN, _catalogue_form(kind="need_unmet"),
     ("label_de", "Anderer Grund")),
    ("user", User, Role.IT_ADMIN, _user_form, ("display_name", "Jana P.")),
]


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _newest(model: type) -> Any:
    return db.session.scalar(select(model).order_by(model.id.desc()).limit(1))


def _edit_data(record: Any, form: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    data = dict(form)
    data[field] = value
    data.pop("password", None)
    if hasattr(record, "version"):
        data["edit_version"] = str(record.version)
    return data


@pytest.mark.parametrize(("endpoint", "model", "role", "make_form", "change"), ENTITIES,
                         ids=[entity[0] for entity in ENTITIES])
def test_create_edit_delete_round_trip(client, endpoint, model, role, make_form, change):
    """Can a user with the right role create, change and delete the record in the admin?"""
    login_as(client, role)
    form = make_form()
    before = _count(model)

    response = client.post(f"/admin/{endpoint}/new/", data=form)
    assert response.status_code == 302, flashes(response)[:2000]
    assert _count(model) == before + 1
    record = _newest(model)

    field, value = change
    response = client.post(f"/admin/{endpoint}/edit/?id={record.id}",
                           data=_edit_data(record, form, field, value))
    assert response.status_code == 302, flashes(response)[:2000]
    db.session.expire_all()
    changed = db.session.get(model, record.id)
    stored = getattr(changed, field)
    assert str(stored.value if hasattr(stored, "value") else stored) == value \
        or (value == "y" and stored is True)

    response = client.get(f"/admin/{endpoint}/details/?id={record.id}")
    assert response.status_code == 200

    if role is not Role.IT_ADMIN:
        login_as(client, Role.COORDINATOR)
        before += model is User
    response = client.post(f"/admin/{endpoint}/delete/", data={"id": str(record.id)})
    assert response.status_code == 302
    assert _count(model) == before


def test_case_reference_is_assigned_on_create(client):
    login_as(client, Role.COORDINATOR)
    response = client.post("/admin/case/new/", data=_case_form())
    assert response.status_code == 302
    case = _newest(Case)
    assert case.reference == "WC-2026-" + case.reference.rsplit("-", 1)[1]
    assert len(case.reference.rsplit("-", 1)[1]) == 4


def test_case_with_household_members_inline(client):
    """Are household members added on the case form itself?"""
    login_as(client, Role.COORDINATOR)
    child = make_person(given_name="Mila", date_of_birth=date(2019, 2, 3))
    data = _case_form()
    data.update({"members-0-person": str(child.id), "members-0-relation": "child"})
    response = client.post("/admin/case/new/", data=data)
    assert response.status_code == 302, flashes(response)[:1500]
    case = _newest(Case)
    assert [(m.person_id, m.relation.value) for m in case.members] == [(child.id, "child")]


def test_closing_a_case_needs_date_and_reason(client):
    login_as(client, Role.COORDINATOR)
    case = make_case()
    data = {"main_person": str(case.main_person_id), "source": case.source.value,
            "status": "closed", "opened_on": "2026-03-02", "edit_version": str(case.version)}
    response = client.post(f"/admin/case/edit/?id={case.id}", data=data)
    assert response.status_code == 422
    assert "ist das Abschlussdatum erforderlich" in flashes(response)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status.value == "new"

    closing = db.session.scalar(select(Reason).where(Reason.kind == ReasonKind.CASE_CLOSED))
    data.update({"closed_on": "2026-11-01", "closure_reason": str(closing.id)})
    response = client.post(f"/admin/case/edit/?id={case.id}", data=data)
    assert response.status_code == 302, flashes(response)[:1500]


def test_unmet_need_needs_a_reason(client):
    login_as(client, Role.COORDINATOR)
    need = make_need()
    data = {"case": str(need.case_id), "field_of_action": str(need.field_of_action_id),
            "priority": "medium", "status": "unmet", "identified_on": "2026-03-02",
            "edit_version": str(need.version)}
    response = client.post(f"/admin/need/edit/?id={need.id}", data=data)
    assert response.status_code == 422
    assert "warum der Handlungsbedarf nicht gedeckt bleibt" in flashes(response)
    unmet = db.session.scalar(select(Reason).where(Reason.kind == ReasonKind.NEED_UNMET))
    data["unmet_reason"] = str(unmet.id)
    response = client.post(f"/admin/need/edit/?id={need.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Need, need.id)
    assert stored.status.value == "unmet"
    assert stored.resolved_on == date.today()


def test_create_form_is_prefilled_from_the_case_page(client):
    login_as(client, Role.COORDINATOR)
    case = make_case()
    response = client.get(f"/admin/need/new/?case_id={case.id}")
    assert response.status_code == 200
    assert f'value="{case.id}"' in response.get_data(as_text=True)
    assert case.reference in response.get_data(as_text=True)


def test_a_referred_need_is_not_moved_to_another_case(client):
    login_as(client, Role.COORDINATOR)
    need = make_referral().need
    other = make_case()
    data = {"case": str(other.id), "field_of_action": str(need.field_of_action_id),
            "priority": "medium", "status": "referred", "identified_on": "2026-03-02",
            "edit_version": str(need.version)}
    response = client.post(f"/admin/need/edit/?id={need.id}", data=data)
    assert response.status_code == 422
    assert "er bleibt bei seinem Fall" in flashes(response)
    db.session.expire_all()
    assert db.session.get(Need, need.id).case_id != other.id
