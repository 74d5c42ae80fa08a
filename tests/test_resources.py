"""Resources: one entry per link, German with translations, maintained in the admin."""

import html

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from tests.conftest import fresh_database, separate_app
from tests.helpers import catalogue, flashes, login_as
from welcome import MIGRATIONS_DIR
from welcome.extensions import db
from welcome.models import FieldOfAction, Language, Resource, ResourceTranslation, Role


def _form(**translations: tuple[str, str]) -> dict[str, str]:
    data = {"title": "Anerkennungs-Finder", "url": "https://www.anerkennung-in-deutschland.de/",
            "field_of_action": str(catalogue(FieldOfAction, "recognition").id), "active": "y",
            "sort_order": "10"}
    for index, (code, (title, url)) in enumerate(translations.items()):
        data.update({f"translations-{index}-language": str(catalogue(Language, code).id),
                     f"translations-{index}-title": title, f"translations-{index}-url": url})
    return data


def test_resource_with_translations_is_created_in_one_form(client):
    login_as(client, Role.ASSISTANT)
    response = client.post("/admin/resource/new/", data=_form(
        en=("Recognition Finder", "https://www.anerkennung-in-deutschland.de/en/"),
        ar=("أداة البحث عن الاعتراف", "")))
    assert response.status_code == 302, flashes(response)[:1500]
    resource = db.session.scalar(select(Resource))
    assert resource.title == "Anerkennungs-Finder"
    assert {(t.language.code, t.title, t.url) for t in resource.translations} == {
        ("en", "Recognition Finder", "https://www.anerkennung-in-deutschland.de/en/"),
        ("ar", "أداة البحث عن الاعتراف", None)}
    listing = client.get("/admin/resource/").get_data(as_text=True)
    assert "Englisch, Arabisch" in listing


def test_form_offers_only_the_folder_languages_for_translations(client):
    login_as(client, Role.COORDINATOR)
    page = client.get("/admin/resource/new/").get_data(as_text=True)
    new_row = html.unescape(page.split("inline-field-template", 1)[1])
    template = new_row.split('id="language"', 1)[1].split("</select>", 1)[0]
    assert ">Türkisch<" in template and ">Arabisch<" in template
    assert ">Deutsch<" not in template and ">Vietnamesisch<" not in template


def test_a_language_twice_is_refused(client):
    login_as(client, Role.COORDINATOR)
    response = client.post("/admin/resource/new/", data=_form(
        en=("One", ""), tr=("İki", "")) | {"translations-1-language":
                                           str(catalogue(Language, "en").id)})
    assert response.status_code == 422
    assert "Jede Sprache kann nur einmal übersetzt werden (Englisch)." in flashes(response)
    assert db.session.scalar(select(func.count(Resource.id))) == 0


def test_a_language_no_folder_is_printed_in_is_refused(client):
    login_as(client, Role.COORDINATOR)
    data = _form(en=("Finder", "")) | {
        "translations-0-language": str(catalogue(Language, "vi").id)}
    response = client.post("/admin/resource/new/", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Resource.id))) == 0


def test_a_translation_link_must_be_a_web_address(client):
    login_as(client, Role.COORDINATOR)
    response = client.post("/admin/resource/new/", data=_form(
        en=("Finder", "javascript:alert(1)")))
    assert response.status_code == 422
    assert "Geben Sie eine Webadresse ein" in flashes(response)
    assert db.session.scalar(select(func.count(ResourceTranslation.id))) == 0


def test_filter_by_translation_lists_each_resource_once(client):
    login_as(client, Role.COORDINATOR)
    english, turkish = catalogue(Language, "en"), catalogue(Language, "tr")
    db.session.add_all([
        Resource(title="Alpha-Link", url="https://example.org/a", translations=[
            ResourceTranslation(language=english, title="Alpha"),
            ResourceTranslation(language=turkish, title="Alfa")]),
        Resource(title="Beta-Link", url="https://example.org/b"),
    ])
    db.session.commit()
    body = client.get(f"/admin/resource/?flt0_translated_into_has={english.id}").get_data(
        as_text=True)
    assert body.count("Alpha-Link") == 1
    assert "Englisch, Türkisch" in body
    assert "Beta-Link" not in body


def test_migration_keeps_resources_of_other_languages_as_translations(database_url, tmp_path):
    """A database from before the folder had one resource row per language."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url) as app, app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="0007")
        for code, label in (("de", "Deutsch"), ("en", "Englisch")):
            db.session.execute(text(
                "INSERT INTO languages (code, label_de, label_en, active, sort_order, "
                "right_to_left, documents_reviewed, created_at, updated_at) VALUES "
                f"('{code}', '{label}', '{label}', TRUE, 1, FALSE, TRUE, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"))
        for code, title in (("de", "Anerkennung"), ("en", "Recognition")):
            db.session.execute(text(
                "INSERT INTO resources (title, url, language_id, active, sort_order, created_at, "
                "updated_at) SELECT :title, 'https://example.org/', id, TRUE, 0, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM languages WHERE code = :code"),
                {"title": title, "code": code})
        db.session.commit()
        upgrade(directory=str(MIGRATIONS_DIR))
        rows = db.session.execute(text(
            "SELECT r.title, l.code, t.title FROM resources r LEFT JOIN resource_translations t "
            "ON t.resource_id = r.id LEFT JOIN languages l ON l.id = t.language_id "
            "ORDER BY r.title")).all()
        assert rows == [("Anerkennung", None, None), ("Recognition", "en", "Recognition")]
        db.session.remove()
