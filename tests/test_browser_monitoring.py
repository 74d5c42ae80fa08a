"""A board member opens the monitoring in Chromium: charts beside their tables, small numbers
protected, and the period chosen with the form."""

import re

import pytest

from tests.helpers import PASSWORD
from tests.test_browser import shot

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_a_board_member_sees_charts_beside_their_tables(page, live_server):
    sign_in(page, live_server, "test-board")
    page.wait_for_url(re.compile(r"/monitoring/$"))
    assert page.get_by_role("heading", name="Monitoring", exact=True).is_visible()
    assert page.get_by_role("link", name="Fallarbeit").count() == 0

    table = page.locator("#table-cases_by_source")
    chart = page.get_by_role("img", name="Neue Fälle nach Zugangsweg")
    assert table.is_visible() and chart.is_visible()
    table_box, chart_box = table.bounding_box(), chart.bounding_box()
    assert chart_box["x"] >= table_box["x"] + table_box["width"] - 1
    assert chart_box["y"] < table_box["y"] + table_box["height"]
    assert table.get_by_role("row").count() == 8
    assert chart.locator("rect").count() >= 6

    gaps = page.locator("#table-needs_by_field")
    assert gaps.get_by_role("columnheader", name="Nicht gedeckt", exact=True).is_visible()
    assert page.get_by_role("img", name=re.compile("Erfasste und nicht gedeckte Bedarfe")) \
        .is_visible()
    assert page.locator("abbr", has_text="< 5").count() > 0
    assert page.get_by_text("Kleine Zahlen sind geschützt").is_visible()
    page.get_by_role("heading", name="Auf einen Blick").scroll_into_view_if_needed()
    shot(page, "monitoring-board")


def test_the_period_form_shows_only_what_the_chosen_period_needs(page, live_server):
    sign_in(page, live_server, "test-coordinator")
    page.goto(f"{live_server}/monitoring/")
    quarter = page.get_by_role("combobox", name="Quartal")
    assert page.get_by_role("spinbutton", name="Jahr").is_visible()
    assert not quarter.is_visible()
    page.locator("label[for=kind-quarter]").click()
    assert quarter.is_visible()
    assert not page.get_by_label("Von", exact=True).is_visible()
    quarter.select_option("3")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r"period=quarter"))
    assert "quarter=3" in page.url and "start=" not in page.url
    assert page.get_by_text("3. Quartal 2026 im Vergleich zu 2. Quartal 2026").is_visible()

    page.locator("label[for=kind-custom]").click()
    page.get_by_label("Von", exact=True).fill("2026-05-10")
    page.get_by_label("Bis", exact=True).fill("2026-05-01")
    page.get_by_role("button", name="Anzeigen").click()
    assert page.get_by_role("alert").filter(has_text="nicht vor seinem ersten Tag").is_visible()
    shot(page, "monitoring-bad-period")
