"""The coordinator's intake queue: order, menu count, and the four decisions, all audited."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import (
    catalogue,
    flashes,
    login_as,
    make_case,
    make_intake,
    make_person,
    reason,
)
from welcome.extensions import db
from welcome.models import (
    AuditEvent,
    Case,
    CaseSource,
    CaseStatus,
    ContactChannel,
    Intake,
    IntakeOffice,
    IntakeStatus,
    Language,
    Person,
    ReasonKind,
    ResidencePurpose,
    Role,
)
from welcome.models.types import utcnow
from welcome.services import triage
from welcome.services.duplicates import flag_duplicates
from welcome.services.errors import DomainError


@pytest.fixture
def coordinator(client):
    return login_as(client, Role.COORDINATOR)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _reload(intake: Intake) -> Intake:
    db.session.expire_all()
    return db.session.get(Intake, intake.id)


def _audited(entity: str, entity_id: int) -> str:
    """The names of the fields changed in every audit event of the record, joined."""
    return ",".join(filter(None, db.session.scalars(
        select(AuditEvent.changed_fields).where(AuditEvent.entity == entity,
                                                AuditEvent.entity_id == str(entity_id)))))


def _full_intake(**kw) -> Intake:
    values = {
        "given_name": "Olena", "family_name": "Kovalenko", "date_of_birth": date(1991, 5, 6),
        "phone": "+49 171 3920055", "email": "olena.k@example.org",
        "preferred_language": catalogue(Language, "uk"),
        "residence_purpose": catalogue(ResidencePurpose, "blue_card"),
        "household_size": 3, "office": IntakeOffice.FOREIGNERS_AUTHORITY,
        "note": "Sucht Kita-Platz",
    }
    values.update(kw)
    return make_intake(**values)


def test_queue_lists_new_first_oldest_first(client, coordinator):
    now = utcnow()
    decided = make_intake(family_name="Entschieden", status=IntakeStatus.REJECTED,
                          created_at=now - timedelta(days=9))
    contacted = make_intake(family_name="Kontaktiert", status=IntakeStatus.CONTACTED,
                            created_at=now - timedelta(days=8))
    newer = make_intake(family_name="Neuer", created_at=now - timedelta(days=1))
    older = make_intake(family_name="Aelter", created_at=now - timedelta(days=5))
    body = client.get("/admin/intakes/").get_data(as_text=True)
    positions = [body.index(f"details/?id={i.id}&") for i in (older, newer, contacted, decided)]
    assert positions == sorted(positions)


def test_menu_shows_the_number_of_new_intakes(client, coordinator):
    for index in range(3):
        make_intake(phone=f"+49 171 39200{index:02d}")
    make_intake(status=IntakeStatus.REJECTED)
    body = client.get("/admin/case/").get_data(as_text=True)
    assert re.search(r'Zuweisungen <span class="badge badge-warning" title="3 neu">3</span>', body)


def test_assistant_triages_but_cannot_delete(client):
    login_as(client, Role.ASSISTANT)
    intake = make_intake()
    assert client.get(f"/admin/intakes/accept/?id={intake.id}").status_code == 200
    assert client.post("/admin/intakes/delete/", data={"id": str(intake.id)}).status_code == 403
    assert db.session.get(Intake, intake.id) is not None


def test_accept_creates_person_and_case_prefilled(client, coordinator):
    intake = _full_intake()
    page = client.get(f"/admin/intakes/accept/?id={intake.id}")
    assert "Ausländerbehörde" in flashes(page)
    response = client.post(f"/admin/intakes/accept/?id={intake.id}")
    assert response.status_code == 302
    intake = _reload(intake)
    assert intake.status == IntakeStatus.ACCEPTED
    person, case = intake.person, intake.case
    assert (person.given_name, person.family_name, person.date_of_birth) == (
        "Olena", "Kovalenko", date(1991, 5, 6))
    assert (person.phone, person.email) == ("+49 171 3920055", "olena.k@example.org")
    assert person.preferred_language.code == "uk"
    assert [lang.code for lang in person.languages] == ["uk"]
    assert person.residence_purpose.code == "blue_card"
    assert case.main_person_id == person.id
    assert case.source == CaseSource.FOREIGNERS_AUTHORITY
    assert case.status == CaseStatus.NEW
    assert case.responsible_id == coordinator.id
    assert "3 Person(en)" in case.notes and "Sucht Kita-Platz" in case.notes
    details = client.get(response.headers["Location"])
    assert case.reference in flashes(details)
    assert f'href="/admin/case/details/?id={case.id}"' in details.get_data(as_text=True)
    assert "status" in (_audited("Intake", intake.id))
    assert _audited("Case", case.id) and _audited("Person", person.id)


def test_accept_needs_confirmation_and_a_second_accept_changes_nothing(client, coordinator):
    intake = make_intake()
    client.get(f"/admin/intakes/accept/?id={intake.id}")
    assert _reload(intake).status == IntakeStatus.NEW
    client.post(f"/admin/intakes/accept/?id={intake.id}")
    cases_before = _count(Case)
    response = client.post(f"/admin/intakes/accept/?id={intake.id}")
    assert response.status_code == 302
    assert "bereits entschieden" in flashes(client.get(response.headers["Location"]))
    assert _count(Case) == cases_before


def test_accept_warns_about_possible_duplicates(client, coordinator):
    person = make_person(given_name="Olena", family_name="Kowalenko",
                         date_of_birth=date(1991, 5, 6))
    intake = _full_intake()
    flag_duplicates(db.session, intake)
    db.session.commit()
    text = flashes(client.get(f"/admin/intakes/accept/?id={intake.id}"))
    assert "möglicherweise eine Dublette" in text
    assert person.full_name in text


def test_mark_contacted(client, coordinator):
    intake = make_intake()
    response = client.post(f"/admin/intakes/contacted/?id={intake.id}", data={
        "contacted_on": date.today().isoformat(), "contacted_channel": "email"})
    assert response.status_code == 302
    intake = _reload(intake)
    assert intake.status == IntakeStatus.CONTACTED
    assert (intake.contacted_on, intake.contacted_channel) == (date.today(), ContactChannel.EMAIL)
    assert "contacted_on" in (_audited("Intake", intake.id))


@pytest.mark.parametrize(("data", "message"), [
    ({"contacted_on": "", "contacted_channel": "phone"}, "Dieses Feld"),
    ({"contacted_on": "2999-01-01", "contacted_channel": "phone"}, "in der Zukunft"),
    ({"contacted_on": "2000-01-01", "contacted_channel": "phone"}, "vor dem Eingang"),
    ({"contacted_on": "morgen", "contacted_channel": "phone"}, "Datum"),
    ({"contacted_on": "2026-01-01", "contacted_channel": "pigeon"}, "Auswahl"),
])
def test_mark_contacted_refuses_wrong_input(client, coordinator, data, message):
    intake = make_intake()
    response = client.post(f"/admin/intakes/contacted/?id={intake.id}", data=data)
    assert response.status_code == 422
    assert message in flashes(response)
    assert _reload(intake).status == IntakeStatus.NEW


def test_reject_with_reason(client, coordinator):
    intake = make_intake()
    why = reason(ReasonKind.INTAKE_REJECTED)
    response = client.post(f"/admin/intakes/reject/?id={intake.id}", data={
        "decision_reason": str(why.id), "decision_note": "Zieht weiter nach Hamburg"})
    assert response.status_code == 302
    intake = _reload(intake)
    assert intake.status == IntakeStatus.REJECTED
    assert intake.decision_reason_id == why.id
    assert intake.decision_note == "Zieht weiter nach Hamburg"
    assert "decision_reason" in (_audited("Intake", intake.id))


@pytest.mark.parametrize("value", ["", "abc", "999999", str(2**40)])
def test_reject_needs_an_intake_reason(client, coordinator, value):
    intake = make_intake()
    response = client.post(f"/admin/intakes/reject/?id={intake.id}",
                           data={"decision_reason": value})
    assert response.status_code == 422
    assert _reload(intake).status == IntakeStatus.NEW


def test_reject_service_refuses_a_reason_of_another_kind(db, app_context):
    intake = make_intake()
    with pytest.raises(DomainError):
        triage.reject_intake(db.session, intake, reason(ReasonKind.CASE_CLOSED))


def test_merge_into_person_shows_both_side_by_side_and_takes_over_chosen_fields(
        client, coordinator):
    person = make_person(given_name="Olena", family_name="Kowalenko",
                         date_of_birth=date(1991, 5, 6), phone=None, email="old@example.org")
    case = make_case(main_person=person)
    intake = _full_intake()
    page = client.get(f"/admin/intakes/merge/confirm/?id={intake.id}&person={person.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "olena.k@example.org" in body and "old@example.org" in body
    assert 'value="phone" id="take-phone" checked' in body
    assert 'value="email" id="take-email" >' in body or 'id="take-email" >' in body
    response = client.post(f"/admin/intakes/merge/confirm/?id={intake.id}&person={person.id}",
                           data={"field": ["phone"], "case": str(case.id)})
    assert response.status_code == 302
    intake = _reload(intake)
    person = db.session.get(Person, person.id)
    assert intake.status == IntakeStatus.DUPLICATE
    assert (intake.person_id, intake.case_id) == (person.id, case.id)
    assert person.phone == "+49 171 3920055"
    assert person.email == "old@example.org"
    assert "phone" in (_audited("Person", person.id))


def test_merge_into_person_without_case_can_open_one(client, coordinator):
    person = make_person(phone=None)
    intake = _full_intake()
    cases_before = _count(Case)
    client.post(f"/admin/intakes/merge/confirm/?id={intake.id}&person={person.id}",
                data={"open_new_case": "y"})
    intake = _reload(intake)
    assert _count(Case) == cases_before + 1
    assert intake.case.main_person_id == person.id
    assert intake.case.source == CaseSource.FOREIGNERS_AUTHORITY


def test_merge_into_another_open_intake(client, coordinator):
    kept = make_intake(family_name="Ivanov", given_name="Georgi", email=None)
    intake = make_intake(family_name="Iwanow", given_name="Georgij", email="g@example.org")
    response = client.post(f"/admin/intakes/merge/confirm/?id={intake.id}&intake={kept.id}",
                           data={"field": ["email"]})
    assert response.status_code == 302
    assert _reload(intake).status == IntakeStatus.DUPLICATE
    kept = db.session.get(Intake, kept.id)
    assert kept.status == IntakeStatus.NEW and kept.email == "g@example.org"


@pytest.mark.parametrize("query", ["", "&person=999999", "&person=abc", "&intake=-1",
                                   "&person=99999999999999"])
def test_merge_with_unknown_target_is_404(client, coordinator, query):
    intake = make_intake()
    assert client.get(f"/admin/intakes/merge/confirm/?id={intake.id}{query}").status_code == 404


def test_merge_refuses_fields_that_do_not_differ_and_other_persons_cases(client, coordinator):
    person = make_person(phone="+49 171 3920055")
    other_case = make_case()
    intake = _full_intake()
    url = f"/admin/intakes/merge/confirm/?id={intake.id}&person={person.id}"
    assert client.post(url, data={"field": ["phone"]}).status_code == 400
    assert client.post(url, data={"field": ["password_hash"]}).status_code == 400
    assert client.post(url, data={"case": str(other_case.id)}).status_code == 422
    assert _reload(intake).status == IntakeStatus.NEW


def test_merge_search_finds_persons_by_name(client, coordinator):
    make_person(family_name="Nascimento")
    intake = make_intake()
    text = flashes(client.get(f"/admin/intakes/merge/?id={intake.id}&q=nasc"))
    assert "Nascimento" in text
    odd = client.get(f"/admin/intakes/merge/?id={intake.id}&q=%25%27%5C")
    assert odd.status_code == 200


@pytest.mark.parametrize("page", ["accept", "contacted", "reject", "merge"])
@pytest.mark.parametrize("record_id", ["999999", "abc", "", "-3", "99999999999999"])
def test_triage_pages_answer_unknown_ids_with_404(client, coordinator, page, record_id):
    assert client.get(f"/admin/intakes/{page}/?id={record_id}").status_code == 404


def test_decided_intakes_offer_no_actions(client, coordinator):
    intake = make_intake(status=IntakeStatus.REJECTED)
    body = client.get(f"/admin/intakes/details/?id={intake.id}").get_data(as_text=True)
    assert "/admin/intakes/accept/" not in body
    response = client.post(f"/admin/intakes/reject/?id={intake.id}",
                           data={"decision_reason": str(reason(ReasonKind.INTAKE_REJECTED).id)})
    assert response.status_code == 302
    assert _reload(intake).decision_reason_id is None


def test_reading_an_intake_is_audited(client, coordinator):
    intake = make_intake()
    client.get(f"/admin/intakes/details/?id={intake.id}")
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.entity == "Intake", AuditEvent.entity_id == str(intake.id),
        AuditEvent.action == "view")) == 1


def test_edit_form_offers_data_but_not_status(client, coordinator):
    intake = make_intake()
    body = client.get(f"/admin/intakes/edit/?id={intake.id}").get_data(as_text=True)
    assert 'name="family_name"' in body
    assert 'name="status"' not in body and 'name="case"' not in body


def test_the_reject_form_makes_the_coordinator_choose_a_reason(client, coordinator):
    intake = make_intake()
    body = client.get(f"/admin/intakes/reject/?id={intake.id}").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>", body[body.index('id="decision_reason"'):])
    assert options[0] in ('<option selected value="">', '<option value="" selected>')
    response = client.post(f"/admin/intakes/reject/?id={intake.id}",
                           data={"decision_reason": "", "decision_note": "?"})
    assert response.status_code == 422
    assert "Wählen Sie einen Ablehnungsgrund" in flashes(response)
    assert _reload(intake).status == IntakeStatus.NEW


def test_the_queue_shows_a_possible_duplicate_as_a_warning(client, coordinator):
    make_intake(family_name="Verdacht", possible_duplicate=True)
    make_intake(family_name="Unauffaellig", phone="+49 171 3920002")
    body = client.get("/admin/intakes/").get_data(as_text=True)
    rows = {name: row for row in re.findall(r"<tr.*?</tr>", body, re.S)
            for name in ("Verdacht", "Unauffaellig") if name in row}
    assert '<span class="badge badge-warning">mögliche Dublette</span>' in rows["Verdacht"]
    assert "mögliche Dublette" not in rows["Unauffaellig"]
    assert "fa-check-circle" not in rows["Verdacht"]


def test_a_wrong_case_choice_on_merge_is_explained(client, coordinator):
    person = make_person(phone=None)
    make_case(main_person=person)
    other_case = make_case()
    intake = _full_intake()
    response = client.post(f"/admin/intakes/merge/confirm/?id={intake.id}&person={person.id}",
                           data={"case": str(other_case.id)})
    assert response.status_code == 422
    text = flashes(response)
    assert "Es wurde nichts gespeichert" in text
    assert re.search(r'<div class="invalid-feedback d-block">[^<]+</div>',
                     response.get_data(as_text=True))
    assert _reload(intake).status == IntakeStatus.NEW


@pytest.mark.parametrize("term", ["Olena Kowalenko", "kowalenko olena", "0171 3920066",
                                  "+49 171 3920066", "3920066"])
def test_merge_search_finds_persons_by_full_name_and_phone(client, coordinator, term):
    person = make_person(given_name="Olena", family_name="Kowalenko", phone="+49 171 3920066")
    make_person(given_name="Olga", family_name="Kowalenko", phone="+49 171 3920067")
    intake = make_intake()
    body = client.get(f"/admin/intakes/merge/?id={intake.id}&q={term}").get_data(as_text=True)
    assert f"person={person.id}" in body
    if " " in term and not term[0].isdigit() and not term.startswith("+"):
        assert "Olga" not in body


def test_merge_search_finds_open_cases_by_reference(client, coordinator):
    case = make_case()
    closed = make_case()
    closed.status, closed.closed_on = CaseStatus.CLOSED, date(2026, 3, 5)
    closed.closure_reason = reason(ReasonKind.CASE_CLOSED)
    db.session.commit()
    intake = make_intake()
    body = client.get(f"/admin/intakes/merge/?id={intake.id}&q={case.reference}"
                      ).get_data(as_text=True)
    assert f"merge/confirm/?id={intake.id}&amp;case={case.id}" in body
    body = client.get(f"/admin/intakes/merge/?id={intake.id}&q={closed.reference}"
                      ).get_data(as_text=True)
    assert f"case={closed.id}" not in body


def test_an_intake_joins_an_existing_household(client, coordinator):
    spouse = make_person(given_name="Ayşe", family_name="Öztürk", phone="+49 171 3920068")
    case = make_case(main_person=spouse, notes="Erstgespräch im März")
    intake = _full_intake(given_name="Mehmet", family_name="Öztürk",
                          date_of_birth=date(1988, 2, 3), note="Kommt im Familiennachzug")
    merge = client.get(f"/admin/intakes/merge/?id={intake.id}&q=Öztürk")
    assert f"merge/confirm/?id={intake.id}&amp;case={case.id}" in merge.get_data(as_text=True)
    url = f"/admin/intakes/merge/confirm/?id={intake.id}&case={case.id}"
    page = client.get(url)
    assert page.status_code == 200 and "Ayşe Öztürk" in flashes(page)
    refused = client.post(url, data={"relation": ""})
    assert refused.status_code == 422
    assert "Beziehung zur Hauptperson" in flashes(refused)
    response = client.post(url, data={"relation": "spouse"})
    assert response.status_code == 302
    intake = _reload(intake)
    assert intake.status == IntakeStatus.ACCEPTED and intake.case_id == case.id
    case = db.session.get(Case, case.id)
    [member] = case.members
    assert member.person_id == intake.person_id
    assert member.relation.value == "spouse"
    assert (member.person.given_name, member.person.date_of_birth) == ("Mehmet", date(1988, 2, 3))
    assert case.notes.startswith("Erstgespräch im März")
    assert "Mehmet Öztürk" in case.notes and "Kommt im Familiennachzug" in case.notes
    assert "3 Person(en)" in case.notes
    details = flashes(client.get(response.headers["Location"]))
    assert f"Mehmet Öztürk gehört jetzt zum Haushalt des Falls {case.reference}" in details
    assert "member" in _audited("Case", case.id) or _audited("CaseMember", member.id)


def test_a_closed_case_takes_no_new_household_member(client, coordinator):
    case = make_case()
    case.status, case.closed_on = CaseStatus.CLOSED, date(2026, 3, 5)
    case.closure_reason = reason(ReasonKind.CASE_CLOSED)
    db.session.commit()
    intake = make_intake()
    response = client.post(f"/admin/intakes/merge/confirm/?id={intake.id}&case={case.id}",
                           data={"relation": "child"})
    assert response.status_code == 302
    assert "abgeschlossen" in flashes(client.get(response.headers["Location"]))
    assert _reload(intake).status == IntakeStatus.NEW


def test_a_merge_keeps_the_note_and_household_size(client, coordinator):
    person = make_person(given_name="Olena", family_name="Kowalenko", phone=None)
    case = make_case(main_person=person, notes="Alte Notiz")
    intake = _full_intake()
    client.post(f"/admin/intakes/merge/confirm/?id={intake.id}&person={person.id}",
                data={"case": str(case.id)})
    notes = db.session.get(Case, case.id).notes
    assert notes.startswith("Alte Notiz\n\n")
    assert "Sucht Kita-Platz" in notes and "3 Person(en)" in notes
    loner = make_person(given_name="Olena", family_name="Kowalenko", phone=None, notes=None)
    other = _full_intake(phone="+49 171 3920056", note="Nur Telefon abends")
    client.post(f"/admin/intakes/merge/confirm/?id={other.id}&person={loner.id}", data={})
    assert "Nur Telefon abends" in db.session.get(Person, loner.id).notes


def test_the_case_page_lists_the_intakes_it_came_from(client, coordinator):
    intake = _full_intake()
    client.post(f"/admin/intakes/accept/?id={intake.id}")
    case_id = _reload(intake).case_id
    body = client.get(f"/admin/case/details/?id={case_id}").get_data(as_text=True)
    section = body[body.index('id="intakes-heading"'):]
    assert f'href="/admin/intakes/details/?id={intake.id}"' in section
    assert "Sucht Kita-Platz" in section


def test_a_decision_on_an_intake_decided_meanwhile_changes_nothing(db, app_context):
    intake = make_intake()
    triage.reject_intake(db.session, intake, reason(ReasonKind.INTAKE_REJECTED))
    db.session.commit()
    with pytest.raises(triage.AlreadyDecidedError) as refused:
        triage.accept_intake(db.session, intake, None)
    assert refused.value.status_code == 409
