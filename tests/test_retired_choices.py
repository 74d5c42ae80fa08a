"""Deactivating a catalogue entry, a reason or a partner never costs a record its value.

Each test opens the edit form, sends back exactly what a browser would send after changing one
unrelated field, and checks that the record still holds the retired value.
"""

from datetime import date

import pytest

from tests.helpers import (
    catalogue,
    flashes,
    form_options,
    form_values,
    login_as,
    make_case,
    make_need,
    make_partner,
    make_person,
    make_referral,
    make_user,
    reason,
)
from welcome.extensions import db
from welcome.models import (
    FieldOfAction,
    FieldTopic,
    Language,
    MemberRelation,
    NeedStatus,
    PartnerType,
    ReasonKind,
    ReferralStatus,
    ResidencePurpose,
    Role,
)
from welcome.services import cases


@pytest.fixture
def coordinator(client):
    return login_as(client, Role.COORDINATOR)


def _retire(*entries) -> None:
    for entry in entries:
        entry.active = False
    db.session.commit()


def _fresh(record):
    """The record as stored now (requests close the session the test's objects came from)."""
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def _resend(client, endpoint: str, record_id: int, **changes: str):
    """Open the edit form, change some fields, send the rest as the browser shows it."""
    page = client.get(f"/admin/{endpoint}/edit/?id={record_id}")
    assert page.status_code == 200
    data = form_values(page)
    data.update({key: [value] for key, value in changes.items()})
    return client.post(f"/admin/{endpoint}/edit/?id={record_id}", data=data), page


def test_person_keeps_a_retired_residence_purpose_and_language(client, coordinator):
    uk, en, de = (catalogue(Language, code) for code in ("uk", "en", "de"))
    purpose = catalogue(ResidencePurpose, "blue_card")
    person = make_person(residence_purpose=purpose, preferred_language=en,
                         languages=[uk, en, de])
    _retire(purpose, en)

    response, page = _resend(client, "person", person.id, employer="Musterfirma GmbH")

    assert response.status_code == 302, flashes(response)
    assert (str(purpose.id), f"{purpose.label_de} (inaktiv)") in \
        form_options(page, "residence_purpose")
    person = _fresh(person)
    assert person.employer == "Musterfirma GmbH"
    assert person.residence_purpose_id == purpose.id
    assert person.preferred_language_id == en.id
    assert {language.code for language in person.languages} == {"uk", "en", "de"}


def test_a_new_record_cannot_choose_a_retired_entry(client, coordinator):
    purpose = catalogue(ResidencePurpose, "blue_card")
    _retire(purpose)
    page = client.get("/admin/person/new/")
    assert str(purpose.id) not in dict(form_options(page, "residence_purpose"))
    response = client.post("/admin/person/new/", data={
        "given_name": "Amra", "family_name": "Hodžić", "residence_purpose": str(purpose.id)})
    assert response.status_code == 422
    assert "Wählen Sie einen der angebotenen Einträge" in flashes(response)


def test_need_keeps_its_retired_field_of_action(client, coordinator):
    need = make_need(field="recognition")
    field = catalogue(FieldOfAction, "recognition")
    _retire(field)
    response, _ = _resend(client, "need", need.id, priority="low")
    assert response.status_code == 302, flashes(response)
    need = _fresh(need)
    assert (need.field_of_action.code, need.priority.value) == ("recognition", "low")


def test_partner_keeps_retired_type_fields_and_languages(client, coordinator):
    kind = catalogue(PartnerType, "welfare")
    housing, health = catalogue(FieldOfAction, "housing"), catalogue(FieldOfAction, "health")
    tr = catalogue(Language, "tr")
    partner = make_partner(partner_type=kind, fields_of_action=[housing, health],
                           languages=[catalogue(Language, "de"), tr])
    _retire(kind, health, tr)
    response, _ = _resend(client, "partner", partner.id, district="Nordost")
    assert response.status_code == 302, flashes(response)
    partner = _fresh(partner)
    assert partner.partner_type.code == "welfare"
    assert {field.code for field in partner.fields_of_action} == {"housing", "health"}
    assert {language.code for language in partner.languages} == {"de", "tr"}


def test_consent_keeps_retired_partner_types_and_form_language(client, coordinator):
    from tests.helpers import make_consent

    kind, ro = catalogue(PartnerType, "jmd"), catalogue(Language, "ro")
    consent = make_consent(make_person(), [], partner_types=[kind], form_language=ro)
    _retire(kind, ro)
    response, _ = _resend(client, "consent", consent.id, notes="Kopie ausgehändigt")
    assert response.status_code == 302, flashes(response)
    consent = _fresh(consent)
    assert [t.code for t in consent.partner_types] == ["jmd"]
    assert consent.form_language.code == "ro"


def test_case_keeps_a_retired_closing_reason_and_a_deactivated_colleague(client, coordinator):
    colleague = make_user(Role.ASSISTANT)
    closing = reason(ReasonKind.CASE_CLOSED)
    case = make_case(responsible=colleague)
    cases.close_case(case, date(2026, 11, 2), closing)
    db.session.commit()
    colleague.active = False
    _retire(closing)
    response, page = _resend(client, "case", case.id, notes="Akte archiviert")
    assert response.status_code == 302, flashes(response)
    assert (str(colleague.id), f"{colleague} (inaktiv)") in form_options(page, "responsible")
    case = _fresh(case)
    assert (case.responsible_id, case.closure_reason_id) == (colleague.id, closing.id)
    assert case.notes == "Akte archiviert"


def test_referral_to_a_deactivated_partner_stays_editable(client, coordinator):
    partner = make_partner()
    referral = make_referral(partner=partner)
    partner.active = False
    db.session.commit()
    response, _ = _resend(client, "referral", referral.id, notes="Partner schließt zum Jahresende")
    assert response.status_code == 302, flashes(response)
    referral = _fresh(referral)
    assert (referral.partner_id, referral.notes) == (partner.id, "Partner schließt zum Jahresende")


def test_no_new_referral_to_a_deactivated_partner(client, coordinator):
    partner = make_partner(active=False)
    need = make_need()
    response = client.post("/admin/referral/new/", data={
        "case": str(need.case_id), "need": str(need.id), "partner": str(partner.id),
        "channel": "email", "status": "planned", "planned_on": "2026-10-03"})
    assert response.status_code == 422
    assert "nicht mehr aktiv" in flashes(response)
    assert _fresh(need.case).referrals == []


def test_a_failed_referral_keeps_its_retired_reason(client, coordinator):
    from welcome.services import referrals

    referral = make_referral(channel="information_only")
    referrals.hand_over(db.session, referral, "information_only", [], by=coordinator)
    failed = reason(ReasonKind.REFERRAL_FAILED)
    referrals.record_outcome(referral, ReferralStatus.FAILED, reason=failed)
    db.session.commit()
    _retire(failed)
    response, _ = _resend(client, "referral", referral.id, notes="erledigt")
    assert response.status_code == 302, flashes(response)
    assert _fresh(referral).outcome_reason_id == failed.id


def test_an_unmet_need_keeps_its_retired_reason(client, coordinator):
    unmet = reason(ReasonKind.NEED_UNMET)
    need = make_need(status=NeedStatus.UNMET, unmet_reason=unmet)
    _retire(unmet)
    response, _ = _resend(client, "need", need.id, notes="Warteliste bis März")
    assert response.status_code == 302, flashes(response)
    assert _fresh(need).unmet_reason_id == unmet.id


@pytest.mark.parametrize(("endpoint", "field"), [
    ("need", "field_of_action"),
    ("partner", "partner_type"),
    ("consent", "form_language"),
])
def test_required_catalogue_selects_start_blank(client, coordinator, endpoint, field):
    """Nothing is chosen until somebody chooses it: a save without looking records nothing."""
    page = client.get(f"/admin/{endpoint}/new/")
    options = form_options(page, field)
    assert options[0] == ("__None", "—")
    assert field not in form_values(page) or form_values(page)[field] == ["__None"]


def test_a_required_select_left_blank_is_refused(client, coordinator):
    case = make_case()
    response = client.post("/admin/need/new/", data={
        "case": str(case.id), "field_of_action": "__None", "priority": "high",
        "status": "identified", "identified_on": "2026-10-02"})
    assert response.status_code == 422
    assert "Dieses Feld wird benötigt" in flashes(response)
    assert _fresh(case).needs == []


def test_case_source_starts_blank(client, coordinator):
    page = client.get("/admin/case/new/")
    assert form_options(page, "source")[0] == ("", "—")
    assert form_values(page).get("source", [""]) == [""]


def test_intake_and_resource_keep_retired_entries(client, coordinator):
    from tests.helpers import make_intake
    from welcome.models import Resource, ResourceTranslation

    purpose, hindi = catalogue(ResidencePurpose, "study_training"), catalogue(Language, "hi")
    romanian = catalogue(Language, "ro")
    intake = make_intake(residence_purpose=purpose, preferred_language=hindi)
    resource = Resource(title="Stadtplan", url="https://example.org/plan",
                        field_of_action=catalogue(FieldOfAction, "everyday_life"), active=True,
                        translations=[ResourceTranslation(language=romanian,
                                                          title="Harta orașului")])
    db.session.add(resource)
    db.session.commit()
    _retire(purpose, hindi, romanian, catalogue(FieldOfAction, "everyday_life"))
    response, _ = _resend(client, "intakes", intake.id, note="Ruft nach 16 Uhr an")
    assert response.status_code == 302, flashes(response)
    response, _ = _resend(client, "resource", resource.id, title="Stadtplan (neu)")
    assert response.status_code == 302, flashes(response)
    intake, resource = _fresh(intake), _fresh(resource)
    assert (intake.residence_purpose_id, intake.preferred_language_id) == (purpose.id, hindi.id)
    assert [t.language_id for t in resource.translations] == [romanian.id]
    assert resource.field_of_action.code == "everyday_life"


def test_need_keeps_its_retired_topic(client, coordinator):
    topic = catalogue(FieldTopic, "housing.broker_fees")
    need = make_need(field="housing", topics=[topic])
    _retire(topic)
    response, page = _resend(client, "need", need.id, priority="low")
    assert response.status_code == 302, flashes(response)
    assert (str(topic.id), f"{topic.field_of_action.label_de}: {topic.label_de} (inaktiv)") in \
        form_options(page, "topics")
    need = _fresh(need)
    assert [t.code for t in need.topics] == ["housing.broker_fees"]


def test_the_interview_keeps_retired_purpose_and_languages(client, coordinator):
    """Saving the household and arrival steps as shown keeps what a retired entry holds."""
    uk, en = catalogue(Language, "uk"), catalogue(Language, "en")
    purpose = catalogue(ResidencePurpose, "blue_card")
    person = make_person(residence_purpose=purpose, preferred_language=en, languages=[uk, en])
    case = make_case(person)
    child = make_person(given_name="Mila", preferred_language=en, date_of_birth=date(2019, 5, 1))
    cases.add_member(case, child, MemberRelation.CHILD)
    db.session.commit()
    _retire(purpose, en)
    assert client.get(f"/admin/interview/{case.id}/").status_code == 302

    for step in ("household", "arrival"):
        url = f"/admin/interview/{case.id}/{step}/"
        data = form_values(client.get(url), "interview-form")
        data["go"] = ["next"]
        response = client.post(url, data=data)
        assert response.status_code == 302, flashes(response)

    person, child = _fresh(person), _fresh(child)
    assert person.residence_purpose_id == purpose.id
    assert person.preferred_language_id == en.id
    assert {language.code for language in person.languages} == {"uk", "en"}
    assert child.preferred_language_id == en.id
