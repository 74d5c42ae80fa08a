"""Wrong input anywhere gets a clear message and a 4xx, never a 500, and saves nothing."""

import csv
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import separate_app
from tests.helpers import (
    CsrfClient,
    catalogue,
    flashes,
    form_values,
    login_as,
    make_case,
    make_intake,
    make_person,
)
from welcome.extensions import db
from welcome.models import (
    Case,
    CaseMember,
    Consent,
    Consultation,
    FieldOfAction,
    Intake,
    IntakeStatus,
    Language,
    Partner,
    PartnerType,
    Person,
    Role,
)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def coordinator(client):
    return login_as(client, Role.COORDINATOR)


def test_missing_required_fields(client, coordinator):
    before = _count(Person)
    response = client.post("/admin/person/new/", data={"given_name": ""})
    assert response.status_code == 422
    text = flashes(response)
    assert "Datensatz konnte nicht erstellt werden" in text
    assert "Dieses Feld wird benötigt" in text
    assert _count(Person) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("date_of_birth", "31.02.2026", "Kein gültiges Datum"),
    ("date_of_birth", "gestern", "Kein gültiges Datum"),
    ("date_of_birth", "2999-01-01", "in der Zukunft"),
    ("family_name", "X" * 101, "nicht länger als 100 Zeichen"),
    ("email", "not-an-address", "Geben Sie eine E-Mail-Adresse ein"),
    ("phone", "call me maybe", "Telefonnummer"),
    ("nationality", "QQ", "Keine gültige Auswahl"),
    ("sex", "robot", "Ungültige Auswahl"),
    ("preferred_language", "999999", "Wählen Sie einen der angebotenen Einträge"),
    ("residence_purpose", "abc", "Wählen Sie einen der angebotenen Einträge"),
])
def test_wrong_values_are_explained(client, coordinator, field, value, message):
    before = _count(Person)
    data = {"given_name": "Amra", "family_name": "Hodžić", field: value}
    response = client.post("/admin/person/new/", data=data)
    assert response.status_code == 422
    assert message in flashes(response)
    assert _count(Person) == before


@pytest.mark.parametrize("minutes", ["0", "601", "-5", "99999999999999999999", "zehn"])
def test_numbers_out_of_range(client, coordinator, minutes):
    case = make_case()
    before = _count(Consultation)
    response = client.post("/admin/consultation/new/", data={
        "case": str(case.id), "held_on": "2026-10-04", "kind": "orientation",
        "channel": "phone", "duration_minutes": minutes,
    })
    assert response.status_code == 422
    assert _count(Consultation) == before


def test_invalid_household_row_saves_nothing(client, coordinator):
    """A case whose household row is broken is not saved half: no case, no member."""
    cases_before, members_before = _count(Case), _count(CaseMember)
    response = client.post("/admin/case/new/", data={
        "main_person": str(make_person().id), "source": "self", "status": "new",
        "opened_on": "2026-10-01", "members-0-person": "999999",
        "members-0-relation": "child",
    })
    assert response.status_code == 422
    assert (_count(Case), _count(CaseMember)) == (cases_before, members_before)


def test_main_person_twice_in_household_is_refused(client, coordinator):
    person = make_person()
    response = client.post("/admin/case/new/", data={
        "main_person": str(person.id), "source": "self", "status": "new",
        "opened_on": "2026-10-01", "members-0-person": str(person.id),
        "members-0-relation": "spouse",
    })
    assert response.status_code == 422
    assert "Hauptperson" in flashes(response)


@pytest.mark.parametrize("record_id", ["999999", "abc", "-1", "99999999999999", "1.5", ""])
@pytest.mark.parametrize("action", ["edit", "details"])
def test_unknown_ids_in_urls(client, coordinator, action, record_id):
    response = client.get(f"/admin/case/{action}/?id={record_id}")
    assert response.status_code in (302, 404)
    if record_id:
        assert response.status_code == 404
        assert "Nicht gefunden" in flashes(response)


def test_delete_of_unknown_id(client, coordinator):
    response = client.post("/admin/case/delete/", data={"id": "424242"})
    assert response.status_code == 404


@pytest.mark.parametrize("query", [
    "page=-1", "page=99999999999999999999", "page=abc", "sort=999", "sort=-3",
    "desc=abc", "page_size=100000", "search=%25%27%22%3C", "flt0_0=abc", "flt3_9=xyz",
    "flt0_opened_on_between=yesterday",
    "flt0_status_equals=bogus",
])
def test_odd_list_arguments(client, coordinator, query):
    make_case()
    response = client.get(f"/admin/case/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", [
    "name=main_person&query=a&offset=-5&limit=-1",
    "name=main_person&query=a&offset=99999999999&limit=99999999",
    "name=main_person&query=%25%25%5C",
    "name=main_person",
])
def test_ajax_lookups_tolerate_odd_arguments(client, coordinator, query):
    make_person(family_name="Almeida")
    response = client.get(f"/admin/case/ajax/lookup/?{query}")
    assert response.status_code == 200
    assert response.is_json


def test_ajax_lookup_of_unknown_field(client, coordinator):
    response = client.get("/admin/case/ajax/lookup/?name=password_hash&query=a")
    assert response.status_code == 404


def test_ajax_lookup_finds_by_part_of_name(client, coordinator):
    person = make_person(family_name="Nascimento-Almeida")
    response = client.get("/admin/case/ajax/lookup/?name=main_person&query=almeida")
    assert [row[0] for row in response.get_json()] == [person.id]


def test_unknown_export_type(client, coordinator):
    assert client.get("/admin/case/export/exe/").status_code == 404


def test_csv_export_escapes_formulas(client, coordinator):
    make_person(family_name="=HYPERLINK(\"http://evil.example\")", given_name="+49 1")
    response = client.get("/admin/person/export/csv/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\")" in cells
    assert "'+49 1" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_unknown_page_is_a_friendly_404(client, coordinator):
    response = client.get("/admin/nothing-here/")
    assert response.status_code == 404
    assert "Zur Startseite" in flashes(response)


def test_wrong_method_is_405(client, coordinator):
    assert client.get("/admin/case/delete/").status_code == 405


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    given_name=st.text(max_size=150),
    family_name=st.text(max_size=150),
    birth=st.text(max_size=20),
    phone=st.text(max_size=50),
    email=st.text(max_size=300),
    language=st.one_of(st.text(max_size=12), st.integers().map(str)),
)
def test_any_person_input_gets_an_answer_not_a_crash(client, coordinator, given_name,
                                                     family_name, birth, phone, email,
                                                     language):
    response = client.post("/admin/person/new/", data={
        "given_name": given_name, "family_name": family_name, "date_of_birth": birth,
        "phone": phone, "email": email, "preferred_language": language,
    })
    # 400 only for a zero byte, which every form refuses before reading it
    assert response.status_code in (302, 422) or (
        response.status_code == 400 and "\x00" in given_name + family_name + birth + phone
        + email + language)


def test_language_catalogue_is_loaded(db):
    assert catalogue(Language, "ar").right_to_left


# --- the orientation interview --------------------------------------------------------------


def _interview_form(client, case, step: str, **changes) -> dict:
    client.get(f"/admin/interview/{case.id}/")
    data = form_values(client.get(f"/admin/interview/{case.id}/{step}/"), "interview-form")
    data.update({name: [value] for name, value in changes.items()})
    return data


@pytest.mark.parametrize(("changes", "message"), [
    ({"main-given_name": "", "main-family_name": ""}, "Geben Sie den Vornamen ein"),
    ({"main-family_name": "   "}, "Geben Sie den Familiennamen ein"),
    ({"main-date_of_birth": "2026-01-02"}, "Die Ankunft kann nicht vor dem Geburtsdatum liegen"),
    ({"main-date_of_birth": "31.02.2026"}, "Kein gültiges Datum"),
    ({"main-nationality": "QQ"}, "Keine gültige Auswahl"),
    ({"main-email": "a@" + "b" * 260 + ".de"}, "nicht länger als 254 Zeichen"),
    ({"main-preferred_language": "999999"}, "Wählen Sie einen der angebotenen Einträge"),
    ({"members-0-given_name": "Mila", "members-0-family_name": "Bondar",
      "members-0-date_of_birth": "gestern"}, "Kein gültiges Datum"),
    ({"members-0-given_name": "Mila", "members-0-family_name": "Bondar",
      "members-0-sex": "robot"}, "Ungültige Auswahl"),
    ({"members-0-given_name": "Mila", "members-0-family_name": "Bondar",
      "members-0-relation": "boss"}, "Ungültige Auswahl"),
    ({"members-0-given_name": "Mila"}, "Geben Sie den Familiennamen ein"),
    ({"members-0-person_id": "99999999999999999999", "members-0-given_name": "Mila",
      "members-0-family_name": "Bondar"}, "gehört nicht zum Haushalt"),
])
def test_interview_household_input_is_explained(client, coordinator, changes, message):
    """The household step answers wrong input in German with 4xx and saves nothing."""
    person = make_person(arrival_date=date(2025, 5, 1))
    case = make_case(person)
    members_before = _count(CaseMember)
    data = _interview_form(client, case, "household", **changes)
    response = client.post(f"/admin/interview/{case.id}/household/", data=data)
    assert response.status_code == 422, flashes(response)[:1500]
    assert message in flashes(response)
    assert _count(CaseMember) == members_before
    db.session.expire_all()
    assert db.session.get(Person, person.id).given_name == person.given_name


@pytest.mark.parametrize(("changes", "message"), [
    ({"arrival_date": "0001-01-01"}, "mehr als 120 Jahre"),
    ({"arrival_date": "2999-01-01"}, "mehr als ein Jahr in der Zukunft"),
    ({"arrival_date": "1800-13-01"}, "Kein gültiges Datum"),
    ({"residence_purpose": "abc"}, "Wählen Sie einen der angebotenen Einträge"),
    ({"district": "x" * 101}, "nicht länger als 100 Zeichen"),
])
def test_interview_arrival_input_is_explained(client, coordinator, changes, message):
    case = make_case()
    data = _interview_form(client, case, "arrival", **changes)
    response = client.post(f"/admin/interview/{case.id}/arrival/", data=data)
    assert response.status_code == 422
    assert message in flashes(response)
    db.session.expire_all()
    assert db.session.get(Person, case.main_person_id).arrival_date is None


@pytest.mark.parametrize("path", ["/admin/interview/99999999999999999999999/",
                                  "/admin/interview/99999999999999999999999/household/",
                                  "/admin/interview/-1/needs/"])
def test_interview_of_an_impossible_case_is_404(client, coordinator, path):
    assert client.get(path).status_code == 404


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(
    st.sampled_from(["main-given_name", "main-family_name", "main-date_of_birth", "main-sex",
                     "main-nationality", "main-languages", "main-phone", "members-0-person_id",
                     "members-0-given_name", "members-0-family_name", "members-0-relation",
                     "members-7-given_name", "members-0-remove", "case_version",
                     "person_version", "form_key", "go"]),
    st.one_of(st.text(max_size=40), st.integers().map(str)), max_size=8))
def test_any_household_input_gets_an_answer_not_a_crash(client, coordinator, values):
    case = make_case()
    data = _interview_form(client, case, "household", **values)
    response = client.post(f"/admin/interview/{case.id}/household/", data=data)
    assert response.status_code in (200, 302, 400, 409, 422)


ZERO_BYTE_MESSAGE = "Nullzeichen"


@pytest.mark.parametrize("target", [
    "clerk note", "clerk name", "reject note", "intake edit", "person form", "sign-in",
])
def test_a_zero_byte_in_a_form_is_refused_everywhere(client, target):
    """PostgreSQL refuses to store or compare a zero byte; every form answers 400 instead."""
    role = {"clerk note": Role.CLERK, "clerk name": Role.CLERK}.get(target, Role.COORDINATOR)
    if target != "sign-in":
        login_as(client, role)
    intake = make_intake()
    before = (_count(Person), _count(Intake))
    path, data = {
        "clerk note": ("/intake/", {"given_name": "Ana", "family_name": "Pop",
                                    "phone": "+49 171 3920009", "office": "registration_office",
                                    "household_size": "1", "consent_to_contact": "y",
                                    "note": "bitte\x00anrufen"}),
        "clerk name": ("/intake/", {"given_name": "A\x00na", "family_name": "Pop",
                                    "phone": "+49 171 3920009", "office": "registration_office",
                                    "household_size": "1", "consent_to_contact": "y"}),
        "reject note": (f"/admin/intakes/reject/?id={intake.id}",
                        {"decision_reason": "1", "decision_note": "\x00"}),
        "intake edit": (f"/admin/intakes/edit/?id={intake.id}",
                        {"given_name": "Yusuf", "family_name": "Çelik", "note": "x\x00y",
                         "phone": "+49 171 3920001", "office": "registration_office",
                         "household_size": "2", "consent_to_contact": "y"}),
        "person form": ("/admin/person/new/", {"given_name": "Lina\x00", "family_name": "H"}),
        "sign-in": ("/login", {"username": "koordination\x00", "password": "x"}),
    }[target]
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert ZERO_BYTE_MESSAGE in flashes(response)
    assert (_count(Person), _count(Intake)) == before
    db.session.expire_all()
    assert db.session.get(Intake, intake.id).status is IntakeStatus.NEW


@pytest.mark.parametrize("query", [
    "/admin/intakes/?search=%00", "/admin/case/?search=a%00b", "/admin/person/?flt0_0=%00",
    "/admin/intakes/merge/?id={intake}&q=%00",
    "/admin/case/ajax/lookup/?name=main_person&query=%00",
    "/admin/audit/?flt1_who_contains=%00", "/login?next=/admin/%00",
])
def test_a_zero_byte_in_a_query_string_is_refused(client, query):
    login_as(client, Role.COORDINATOR)
    intake = make_intake()
    response = client.get(query.format(intake=intake.id))
    assert response.status_code == 400
    if not response.is_json:
        assert ZERO_BYTE_MESSAGE in flashes(response)


def test_every_rate_limited_page_answers_in_the_users_language(app, database_url):
    """Flask-Limiter's own answer is "3 per 1 minute"; the partner's feedback page (like the
    sign-in) explains it and says when to try again. (``app`` builds the schema.)"""
    with separate_app(database_url, WELCOME_FEEDBACK_RATE_LIMIT="3 per minute") as app:
        app.test_client_class = CsrfClient
        client = app.test_client()
        responses = [client.get(f"/feedback/{'c' * 43}") for _ in range(4)]
    assert [r.status_code for r in responses] == [410, 410, 410, 429]
    page = flashes(responses[-1])
    assert "Zu viele Versuche" in page and "per 1 minute" not in page
    assert int(responses[-1].headers["Retry-After"]) > 0


@pytest.mark.parametrize(("request_line", "status"), [
    ("GET /admin/case/?flt0_responsible_equals=%C2%B2", 200),
    ("GET /admin/case/?flt0_field_of_action_has=%C2%B2", 200),
    ("GET /admin/audit/?flt0_record_number_equals=%C2%B2", 200),
    ("GET /admin/person/consent-form/?id={person}&partner=%C2%B2", 400),
    ("GET /admin/intakes/merge/confirm/?id={intake}&person=%C2%B2", 404),
    ("POST /admin/case/action/ rowid", 400),
    ("POST /admin/confirm-access/ id", 404),
])
def test_digits_that_are_no_numbers_are_refused_not_a_crash(client, request_line, status):
    """"²" counts as a digit for str.isdigit(), but int() refuses it. (Invalid filter values
    are left out of the list, which answers 200.)"""
    login_as(client, Role.COORDINATOR)
    person, intake = make_person(), make_intake()
    method, path, *field = request_line.format(person=person.id, intake=intake.id).split(" ")
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"action": "delete", field[0]: "²"})
    assert response.status_code == status


# --- several values at once: one unknown id refuses the form -----------------------------------

def _ids(model: type, *codes: str) -> list[str]:
    return [str(catalogue(model, code).id) for code in codes]


def test_unknown_language_among_several_is_refused(client, coordinator):
    person = make_person(languages=[catalogue(Language, "uk")])
    data = {"given_name": person.given_name, "family_name": person.family_name,
            "languages": [*_ids(Language, "uk", "en", "de"), "999999"]}
    response = client.post(f"/admin/person/edit/?id={person.id}", data=data)
    assert response.status_code == 422
    assert "Wählen Sie nur unter den angebotenen Einträgen" in flashes(response)
    db.session.expire_all()
    assert [language.code for language in db.session.get(Person, person.id).languages] == ["uk"]


@pytest.mark.parametrize(("field", "values"), [
    ("fields_of_action", ["999999"]),
    ("languages", ["abc"]),
])
def test_unknown_entries_of_a_partner_are_refused(client, coordinator, field, values):
    data = {"name": "Treff", "partner_type": _ids(PartnerType, "welfare")[0],
            "fields_of_action": _ids(FieldOfAction, "housing"), "languages": _ids(Language, "de"),
            "active": "y"}
    data[field] = [*data[field], *values]
    before = _count(Partner)
    response = client.post("/admin/partner/new/", data=data)
    assert response.status_code == 422
    assert "Wählen Sie nur unter den angebotenen Einträgen" in flashes(response)
    assert _count(Partner) == before


@pytest.mark.parametrize(("field", "value"), [
    ("partner_types", ["999999"]),
    ("partners", "424242"),
    ("partners", "1,x"),
])
def test_unknown_partners_of_a_consent_are_refused(client, coordinator, field, value):
    data = {"person": str(make_person().id), "purpose": "share_with_partners",
            "partner_types": _ids(PartnerType, "jmd"), "categories": ["name"],
            "channels": ["phone"], "given_on": "2026-10-05", "given_how": "signed_paper",
            "form_version": "2026-1", "form_language": _ids(Language, "de")[0]}
    data[field] = [*data.get(field, []), *value] if isinstance(value, list) else value
    before = _count(Consent)
    response = client.post("/admin/consent/new/", data=data)
    assert response.status_code == 422
    assert "Wählen Sie nur unter den angebotenen Einträgen" in flashes(response)
    assert _count(Consent) == before


def test_an_empty_partner_picker_means_no_partners(client, coordinator):
    """A consent for a type of partner only: the emptied picker sends "" and names nobody.
    (A recorded consent's partners cannot change at all: tests/test_consent_screens.py.)"""
    page = client.get("/admin/consent/new/")
    data = form_values(page)
    data.update({"person": [str(make_person().id)], "purpose": ["share_with_partners"],
                 "partners": [""],
                 "partner_types": [str(catalogue(PartnerType, "jmd").id)],
                 "categories": ["name"], "channels": ["phone"], "given_on": ["2026-10-05"],
                 "given_how": ["signed_paper"], "form_version": ["2026-1"],
                 "form_language": [str(catalogue(Language, "de").id)]})
    response = client.post("/admin/consent/new/", data=data)
    assert response.status_code == 302, flashes(response)
    consent = db.session.scalar(select(Consent).order_by(Consent.id.desc()))
    assert consent.partners == []
    assert [t.code for t in consent.partner_types] == ["jmd"]


# --- dates that cannot be meant ----------------------------------------------------------------

@pytest.mark.parametrize(("endpoint", "form", "field", "value", "message"), [
    ("case", "case", "opened_on", "0001-01-01", "ab dem 01.01.2000"),
    ("case", "case", "opened_on", "2090-01-01", "in der Zukunft"),
    ("case", "case", "follow_up_on", "2090-01-01", "zu weit in der Zukunft"),
    ("need", "need", "identified_on", "0001-01-01", "ab dem 01.01.2000"),
    ("referral", "referral", "planned_on", "0001-01-01", "ab dem 01.01.2000"),
    ("referral", "referral", "planned_on", "2090-06-30", "zu weit in der Zukunft"),
    ("consultation", "consultation", "held_on", "0001-01-01", "ab dem 01.01.2000"),
    ("consent", "consent", "given_on", "0001-01-01", "nicht mehr als 10 Jahre zurückdatiert"),
    ("consent", "consent", "valid_until", "2999-01-01", "nicht länger als 10 Jahre im Voraus"),
    ("person", "person", "arrival_date", "0001-01-01", "mehr als 120 Jahre zurück"),
])
def test_implausible_dates_are_refused(client, coordinator, endpoint, form, field, value,
                                       message):
    from tests.test_admin_crud import ENTITIES

    model, build = next((model, build) for name, model, _, build, _ in ENTITIES
                        if name == endpoint)
    data = build()
    data[field] = value
    before = _count(model)
    response = client.post(f"/admin/{endpoint}/new/", data=data)
    assert response.status_code == 422
    assert message in flashes(response)
    assert _count(model) == before


def test_references_always_show_four_digit_years(db):
    from welcome.services import cases

    assert cases.next_reference(db.session, 999) == "WC-0999-0001"
    assert cases.next_reference(db.session, 999) == "WC-0999-0002"
