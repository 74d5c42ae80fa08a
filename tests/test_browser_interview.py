"""A whole orientation interview in Chromium: a family of three, four needs, two referrals."""

import re

import pytest

from tests.conftest import ARTIFACTS
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_family_of_three(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill("test-coordinator")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Orientierungsgespräch mit einer neuen Person").click()

    # 1. household, typed with the keyboard: the cursor starts in the first field
    page.wait_for_url(re.compile(r"/admin/interview/new/"))
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("Ferreira Lima")
    page.locator("#main-date_of_birth").fill("1988-04-12")
    page.locator("#main-nationality").select_option("BR")
    page.locator("#main-preferred_language").select_option(label="Englisch")
    page.locator("#main-phone").fill("0171 3920099")
    page.locator("#main-email").fill("ana.lima@example.org")
    page.locator("#members-0-given_name").fill("Lucas")
    page.locator("#members-0-family_name").fill("Ferreira Lima")
    page.locator("#members-0-relation").select_option("spouse")
    page.get_by_role("button", name="+ Weiteres Haushaltsmitglied").click()
    page.locator("#members-1-given_name").fill("Bia")
    page.locator("#members-1-family_name").fill("Ferreira Lima")
    page.locator("#members-1-date_of_birth").fill("2020-06-01")
    page.locator("#members-1-relation").select_option("child")
    shot(page, "interview-1-household")
    page.get_by_role("button", name="Speichern und weiter →").click()

    # 2. arrival
    page.wait_for_url(re.compile(r"/arrival/$"))
    page.locator("#residence_purpose").select_option(label="Blaue Karte EU")
    page.locator("#arrival_date").fill("2026-10-01")
    page.locator("#district").fill("Weststadt")
    shot(page, "interview-2-arrival")
    page.keyboard.press("Enter")

    # 3. needs: four fields; ticking a sub-topic ticks its field
    page.wait_for_url(re.compile(r"/needs/$"))
    page.get_by_label("Wohnungsanzeigen verstehen").check()
    page.get_by_label("Deutsch- und Integrationskurs").check()
    page.get_by_label("Kita-Platz").check()
    page.get_by_label("Bankkonto", exact=True).check()
    shot(page, "interview-3-needs")
    page.get_by_role("button", name="Speichern und weiter →").click()

    # 4. partners: the best suggestion for housing and for the language course
    page.wait_for_url(re.compile(r"/partners/$"))
    blocks = page.locator("fieldset.need-row")
    assert blocks.count() == 4
    housing = blocks.filter(has_text="Wohnungssuche")
    housing.locator('input[type="checkbox"]').first.check()
    course = blocks.filter(has_text="Deutsch- und Integrationskurs")
    course.locator('input[type="checkbox"]').first.check()
    shot(page, "interview-4-partners")
    page.get_by_role("button", name="Speichern und weiter →").click()

    # 5. consent for both partners, recorded right there
    page.wait_for_url(re.compile(r"/consent/$"))
    assert page.get_by_text("nicht abgedeckt").count() >= 1
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

    # the case holds exactly what was entered
    page.wait_for_url(re.compile(r"/admin/case/details/"))
    household = page.locator("section", has=page.get_by_role("heading", name="Haushalt"))
    assert household.locator("tbody tr").count() == 3
    needs = page.locator("section", has=page.get_by_role("heading", name="Handlungsbedarfe"))
    assert needs.locator("tbody tr").count() == 4
    referrals = page.locator("section", has=page.get_by_role("heading", name="Überleitungen"))
    assert referrals.locator("tbody tr").count() == 2
    consultations = page.locator("section",
                                 has=page.get_by_role("heading", name="Beratungsgespräche"))
    assert consultations.get_by_text("Orientierungsgespräch").is_visible()
    assert page.get_by_role("link", name=re.compile("Jetzt an .* übergeben")).count() == 2
    shot(page, "interview-7-case")

