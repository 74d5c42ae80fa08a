"""Smoke tests in Debian's Chromium: what a coordinator and a clerk see in a real browser."""

import re

import pytest

from tests.conftest import ARTIFACTS
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_coordinator_walks_through_cases_and_switches_language(page, live_server):
    sign_in(page, live_server, "test-coordinator")
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.get_by_role("heading", name=re.compile("Guten Tag")).is_visible()
    shot(page, "01-dashboard")

    page.get_by_role("link", name="Fallarbeit").click()
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/case/$"))
    rows = page.locator("table.model-list tbody tr")
    assert rows.count() == 20
    shot(page, "02-case-list")

    reference = rows.first.locator("td").nth(2).inner_text().strip()
    rows.first.get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(r"/admin/case/details/"))
    assert page.get_by_role("heading", name=f"Fall {reference}").is_visible()
    assert page.get_by_role("heading", name="Haushalt").is_visible()
    assert page.get_by_role("heading", name="Handlungsbedarfe").is_visible()
    shot(page, "03-case-detail")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Case {reference}").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "04-case-detail-english")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    assert page.get_by_role("button", name="Sign in").is_visible()
    page.get_by_role("button", name="Deutsch").click()


def test_clerk_cannot_reach_the_case_list(page, live_server):
    sign_in(page, live_server, "test-clerk")
    page.wait_for_url(re.compile(r"/intake/$"))
    assert page.get_by_role("link", name="Fälle").count() == 0
    response = page.goto(f"{live_server}/admin/case/")
    assert response.status == 403
    assert page.get_by_role("heading", name="Kein Zugriff").is_visible()
    shot(page, "05-clerk-forbidden")


def test_lookups_and_date_filters_speak_german(page, live_server):
    """Flask-Admin's Select2 lookups and date-range picker ship in English only."""
    sign_in(page, live_server, "test-coordinator")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("button", name="Deutsch").click()  # another test may have left English
    page.wait_for_load_state()

    page.goto(f"{live_server}/admin/case/")
    page.get_by_role("link", name="Filter hinzufügen").click()
    page.locator(".field-filters a.filter", has_text="Eröffnet am").click()
    page.locator("table.filters input.filter-val").first.click()
    picker = page.locator(".daterangepicker").first
    picker.wait_for(state="visible")
    text = picker.inner_text()
    assert "Anwenden" in text and "Abbrechen" in text
    assert "Apply" not in text and "Cancel" not in text
    headers = picker.locator(".calendar.left thead tr").nth(1).locator("th").all_inner_texts()
    assert [day.strip() for day in headers][:2] == ["Mo", "Di"], headers
    shot(page, "06-date-filter-german")
    page.keyboard.press("Escape")

    page.goto(f"{live_server}/admin/case/new/")
    page.locator("#s2id_main_person a.select2-choice").click()
    page.keyboard.type("Zzqxy")
    no_match = page.locator(".select2-no-results")
    no_match.wait_for(state="visible")
    assert no_match.inner_text().strip() == "Keine Treffer"
    shot(page, "07-lookup-german")
