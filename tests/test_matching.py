"""The partner ranking rules of welcome.services.matching, one by one."""

from tests.helpers import catalogue, make_case, make_need, make_partner, make_person
from welcome.extensions import db
from welcome.models import FieldOfAction, Language
from welcome.services import cases, matching


def _need(**person):
    person = make_person(**person)
    return make_need(make_case(person), field="housing")


def _names(need) -> list[str]:
    return [s.partner.name for s in matching.suggest_partners(db.session, need, limit=10)]


def test_only_active_partners_of_the_field_are_suggested(app_context):
    need = _need()
    make_partner(name="A Wohnen")
    make_partner(name="B Inaktiv", active=False)
    make_partner(name="C Sprachkurse", fields_of_action=[catalogue(FieldOfAction, "language")])
    assert _names(need) == ["A Wohnen"]


def test_preferred_language_counts_most(app_context):
    """The preferred language (3) outweighs the same district (2) or e-mail handover (1)."""
    need = _need(preferred_language=catalogue(Language, "uk"), languages=[], district="Nord")
    make_partner(name="A Deutsch", languages=[catalogue(Language, "de")], district="Nord",
                 accepts_email_handover=False)
    make_partner(name="B Ukrainisch", languages=[catalogue(Language, "uk")], district="Süd",
                 accepts_email_handover=False)
    suggestions = matching.suggest_partners(db.session, need)
    assert [(s.partner.name, s.points) for s in suggestions] == [
        ("B Ukrainisch", matching.POINTS_PREFERRED_LANGUAGE),
        ("A Deutsch", matching.POINTS_DISTRICT)]
    assert "spricht Ukrainisch" in suggestions[0].reasons


def test_points_add_up_but_languages_count_once(app_context):
    """Language, place and e-mail add up; a partner offering the preferred and another spoken
    language gets the preferred language's points only."""
    need = _need(preferred_language=catalogue(Language, "uk"),
                 languages=[catalogue(Language, "uk"), catalogue(Language, "ru")],
                 district="Nord")
    make_partner(name="Both", languages=[catalogue(Language, "uk"), catalogue(Language, "ru")],
                 district="Nord", accepts_email_handover=True, email="a@example.org")
    make_partner(name="Russian", languages=[catalogue(Language, "ru")], district="Süd",
                 accepts_email_handover=False)
    points = {s.partner.name: s.points for s in matching.suggest_partners(db.session, need)}
    assert points == {"Both": 3 + 2 + 1, "Russian": 1}


def test_another_spoken_language_counts_one(app_context):
    need = _need(preferred_language=catalogue(Language, "ar"),
                 languages=[catalogue(Language, "en")], district=None)
    make_partner(name="A", languages=[catalogue(Language, "en")], accepts_email_handover=False)
    make_partner(name="B", languages=[catalogue(Language, "ar")], accepts_email_handover=False)
    points = {s.partner.name: s.points for s in matching.suggest_partners(db.session, need)}
    assert points == {"A": 1, "B": 3}


def test_same_district_and_email_handover(app_context):
    need = _need(district="Weststadt", preferred_language=None, languages=[])
    make_partner(name="A", district="weststadt ", accepts_email_handover=True,
                 email="a@example.org")
    make_partner(name="B", district="Altstadt", accepts_email_handover=True, email=None)
    suggestions = {s.partner.name: s for s in matching.suggest_partners(db.session, need)}
    assert suggestions["A"].points == matching.POINTS_DISTRICT + matching.POINTS_EMAIL
    assert suggestions["B"].points == 0
    assert any("Weststadt" in reason for reason in suggestions["A"].reasons)


def test_ties_are_ordered_by_name_and_limited(app_context):
    need = _need(district=None, preferred_language=None, languages=[])
    for name in ("Delta", "alpha", "Charlie", "bravo", "echo", "Foxtrot"):
        make_partner(name=name, accepts_email_handover=False)
    assert _names(need) == ["alpha", "bravo", "Charlie", "Delta", "echo", "Foxtrot"]
    assert len(matching.suggest_partners(db.session, need, limit=2)) == 2
    assert len(matching.suggest_partners(db.session, need, limit=None)) == 6


def test_a_neighbouring_district_counts_one(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "WELCOME_NEIGHBOURING_DISTRICTS",
                        "Altstadt: Süd, Weststadt ;  nordost:Bahnhofsviertel")
    need = _need(district="weststadt", preferred_language=None, languages=[])
    make_partner(name="A", district="Altstadt", accepts_email_handover=False)
    make_partner(name="B", district="Süd", accepts_email_handover=False)
    make_partner(name="C", district="Weststadt", accepts_email_handover=False)
    suggestions = {s.partner.name: s for s in matching.suggest_partners(db.session, need)}
    assert {name: s.points for name, s in suggestions.items()} == {
        "A": matching.POINTS_NEIGHBOURING_DISTRICT, "B": 0, "C": matching.POINTS_DISTRICT}
    assert "im Nachbarstadtteil Altstadt" in suggestions["A"].reasons


def test_the_neighbour_setting_works_both_ways():
    neighbours = matching.neighbouring_districts("Altstadt: Süd, Weststadt; Nordost: Altstadt;"
                                                 " ; Kaputt; :Süd")
    assert neighbours["altstadt"] == {"süd", "weststadt", "nordost"}
    assert neighbours["süd"] == {"altstadt"} and neighbours["nordost"] == {"altstadt"}
    assert matching.neighbouring_districts("") == {}


def test_many_needs_are_ranked_at_once_like_one(app_context):
    person = make_person(district="Altstadt", preferred_language=catalogue(Language, "uk"))
    case = make_case(person)
    needs = [make_need(case, field=code) for code in ("housing", "language", "work")]
    for code in ("housing", "language", "work", "housing"):
        make_partner(fields_of_action=[catalogue(FieldOfAction, code)],
                     languages=[catalogue(Language, "uk")] if code == "work" else [])
    together = matching.suggest_for_needs(db.session, needs)
    for need in needs:
        alone = matching.suggest_partners(db.session, need, limit=None)
        assert [(s.partner.id, s.points, s.reasons) for s in together[need.id]] == [
            (s.partner.id, s.points, s.reasons) for s in alone]
    assert len(together[needs[0].id]) == 2


def test_the_person_the_need_concerns_counts(app_context):
    parent = make_person(preferred_language=catalogue(Language, "de"))
    case = make_case(parent)
    child = make_person(given_name="Mila", preferred_language=catalogue(Language, "tr"))


    cases.add_member(case, child, "child")
    need = make_need(case, field="housing", person=child)
    make_partner(name="A", languages=[catalogue(Language, "tr")], accepts_email_handover=False,
                 district=None)
    assert matching.suggest_partners(db.session, need)[0].points == 3


def test_need_page_suggests_partners_and_plans_a_referral(client):
    from tests.helpers import login_as
    from welcome.models import Referral, Role

    login_as(client, Role.COORDINATOR)
    need = _need(district=None)
    partner = make_partner(name="Wohnraum e. V.")
    page = client.get(f"/admin/need/details/?id={need.id}").get_data(as_text=True)
    assert "Wohnraum e. V." in page and "bietet Wohnungssuche an" in page
    response = client.post(f"/admin/need/refer/?id={need.id}", data={"partner": str(partner.id)})
    assert response.status_code == 302
    assert "/admin/referral/handover/" in response.headers["Location"]
    again = client.post(f"/admin/need/refer/?id={need.id}", data={"partner": str(partner.id)})
    assert again.status_code == 302
    assert db.session.query(Referral).filter_by(need_id=need.id).count() == 1
    assert client.post(f"/admin/need/refer/?id={need.id}",
                       data={"partner": "abc"}).status_code == 404
