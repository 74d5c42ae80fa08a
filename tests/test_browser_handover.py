"""A warm handover in Chromium: consent recorded on the way, text passed on, partner answers."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import ARTIFACTS
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_consent_handover_and_partner_feedback(page, live_server, browser):
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill("test-coordinator")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    if page.locator("html").get_attribute("lang") != "de":  # another test chose English
        page.get_by_role("button", name="Deutsch").click()
        page.wait_for_url(re.compile(r"/admin/$"))

    # A planned e-mail referral of the demo data; no demo consent covers the date of birth.
    page.goto(f"{live_server}/admin/referral/?flt0_status_equals=planned"
              "&flt1_channel_equals=email")
    page.locator("a[href*='/admin/referral/details/']").first.click()
    page.get_by_role("link", name="Übergeben", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/referral/handover/"))
    partner = re.sub(r"^Übergabe an ", "", page.locator("h1").inner_text().strip())
    link_box = page.get_by_label("Link für die Rückmeldung des Netzwerkpartners anhängen")
    assert link_box.is_checked()
    page.get_by_label("Übergabeweg").select_option("phone")
    assert not link_box.is_checked()
    page.get_by_label("Übergabeweg").select_option("email")
    assert link_box.is_checked()
    page.get_by_label("Geburtsdatum").check()
    page.get_by_role("button", name="Einwilligung prüfen und Text anzeigen").click()
    assert page.get_by_text("Geburtsdatum").count() >= 2

    # Record the consent through the admin form: its checkbox lists stay inside their boxes.
    page.get_by_role("link", name="Einverständniserklärung erfassen").click()
    page.wait_for_url(re.compile(r"/admin/consent/new/"))
    categories = page.locator("#categories").bounding_box()
    channels_label = page.locator("label[for='channels']").bounding_box()
    given_label = page.locator("label[for='given_on']").bounding_box()
    channels = page.locator("#channels").bounding_box()
    assert categories["y"] + categories["height"] <= channels_label["y"]
    assert channels["y"] + channels["height"] <= given_label["y"]
    page.locator("#s2id_partners input").fill(partner[:12])
    page.locator(".select2-result-label", has_text=partner).first.click()
    for label in ("Name", "Telefon und E-Mail", "Geburtsdatum", "bevorzugte Sprache",
                  "Handlungsbedarf und Bearbeitungsstand"):
        page.locator("#categories").get_by_label(label, exact=True).check()
    page.locator("#channels").get_by_label("per E-Mail").check()
    assert page.locator("#purpose").input_value() == "share_with_partners"
    page.locator("#given_how").select_option("signed_paper")
    shot(page, "handover-1-consent-form")
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/referral/handover/"))

    # Now the consent covers it: the exact text, with the partner's feedback link.
    page.get_by_label("Geburtsdatum").check()
    page.get_by_role("button", name="Einwilligung prüfen und Text anzeigen").click()
    text = page.locator("#handover-text").input_value()
    link = re.search(r"https?://\S+/feedback/[\w-]+", text).group(0)
    shot(page, "handover-2-text")
    page.get_by_role("button", name="Ich habe die E-Mail gesendet").click()
    page.wait_for_url(re.compile(r"/admin/referral/details/"))
    kept = page.locator("pre.handover-text").inner_text()
    assert link not in kept and "/feedback/••••" in kept
    referral_page = page.url

    # The partner answers without an account, with a long note nobody wrapped.
    partner_tab = browser.new_context(locale="de-DE").new_page()
    partner_tab.goto(link)
    assert partner_tab.get_by_text("Das Welcome Center hat").is_visible()
    partner_tab.get_by_label("Ein Termin wurde vereinbart").check()
    day = date.today() + timedelta(days=7)
    partner_tab.get_by_label("Datum des Termins").fill(day.isoformat())
    partner_tab.locator("#note").fill("Unterlagen:" + "Mietbescheinigung" * 25)
    partner_tab.get_by_role("button", name="Absenden").click()
    assert partner_tab.get_by_role("heading", name="Vielen Dank").is_visible()
    partner_tab.context.close()

    page.goto(referral_page)
    assert page.get_by_text(f"Termin vereinbart für den {day:%d.%m.%Y}.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "handover-3-feedback")
