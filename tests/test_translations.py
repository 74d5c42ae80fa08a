"""German and English catalogues are complete: nothing untranslated, nothing fuzzy; and the
screens use them, down to Flask-Admin's script widgets."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from tests.helpers import login_as
from welcome.config import TRANSLATIONS_DIR
from welcome.models import Consultation, ConsultationKind, Person, Role

CATALOGUES = sorted(Path(TRANSLATIONS_DIR).glob("*/LC_MESSAGES/*.po"))


def test_both_languages_have_catalogues():
    assert {(p.parent.parent.name, p.stem) for p in CATALOGUES} >= {
        ("de", "messages"), ("en", "messages"), ("de", "admin"), ("en", "admin")}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_catalogue_is_complete(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(str(message.id))
    assert problems == []


def test_catalogues_cover_every_string_in_the_code():
    """The catalogues were updated after the last change of a user-visible string."""
    from babel.messages.extract import extract_from_dir

    root = Path(TRANSLATIONS_DIR).parent
    with (TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        known = {str(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle)}
    found = set()
    for package in ("welcome", "admin_views"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            root / package,
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2"),
                        ("**/templates/**.txt", "jinja2")],
            keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None,
                      "ngettext": (1, 2)},
        ):
            found.add(message if isinstance(message, str) else message[0])
    assert sorted(found - known) == []


def _widget_texts(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="widget-texts">(.*?)</script>',
                      page, re.S)
    return json.loads(match.group(1))


def test_list_page_size_menu_is_translated(client):
    """Flask-Admin looks up "20 items", which no catalogue holds."""
    login_as(client, Role.COORDINATOR)
    page = client.get("/admin/case/").get_data(as_text=True)
    assert "20 pro Seite" in page and "50 pro Seite" in page and "100 pro Seite" in page
    assert "20 items" not in page and "100 items" not in page


def test_lookup_and_date_picker_texts_follow_the_language(client):
    """Select2 lookups and the date-range filters get their words, day and month names and
    first day of the week from the page (welcome.js hands them over)."""
    login_as(client, Role.COORDINATOR)
    german = _widget_texts(client.get("/admin/case/").get_data(as_text=True))
    assert german["select2"]["noMatches"] == "Keine Treffer"
    assert german["select2"]["searching"] == "Suche läuft …"
    assert (german["dates"]["applyLabel"], german["dates"]["fromLabel"]) == ("Anwenden", "Von")
    assert german["dates"]["daysOfWeek"][:2] == ["So", "Mo"]
    assert german["dates"]["monthNames"][11] == "Dez"
    assert german["dates"]["firstDay"] == 1
    client.post("/language", data={"locale": "en"})
    english = _widget_texts(client.get("/admin/case/").get_data(as_text=True))
    assert english["select2"]["noMatches"] == "No matches found"
    assert english["dates"]["monthNames"][11] == "Dec"


def test_dates_in_record_names_follow_the_language(app):
    person = Person(given_name="Elif", family_name="Yıldız", date_of_birth=date(1984, 10, 15))
    consultation = Consultation(held_on=date(2026, 3, 2), kind=ConsultationKind.FOLLOW_UP)
    with app.test_request_context():
        assert str(person) == "Yıldız, Elif (15.10.1984)"
        with force_locale("en"):
            assert str(person) == "Yıldız, Elif (15 Oct 1984)"
            assert str(consultation) == "2 Mar 2026 follow-up"
