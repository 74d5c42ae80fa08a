"""The clerk's intake screen: one form, own intakes only, nothing half-saved, saved once."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import PASSWORD, catalogue, flashes, login_as, make_intake, make_person
from welcome.extensions import db
from welcome.models import Intake, IntakeOffice, IntakeStatus, Language, ResidencePurpose, Role
from welcome.models.types import utcnow


def _count() -> int:
    return db.session.scalar(select(func.count(Intake.id)))


def _form_key(client) -> str:
    page = client.get("/intake/").get_data(as_text=True)
    return re.search(r'name="submission_key"[^>]*value="([0-9a-f]{32})"', page).group(1)


def _data(client, **overrides) -> dict:
    data = {
        "given_name": "José", "family_name": "Müller-Ñúñez", "date_of_birth": "15.03.1990",
        "phone": "0171 3920011", "email": "", "preferred_language": "",
        "residence_purpose": "", "household_size": "2", "office": "registration_office",
        "note": "sucht Wohnung", "consent_to_contact": "y", "submission_key": _form_key(client),
    }
    data.update(overrides)
    return data


@pytest.fixture
def clerk(client):
    return login_as(client, Role.CLERK)


def test_clerk_logs_a_resident_and_gets_an_empty_form(client, clerk):
    german = catalogue(Language, "de")
    purpose = catalogue(ResidencePurpose, "blue_card")
    response = client.post("/intake/", data=_data(
        client, preferred_language=str(german.id), residence_purpose=str(purpose.id)))
    assert response.status_code == 302
    page = client.get("/intake/")
    text = flashes(page)
    assert "Gespeichert: José Müller-Ñúñez" in text
    body = page.get_data(as_text=True)
    assert re.search(r'<input[^>]*\bautofocus\b[^>]*id="given_name"', body)
    assert not re.search(r'id="given_name"[^>]*value="José"', body)
    intake = db.session.scalar(select(Intake).where(Intake.created_by_id == clerk.id))
    assert (intake.given_name, intake.family_name) == ("José", "Müller-Ñúñez")
    assert intake.date_of_birth == date(1990, 3, 15)
    assert intake.phone == "+49 171 3920011"
    assert intake.preferred_language_id == german.id
    assert intake.residence_purpose_id == purpose.id
    assert intake.status == IntakeStatus.NEW and intake.household_size == 2
    assert "Müller-Ñúñez, José" in text  # the clerk's own list below the form


def test_names_in_any_script_are_accepted(client, clerk):
    for given, family in [("Χρήστος", "Παπαδόπουλος"), ("Олена", "Коваленко"),
                          ("محمد", "الحسن"), ("Nguyễn", "Thị Mai"), ("Seán", "O’Brien")]:
        response = client.post("/intake/", data=_data(client, given_name=given,
                                                      family_name=family, phone="",
                                                      email=f"{len(given)}@example.org"))
        assert response.status_code == 302, flashes(response)
    assert _count() == 5


def test_without_consent_nothing_is_saved_and_the_flyer_is_mentioned(client, clerk):
    data = _data(client)
    del data["consent_to_contact"]
    response = client.post("/intake/", data=data)
    assert response.status_code == 422
    assert "Flyer" in flashes(response)
    assert "Es wurde nichts gespeichert" in flashes(response)
    assert _count() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("given_name", "", "Dieses Feld wird benötigt"),
    ("family_name", "X" * 101, "100"),
    ("family_name", "Müller3", "nicht „3“"),
    ("family_name", "Müller!", "nicht „!“"),
    ("family_name", "<script>", "Buchstaben jeder Schrift"),
    ("family_name", "  -  ", "Geben Sie den Namen ein"),
    ("date_of_birth", "31.02.1990", "TT.MM.JJJJ"),
    ("date_of_birth", "gestern", "TT.MM.JJJJ"),
    ("date_of_birth", "01.01.2999", "in der Zukunft"),
    ("date_of_birth", "01.01.1850", "mehr als 120 Jahre"),
    ("phone", "call me maybe", "Telefonnummer"),
    ("phone", "", "Telefonnummer oder eine E-Mail-Adresse"),
    ("email", "not-an-address", "E-Mail-Adresse"),
    ("household_size", "0", "1"),
    ("household_size", "31", "30"),
    ("household_size", "zwei", "ganze Zahl"),
    ("household_size", "99999999999999999999", "30"),
    ("preferred_language", "999999", "Wählen Sie einen der angebotenen Einträge"),
    ("preferred_language", "abc", "Auswahl"),
    ("residence_purpose", "-1", "Auswahl"),
    ("office", "mars", "Auswahl"),
    ("note", "n" * 501, "500"),
])
def test_wrong_input_is_explained_per_field(client, clerk, field, value, message):
    response = client.post("/intake/", data=_data(client, **{field: value}))
    assert response.status_code == 422
    assert message in flashes(response)
    assert _count() == 0


def test_international_numbers_are_stored_in_international_form(client, clerk):
    client.post("/intake/", data=_data(client, phone="+90 532 123 45 67"))
    assert db.session.scalar(select(Intake.phone)) == "+90 532 123 45 67"


def test_double_submit_creates_one_intake(client, clerk):
    data = _data(client)
    first = client.post("/intake/", data=data)
    second = client.post("/intake/", data=data)
    assert first.status_code == second.status_code == 302
    assert _count() == 1
    assert "bereits gespeichert" in flashes(client.get("/intake/"))


def test_forged_or_missing_form_key_saves_nothing(client, clerk):
    for key in ("", "not-a-key", "g" * 32):
        response = client.post("/intake/", data=_data(client, submission_key=key))
        assert response.status_code == 422
        assert "abgelaufen" in flashes(response)
    assert _count() == 0


def test_another_clerks_form_key_does_not_reveal_their_intake(client, clerk):
    data = _data(client)
    client.post("/intake/", data=data)
    login_as(client, Role.CLERK)
    response = client.post("/intake/", data={**data, "given_name": "Anna"})
    assert response.status_code == 422
    assert "José" not in flashes(response)
    assert _count() == 1


def test_clerk_sees_only_own_intakes_of_the_last_30_days(client, clerk):
    other = login_as(client, Role.CLERK)
    make_intake(family_name="Fremdeintrag", created_by=other)
    make_intake(family_name="Unbekannt")
    make_intake(family_name="Altbestand", created_by=clerk,
                created_at=utcnow() - timedelta(days=31))
    mine = make_intake(family_name="Eigeneintrag", created_by=clerk)
    client.post("/logout")
    client.post("/login", data={"username": clerk.username, "password": PASSWORD})
    text = flashes(client.get("/intake/"))
    assert "Eigeneintrag" in text
    for name in ("Fremdeintrag", "Unbekannt", "Altbestand"):
        assert name not in text
    assert client.get(f"/intake/details/?id={mine.id}").status_code == 200


def test_clerk_gets_404_for_other_intakes_by_id(client, clerk):
    foreign = make_intake(family_name="Fremdeintrag")
    for value in (str(foreign.id), "0", "-1", "abc", "99999999999999", ""):
        response = client.get(f"/intake/details/?id={value}")
        assert response.status_code == 404
        assert "Fremdeintrag" not in flashes(response)


def test_no_ajax_or_admin_page_is_open_to_clerks(client, clerk):
    make_person(family_name="Geheim")
    make_intake(family_name="Geheim")
    for url in ("/admin/intakes/", "/admin/intakes/ajax/lookup/?name=person&query=Geheim",
                "/admin/intakes/ajax/lookup/?name=case&query=WC", "/admin/intakes/import/",
                "/admin/person/ajax/lookup/?name=person&query=Geheim"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"Geheim" not in response.data


def test_duplicate_result_is_never_shown_to_the_clerk(client, clerk):
    make_person(given_name="Jose", family_name="Mueller-Nunez", date_of_birth=date(1990, 3, 15))
    client.post("/intake/", data=_data(client))
    intake = db.session.scalar(select(Intake))
    assert intake.possible_duplicate
    pages = [client.get("/intake/"), client.get(f"/intake/details/?id={intake.id}")]
    for page in pages:
        text = flashes(page).lower()
        assert "dublette" not in text and "duplicate" not in text
        assert "Mueller-Nunez" not in flashes(page)


def test_office_of_the_last_intake_is_the_default(client, clerk):
    client.post("/intake/", data=_data(client, office="foreigners_authority"))
    body = client.get("/intake/").get_data(as_text=True)
    assert re.search(r'<option selected value="foreigners_authority"|'
                     r'<option value="foreigners_authority" selected', body)
    assert db.session.scalar(select(Intake.office)) == IntakeOffice.FOREIGNERS_AUTHORITY


def test_clerk_screen_in_english(client, clerk):
    db.session.get(type(clerk), clerk.id).locale = "en"
    db.session.commit()
    text = flashes(client.get("/intake/"))
    assert "The person agrees to be contacted by the Welcome Center" in text
    assert "Your intakes of the last 30 days" in text


def test_clerk_list_runs_few_statements(client, clerk, count_queries):
    for index in range(3):
        make_intake(created_by=clerk, phone=f"+49 171 39200{index:02d}")
    client.get("/intake/")
    db.session.expire_all()
    with count_queries() as few:
        client.get("/intake/")
    for index in range(30):
        make_intake(created_by=clerk, phone=f"+49 171 39201{index:02d}")
    db.session.expire_all()
    with count_queries() as many:
        response = client.get("/intake/")
    assert response.status_code == 200
    assert len(many) == len(few) <= 6, "\n".join(many)


@pytest.mark.parametrize("phone", ["123", "0000000000", "+49 1234", "0171 FLOWERS",
                                   "+49 171 39"])
def test_implausible_phone_numbers_are_refused(client, clerk, phone):
    response = client.post("/intake/", data=_data(client, phone=phone))
    assert response.status_code == 422
    assert "Geben Sie eine Telefonnummer ein" in flashes(response)
    assert _count() == 0


@pytest.mark.parametrize(("phone", "stored"), [
    ("+90 532 123 45 67", "+90 532 123 45 67"),
    ("+98 912 345 6789", "+98 912 345 6789"),
    ("+380 44 123 4567", "+380 44 123 4567"),
    ("+1 212 555 0123", "+1 212-555-0123"),
    ("+963 944 123 456", "+963 944 123 456"),
    ("+7 912 345 67 89", "+7 912 345-67-89"),
    ("09621 123456", "+49 9621 123456"),
    ("0171/3920011", "+49 171 3920011"),
])
def test_real_numbers_of_many_countries_are_accepted(client, clerk, phone, stored):
    response = client.post("/intake/", data=_data(client, phone=phone))
    assert response.status_code == 302, flashes(response)
    assert db.session.scalar(select(Intake.phone)) == stored


def test_persian_names_with_a_zero_width_non_joiner_are_accepted(client, clerk):
    response = client.post("/intake/", data=_data(client, given_name="حسین",
                                                  family_name="حسین\u200cزاده"))
    assert response.status_code == 302, flashes(response)
    assert db.session.scalar(select(Intake.family_name)) == "حسین\u200cزاده"


def test_an_invisible_character_in_a_name_is_named_by_its_code(client, clerk):
    response = client.post("/intake/", data=_data(client, family_name="Mül\u200bler"))
    assert response.status_code == 422
    message = re.search(r'<div class="invalid-feedback">([^<]*U\+200B[^<]*)</div>',
                        response.get_data(as_text=True)).group(1)
    assert "das unsichtbare Zeichen U+200B" in message and "\u200b" not in message
    assert _count() == 0


def test_a_merge_reads_as_accepted_to_the_clerk(client, clerk):
    merged = make_intake(family_name="Bekannt", created_by=clerk,
                         status=IntakeStatus.DUPLICATE)
    accepted = make_intake(family_name="Neu", created_by=clerk, status=IntakeStatus.ACCEPTED,
                           phone="+49 171 3920002")
    pages = [client.get("/intake/"), client.get(f"/intake/details/?id={merged.id}")]
    for page in pages:
        text = flashes(page)
        assert "Dublette" not in text and "duplicate" not in page.get_data(as_text=True)
        assert "angenommen" in text
    body = pages[0].get_data(as_text=True)
    assert body.count('badge-status badge-accepted">angenommen') == 2
    assert accepted.status == IntakeStatus.ACCEPTED


def test_the_form_stays_alive_while_the_clerk_types(client, clerk):
    body = client.get("/intake/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/intake/"[^>]*>', body).group(0)
    assert 'data-keepalive="/keepalive"' in form
    assert f'data-idle-seconds="{client.application.config["WELCOME_IDLE_MINUTES"] * 60}"' in form
    response = client.post("/keepalive")
    assert response.status_code == 200 and response.get_json()["csrf_token"]
