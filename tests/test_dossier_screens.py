"""The welcome folder's export screen: choice, preview, download, and every kind of bad input."""

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.helpers import (
    flashes,
    login_as,
    make_case,
    make_need,
    make_partner,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    AuditEvent,
    DossierExport,
    DossierSection,
    HandoverChannel,
    Language,
    Role,
    User,
)
from welcome.pdf import Pdf
from welcome.services import dossiers

ALL = [section.value for section in DossierSection]


@pytest.fixture
def case(db):
    case = make_case(main_person=make_person(given_name="Halyna", family_name="Shevchuk"))
    make_referral(make_need(case, "housing"), make_partner("Wohnberatung Süd"),
                  HandoverChannel.INFORMATION_ONLY)
    return case


def exports() -> int:
    return db.session.scalar(select(func.count(DossierExport.id)))


def test_case_page_links_to_the_export_screen(client, case):
    login_as(client, Role.ASSISTANT)
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert f'href="/admin/dossier/{case.id}/"' in page
    assert "Willkommensmappe drucken" in page


def test_screen_presets_the_persons_language_and_every_section(client, case):
    login_as(client, Role.COORDINATOR)
    response = client.get(f"/admin/dossier/{case.id}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="uk" selected>Ukrainisch (nicht geprüft)</option>' in page
    assert page.count('name="section"') == len(ALL)
    assert page.count(" checked>") == len(ALL)
    assert f'src="/admin/dossier/{case.id}/preview/?language=uk&amp;section=cover' in page
    assert "Für diesen Fall wurde noch keine Mappe erstellt." in page
    assert response.headers["X-Frame-Options"] == "DENY"


def test_preview_is_the_folder_as_html_and_may_be_framed_by_the_app(client, case):
    login_as(client, Role.COORDINATOR)
    response = client.get(f"/admin/dossier/{case.id}/preview/?language=ar&section=cover"
                          "&section=contacts")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<html lang="ar" dir="rtl">' in html
    assert "Halyna Shevchuk" in html and "Wohnberatung Süd" in html
    assert "ملف الترحيب الخاص بي" in html
    assert "print/preview.css" in html
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert exports() == 0
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == AuditAction.VIEW, AuditEvent.entity == "Case",
        AuditEvent.entity_id == str(case.id), AuditEvent.detail.like("welcome folder preview%")))


def test_new_choice_updates_the_preview(client, case):
    login_as(client, Role.COORDINATOR)
    response = client.post(f"/admin/dossier/{case.id}/", data={
        "language": "tr", "section": ["appointments", "cover"], "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="tr" selected>' in page
    assert (f'src="/admin/dossier/{case.id}/preview/?language=tr&amp;section=cover'
            '&amp;section=appointments"') in page
    assert exports() == 0


def test_download_gives_the_pdf_and_records_the_export(client, case):
    user = login_as(client, Role.ASSISTANT)
    response = client.post(f"/admin/dossier/{case.id}/pdf/",
                           data={"language": "uk", "section": ["cover", "contacts"]})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="Willkommensmappe-{case.reference}-uk.pdf"'
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Halyna Shevchuk" in text and "Wohnberatung Süd" in text
    record = db.session.scalar(select(DossierExport))
    assert (record.case_id, record.exported_by_id, record.language.code) == (
        case.id, user.id, "uk")
    assert record.sections == [DossierSection.COVER, DossierSection.CONTACTS]
    assert record.sha256 == hashlib.sha256(response.data).hexdigest()
    assert response.headers["X-Content-SHA256"] == record.sha256
    page = client.get(f"/admin/dossier/{case.id}/").get_data(as_text=True)
    assert record.sha256 in page
    assert "Deckblatt (Name, Aktenzeichen, Kontakt des Welcome Centers)" in page


@pytest.mark.parametrize("method", ["get_screen", "get_preview", "post_pdf", "post_screen"])
@pytest.mark.parametrize("case_id", ["999999", "99999999999"])
def test_unknown_case_is_404(client, method, case_id):
    login_as(client, Role.COORDINATOR)
    data = {"language": "de", "section": ALL}
    response = {
        "get_screen": lambda: client.get(f"/admin/dossier/{case_id}/"),
        "get_preview": lambda: client.get(f"/admin/dossier/{case_id}/preview/"),
        "post_pdf": lambda: client.post(f"/admin/dossier/{case_id}/pdf/", data=data),
        "post_screen": lambda: client.post(f"/admin/dossier/{case_id}/", data=data),
    }[method]()
    assert response.status_code == 404
    assert "Nicht gefunden" in flashes(response)
    assert exports() == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"language": "xx", "section": ALL}, "Willkommensmappen gibt es auf Deutsch, Englisch"),
    ({"language": "vi", "section": ALL}, "wählen Sie eine dieser Sprachen"),
    ({"section": ALL}, "wählen Sie eine dieser Sprachen"),
    ({"language": "de"}, "Wählen Sie mindestens einen Teil der Mappe."),
    ({"language": "de", "section": ["cover", "<b>"]}, "Einen Teil der Mappe namens „&lt;b&gt;“"),
])
def test_bad_choice_is_refused_with_a_message_and_nothing_recorded(client, case, data,
                                                                   message):
    login_as(client, Role.COORDINATOR)
    for url in (f"/admin/dossier/{case.id}/pdf/", f"/admin/dossier/{case.id}/"):
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert message in page
        assert "/preview/" not in page.split("dossier-form", 1)[1].split("</form>", 1)[1]
    assert exports() == 0


@pytest.mark.parametrize("query", ["language=xx", "language=de&section=nonsense"])
def test_bad_preview_and_screen_links_are_400(client, case, query):
    login_as(client, Role.COORDINATOR)
    assert client.get(f"/admin/dossier/{case.id}/preview/?{query}").status_code == 400
    response = client.get(f"/admin/dossier/{case.id}/?{query}")
    assert response.status_code == 400
    assert "Korrigieren Sie die Auswahl links" in flashes(response)


def test_messages_speak_english_to_an_english_user(client, case):
    user = login_as(client, Role.COORDINATOR)
    db.session.get(User, user.id).locale = "en"
    db.session.commit()
    response = client.post(f"/admin/dossier/{case.id}/pdf/", data={"language": "xx"})
    page = flashes(response)
    assert "Welcome folders are printed in German, English, Turkish" in page
    assert "Choose at least one part of the folder." in page


def test_download_needs_the_csrf_token(client, case):
    login_as(client, Role.COORDINATOR)
    response = client.post(f"/admin/dossier/{case.id}/pdf/",
                           data={"language": "de", "section": ALL}, csrf=False)
    assert response.status_code == 400
    assert exports() == 0


@pytest.mark.parametrize("role", [Role.CLERK, Role.IT_ADMIN, Role.BOARD])
def test_other_roles_cannot_print_a_folder(client, case, role):
    login_as(client, role)
    assert client.get(f"/admin/dossier/{case.id}/").status_code == 403
    response = client.post(f"/admin/dossier/{case.id}/pdf/",
                           data={"language": "de", "section": ALL})
    assert response.status_code == 403
    assert exports() == 0


def test_screen_lists_exports_in_a_fixed_number_of_queries(client, case, count_queries):
    user = login_as(client, Role.COORDINATOR)
    german = db.session.scalar(select(Language).where(Language.code == "de"))

    def statements(exported: int) -> int:
        for _ in range(exported):
            dossiers.record_export(db.session, case.id, german.id, "de", [DossierSection.COVER],
                                   Pdf(b"%PDF-1.7 test", 1), (user.id, user.username))
        db.session.commit()
        db.session.expire_all()
        with count_queries() as queries:
            assert client.get(f"/admin/dossier/{case.id}/").status_code == 200
        return len(queries)

    assert statements(1) == statements(5)
