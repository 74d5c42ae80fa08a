"""The welcome folder in Chromium: from the case page to the preview, in Arabic, to the PDF."""

import re

import pytest

from tests.conftest import ARTIFACTS
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_coordinator_previews_and_downloads_a_folder(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill("test-coordinator")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    if page.locator("html").get_attribute("lang") != "de":  # another test chose English
        page.get_by_role("button", name="Deutsch").click()
        page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server}/admin/case/")
    page.locator("table.model-list tbody tr td a[href*='/admin/case/details/']").first.click()
    person = page.locator("#household-heading + table tbody tr").first.locator("td").first
    name = person.inner_text().strip()
    page.get_by_role("link", name="Willkommensmappe drucken").click()

    page.wait_for_url(re.compile(r"/admin/dossier/\d+/$"))
    preview = page.frame_locator("#dossier-preview")
    preview.get_by_text("Meine Willkommensmappe").first.wait_for()
    assert name in preview.locator("body").inner_text()

    with page.expect_response(lambda r: "/preview/?language=ar" in r.url):
        page.locator("#language").select_option("ar")
    preview.get_by_text("ملف الترحيب الخاص بي").wait_for()
    assert preview.locator("html").get_attribute("dir") == "rtl"
    with page.expect_response(lambda r: "/preview/" in r.url and "appointments" not in r.url):
        page.get_by_label("Arbeitsblatt: Meine Termine").uncheck()
    preview.get_by_text("ملف الترحيب الخاص بي").wait_for()
    assert preview.get_by_text("Meine Termine", exact=True).count() == 0
    assert preview.get_by_text("Meine nächsten Schritte").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dossier-screen-ar.png"))

    with page.expect_download() as download_info:
        page.get_by_role("button", name="PDF herunterladen").click()
    download = download_info.value
    assert re.fullmatch(r"Willkommensmappe-WC-\d{4}-\d{4}-ar\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.reload()
    exports = page.locator("table.dossier-exports tbody tr:not(.dossier-export-detail)")
    assert exports.count() == 1
    assert "Arabisch" in exports.first.inner_text()
    assert "Meine Termine" not in page.locator(".dossier-export-detail").first.inner_text()
