"""Lists and pickers in Debian's Chromium, on a 1366 px laptop screen (the page fixture's size)."""

import re

import pytest

from tests.test_browser import shot, sign_in

pytestmark = pytest.mark.browser

MAIN_LISTS = ("case", "person", "need", "referral", "consultation", "consent", "intakes",
              "partner", "resource")


def test_main_lists_fit_a_laptop_screen(page, live_server):
    """Every column, Status included, is on screen without scrolling sideways."""
    sign_in(page, live_server, "test-coordinator")
    page.wait_for_url(re.compile(r"/admin/$"))
    for endpoint in MAIN_LISTS:
        page.goto(f"{live_server}/admin/{endpoint}/")
        width = page.evaluate("window.innerWidth")
        right = page.evaluate(
            "document.querySelector('table.model-list').getBoundingClientRect().right")
        assert right <= width, f"{endpoint}: the list ends at {right} px of {width}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, endpoint
    shot(page, "lists-referrals-1366")


def test_need_picker_offers_only_the_needs_of_the_chosen_case(page, live_server):
    sign_in(page, live_server, "test-coordinator")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{live_server}/admin/need/")
    link = page.locator("table.model-list td.col-case a").first
    reference = link.inner_text().strip()
    case_id = re.search(r"id=(\d+)", link.get_attribute("href")).group(1)

    page.goto(f"{live_server}/admin/referral/new/?case_id={case_id}")
    page.locator("#s2id_need").click()
    search = page.locator(".select2-drop-active .select2-input")
    search.wait_for()
    search.press_sequentially("e")
    options = page.locator(".select2-results li.select2-result-selectable")
    options.first.wait_for()
    texts = options.all_inner_texts()
    assert texts, "the picker offered nothing"
    assert all(text.startswith(f"{reference} ·") for text in texts), texts
    shot(page, "referral-need-picker")
