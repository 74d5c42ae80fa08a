"""German and English catalogues are complete: nothing untranslated, nothing fuzzy."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from welcome.config import TRANSLATIONS_DIR

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
