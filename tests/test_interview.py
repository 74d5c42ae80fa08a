"""The orientation interview through the test client: every step, resume, no duplicates."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.helpers import catalogue, flashes, login_as, make_case, make_partner, make_person
from welcome.extensions import db
from welcome.models import (
    Case,
    CaseMember,
    Consent,
    Consultation,
    FieldOfAction,
    HandoverChannel,
    Interview,
    Language,
    Need,
    NeedStatus,
    Person,
    Reason,
    ReasonKind,
    Referral,
    ReferralStatus,
    ResidencePurpose,
    Role,
)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _case(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def _household(person: Person, case: Case, **changes) -> dict:
    data = {
        "main-given_name": person.given_name, "main-family_name": person.family_name,
        "main-date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "main-preferred_language": str(person.preferred_language_id or ""),
        "main-languages": [str(catalogue(Language, "uk").id)],
        "main-phone": person.phone or "", "main-email": person.email or "",
        "case_version": str(case.version), "person_version": str(person.version),
    }
    data.update(changes)
    return data


def _needs(case: Case, *codes: str, **extra) -> dict:
    data = {"case_version": str(_case(case.id).version)}
    for code in codes:
        field = catalogue(FieldOfAction, code)
        data[f"need-{field.id}"] = "y"
        data[f"need-{field.id}-priority"] = "high"
        if field.topics:
            data[f"need-{field.id}-topic"] = [field.topics[0]]
    data.update(extra)
    return data


@pytest.fixture
def coordinator(client):
    return login_as(client, Role.COORDINATOR)


@pytest.fixture
def partners(db) -> list[int]:
    """Ids of two partners serving housing and language courses, one offering Ukrainian."""
    return [
        make_partner(name="Wohnberatung Süd", languages=[catalogue(Language, "uk")],
                     fields_of_action=[catalogue(FieldOfAction, "housing")]).id,
        make_partner(name="Volkshochschule", accepts_email_handover=False,
                     fields_of_action=[catalogue(FieldOfAction, "language")]).id,
    ]


def test_walk_in_starts_with_the_household(client, coordinator):
    response = client.post("/admin/interview/new/", data={
        "key": "walk-in-1", "source": "self",
        "main-given_name": "Iryna", "main-family_name": "Bondar",
        "main-date_of_birth": "1987-02-03", "main-phone": "0171 3920011",
        "members-0-given_name": "Mila", "members-0-family_name": "Bondar",
        "members-0-date_of_birth": "2019-05-01", "members-0-relation": "child",
        "members-0-key": "row-1",
    })
    assert response.status_code == 302, flashes(response)[:1500]
    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert response.headers["Location"].endswith(f"/admin/interview/{case.id}/arrival/")
    assert case.main_person.full_name == "Iryna Bondar"
    assert case.main_person.phone == "+49 171 3920011"
    assert [(m.person.given_name, m.relation.value) for m in case.members] == [("Mila", "child")]
    again = client.post("/admin/interview/new/", data={
        "key": "walk-in-1", "source": "self", "main-given_name": "Iryna",
        "main-family_name": "Bondar"})
    assert again.status_code == 302
    assert _count(Case) == 1 and _count(Person) == 2


def test_walk_in_needs_a_name(client, coordinator):
    response = client.post("/admin/interview/new/", data={"key": "k", "main-given_name": "X"})
    assert response.status_code == 422
    assert _count(Case) == 0


def test_a_whole_interview(client, coordinator, partners):
    person = make_person(given_name="Olena", family_name="Kovalenko",
                         preferred_language=catalogue(Language, "uk"), district="Süd")
    case = make_case(person)
    assert client.get(f"/admin/interview/{case.id}/").headers["Location"].endswith(
        f"/admin/interview/{case.id}/household/")

    # 1. household: a spouse and a child join; a new row sent twice adds the person once
    data = _household(person, case, **{
        "members-0-given_name": "Taras", "members-0-family_name": "Kovalenko",
        "members-0-relation": "spouse", "members-0-key": "m1",
        "members-1-given_name": "Sofia", "members-1-family_name": "Kovalenko",
        "members-1-date_of_birth": "2018-09-10", "members-1-relation": "child",
        "members-1-key": "m2"})
    assert client.post(f"/admin/interview/{case.id}/household/", data=data).status_code == 302
    data["case_version"] = str(_case(case.id).version)
    data["person_version"] = str(_case(case.id).main_person.version)
    assert client.post(f"/admin/interview/{case.id}/household/", data=data).status_code == 302
    assert _count(CaseMember, CaseMember.case_id == case.id) == 2

    # 2. arrival, for the whole household
    response = client.post(f"/admin/interview/{case.id}/arrival/", data={
        "residence_purpose": str(catalogue(ResidencePurpose, "blue_card").id),
        "arrival_date": "2026-09-15", "district": "Süd", "whole_household": "y",
        "case_version": str(_case(case.id).version)})
    assert response.status_code == 302
    members = _case(case.id).members
    assert all(m.person.arrival_date == date(2026, 9, 15) for m in members)

    # 3. needs: four of them; sending the step twice does not duplicate them
    needs = _needs(case, "housing", "language", "childcare_school", "bank_account")
    assert client.post(f"/admin/interview/{case.id}/needs/", data=needs).status_code == 302
    needs["case_version"] = str(_case(case.id).version)
    assert client.post(f"/admin/interview/{case.id}/needs/", data=needs).status_code == 302
    assert _count(Need, Need.case_id == case.id) == 4
    housing = db.session.scalar(select(Need).where(
        Need.case_id == case.id, Need.field_of_action == catalogue(FieldOfAction, "housing")))
    assert housing.description == "Wohnungsanzeigen verstehen"

    # 4. partners: two referrals; the bank account need stays unmet
    bank = db.session.scalar(select(Need).where(
        Need.case_id == case.id, Need.field_of_action == catalogue(FieldOfAction,
                                                                     "bank_account")))
    language = db.session.scalar(select(Need).where(
        Need.case_id == case.id, Need.field_of_action == catalogue(FieldOfAction, "language")))
    unmet = db.session.scalar(select(Reason).where(Reason.kind == ReasonKind.NEED_UNMET))
    picks = {f"partner-{housing.id}": str(partners[0]),
             f"partner-{language.id}": str(partners[1]),
             f"unmet-{bank.id}": str(unmet.id)}
    page = client.get(f"/admin/interview/{case.id}/partners/").get_data(as_text=True)
    assert "spricht Ukrainisch" in page
    for _ in range(2):
        picks["case_version"] = str(_case(case.id).version)
        response = client.post(f"/admin/interview/{case.id}/partners/", data=picks)
        assert response.status_code == 302
    referrals = db.session.scalars(select(Referral).where(Referral.case_id == case.id)).all()
    assert sorted((r.partner.name, r.channel.value) for r in referrals) == [
        ("Volkshochschule", "phone"), ("Wohnberatung Süd", "email")]
    assert db.session.get(Need, bank.id).status is NeedStatus.UNMET

    # 5. consent: both partners uncovered; record a consent for them
    page = client.get(f"/admin/interview/{case.id}/consent/").get_data(as_text=True)
    assert "nicht abgedeckt" in page and "Einverständniserklärung drucken" in page
    consent = {"go": "record_consent", "key": "c1",
               "partners": [str(p) for p in partners],
               "categories": ["name", "contact", "preferred_language", "need"],
               "channels": ["email", "phone"], "given_how": "signed_paper",
               "form_language": str(catalogue(Language, "uk").id),
               "case_version": str(_case(case.id).version)}
    for _ in range(2):
        assert client.post(f"/admin/interview/{case.id}/consent/",
                           data=consent).status_code == 302
    assert _count(Consent, Consent.person_id == person.id) == 1
    page = client.get(f"/admin/interview/{case.id}/consent/").get_data(as_text=True)
    assert "nicht abgedeckt" not in page
    assert client.post(f"/admin/interview/{case.id}/consent/", data={
        "case_version": str(_case(case.id).version)}).status_code == 302

    # 6. summary: the consultation is recorded and the case is active
    response = client.post(f"/admin/interview/{case.id}/summary/", data={
        "held_on": "2026-11-20", "duration_minutes": "75", "channel": "in_person",
        "language": str(catalogue(Language, "uk").id), "interpreter_used": "y",
        "follow_up_on": "2026-12-04", "case_version": str(_case(case.id).version)})
    assert response.status_code == 302
    assert "interview=done" in response.headers["Location"]
    stored = _case(case.id)
    consultation = db.session.scalar(select(Consultation).where(Consultation.case_id == case.id))
    assert (consultation.kind.value, consultation.duration_minutes,
            consultation.interpreter_used) == ("orientation", 75, True)
    assert stored.status.value == "active" and stored.follow_up_on == date(2026, 12, 4)
    assert db.session.scalar(select(Interview.finished_at).where(
        Interview.case_id == case.id)) is not None
    page = client.get(f"/admin/case/details/?id={case.id}&interview=done").get_data(as_text=True)
    assert "Jetzt an Wohnberatung Süd übergeben" in page


def test_leaving_and_coming_back_resumes(client, coordinator, partners):
    case = make_case()
    client.post(f"/admin/interview/{case.id}/household/",
                data=_household(case.main_person, case))
    client.post(f"/admin/interview/{case.id}/arrival/",
                data={"case_version": str(_case(case.id).version), "go": "pause"})
    response = client.get(f"/admin/interview/{case.id}/")
    assert response.headers["Location"].endswith(f"/admin/interview/{case.id}/needs/")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert "fortsetzen (Schritt 3" in page


def test_a_validation_error_keeps_what_was_typed(client, coordinator):
    case = make_case()
    data = _household(case.main_person, case, **{
        "main-email": "kein-at-zeichen", "members-0-given_name": "Taras",
        "members-0-family_name": "Bondar", "members-0-relation": "spouse"})
    response = client.post(f"/admin/interview/{case.id}/household/", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="kein-at-zeichen"' in page and 'value="Taras"' in page
    assert "E-Mail-Adresse" in flashes(response)
    assert _count(CaseMember) == 0


def test_a_colleagues_stale_form_is_refused(client, coordinator):
    case = make_case()
    stale = _household(case.main_person, case, **{"main-family_name": "Mein Name"})
    fresh = _household(case.main_person, case, **{"main-family_name": "Ihr Name"})
    assert client.post(f"/admin/interview/{case.id}/household/", data=fresh).status_code == 302
    response = client.post(f"/admin/interview/{case.id}/household/", data=stale)
    assert response.status_code == 409
    assert _case(case.id).main_person.family_name == "Ihr Name"
    needs = _needs(case, "housing")
    needs["case_version"] = "1"
    assert client.post(f"/admin/interview/{case.id}/needs/", data=needs).status_code == 409
    assert _count(Need) == 0


def test_information_only_without_consent(client, coordinator, partners):
    case = make_case()
    client.post(f"/admin/interview/{case.id}/needs/", data=_needs(case, "housing"))
    need = db.session.scalar(select(Need).where(Need.case_id == case.id))
    client.post(f"/admin/interview/{case.id}/partners/", data={
        f"partner-{need.id}": str(partners[0]),
        "case_version": str(_case(case.id).version)})
    referral_id = db.session.scalar(select(Referral.id).where(Referral.case_id == case.id))
    client.post(f"/admin/interview/{case.id}/consent/", data={
        f"fallback-{referral_id}": "information_only",
        "case_version": str(_case(case.id).version)})
    db.session.expire_all()
    stored = db.session.get(Referral, referral_id)
    assert stored.channel is HandoverChannel.INFORMATION_ONLY
    assert stored.status is ReferralStatus.PLANNED


def test_a_long_interview_keeps_its_session_and_token(client, coordinator):
    response = client.post("/keepalive")
    assert response.status_code == 200
    token = response.get_json()["csrf_token"]
    case = make_case()
    response = client.post(f"/admin/interview/{case.id}/arrival/", csrf=False, data={
        "csrf_token": token, "case_version": str(case.version), "district": "Nord"})
    assert response.status_code == 302
    assert client.application.config["WTF_CSRF_TIME_LIMIT"] >= 8 * 3600


@pytest.mark.parametrize("path", ["/admin/interview/999999/", "/admin/interview/1/nonsense/",
                                  "/admin/interview/999999/needs/"])
def test_unknown_cases_and_steps(client, coordinator, path):
    make_case()
    assert client.get(path).status_code == 404


def test_bad_needs_input_is_refused(client, coordinator):
    case = make_case()
    field = catalogue(FieldOfAction, "housing")
    response = client.post(f"/admin/interview/{case.id}/needs/", data={
        f"need-{field.id}": "y", f"need-{field.id}-priority": "urgent!!",
        f"need-{field.id}-person": "424242", "case_version": str(case.version)})
    assert response.status_code == 422
    assert _count(Need) == 0


def test_paused_interviews_are_listed_on_the_start_page(client, coordinator):
    case = make_case()
    client.get(f"/admin/interview/{case.id}/")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Fortzusetzende Orientierungsgespräche" in page and case.reference in page
