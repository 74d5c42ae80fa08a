"""Consents on screen and on paper: badges, withdrawing in one step, the printed form."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.helpers import (
    catalogue,
    flashes,
    form_values,
    login_as,
    make_case,
    make_consent,
    make_need,
    make_partner,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import (
    AuditAction,
    AuditEvent,
    Consent,
    DataCategory,
    Language,
    Referral,
    Role,
)
from welcome.services import referrals


def _pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks as plain spaces (the layout wraps long titles)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def person_with_consent(client):
    login_as(client, Role.COORDINATOR)
    person = make_person(given_name="Olena", family_name="Kovalenko")
    partners = [make_partner(name="Jugendmigrationsdienst Musterstadt"),
                make_partner(name="Volkshochschule Musterstadt")]
    consent = make_consent(person, partners)
    return person, partners, consent


@pytest.mark.parametrize("language", DOCUMENT_LANGUAGES)
def test_consent_form_in_every_language(client, person_with_consent, language):
    """The printed form names the person and the partners, in their language and German."""
    person, partners, _ = person_with_consent
    consent = make_consent(person, partners, form_language=catalogue(Language, language))
    response = client.get(f"/admin/consent/form/?id={consent.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert "Olena Kovalenko" in text
    for partner in partners:
        assert partner.name in text
    assert "Einverständniserklärung zur Weitergabe personenbezogener Daten" in text
    assert "Formularversion 2026-1" in text
    reviewed = language in ("de", "en")
    assert ("Übersetzung noch nicht geprüft" in text) is not reviewed
    if language == "ar":
        assert "موافقة على نقل البيانات الشخصية" in text
    if language == "uk":
        assert "Згода на передачу персональних даних" in text


def test_printed_form_keeps_the_recorded_version(client, person_with_consent):
    person, partners, _ = person_with_consent
    consent = make_consent(person, partners, form_version="2025-3")
    text = _pdf_text(client.get(f"/admin/consent/form/?id={consent.id}").data)
    assert "Formularversion 2025-3" in text


def test_draft_form_for_chosen_partners(client, person_with_consent):
    person, partners, _ = person_with_consent
    response = client.get(f"/admin/person/consent-form/?id={person.id}&partner={partners[0].id}"
                          "&category=name&category=need&channel=phone&language=tr")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert partners[0].name in text and partners[1].name not in text
    assert "Kişisel verilerin aktarılmasına ilişkin onay beyanı" in text
    exports = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT)).all()
    assert [(e.entity, e.entity_id) for e in exports] == [("Person", str(person.id))]


@pytest.mark.parametrize("query", ["partner=abc", "partner=999999", "category=religion",
                                   "channel=pigeon", "partner_type=-1"])
def test_draft_form_with_bad_arguments(client, person_with_consent, query):
    person, *_ = person_with_consent
    response = client.get(f"/admin/person/consent-form/?id={person.id}&{query}")
    assert response.status_code in (400, 404)


def test_person_page_shows_state_and_withdraws_in_one_step(client, person_with_consent):
    person, partners, consent = person_with_consent
    referral = make_referral(make_need(make_case(person)), partners[0])
    with client.application.test_request_context():
        referrals.hand_over(db.session, referral, "email", ["name", "need"])
        db.session.commit()
    page = client.get(f"/admin/person/details/?id={person.id}")
    assert "gültig" in flashes(page) and "Widerrufen" in flashes(page)
    response = client.post(f"/admin/consent/withdraw/?id={consent.id}&url=/admin/person/",
                           data={"withdrawn_on": date.today().isoformat(),
                                 "withdrawn_how": "verbal"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/person/"
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on == date.today()
    assert db.session.get(Referral, referral.id).needs_attention
    text = flashes(client.get("/admin/person/"))
    assert "zur Prüfung markiert" in text and referral.case.reference in text


def test_withdrawal_without_date_is_refused(client, person_with_consent):
    *_, consent = person_with_consent
    response = client.post(f"/admin/consent/withdraw/?id={consent.id}", data={})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None


def test_scan_is_uploaded_with_the_consent_and_reading_it_is_audited(client):
    login_as(client, Role.COORDINATOR)
    person, partner = make_person(), make_partner()
    data = {
        "person": str(person.id), "purpose": "share_with_partners",
        "partners": [str(partner.id)], "categories": ["name"], "channels": ["phone"],
        "given_on": "2026-10-05", "given_how": "signed_paper", "form_version": "2026-1",
        "form_language": str(catalogue(Language, "de").id),
        "scan_upload": (io.BytesIO(b"%PDF-1.4 signed"), "unterschrift.pdf"),
    }
    response = client.post("/admin/consent/new/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, flashes(response)[:1000]
    consent = db.session.scalar(select(Consent).where(Consent.person_id == person.id))
    assert consent.scan_filename == "unterschrift.pdf"
    assert client.get(f"/admin/consent/scan/?id={consent.id}").data == b"%PDF-1.4 signed"
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.detail == "scan")).all()
    assert len(reads) == 1


def test_a_scan_that_is_not_a_document_is_refused(client):
    login_as(client, Role.COORDINATOR)
    person, partner = make_person(), make_partner()
    response = client.post("/admin/consent/new/", content_type="multipart/form-data", data={
        "person": str(person.id), "purpose": "share_with_partners",
        "partners": [str(partner.id)], "categories": ["name"], "channels": ["phone"],
        "given_on": "2026-10-05", "given_how": "signed_paper", "form_version": "2026-1",
        "form_language": str(catalogue(Language, "de").id),
        "scan_upload": (io.BytesIO(b"MZ\x90\x00"), "virus.exe"),
    })
    assert response.status_code == 422
    assert "PDF, JPEG oder PNG" in flashes(response)
    assert db.session.scalar(select(Consent).where(Consent.person_id == person.id)) is None


# --- withdrawal date, recorded scope, the form printed from the person page --------------


def test_a_withdrawal_dated_in_the_future_is_refused(client, person_with_consent):
    person, _, consent = person_with_consent
    page = client.get(f"/admin/person/details/?id={person.id}").get_data(as_text=True)
    assert f'max="{date.today().isoformat()}"' in page
    response = client.post(f"/admin/consent/withdraw/?id={consent.id}", data={
        "withdrawn_on": (date.today() + timedelta(days=180)).isoformat(),
        "withdrawn_how": "in_writing"})
    assert response.status_code == 422
    assert "nicht in der Zukunft" in flashes(response)
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None


def test_the_edit_form_shows_the_scope_read_only_and_cannot_widen_it(client,
                                                                      person_with_consent):
    person, partners, consent = person_with_consent
    page = client.get(f"/admin/consent/edit/?id={consent.id}").get_data(as_text=True)
    assert 'name="categories"' not in page and 'name="person"' not in page
    assert "Telefon und E-Mail" in page and partners[0].name in page
    assert 'name="notes"' in page
    other = make_person()
    response = client.post(f"/admin/consent/edit/?id={consent.id}", data={
        "person": str(other.id), "partners": [str(p.id) for p in (*partners, make_partner())],
        "categories": [c.value for c in DataCategory], "channels": ["accompanied"],
        "given_on": "2026-01-01", "given_how": "electronic", "form_version": "2030-9",
        "form_language": str(catalogue(Language, "en").id), "notes": "Original im Ordner",
        "edit_version": str(consent.version)})
    assert response.status_code == 302, flashes(response)[:1500]
    db.session.expire_all()
    stored = db.session.get(Consent, consent.id)
    assert stored.person_id == person.id
    assert [p.id for p in stored.partners] == [p.id for p in partners]
    assert stored.categories == [DataCategory.NAME, DataCategory.CONTACT, DataCategory.NEED]
    assert (stored.form_version, stored.form_language.code) == ("2026-1", "de")
    assert stored.notes == "Original im Ordner"


def test_the_edit_form_refuses_an_extension(client, person_with_consent):
    *_, consent = person_with_consent
    response = client.post(f"/admin/consent/edit/?id={consent.id}", data={
        "valid_until": "2027-01-31", "edit_version": str(consent.version)})
    assert response.status_code == 302
    response = client.post(f"/admin/consent/edit/?id={consent.id}", data={
        "valid_until": "2028-01-31", "edit_version": str(consent.version + 1)})
    assert response.status_code == 422
    assert "nicht verlängert" in flashes(response)
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).valid_until == date(2027, 1, 31)


def test_the_form_printed_from_the_person_page_names_the_planned_partners(client,
                                                                          person_with_consent):
    person, partners, _ = person_with_consent
    make_referral(make_need(make_case(person)), partners[1])
    text = _pdf_text(client.get(f"/admin/person/consent-form/?id={person.id}").data)
    assert partners[1].name in text and partners[0].name not in text


def test_without_planned_referrals_the_form_leaves_lines_to_fill_in(client):
    login_as(client, Role.COORDINATOR)
    person = make_person(given_name="Iryna")
    planned_elsewhere = make_referral()
    response = client.get(f"/admin/person/consent-form/?id={person.id}")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "Wer die Daten erhält" in text and "Iryna" in text
    assert planned_elsewhere.partner.name not in text
    assert text.count("☐") >= 3


def _consent_data(**change) -> dict:
    data = {
        "person": str(make_person().id), "purpose": "share_with_partners",
        "partners": [str(make_partner().id)], "categories": ["name"], "channels": ["phone"],
        "given_on": "2026-10-05", "given_how": "signed_paper", "form_version": "2026-1",
        "form_language": str(catalogue(Language, "de").id),
    }
    data.update(change)
    return data


@pytest.mark.parametrize(("change", "message"), [
    ({"channels": ["information_only"]}, "Wählen Sie nur unter den angebotenen Einträgen."),
    ({"categories": ["religion"]}, "Wählen Sie nur unter den angebotenen Einträgen."),
    ({"given_on": "0001-01-01"}, "Jahre zurückdatiert"),
    ({"given_on": "05.10.2026"}, "Kein gültiges Datum"),
    ({"valid_until": "9999-12-31"}, "Jahre im Voraus"),
    ({"valid_until": "2026-01-01"}, "nicht enden, bevor"),
    ({"partners": ["999999"]}, "Wählen Sie nur unter den angebotenen Einträgen."),
    ({"partners": [""]}, "Netzwerkpartner oder Partnerarten"),
    ({"given_how": "verbal_with_witness"}, "Zeugin"),
    ({"form_version": "x" * 21}, "20 Zeichen"),
])
def test_bad_consent_input_is_explained(client, change, message):
    login_as(client, Role.COORDINATOR)
    before = db.session.scalar(select(func.count(Consent.id)))
    response = client.post("/admin/consent/new/", data=_consent_data(**change))
    assert response.status_code == 422
    text = flashes(response)
    assert message in text and "is not a valid choice" not in text
    assert db.session.scalar(select(func.count(Consent.id))) == before


def test_the_consent_list_does_not_load_categories_and_channels(client, count_queries):
    login_as(client, Role.COORDINATOR)
    for _ in range(3):
        make_consent(make_person())
    with count_queries() as statements:
        assert client.get("/admin/consent/").status_code == 200
    assert not [s for s in statements if "consent_categories" in s or "consent_channels" in s]


@pytest.mark.parametrize(("preferred", "form_language"), [("uk", "uk"), ("hi", "de"), (None, "de")])
def test_a_new_consent_starts_with_the_purpose_and_the_persons_form_language(
        client, preferred, form_language):
    """Opened from a person (or from a handover), the form names the person, the usual purpose
    and the language the printed form comes in; how it was given is left to the coordinator."""
    login_as(client, Role.COORDINATOR)
    person = make_person(preferred_language=catalogue(Language, preferred) if preferred else None)
    values = form_values(client.get(f"/admin/consent/new/?person_id={person.id}"))
    assert values["person"] == [str(person.id)]
    assert values["purpose"] == ["share_with_partners"]
    assert values["form_language"] == [str(catalogue(Language, form_language).id)]
    assert values["given_how"] == [""]
