"""In Chromium: a clerk logs three residents with the keyboard only; the coordinator accepts one."""

import re

import pytest

from tests.test_browser import shot, sign_in

pytestmark = pytest.mark.browser

RESIDENTS = [
    # given, family, date of birth, phone, e-mail
    ("Zoë", "Brontë-Åberg", "03.04.1988", "0171 3920071", ""),
    ("Mehmet", "Öztürk", "", "", "mehmet.oeztuerk@example.org"),
    ("Оксана", "Шевченко", "21.11.1979", "+380 44 123 4567", ""),
]


def type_resident(page, given, family, born, phone, email):
    """Fill the form as a clerk does: type, Tab, type … Space on the box, Enter to save."""
    keyboard = page.keyboard
    assert page.evaluate("document.activeElement.id") == "given_name"
    for value in (given, family, born, phone, email):
        keyboard.type(value)
        keyboard.press("Tab")
    # preferred language, residence purpose: keep "—"; household size: 2; office: keep
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.press("Control+A")
    keyboard.type("2")
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.type("Kurznotiz")
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "consent_to_contact"
    keyboard.press("Space")
    with page.expect_navigation():
        keyboard.press("Enter")


def test_clerk_logs_three_residents_by_keyboard_and_coordinator_accepts_one(
        page, live_server):
    sign_in(page, live_server, "test-clerk")
    page.wait_for_url(re.compile(r"/intake/$"))

    # Without the agreement box nothing is saved.
    page.keyboard.type("Xaver")
    page.keyboard.press("Tab")
    page.keyboard.type("Einverständnis")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Es wurde nichts gespeichert").is_visible()
    assert page.get_by_text("Flyer", exact=False).first.is_visible()
    page.goto(f"{live_server}/intake/")

    for resident in RESIDENTS:
        type_resident(page, *resident)
        assert page.get_by_text(f"Gespeichert: {resident[0]} {resident[1]}").is_visible()
    shot(page, "intake-01-clerk-after-three")
    own = page.locator("section table tbody tr")
    assert own.count() == 3
    assert "Öztürk, Mehmet" in own.nth(1).inner_text()
    assert "Xaver" not in page.locator("section table").inner_text()

    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, live_server, "test-coordinator")
    page.wait_for_url(re.compile(r"/admin/$"))
    if page.locator("html").get_attribute("lang") != "de":  # another test chose English
        page.get_by_role("button", name="Deutsch").click()
        page.wait_for_url(re.compile(r"/admin/$"))
    badge = page.locator("nav a.nav-link", has_text="Zuweisungen").locator(".badge")
    assert int(badge.inner_text()) >= 3
    page.locator("nav a.nav-link", has_text="Zuweisungen").click()
    page.wait_for_url(re.compile(r"/admin/intakes/$"))
    shot(page, "intake-02-queue")

    page.get_by_role("link", name="Öztürk").click()
    page.wait_for_url(re.compile(r"/admin/intakes/details/"))
    page.get_by_role("link", name="Annehmen und Fall anlegen …").click()
    page.wait_for_url(re.compile(r"/admin/intakes/accept/"))
    assert page.get_by_text("mehmet.oeztuerk@example.org").is_visible()
    shot(page, "intake-03-accept-confirm")
    accepts = []
    page.on("request", lambda request: accepts.append(request.url)
            if request.method == "POST" and "/admin/intakes/accept/" in request.url else None)
    page.get_by_role("button", name="Annehmen und Fall anlegen").dblclick()
    page.wait_for_url(re.compile(r"/admin/intakes/details/"))
    assert len(accepts) == 1, "a double click sends the decision once"
    assert page.get_by_text(re.compile(r"Fall WC-\d{4}-\d{4} wurde angelegt")).first.is_visible()
    shot(page, "intake-04-accepted")

    page.get_by_role("link", name="Orientierungsgespräch beginnen").click()
    page.wait_for_url(re.compile(r"/admin/interview/\d+/household/"))
    assert page.locator("#main-given_name").input_value() == "Mehmet"
    assert page.locator("#main-email").input_value() == "mehmet.oeztuerk@example.org"
    shot(page, "intake-05-interview")


def test_the_clerk_form_keeps_the_session_while_typing_and_leaves_when_idle(page, live_server):
    """Typing pings the server (at most once a minute), so a slow entry is not signed out;
    a form left alone for the idle time goes to the sign-in page by itself instead of taking
    a whole person that can no longer be saved."""
    page.clock.install()
    sign_in(page, live_server, "test-clerk")
    page.wait_for_url(re.compile(r"/intake/$"))
    pings = []
    page.on("request", lambda request: pings.append(request.url)
            if request.url.endswith("/keepalive") else None)
    page.keyboard.type("Ana")
    assert pings == [], "no ping within the first minute"
    page.clock.fast_forward("02:00")
    with page.expect_response(lambda response: response.url.endswith("/keepalive")) as ping:
        page.keyboard.type("stasia")
    assert ping.value.status == 200
    assert len(pings) == 1
    assert page.locator("#given_name").input_value() == "Anastasia"
    with page.expect_navigation():
        page.clock.fast_forward("31:00")
    assert page.locator("#given_name").input_value() == ""
