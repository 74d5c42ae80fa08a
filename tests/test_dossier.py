"""The welcome folder PDF: only this case's information, every language, Arabic right to left."""

import hashlib
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from weasyprint.urls import URLFetchingError, fetch

from tests.conftest import build_app
from tests.helpers import (
    catalogue,
    make_case,
    make_consent,
    make_need,
    make_partner,
    make_person,
    make_referral,
    make_user,
)
from welcome.extensions import db
from welcome.i18n import DOCUMENT_LANGUAGES, document_text
from welcome.models import (
    AuditAction,
    AuditEvent,
    CaseMember,
    DataCategory,
    DossierExport,
    DossierSection,
    FieldOfAction,
    HandoverChannel,
    Language,
    MemberRelation,
    NeedStatus,
    Priority,
    ReferralStatus,
    Resource,
    ResourceTranslation,
    Role,
    WithdrawalMethod,
)
from welcome.pdf import LOGO_URL, STATIC_DIR, StaticFilesOnly
from welcome.services import audit, consents, dossiers, referrals
from welcome.services.errors import DomainError

ALL = list(DossierSection)
TEMPLATES = Path(__file__).resolve().parent.parent / "welcome" / "templates" / "documents"
#: Arabic presentation forms: text extracted in these would mean glyphs without shaping.
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces."""
    return re.sub(r"\s+", " ", text)


def language(code: str) -> Language:
    return catalogue(Language, code)


def export(case, code="de", sections=ALL, **kw):
    with audit.acting_as(None, "tests"):
        return dossiers.export_folder(db.session, dossiers.load_case(db.session, case.id),
                                      language(code), sections, **kw)


@pytest.fixture
def two_cases(app_context, db):
    """Case A (two open needs, one met) and case B, each with partners of their own."""
    amira = make_person(given_name="Amira", family_name="Faltermeier",
                        preferred_language=catalogue(Language, "ar"))
    case_a = make_case(main_person=amira)
    housing = make_need(case_a, "housing", priority=Priority.HIGH,
                        description="Wohnung für drei Personen")
    language_need = make_need(case_a, "language", priority=Priority.LOW)
    met = make_need(case_a, "health")
    referred = make_partner("Wohnberatung Alpha", phone="+49 89 99998101")
    suggested = make_partner("Sprachschule Beta", phone="+49 89 99998102",
                             fields_of_action=[catalogue(FieldOfAction, "language")])
    done = make_partner("Gesundheitsdienst Gamma", phone="+49 89 99998103",
                        fields_of_action=[catalogue(FieldOfAction, "health")])
    make_referral(housing, referred, HandoverChannel.INFORMATION_ONLY)
    make_referral(met, done, HandoverChannel.INFORMATION_ONLY)
    met.status = NeedStatus.MET
    db.session.commit()

    bernd = make_person(given_name="Bernd", family_name="Obermüller")
    case_b = make_case(main_person=bernd)
    work = make_need(case_b, "work")
    other = make_partner("Jobhilfe Delta", phone="+49 89 99998104",
                         fields_of_action=[catalogue(FieldOfAction, "work")])
    make_referral(work, other, HandoverChannel.INFORMATION_ONLY)
    return {"a": case_a, "b": case_b, "housing": housing, "language": language_need,
            "referred": referred, "suggested": suggested, "done": done, "other": other}


def test_folder_holds_this_case_and_nothing_of_another(two_cases):
    pdf, _ = export(two_cases["a"], "de")
    text = flat(pdf_text(pdf.data))
    assert "Amira Faltermeier" in text
    assert two_cases["a"].reference in text
    for partner in ("referred", "suggested"):
        assert two_cases[partner].name in text
        assert two_cases[partner].phone in text
    assert "Wohnung für drei Personen" in text
    # the met need's partner, and everything of case B, stay out
    for leaked in (two_cases["done"].name, two_cases["done"].phone, two_cases["other"].name,
                   two_cases["other"].phone, "Bernd", "Obermüller", two_cases["b"].reference):
        assert leaked not in text


def test_next_steps_come_in_priority_order_with_what_to_do(two_cases):
    folder = dossiers.build_folder(db.session, dossiers.load_case(db.session, two_cases["a"].id),
                                   language("en"), ALL)
    assert [item.need.id for item in folder.needs] == [two_cases["housing"].id,
                                                       two_cases["language"].id]
    housing, course = folder.needs
    assert housing.next_step.message.startswith("Contact %(partner)s yourself")
    assert housing.next_step.variables == {"partner": "Wohnberatung Alpha"}
    assert [c.partner.name for c in housing.contacts] == ["Wohnberatung Alpha"]
    assert [c.referral is None for c in course.contacts] == [True]
    assert course.next_step.message.startswith("Contact one of the offices")


def test_a_partner_whose_referral_failed_is_not_suggested_again(app_context, db):
    case = make_case()
    need = make_need(case, "housing")
    failed = make_partner("Wohnberatung Abgesagt")
    other = make_partner("Wohnberatung Neu")
    referral = make_referral(need, failed, HandoverChannel.INFORMATION_ONLY)
    from tests.helpers import reason
    from welcome.models import ReasonKind

    referrals.record_outcome(referral, ReferralStatus.CANCELLED, referral.planned_on,
                             reason(ReasonKind.REFERRAL_FAILED))
    db.session.commit()
    folder = dossiers.build_folder(db.session, dossiers.load_case(db.session, case.id),
                                   language("de"), ALL)
    assert [c.partner.name for c in folder.needs[0].contacts] == [other.name]


def test_next_step_follows_the_referral(app_context, db):
    person = make_person()
    case = make_case(main_person=person)
    partner = make_partner("Beratung Termin")
    need = make_need(case, "housing")
    referral = make_referral(need, partner, HandoverChannel.EMAIL)
    folder_en = language("en")
    step = dossiers.build_folder(db.session, case, folder_en, ALL).needs[0].next_step
    assert step.message.startswith("Contact %(partner)s yourself"), "no consent, no handover"

    consent = make_consent(person, [partner], categories=[
        DataCategory.NAME, DataCategory.CONTACT, DataCategory.NEED])
    step = dossiers.build_folder(db.session, case, folder_en, ALL).needs[0].next_step
    assert step.message.startswith("The Welcome Center will get in touch")

    consents.withdraw_consent(db.session, consent, date.today(), WithdrawalMethod.VERBAL)
    db.session.flush()
    step = dossiers.build_folder(db.session, case, folder_en, ALL).needs[0].next_step
    assert step.message.startswith("Contact %(partner)s yourself"), "withdrawn since planning"

    make_consent(person, [partner], categories=[DataCategory.NAME, DataCategory.CONTACT])
    referrals.hand_over(db.session, referral, HandoverChannel.EMAIL,
                        [DataCategory.NAME, DataCategory.CONTACT], by=make_user(),
                        at=datetime(2026, 3, 4, 10, tzinfo=UTC))
    step = dossiers.build_folder(db.session, case, folder_en, ALL).needs[0].next_step
    assert step.message.startswith("The Welcome Center has passed your request")
    assert step.variables["day"] == dossiers.day(referral.feedback_due_on)

    referrals.record_outcome(referral, ReferralStatus.APPOINTMENT_MADE, date(2026, 3, 20))
    db.session.flush()
    pdf = dossiers.render_folder(dossiers.build_folder(db.session, case, folder_en, ALL))
    text = flat(pdf_text(pdf.data))
    assert "Go to your appointment with Beratung Termin on 20.03.2026" in text
    assert "Gehen Sie am 20.03.2026 zu Ihrem Termin bei Beratung Termin" in text


def test_preparation_sheet_per_open_referral_with_the_fields_defaults(app_context, db):
    case = make_case()
    child = make_person(given_name="Mila", date_of_birth=date(2020, 5, 1))
    case.members.append(CaseMember(person=child, relation=MemberRelation.CHILD))
    school = make_need(case, "childcare_school", person=child)
    kita = make_partner("Kita-Servicestelle Test",
                        fields_of_action=[catalogue(FieldOfAction, "childcare_school")])
    make_referral(school, kita, HandoverChannel.INFORMATION_ONLY)
    make_referral(make_need(case, "housing"), make_partner("Wohnen Test"),
                  HandoverChannel.INFORMATION_ONLY)
    folder = dossiers.build_folder(db.session, dossiers.load_case(db.session, case.id),
                                   language("en"), [DossierSection.APPOINTMENT_PREPARATION])
    assert sorted(sheet.referral.partner.name for sheet in folder.sheets) == [
        "Kita-Servicestelle Test", "Wohnen Test"]
    text = flat(pdf_text(dossiers.render_folder(folder).data))
    assert "Proof of your child's measles vaccination" in text
    assert "Nachweis über den Masernschutz Ihres Kindes" in text
    assert "Passport or identity card" in text


def test_without_referrals_one_blank_preparation_sheet(app_context, db):
    case = make_case()
    make_need(case, "work")
    folder = dossiers.build_folder(db.session, case, language("de"), ALL)
    assert [(sheet.referral, sheet.need) for sheet in folder.sheets] == [(None, None)]


@pytest.mark.parametrize("code", DOCUMENT_LANGUAGES)
def test_every_language_renders_with_german_alongside(two_cases, code):
    pdf, record = export(two_cases["a"], code)
    text = flat(pdf_text(pdf.data))
    assert document_text(code, "My next steps") in text
    assert "Meine nächsten Schritte" in text
    assert document_text(code, "Preparing my appointment") in text
    assert pdf.pages == record.page_count >= 6
    reviewed = language(code).documents_reviewed
    assert ("Übersetzung noch nicht geprüft" in text) is (not reviewed)
    assert reviewed is (code in ("de", "en"))


def test_arabic_is_in_logical_order_shaped_and_right_to_left(two_cases):
    arabic, _ = export(two_cases["a"], "ar", [DossierSection.COVER])
    text = pdf_text(arabic.data)
    assert "ملف الترحيب الخاص بي" in text
    assert "الترجمة لم تُراجع بعد" in text
    assert not PRESENTATION_FORMS.search(text)

    def x_of(data: bytes, words: tuple[str, str]) -> dict[str, float]:
        found: dict[str, float] = {}

        def visit(fragment, cm, tm, font, size):
            for word in words:
                if fragment.strip() == word and word not in found:
                    found[word] = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]

        PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
        return found

    # Right to left: the label stands right of the name; left to right, left of it.
    right_to_left = x_of(arabic.data, ("الاسم", "Amira Faltermeier"))
    assert right_to_left["الاسم"] > right_to_left["Amira Faltermeier"]
    english, _ = export(two_cases["a"], "en", [DossierSection.COVER])
    left_to_right = x_of(english.data, ("Name", "Amira Faltermeier"))
    assert left_to_right["Name"] < left_to_right["Amira Faltermeier"]


def test_only_bundled_fonts_are_embedded(two_cases):
    pdf, _ = export(two_cases["a"], "ar")
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf.data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])
    assert fonts <= {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Arabic", "Noto-Sans-Arabic-Bold"}
    assert "Noto-Sans-Arabic" in fonts


def test_no_text_is_justified():
    for path in [*TEMPLATES.glob("*.html"), *(STATIC_DIR / "print").glob("*.css")]:
        assert "justify" not in path.read_text(encoding="utf-8"), path.name


def test_only_chosen_sections_are_printed(two_cases):
    pdf, record = export(two_cases["a"], "en", [DossierSection.DATA_PROTECTION])
    text = flat(pdf_text(pdf.data))
    assert "My data at the Welcome Center" in text
    assert "12 months after your case is closed" in text
    assert "Wohnberatung Alpha" not in text
    assert "My next steps" not in text
    assert record.sections == [DossierSection.DATA_PROTECTION]


def test_export_is_recorded_and_audited(two_cases):
    user = make_user(Role.ASSISTANT)
    with audit.acting_as(user.id, user.username):
        pdf, record = dossiers.export_folder(
            db.session, two_cases["a"], language("uk"),
            [DossierSection.COVER, DossierSection.NEXT_STEPS])
    db.session.commit()
    stored = db.session.get(DossierExport, record.id)
    assert stored.case_id == two_cases["a"].id
    assert (stored.exported_by_id, stored.exported_by_name) == (user.id, user.username)
    assert stored.language.code == "uk"
    assert stored.sections == [DossierSection.COVER, DossierSection.NEXT_STEPS]
    assert stored.page_count == len(PdfReader(io.BytesIO(pdf.data)).pages) == pdf.pages
    assert stored.size_bytes == len(pdf.data)
    assert stored.sha256 == hashlib.sha256(pdf.data).hexdigest()
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT, AuditEvent.entity == "Case",
        AuditEvent.entity_id == str(two_cases["a"].id)))
    assert event.username == user.username
    assert stored.sha256 in event.detail


def test_user_text_is_escaped(app_context, db):
    case = make_case(main_person=make_person(given_name="<b>Eva</b>"))
    need = make_need(case, "housing", description='<img src="http://127.0.0.1:9/x.png">')
    make_referral(need, make_partner("<script>alert(1)</script> Beratung"),
                  HandoverChannel.INFORMATION_ONLY)
    folder = dossiers.build_folder(db.session, case, language("de"), ALL)
    html = dossiers.folder_html(folder, preview=True)
    assert "<b>Eva</b>" not in html and "&lt;b&gt;Eva&lt;/b&gt;" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<img src="http://127.0.0.1' not in html
    text = pdf_text(dossiers.render_folder(folder).data)
    assert "<b>Eva</b>" in text
    assert "<script>alert(1)</script> Beratung" in flat(text)


def test_resources_in_the_folder_language_with_german_fallback(app_context, db):
    case = make_case()
    make_need(case, "recognition")
    translated = Resource(title="Anerkennungs-Finder", url="https://example.org/de",
                          field_of_action=catalogue(FieldOfAction, "recognition"),
                          translations=[ResourceTranslation(
                              language=language("uk"), title="Пошук щодо визнання",
                              url="https://example.org/uk")])
    german_only = Resource(title="Nur auf Deutsch", text="Ein Merkblatt.",
                           field_of_action=catalogue(FieldOfAction, "recognition"))
    everyone = Resource(title="Für alle", url="https://example.org/alle")
    inactive = Resource(title="Abgeschaltet", url="https://example.org/alt", active=False)
    unrelated = Resource(title="Wohnen", url="https://example.org/wohnen",
                         field_of_action=catalogue(FieldOfAction, "housing"))
    db.session.add_all([translated, german_only, everyone, inactive, unrelated])
    db.session.commit()
    folder = dossiers.build_folder(db.session, case, language("uk"), ALL)
    assert [(r.title, r.title_de, r.url) for r in folder.needs[0].resources] == [
        ("Пошук щодо визнання", "Anerkennungs-Finder", "https://example.org/uk"),
        ("Nur auf Deutsch", "Nur auf Deutsch", None)]
    assert [r.title for r in folder.general_resources] == ["Für alle"]


def test_default_language_is_the_persons_if_the_folder_exists_in_it(app_context, db):
    assert dossiers.default_language(make_case(main_person=make_person())) == "uk"
    vietnamese = make_person(preferred_language=language("vi"),
                             languages=[language("vi"), language("en")])
    assert dossiers.default_language(make_case(main_person=vietnamese)) == "en"
    nobody = make_person(preferred_language=None)
    assert dossiers.default_language(make_case(main_person=nobody)) == "de"


@pytest.mark.parametrize("code", ["xx", "", "vi", "DE", None])
def test_unknown_folder_language_is_refused(app_context, db, code):
    with pytest.raises(DomainError) as refused:
        dossiers.folder_language(db.session, code)
    assert refused.value.field == "language"


@pytest.mark.parametrize(("values", "message"), [
    ([], "Wählen Sie mindestens einen Teil der Mappe."),
    (["cover", "nonsense"], "Einen Teil der Mappe namens „nonsense“ gibt es nicht."),
])
def test_bad_sections_are_refused(app_context, values, message):
    with pytest.raises(DomainError) as refused:
        dossiers.parse_sections(values)
    assert refused.value.message == message


def test_sections_come_in_print_order_without_repeats(app_context):
    assert dossiers.parse_sections(["data_protection", "cover", "cover"]) == [
        DossierSection.COVER, DossierSection.DATA_PROTECTION]


def test_building_a_folder_takes_the_same_queries_for_two_or_eight_needs(
        app_context, db, count_queries):
    fields = ["housing", "language", "work", "recognition", "health", "bank_account",
              "insurance", "contracts"]

    def statements(needs: int) -> int:
        case = make_case()
        for index, code in enumerate(fields[:needs]):
            need = make_need(case, code)
            partner = make_partner(fields_of_action=[catalogue(FieldOfAction, code)],
                                   languages=[language("de"), language("uk")])
            if index % 2:
                make_referral(need, partner, HandoverChannel.INFORMATION_ONLY)
        db.session.expire_all()
        with count_queries() as queries:
            loaded = dossiers.load_case(db.session, case.id)
            dossiers.folder_html(dossiers.build_folder(db.session, loaded, language("uk"), ALL))
        return len(queries)

    few, many = statements(2), statements(8)
    assert few == many


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (40, 40), "#0b4f8a").save(path)
    return path


def test_logo_url_serves_only_the_configured_file(tmp_path):
    logo = _png(tmp_path / "stadtwappen.png")
    with fetch(StaticFilesOnly(logo=logo), LOGO_URL) as response:
        assert response.content_type == "image/png"
        assert response.read() == logo.read_bytes()
    with pytest.raises(URLFetchingError), fetch(StaticFilesOnly(), LOGO_URL):
        pass


@pytest.mark.parametrize("name", ["missing.png", "wappen.gif", "huge.png"])
def test_a_logo_that_cannot_be_printed_stops_start_up(tmp_path, name):
    path = tmp_path / name
    if name == "wappen.gif":
        path.write_bytes(b"GIF89a")
    if name == "huge.png":
        path.write_bytes(b"\x89PNG" + b"0" * 1024 * 1024)
    with pytest.raises(RuntimeError, match="WELCOME_LOGO_FILE"):
        build_app("sqlite://", WELCOME_LOGO_FILE=str(path))


def test_the_configured_logo_is_printed_on_the_cover(app, app_context, db, tmp_path,
                                                     monkeypatch):
    monkeypatch.setitem(app.config, "WELCOME_LOGO_FILE",
                        str(_png(tmp_path / "stadtwappen.png")))
    folder = dossiers.build_folder(db.session, make_case(), language("de"),
                                   [DossierSection.COVER])
    assert f'src="{LOGO_URL}"' in dossiers.folder_html(folder)
    assert "data:image/png;base64," in dossiers.folder_html(folder, preview=True)
    page = PdfReader(io.BytesIO(dossiers.render_folder(folder).data)).pages[0]
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert [(image["/Width"], image["/Height"]) for image in images] == [(40, 40)]


@pytest.mark.parametrize("code", DOCUMENT_LANGUAGES)
def test_documents_catalogue_has_every_document_text(code):
    """Every dt("…") of the folder and the consent form is translated into each language."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from welcome.cli import DOCUMENT_KEYWORDS
    from welcome.config import TRANSLATIONS_DIR

    with (TRANSLATIONS_DIR / code / "LC_MESSAGES" / "documents.po").open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        TRANSLATIONS_DIR.parent / "welcome",
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords={keyword: None for keyword in DOCUMENT_KEYWORDS})}
    assert "My welcome folder" in found and "Other" in found
    assert sorted(found - translated) == []


def test_many_open_needs_get_one_suggestion_each(app_context, db):
    fields = ["housing", "language", "work", "recognition", "health", "bank_account"]
    for code in fields:
        for _ in range(2):
            make_partner(fields_of_action=[catalogue(FieldOfAction, code)])

    def suggestions(needs: int) -> list[int]:
        case = make_case()
        for code in fields[:needs]:
            make_need(case, code)
        folder = dossiers.build_folder(db.session, case, language("de"), ALL)
        return [len(item.contacts) for item in folder.needs]

    assert suggestions(dossiers.MANY_NEEDS - 1) == [2] * (dossiers.MANY_NEEDS - 1)
    assert suggestions(dossiers.MANY_NEEDS) == [1] * dossiers.MANY_NEEDS
