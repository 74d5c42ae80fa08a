"""The orientation interview through the test client: every step, resume, no duplicates.

Forms are sent the way a browser sends them: the page is fetched and its form submitted with
the values it carries (hidden versions and one-time keys included), changed where a
coordinator would type.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import (
    catalogue,
    flashes,
    form_values,
    login_as,
    make_case,
    make_consent,
    make_intake,
    make_need,
    make_partner,
    make_person,
    make_referral,
    reason,
)
from welcome.extensions import db
from welcome.models import (
    AuditEvent,
    Case,
    CaseMember,
    Consent,
    Consultation,
    DataCategory,
    FieldOfAction,
    FieldTopic,
    HandoverChannel,
    Interview,
    Language,
    MemberRelation,
    Need,
    NeedStatus,
    Partner,
    Person,
    ReasonKind,
    Referral,
    ReferralStatus,
    ResidencePurpose,
    Role,
)
from welcome.services import cases


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _case(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def _url(case: Case, step: str) -> str:
    return f"/admin/interview/{case.id}/{step}/"


def _send(client, url: str, changes: dict | None = None, drop=(), go: str = "next",
          page=None):
    """Fetch the step (unless ``page`` is given), change what a coordinator would, send it.

    :return: the response and the data sent, to send the very same form again.
    """
    page = page or client.get(url)
    assert page.status_code == 200, flashes(page)[:800]
    data = form_values(page, "interview-form")
    for name in drop:
        data.pop(name, None)
    for name, value in (changes or {}).items():
        data[name] = value if isinstance(value, list) else [value]
    data["go"] = [go]
    return client.post(url, data=data), data


def _field(code: str) -> FieldOfAction:
    return catalogue(FieldOfAction, code)


def _topic(code: str) -> FieldTopic:
    return catalogue(FieldTopic, code)


def _need(case: Case, code: str) -> Need:
    db.session.expire_all()
    return db.session.scalar(select(Need).where(Need.case_id == case.id,
                                                Need.field_of_action == _field(code)))


def _tick(code: str, *topics: str, priority: str = "high", note: str = "",
          person: Person | None = None) -> dict:
    field = _field(code)
    prefix = f"need-{field.id}"
    return {prefix: "y", f"{prefix}-priority": priority, f"{prefix}-note": note,
            f"{prefix}-topic": [str(_topic(t).id) for t in topics],
            f"{prefix}-person": str(person.id) if person else ""}


@pytest.fixture
def coordinator(client):
    return login_as(client, Role.COORDINATOR)


@pytest.fixture
def partners(db) -> list[int]:
    """Ids of two partners serving housing and language courses, one offering Ukrainian."""
    return [
        make_partner(name="Wohnberatung Süd", languages=[catalogue(Language, "uk")],
                     fields_of_action=[_field("housing")]).id,
        make_partner(name="Volkshochschule", accepts_email_handover=False,
                     fields_of_action=[_field("language")]).id,
    ]


@pytest.fixture
def started(client, coordinator):
    """A case whose interview the coordinator has opened."""
    case = make_case()
    assert client.get(f"/admin/interview/{case.id}/").status_code == 302
    return case


# --- walk-ins -------------------------------------------------------------------------------


def test_walk_in_starts_with_the_household(client, coordinator):
    response = client.get("/admin/interview/new/")
    assert response.status_code == 302
    url = response.headers["Location"]
    assert "/admin/interview/new/?key=" in url
    response, data = _send(client, url, {
        "source": "self", "main-given_name": "Iryna", "main-family_name": "Bondar",
        "main-date_of_birth": "1987-02-03", "main-phone": "0171 3920011",
        "members-0-given_name": "Mila", "members-0-family_name": "Bondar",
        "members-0-date_of_birth": "2019-05-01", "members-0-relation": "child"})
    assert response.status_code == 302, flashes(response)[:1500]
    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert response.headers["Location"].endswith(_url(case, "arrival"))
    assert case.main_person.full_name == "Iryna Bondar"
    assert case.main_person.phone == "+49 171 3920011"
    assert [(m.person.given_name, m.relation.value) for m in case.members] == [("Mila", "child")]

    # the same form again (a double click): saved once, on to the arrival
    again = client.post(url, data=data)
    assert again.status_code == 302 and again.headers["Location"].endswith(_url(case, "arrival"))
    # the browser's back button: the form's address leads to the case it created
    back = client.get(url)
    assert back.headers["Location"].endswith(_url(case, "household"))
    # the old form sent with a change: nothing new, the household as recorded is shown
    data["main-given_name"] = ["Irina"]
    changed = client.post(url, data=data)
    assert changed.headers["Location"].endswith(_url(case, "household"))
    assert _count(Case) == 1 and _count(Person) == 2 and _count(Interview) == 1
    assert _case(case.id).main_person.given_name == "Iryna"


def test_walk_in_needs_a_name(client, coordinator):
    url = client.get("/admin/interview/new/").headers["Location"]
    response, _data = _send(client, url, {"main-given_name": "X"})
    assert response.status_code == 422
    assert "Geben Sie den Familiennamen ein" in flashes(response)
    assert _count(Case) == 0 and _count(Person) == 0


def test_a_walk_in_form_reports_all_its_mistakes_at_once(client, coordinator):
    url = client.get("/admin/interview/new/").headers["Location"]
    response, _data = _send(client, url, {"main-given_name": "", "main-family_name": "",
                                          "main-email": "not an address"})
    assert response.status_code == 422
    page = flashes(response)
    assert "Geben Sie den Vornamen ein" in page
    assert "Geben Sie den Familiennamen ein" in page
    assert "Geben Sie eine E-Mail-Adresse ein" in page
    assert _count(Case) == 0 and _count(Person) == 0


def test_walk_in_with_a_made_up_key_gets_a_fresh_one(client, coordinator):
    response = client.get("/admin/interview/new/?key=" + "x" * 200)
    assert response.status_code == 302
    assert "x" * 200 not in response.headers["Location"]


# --- a whole interview ----------------------------------------------------------------------


def test_a_whole_interview(client, coordinator, partners):
    person = make_person(given_name="Olena", family_name="Kovalenko",
                         preferred_language=catalogue(Language, "uk"), district="Süd")
    case = make_case(person)
    assert client.get(f"/admin/interview/{case.id}/").headers["Location"].endswith(
        _url(case, "household"))

    # 1. household: a spouse and a child join
    response, _data = _send(client, _url(case, "household"), {
        "main-languages": [str(catalogue(Language, "uk").id), str(catalogue(Language, "en").id)],
        "members-0-given_name": "Taras", "members-0-family_name": "Kovalenko",
        "members-0-relation": "spouse"}, go="add_member")
    assert response.status_code == 200
    response, _data = _send(client, _url(case, "household"), {
        "main-languages": [str(catalogue(Language, "uk").id)],
        "members-0-given_name": "Taras", "members-0-family_name": "Kovalenko",
        "members-0-relation": "spouse",
        "members-1-given_name": "Sofia", "members-1-family_name": "Kovalenko",
        "members-1-date_of_birth": "2018-09-10", "members-1-relation": "child"},
        page=response)
    assert response.status_code == 302, flashes(response)[:1500]
    stored = _case(case.id)
    assert [(m.person.full_name, m.relation) for m in stored.members] == [
        ("Taras Kovalenko", MemberRelation.SPOUSE), ("Sofia Kovalenko", MemberRelation.CHILD)]
    assert [lang.code for lang in stored.main_person.languages] == ["uk"]

    # 2. arrival, for the whole household
    response, _data = _send(client, _url(case, "arrival"), {
        "residence_purpose": str(catalogue(ResidencePurpose, "blue_card").id),
        "arrival_date": "2026-09-15", "district": "Süd", "whole_household": "y"})
    assert response.status_code == 302, flashes(response)[:1500]
    assert all(m.person.arrival_date == date(2026, 9, 15) for m in _case(case.id).members)

    # 3. needs: four of them, with topics and a note
    sofia = _case(case.id).members[1].person
    response, _data = _send(client, _url(case, "needs"), {
        **_tick("housing", "housing.understanding_flat_adverts", "housing.deposit",
                note="bis März – dringend"),
        **_tick("language", "language.integration_course"),
        **_tick("childcare_school", "childcare_school.day_care_place", person=sofia,
                priority="medium"),
        **_tick("bank_account")})
    assert response.status_code == 302, flashes(response)[:1500]
    assert _count(Need, Need.case_id == case.id) == 4
    housing = _need(case, "housing")
    assert [t.code for t in housing.topics] == ["housing.understanding_flat_adverts",
                                                "housing.deposit"]
    assert housing.description == "bis März – dringend"
    assert _need(case, "childcare_school").person_id == sofia.id

    # 4. partners: two referrals; the bank account need stays unmet
    bank, language = _need(case, "bank_account"), _need(case, "language")
    unmet = reason(ReasonKind.NEED_UNMET)
    page = client.get(_url(case, "partners"))
    assert "spricht Ukrainisch" in page.get_data(as_text=True)
    response, _data = _send(client, _url(case, "partners"), {
        f"partner-{housing.id}": str(partners[0]), f"partner-{language.id}": str(partners[1]),
        f"unmet-{bank.id}": str(unmet.id)}, page=page)
    assert response.status_code == 302, flashes(response)[:1500]
    referrals = db.session.scalars(select(Referral).where(Referral.case_id == case.id)).all()
    assert sorted((r.partner.name, r.channel.value, r.status.value) for r in referrals) == [
        ("Volkshochschule", "phone", "planned"), ("Wohnberatung Süd", "email", "planned")]
    assert _need(case, "bank_account").status is NeedStatus.UNMET

    # 5. consent: both partners uncovered; the consent is recorded right there
    page = client.get(_url(case, "consent"))
    text = page.get_data(as_text=True)
    assert "nicht abgedeckt" in text and "Einverständniserklärung drucken" in text
    response, _data = _send(client, _url(case, "consent"), go="record_consent", page=page)
    assert response.status_code == 302, flashes(response)[:1500]
    assert response.headers["Location"].endswith(_url(case, "consent"))
    consent = db.session.scalar(select(Consent).where(Consent.person_id == person.id))
    assert sorted(p.name for p in consent.partners) == ["Volkshochschule", "Wohnberatung Süd"]
    assert set(consent.channels) == {HandoverChannel.EMAIL, HandoverChannel.PHONE}
    assert consent.form_language.code == "uk"
    page = client.get(_url(case, "consent"))
    assert "nicht abgedeckt" not in page.get_data(as_text=True)
    response, _data = _send(client, _url(case, "consent"), page=page)
    assert response.status_code == 302

    # 6. summary: the consultation is recorded and the case is active
    response, _data = _send(client, _url(case, "summary"), {
        "held_on": date.today().isoformat(), "duration_minutes": "75", "channel": "in_person",
        "language": str(catalogue(Language, "uk").id), "interpreter_used": "y",
        "summary": "Wohnungsbesichtigung vorbereiten",
        "follow_up_on": (date.today() + timedelta(days=14)).isoformat()})
    assert response.status_code == 302, flashes(response)[:1500]
    assert "interview=done" in response.headers["Location"]
    stored = _case(case.id)
    consultation = db.session.scalar(select(Consultation).where(Consultation.case_id == case.id))
    assert (consultation.kind.value, consultation.duration_minutes, consultation.interpreter_used,
            consultation.language.code, consultation.summary) == (
        "orientation", 75, True, "uk", "Wohnungsbesichtigung vorbereiten")
    assert stored.status.value == "active"
    assert stored.follow_up_on == date.today() + timedelta(days=14)
    assert db.session.scalar(select(Interview.finished_at).where(
        Interview.case_id == case.id)) is not None
    page = client.get(f"/admin/case/details/?id={case.id}&interview=done").get_data(as_text=True)
    start = page.index("Nächste Schritte")
    next_steps = page[start:page.index("</div>", start)]
    assert "Jetzt an Wohnberatung Süd übergeben" in next_steps
    assert f'href="/admin/dossier/{case.id}/" data-next-step="folder"' in next_steps
    assert "Willkommensmappe jetzt drucken" in next_steps


def test_leaving_and_coming_back_resumes(client, started):
    case = started
    _send(client, _url(case, "household"))
    response, _data = _send(client, _url(case, "arrival"), go="pause")
    assert response.headers["Location"].endswith(f"/admin/case/details/?id={case.id}")
    response = client.get(f"/admin/interview/{case.id}/")
    assert response.headers["Location"].endswith(_url(case, "needs"))
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert "fortsetzen (Schritt 3" in page


def test_a_validation_error_keeps_what_was_typed(client, started):
    case = started
    response, _data = _send(client, _url(case, "household"), {
        "main-email": "kein-at-zeichen", "members-0-given_name": "Taras",
        "members-0-family_name": "Bondar", "members-0-relation": "spouse"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="kein-at-zeichen"' in page and 'value="Taras"' in page
    assert "E-Mail-Adresse" in flashes(response)
    assert _count(CaseMember) == 0


def test_every_step_sent_twice_is_saved_once(client, started, partners):
    """The same form sent again is no conflict and creates nothing twice."""
    case = started
    steps = [
        ("household", {"members-0-given_name": "Taras", "members-0-family_name": "Bondar",
                       "members-0-relation": "spouse"}),
        ("arrival", {"district": "Nord"}),
        ("needs", _tick("housing", "housing.deposit", note="Kaution – bis März")),
        ("partners", None),
        ("consent", None),
    ]
    for step, changes in steps:
        if step == "partners":
            changes = {f"partner-{_need(case, 'housing').id}": str(partners[0])}
        first, data = _send(client, _url(case, step), changes)
        assert first.status_code == 302, (step, flashes(first)[:1500])
        second = client.post(_url(case, step), data=data)
        assert second.status_code == 302, (step, flashes(second)[:1500])
        assert second.headers["Location"] == first.headers["Location"]
    assert _count(CaseMember) == 1
    assert _count(Need) == 1 and _count(Referral) == 1
    record, data = _send(client, _url(case, "consent"), go="record_consent")
    assert record.status_code == 302
    assert client.post(_url(case, "consent"), data=data).status_code == 302
    assert _count(Consent) == 1
    finish, data = _send(client, _url(case, "summary"))
    assert finish.status_code == 302
    again = client.post(_url(case, "summary"), data=data)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/admin/case/details/?id={case.id}")
    assert "bereits gespeichert" in flashes(client.get(again.headers["Location"]))
    assert _count(Consultation) == 1 and _count(Interview) == 1


def test_a_finished_interview_is_not_reopened_by_looking_at_it(client, started):
    case = started
    _send(client, _url(case, "summary"))
    for step in ("household", "needs", "summary"):
        response = client.get(_url(case, step))
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/admin/case/details/?id={case.id}")
    assert _count(Interview, Interview.finished_at.is_(None)) == 0
    assert case.reference not in client.get("/admin/").get_data(as_text=True)
    # a new interview begins only when asked for
    assert client.get(f"/admin/interview/{case.id}/").status_code == 302
    assert _count(Interview, Interview.finished_at.is_(None)) == 1


def test_a_step_of_a_case_without_interview_starts_it(client, coordinator):
    case = make_case()
    response = client.get(_url(case, "needs"))
    assert response.headers["Location"].endswith(f"/admin/interview/{case.id}/")
    assert _count(Interview) == 0


# --- needs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["Eine Notiz – mit Gedankenstrich",
                                  "kein Integrationskurs, lieber Abendkurs",
                                  "Integrationskurs"])
def test_needs_saved_again_keep_topics_and_note(client, started, note):
    case = started
    response, _data = _send(client, _url(case, "needs"),
                            _tick("language", "language.job_related_german_course", note=note))
    assert response.status_code == 302
    for _round in range(2):
        response, _data = _send(client, _url(case, "needs"))
        assert response.status_code == 302, flashes(response)[:1500]
    need = _need(case, "language")
    assert need.description == note
    assert [t.code for t in need.topics] == ["language.job_related_german_course"]


def test_topics_stay_ticked_in_the_other_language(client, started, coordinator):
    case = started
    _send(client, _url(case, "needs"), _tick("housing", "housing.broker_fees", note="Frage"))
    client.post("/language", data={"locale": "en"})
    page = client.get(_url(case, "needs"))
    values = form_values(page, "interview-form")
    prefix = f"need-{_field('housing').id}"
    assert values[f"{prefix}-topic"] == [str(_topic("housing.broker_fees").id)]
    assert values[f"{prefix}-note"] == ["Frage"]
    assert "Broker fees" in page.get_data(as_text=True)


def test_unticking_a_need_of_this_interview_removes_it(client, started):
    case = started
    _send(client, _url(case, "needs"), {**_tick("housing"), **_tick("bank_account")})
    assert _count(Need) == 2
    response, _data = _send(client, _url(case, "needs"), drop=[f"need-{_field('housing').id}"])
    assert response.status_code == 302
    assert [n.field_of_action.code for n in _case(case.id).needs] == ["bank_account"]


def test_unticking_an_older_or_referred_need_is_explained(client, started):
    case = started
    older = make_need(case, field="housing")
    older.created_at = older.created_at - timedelta(days=3)
    db.session.commit()
    referred = make_need(case, field="work")
    make_referral(referred, make_partner(fields_of_action=[_field("work")]))
    response, _data = _send(client, _url(case, "needs"), drop=[
        f"need-{_field('housing').id}", f"need-{_field('work').id}"])
    assert response.status_code == 422
    text = flashes(response)
    assert "vor diesem Gespräch erfasst" in text
    assert "Überleitungen" in text
    assert _count(Need) == 2


def test_a_long_note_is_refused_not_cut(client, started):
    case = started
    response, _data = _send(client, _url(case, "needs"), _tick("housing", note="x" * 501))
    assert response.status_code == 422
    assert "höchstens 500 Zeichen" in flashes(response)
    assert _count(Need) == 0


def test_bad_needs_input_is_refused(client, started):
    case = started
    prefix = f"need-{_field('housing').id}"
    for changes in ({prefix: "y", f"{prefix}-priority": "urgent!!"},
                    {prefix: "y", f"{prefix}-person": "424242"},
                    {prefix: "y", f"{prefix}-topic": str(_topic("work.a_german_style_cv").id)},
                    {prefix: "y", f"{prefix}-topic": "abc"}):
        response, _data = _send(client, _url(case, "needs"), changes)
        assert response.status_code == 422, changes
    assert _count(Need) == 0


# --- partners ---------------------------------------------------------------------------------


def test_picks_and_unmet_marks_can_be_taken_back(client, started, partners):
    case = started
    _send(client, _url(case, "needs"), {**_tick("housing"), **_tick("bank_account")})
    housing, bank = _need(case, "housing"), _need(case, "bank_account")
    unmet = reason(ReasonKind.NEED_UNMET)
    _send(client, _url(case, "partners"), {f"partner-{housing.id}": str(partners[0]),
                                           f"unmet-{bank.id}": str(unmet.id)})
    assert _count(Referral) == 1 and _need(case, "bank_account").status is NeedStatus.UNMET
    assert _need(case, "housing").status is NeedStatus.IN_PROGRESS
    # the unmet need is still listed, with its reason chosen; both choices are undone
    page = client.get(_url(case, "partners"))
    values = form_values(page, "interview-form")
    assert values[f"unmet-{bank.id}"] == [str(unmet.id)]
    assert values[f"partner-{housing.id}"] == [str(partners[0])]
    response, _data = _send(client, _url(case, "partners"), {f"unmet-{bank.id}": ""},
                            drop=[f"partner-{housing.id}"], page=page)
    assert response.status_code == 302
    assert _count(Referral) == 0
    assert _need(case, "bank_account").status is NeedStatus.IDENTIFIED
    assert _need(case, "bank_account").unmet_reason is None
    assert _need(case, "housing").status is NeedStatus.IDENTIFIED


def test_a_wrong_partner_choice_keeps_the_picks(client, started, partners):
    case = started
    _send(client, _url(case, "needs"), {**_tick("housing"), **_tick("language")})
    housing, language = _need(case, "housing"), _need(case, "language")
    unmet = reason(ReasonKind.NEED_UNMET)
    response, _data = _send(client, _url(case, "partners"), {
        f"partner-{housing.id}": str(partners[0]), f"unmet-{housing.id}": str(unmet.id),
        f"partner-{language.id}": str(partners[1])})
    assert response.status_code == 422
    assert "nicht beides" in flashes(response)
    values = form_values(response, "interview-form")
    assert values[f"partner-{housing.id}"] == [str(partners[0])]
    assert values[f"unmet-{housing.id}"] == [str(unmet.id)]
    assert values[f"partner-{language.id}"] == [str(partners[1])]
    assert _count(Referral) == 0
    for changes in ({f"partner-{housing.id}": str(partners[1])},
                    {f"partner-{housing.id}": "99999999999999999999"},
                    {f"unmet-{housing.id}": "abc"}):
        response, _data = _send(client, _url(case, "partners"), changes)
        assert response.status_code == 422, changes
    assert _count(Referral) == 0


def test_more_partners_than_shown_can_be_picked(client, started):
    case = started
    for name in ("A", "B", "C", "D", "E", "F", "G"):
        make_partner(name=f"Partner {name}", fields_of_action=[_field("housing")])
    _send(client, _url(case, "needs"), _tick("housing"))
    need = _need(case, "housing")
    page = client.get(_url(case, "partners")).get_data(as_text=True)
    assert "4 weitere Partner" in page and "Partner G" in page
    last = db.session.scalar(select(Partner.id).where(Partner.name == "Partner G"))
    response, _data = _send(client, _url(case, "partners"), {f"partner-{need.id}": str(last)})
    assert response.status_code == 302
    assert [r.partner.name for r in _case(case.id).referrals] == ["Partner G"]


# --- consent ----------------------------------------------------------------------------------


def test_information_only_without_consent(client, started, partners):
    case = started
    _send(client, _url(case, "needs"), _tick("housing"))
    _send(client, _url(case, "partners"),
          {f"partner-{_need(case, 'housing').id}": str(partners[0])})
    referral_id = db.session.scalar(select(Referral.id).where(Referral.case_id == case.id))
    response, _data = _send(client, _url(case, "consent"),
                            {f"fallback-{referral_id}": "information_only"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Referral, referral_id)
    assert stored.channel is HandoverChannel.INFORMATION_ONLY
    assert stored.status is ReferralStatus.PLANNED
    response, _data = _send(client, _url(case, "consent"))
    assert response.status_code == 302


def test_a_fallback_that_is_not_offered_is_refused(client, started, partners):
    case = started
    _send(client, _url(case, "needs"), _tick("housing"))
    _send(client, _url(case, "partners"),
          {f"partner-{_need(case, 'housing').id}": str(partners[0])})
    referral_id = db.session.scalar(select(Referral.id).where(Referral.case_id == case.id))
    response, _data = _send(client, _url(case, "consent"), {f"fallback-{referral_id}": "hand_over"})
    assert response.status_code == 422
    assert db.session.get(Referral, referral_id).channel is HandoverChannel.EMAIL


def test_consent_is_asked_of_the_member_the_need_concerns(client, started, partners):
    """An adult member consents for their own need; the main person's consent does not do."""
    case = _case(started.id)
    spouse = make_person(given_name="Taras", family_name="Kovalenko")
    cases.add_member(case, spouse, MemberRelation.SPOUSE)
    db.session.commit()
    make_consent(case.main_person, partners=[db.session.get(Partner, partners[0])],
                 categories=list(DataCategory))
    _send(client, _url(case, "needs"), _tick("housing", person=spouse))
    _send(client, _url(case, "partners"),
          {f"partner-{_need(case, 'housing').id}": str(partners[0])})
    page = client.get(_url(case, "consent"))
    text = flashes(page)
    assert "nicht abgedeckt" in text and "Taras Kovalenko" in text
    assert form_values(page, "interview-form")["person"] == [str(spouse.id)]
    response, _data = _send(client, _url(case, "consent"), go="record_consent", page=page)
    assert response.status_code == 302
    assert _count(Consent, Consent.person_id == spouse.id) == 1
    assert "nicht abgedeckt" not in flashes(client.get(_url(case, "consent")))


def test_a_consent_for_somebody_else_is_refused(client, started, partners):
    case = started
    _send(client, _url(case, "needs"), _tick("housing"))
    _send(client, _url(case, "partners"),
          {f"partner-{_need(case, 'housing').id}": str(partners[0])})
    stranger = make_person()
    for changes in ({"person": str(stranger.id)}, {"partners": "999999"},
                    {"categories": "blood_group"}):
        response, _data = _send(client, _url(case, "consent"), changes, go="record_consent")
        assert response.status_code == 422, changes
        assert "angebotenen Einträge" in flashes(response)
    assert _count(Consent) == 0


# --- household --------------------------------------------------------------------------------


def test_a_member_entered_by_mistake_can_be_removed(client, started):
    case = started
    _send(client, _url(case, "household"), {
        "members-0-given_name": "Taras", "members-0-family_name": "Bondar",
        "members-0-relation": "spouse"})
    assert _count(CaseMember) == 1 and _count(Person) == 2
    response, _data = _send(client, _url(case, "household"), {"members-0-remove": "y"})
    assert response.status_code == 302, flashes(response)[:1500]
    assert _count(CaseMember) == 0 and _count(Person) == 1


def test_a_member_named_in_a_need_stays(client, started):
    case = started
    _send(client, _url(case, "household"), {
        "members-0-given_name": "Taras", "members-0-family_name": "Bondar",
        "members-0-relation": "spouse"})
    taras = _case(case.id).members[0].person
    _send(client, _url(case, "needs"), _tick("work", person=taras))
    response, _data = _send(client, _url(case, "household"), {"members-0-remove": "y"})
    assert response.status_code == 422
    assert "in einem Handlungsbedarf" in flashes(response)
    assert _count(CaseMember) == 1


def test_an_intake_announcing_a_family_offers_rows_for_it(client, coordinator):
    case = make_case()
    make_intake(household_size=4, case=case)
    client.get(f"/admin/interview/{case.id}/")
    values = form_values(client.get(_url(case, "household")), "interview-form")
    assert {"members-0-given_name", "members-2-given_name"} <= set(values)
    assert "members-3-given_name" not in values


def test_the_whole_household_arrives_except_a_child_born_later(client, started):
    case = started
    _send(client, _url(case, "household"), {
        "members-0-given_name": "Mila", "members-0-family_name": "Bondar",
        "members-0-date_of_birth": "2026-01-10", "members-0-relation": "child"})
    response, _data = _send(client, _url(case, "arrival"), {
        "arrival_date": "2025-06-01", "district": "Nord", "whole_household": "y"})
    assert response.status_code == 302, flashes(response)[:1500]
    child = _case(case.id).members[0].person
    assert child.arrival_date is None and child.district == "Nord"


# --- colleagues -------------------------------------------------------------------------------


def test_a_colleagues_stale_form_is_refused(client, started):
    case = started
    stale = client.get(_url(case, "household"))
    response, _data = _send(client, _url(case, "household"), {"main-family_name": "Ihr Name"})
    assert response.status_code == 302
    response, _data = _send(client, _url(case, "household"), {"main-family_name": "Mein Name"},
                            page=stale)
    assert response.status_code == 409
    assert "während Sie ihn bearbeitet haben" in flashes(response)
    assert _case(case.id).main_person.family_name == "Ihr Name"


def test_a_person_edited_on_another_screen_is_not_overwritten(client, started):
    case = started
    page = client.get(_url(case, "arrival"))
    person = _case(case.id).main_person
    person.district = "Weststadt"
    db.session.commit()
    response, _data = _send(client, _url(case, "arrival"), {"district": "Nord"}, page=page)
    assert response.status_code == 409
    assert _case(case.id).main_person.district == "Weststadt"


def test_a_member_edited_on_another_screen_is_not_overwritten(client, started):
    case = started
    _send(client, _url(case, "household"), {
        "members-0-given_name": "Taras", "members-0-family_name": "Bondar",
        "members-0-relation": "spouse"})
    page = client.get(_url(case, "household"))
    taras = _case(case.id).members[0].person
    taras.given_name = "Taras Petro"
    db.session.commit()
    response, _data = _send(client, _url(case, "household"), {"members-0-given_name": "T."},
                            page=page)
    assert response.status_code == 409
    assert _case(case.id).members[0].person.given_name == "Taras Petro"


def test_a_need_edited_or_added_elsewhere_is_not_overwritten(client, started):
    case = started
    _send(client, _url(case, "needs"), _tick("housing", note="erste Notiz"))
    page = client.get(_url(case, "needs"))
    need = _need(case, "housing")
    need.description = "vom Kollegen"
    db.session.commit()
    response, _data = _send(client, _url(case, "needs"), {
        f"need-{_field('housing').id}-note": "meine Notiz"}, page=page)
    assert response.status_code == 409
    assert _need(case, "housing").description == "vom Kollegen"
    page = client.get(_url(case, "needs"))
    make_need(case, field="work", description="vom Kollegen")
    response, _data = _send(client, _url(case, "needs"), page=page)
    assert response.status_code == 409
    assert _count(Need, Need.field_of_action == _field("work")) == 1


# --- the rest -----------------------------------------------------------------------------------


def test_a_long_interview_keeps_its_session_and_token(client, started):
    response = client.post("/keepalive")
    assert response.status_code == 200
    token = response.get_json()["csrf_token"]
    page = client.get(_url(started, "arrival"))
    data = form_values(page, "interview-form")
    data.update({"csrf_token": [token], "district": ["Nord"]})
    response = client.post(_url(started, "arrival"), csrf=False, data=data)
    assert response.status_code == 302
    assert client.application.config["WTF_CSRF_TIME_LIMIT"] >= 8 * 3600


@pytest.mark.parametrize("path", ["/admin/interview/999999/", "/admin/interview/1/nonsense/",
                                  "/admin/interview/999999/needs/",
                                  "/admin/interview/99999999999999999999999/",
                                  "/admin/interview/99999999999999999999999/needs/"])
def test_unknown_cases_and_steps(client, coordinator, path):
    make_case()
    assert client.get(path).status_code == 404


def test_steps_are_audited_without_their_form_keys(client, started):
    _send(client, _url(started, "needs"), _tick("housing"))
    entities = set(db.session.scalars(select(AuditEvent.entity)))
    assert {"Need", "Interview"} <= entities
    assert "InterviewKey" not in entities


def test_paused_interviews_are_listed_on_the_start_page(client, started):
    page = client.get("/admin/").get_data(as_text=True)
    assert "Fortzusetzende Orientierungsgespräche" in page and started.reference in page


def test_finishing_checks_the_dates(client, started):
    today = date.today()
    for changes, message in (
        ({"held_on": "2099-01-01"}, "nicht in der Zukunft"),
        ({"held_on": today.isoformat(),
          "follow_up_on": (today - timedelta(days=1)).isoformat()}, "vor dem Gespräch"),
    ):
        response, _data = _send(client, _url(started, "summary"), changes)
        assert response.status_code == 422
        assert message in flashes(response)
    assert _count(Consultation) == 0


@pytest.mark.parametrize("step", ["partners", "consent", "summary", "needs"])
def test_steps_run_the_same_statements_for_few_and_many_needs(client, coordinator,
                                                             count_queries, step):
    """No statement per need, referral or consent: 2 needs cost what 10 cost."""
    figures = []
    codes = ["housing", "language", "work", "health", "bank_account", "insurance",
             "contracts", "everyday_life", "social_contacts", "registration"]
    for size in (2, 10):
        case = make_case()
        member = make_person(given_name="Mila")
        cases.add_member(case, member, MemberRelation.SPOUSE)
        db.session.commit()
        for index, code in enumerate(codes[:size]):
            need = make_need(case, field=code, person=member if index % 2 else None)
            need.topics = _field(code).topics[:1]
            db.session.commit()
            partner = make_partner(fields_of_action=[_field(code)],
                                   languages=[catalogue(Language, "uk")])
            make_referral(need, partner)
            make_consent(member if index % 2 else case.main_person, partners=[partner])
        client.get(f"/admin/interview/{case.id}/")
        with count_queries() as statements:
            response = client.get(_url(case, step))
        assert response.status_code == 200
        figures.append(len(statements))
    assert figures[0] == figures[1], figures
