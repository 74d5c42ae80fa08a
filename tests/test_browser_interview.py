"""Whole orientation interviews in Chromium, checked against the database afterwards.

- a family of three with four needs and two referrals;
- a single person with three needs and two referrals by keyboard only, counting the keys;
- the browser's back and forward buttons, and finishing twice, duplicate nothing.
"""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import ARTIFACTS
from tests.helpers import PASSWORD
from welcome.extensions import db
from welcome.models import (
    Case,
    Consent,
    Consultation,
    Interview,
    MemberRelation,
    Person,
    Priority,
    Referral,
    ReferralStatus,
)

pytestmark = pytest.mark.browser


def shot(page, name):
    """The whole page; the viewport grows to it, so the sticky buttons sit at its end."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(
        size["height"], page.evaluate("document.documentElement.scrollHeight"))})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def sign_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill("test-coordinator")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


def focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def wait_for_focus(page, selector: str) -> None:
    """Browsers apply autofocus just after the page loaded; wait until it is where expected."""
    page.wait_for_function(
        "selector => document.activeElement && document.activeElement.matches(selector)",
        arg=selector, timeout=5000)


class Keys:
    """Presses keys and counts them: the navigation keys, and the characters typed as data."""

    def __init__(self, page) -> None:
        self.page = page
        self.presses = 0
        self.groups = 0
        self.typed = 0

    def press(self, *keys: str) -> None:
        """One group: keys pressed one after the other without looking elsewhere."""
        for key in keys:
            self.page.keyboard.press(key)
        self.presses += len(keys)
        self.groups += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)
        self.groups += 1


def test_family_of_three(page, live_server, live_app):
    sign_in(page, live_server)
    page.get_by_role("link", name="Orientierungsgespräch mit einer neuen Person").click()

    # 1. household: the cursor starts in the first field; Enter would continue
    page.wait_for_url(re.compile(r"/admin/interview/new/\?key="))
    wait_for_focus(page, "#main-given_name")
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("Ferreira Lima")
    page.locator("#main-date_of_birth").fill("1988-04-12")
    page.locator("#main-nationality").select_option("BR")
    page.locator("#main-preferred_language").select_option(label="Englisch")
    page.locator("#main-phone").fill("0171 3920099")
    page.locator("#main-email").fill("ana.lima@example.org")
    page.locator(".checkbox-columns").get_by_label("Englisch", exact=True).check()
    page.locator("#members-0-given_name").fill("Lucas")
    page.locator("#members-0-family_name").fill("Ferreira Lima")
    page.locator("#members-0-relation").select_option("spouse")
    page.get_by_role("button", name="+ Weiteres Haushaltsmitglied").click()
    page.locator("#members-1-given_name").fill("Bia")
    page.locator("#members-1-family_name").fill("Ferreira Lima")
    page.locator("#members-1-date_of_birth").fill("2020-06-01")
    page.locator("#members-1-relation").select_option("child")
    shot(page, "interview-1-household")
    page.locator("#members-1-given_name").press("Enter")

    # 2. arrival
    page.wait_for_url(re.compile(r"/arrival/$"))
    page.locator("#residence_purpose").select_option(label="Blaue Karte EU")
    page.locator("#arrival_date").fill("2026-10-01")
    page.locator("#district").fill("Weststadt")
    shot(page, "interview-2-arrival")
    page.keyboard.press("Enter")

    # 3. needs: four fields; ticking a topic ticks its field; the child's need is hers
    page.wait_for_url(re.compile(r"/needs/$"))
    page.get_by_label("Wohnungsanzeigen verstehen").check()
    page.get_by_label("Kaution").check()
    housing = page.locator("fieldset.need-row", has_text="Wohnungssuche")
    housing.get_by_label("Kurze Notiz").fill("3 Zimmer – bis Dezember")
    housing.get_by_label("Priorität").select_option("high")
    page.get_by_label("Deutsch- und Integrationskurs").check()
    page.get_by_label("Kita-Platz").check()
    childcare = page.locator("fieldset.need-row", has_text="Kinderbetreuung und Schule")
    childcare.get_by_label("Für wen").select_option(label="Bia Ferreira Lima")
    page.get_by_label("Bankkonto", exact=True).check()
    shot(page, "interview-3-needs")
    page.get_by_role("button", name="Speichern und weiter →").click()

    # 4. partners: the best suggestion for housing and for the language course
    page.wait_for_url(re.compile(r"/partners/$"))
    blocks = page.locator("fieldset.need-row")
    assert blocks.count() == 4
    picked = []
    for text in ("Wohnungssuche", "Deutsch- und Integrationskurs"):
        block = blocks.filter(has_text=text)
        block.locator('input[type="checkbox"]').first.check()
        picked.append(block.locator("tbody tr").first.locator("label").inner_text().strip())
    shot(page, "interview-4-partners")
    page.get_by_role("button", name="Speichern und weiter →").click()

    # 5. consent for both partners, recorded right there
    page.wait_for_url(re.compile(r"/consent/$"))
    assert page.get_by_text("nicht abgedeckt").count() == 2
    shot(page, "interview-5-consent-before")
    page.get_by_role("button", name="Einwilligung erfassen").click()
    page.wait_for_url(re.compile(r"/consent/$"))
    assert page.get_by_text("nicht abgedeckt").count() == 0
    shot(page, "interview-5-consent")
    page.get_by_role("button", name="Speichern und weiter →").click()

    # 6. summary and the consultation
    page.wait_for_url(re.compile(r"/summary/$"))
    page.locator("#duration_minutes").fill("70")
    page.locator("#summary").fill("Wohnungsbesichtigung vorbereiten; Kita-Anmeldung folgt.")
    shot(page, "interview-6-summary")
    page.get_by_role("button", name="Gespräch abschließen →").click()

    # the case page offers the handovers ...
    page.wait_for_url(re.compile(r"/admin/case/details/"))
    assert page.get_by_role("link", name=re.compile("Jetzt an .* übergeben")).count() == 2
    shot(page, "interview-7-case")

    # ... and the case holds exactly what was entered
    with live_app.app_context():
        case = db.session.scalar(select(Case).join(Case.main_person)
                                 .where(Person.given_name == "Ana",
                                        Person.family_name == "Ferreira Lima"))
        ana = case.main_person
        assert (ana.full_name, ana.date_of_birth, ana.nationality, ana.phone, ana.email,
                ana.preferred_language.code, ana.district, ana.arrival_date,
                ana.residence_purpose.code) == (
            "Ana Ferreira Lima", date(1988, 4, 12), "BR", "+49 171 3920099",
            "ana.lima@example.org", "en", "Weststadt", date(2026, 10, 1), "blue_card")
        assert [(m.person.given_name, m.relation, m.person.date_of_birth)
                for m in case.members] == [
            ("Lucas", MemberRelation.SPOUSE, None),
            ("Bia", MemberRelation.CHILD, date(2020, 6, 1))]
        assert all(m.person.arrival_date == date(2026, 10, 1) for m in case.members)
        needs = {n.field_of_action.code: n for n in case.needs}
        assert sorted(needs) == ["bank_account", "childcare_school", "housing", "language"]
        assert [t.code for t in needs["housing"].topics] == [
            "housing.understanding_flat_adverts", "housing.deposit"]
        assert needs["housing"].description == "3 Zimmer – bis Dezember"
        assert needs["housing"].priority is Priority.HIGH
        assert needs["childcare_school"].person.given_name == "Bia"
        assert needs["bank_account"].topics == [] and needs["bank_account"].person is None
        assert sorted((r.partner.name, r.need.field_of_action.code, r.status)
                      for r in case.referrals) == sorted([
            (picked[0], "housing", ReferralStatus.PLANNED),
            (picked[1], "language", ReferralStatus.PLANNED)])
        consents = db.session.scalars(select(Consent).where(Consent.person_id == ana.id)).all()
        assert len(consents) == 1
        assert sorted(p.name for p in consents[0].partners) == sorted(picked)
        consultation = db.session.scalar(select(Consultation)
                                         .where(Consultation.case_id == case.id))
        assert (consultation.kind.value, consultation.held_on, consultation.duration_minutes,
                consultation.channel.value, consultation.language.code,
                consultation.interpreter_used, consultation.summary,
                consultation.follow_up_on) == (
            "orientation", date.today(), 70, "in_person", "en", False,
            "Wohnungsbesichtigung vorbereiten; Kita-Anmeldung folgt.",
            date.today() + timedelta(days=14))
        assert case.status.value == "active"
        db.session.remove()


def test_single_person_by_keyboard_only(page, live_server, live_app):
    """Three needs and two referrals with the keyboard alone, in few key presses."""
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/interview/new/")
    wait_for_focus(page, "#main-given_name")
    keys = Keys(page)

    # the person (typing them is not counted), then Enter continues
    page.keyboard.type("Jonas")
    page.keyboard.press("Tab")
    page.keyboard.type("Tastenfeld")
    keys.press("Enter")

    # arrival: the residence purpose is chosen by typing, the date typed, Enter continues
    page.wait_for_url(re.compile(r"/arrival/$"))
    wait_for_focus(page, "#residence_purpose")
    keys.type("Blaue")
    keys.press("Tab")
    keys.type("10012026")
    keys.press("Enter")

    # needs: ↓ jumps from field to field, Space ticks
    page.wait_for_url(re.compile(r"/needs/$"))
    wait_for_focus(page, '[data-jump="needs"]')
    for label in ("Wohnungssuche", "Deutsch- und Integrationskurs", "Bankkonto"):
        moves = []
        while label not in page.evaluate(
                "document.activeElement.closest('legend')?.textContent || ''"):
            moves.append("ArrowDown")
            page.keyboard.press("ArrowDown")
            assert len(moves) < 15, focused(page)
        page.keyboard.press("Space")
        keys.presses += len(moves) + 1
        keys.groups += 1
    keys.press("Enter")

    # partners: the cursor is on the best housing partner; ↓ reaches the course's first
    page.wait_for_url(re.compile(r"/partners/$"))
    wait_for_focus(page, '[data-jump="partners"]')
    keys.press("Space")
    course = page.locator("fieldset.need-row", has_text="Deutsch- und Integrationskurs")
    first_course = course.locator('input[type="checkbox"]').first.get_attribute("id")
    moves = 0
    while page.evaluate("document.activeElement.id") != first_course:
        page.keyboard.press("ArrowDown")
        moves += 1
        assert moves < 10, focused(page)
    page.keyboard.press("Space")
    keys.presses += moves + 1
    keys.groups += 1
    keys.press("Enter")

    # consent: Enter records it as prefilled, Enter again continues
    page.wait_for_url(re.compile(r"/consent/$"))
    wait_for_focus(page, 'button[value="record_consent"]')
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/consent/$"))
    assert page.get_by_text("nicht abgedeckt").count() == 0
    wait_for_focus(page, 'button.btn-primary[value="next"]')
    keys.press("Enter")

    # summary: Enter finishes
    page.wait_for_url(re.compile(r"/summary/$"))
    wait_for_focus(page, "#held_on")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/admin/case/details/"))

    # the figures the README states
    assert keys.groups <= 15 and keys.presses <= 25, (keys.groups, keys.presses)
    (ARTIFACTS / "keyboard-figures.txt").write_text(
        f"groups={keys.groups} presses={keys.presses} typed={keys.typed}\n")
    with live_app.app_context():
        case = db.session.scalar(select(Case).join(Case.main_person)
                                 .where(Person.family_name == "Tastenfeld"))
        assert case.main_person.arrival_date == date(2026, 10, 1)
        assert case.main_person.residence_purpose.code == "blue_card"
        assert sorted(n.field_of_action.code for n in case.needs) == [
            "bank_account", "housing", "language"]
        assert sorted(r.need.field_of_action.code for r in case.referrals) == [
            "housing", "language"]
        consent = db.session.scalar(select(Consent)
                                    .where(Consent.person_id == case.main_person_id))
        assert {p.id for p in consent.partners} == {r.partner_id for r in case.referrals}
        assert db.session.scalar(select(func.count()).select_from(Consultation)
                                 .where(Consultation.case_id == case.id)) == 1
        db.session.remove()


def test_back_forward_and_finishing_twice_duplicate_nothing(page, live_server, live_app):
    sign_in(page, live_server)
    page.goto(f"{live_server}/admin/interview/new/")
    wait_for_focus(page, "#main-given_name")
    page.keyboard.type("Zoe")
    page.keyboard.press("Tab")
    page.keyboard.type("Zurueck")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/arrival/$"))

    # back to the walk-in form: it leads to the case that form created
    page.go_back()
    page.wait_for_url(re.compile(r"/household/$"))
    assert page.get_by_text("Diese Person wurde bereits gespeichert").count() == 1
    wait_for_focus(page, "#main-given_name")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/arrival/$"))
    page.go_back()
    page.go_forward()
    page.wait_for_url(re.compile(r"/arrival/$"))
    wait_for_focus(page, "#residence_purpose")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/needs/$"))

    # finish, go back to the summary and finish again
    page.goto(page.url.replace("/needs/", "/summary/"))
    page.get_by_role("button", name="Gespräch abschließen →").click()
    page.wait_for_url(re.compile(r"/admin/case/details/"))
    page.go_back()
    page.wait_for_url(re.compile(r"/admin/case/details/"))
    assert page.get_by_text("bereits gespeichert").count() == 1

    with live_app.app_context():
        people = db.session.scalars(select(Person).where(Person.family_name == "Zurueck")).all()
        assert len(people) == 1
        case = db.session.scalar(select(Case).where(Case.main_person_id == people[0].id))
        count = db.session.scalar(select(func.count()).select_from(Case)
                                  .where(Case.main_person_id == people[0].id))
        assert count == 1
        assert db.session.scalar(select(func.count()).select_from(Consultation)
                                 .where(Consultation.case_id == case.id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Interview)
                                 .where(Interview.case_id == case.id)) == 1
        assert db.session.scalar(select(func.count()).select_from(Referral)
                                 .where(Referral.case_id == case.id)) == 0
        db.session.remove()
