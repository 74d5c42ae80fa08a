"""The welcome folder (Willkommensmappe): a personal PDF compiled from one case.

The folder holds only what the case holds: its household, its open needs, the partners its
referrals name or the matching suggests for those needs, the resources of those fields of
action, and worksheets. It is printed in the person's language with German alongside, so
staff and partners can read it. Every export is recorded with who, when, the language, the
sections, the page count and the SHA-256 of the file, and audited.
"""

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from babel import Locale
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from welcome.i18n import DOCUMENT_LANGUAGES, document_text, dt
from welcome.models import (
    AuditAction,
    Case,
    CaseMember,
    DataCategory,
    DossierExport,
    DossierSection,
    FieldOfAction,
    HandoverChannel,
    Language,
    Need,
    NeedStatus,
    Partner,
    Person,
    Priority,
    Referral,
    ReferralStatus,
    Resource,
    ResourceTranslation,
)
from welcome.pdf import LOGO_URL, Pdf, document_html, logo_data_uri, logo_file, render_pdf
from welcome.services import audit, consents, matching
from welcome.services import referrals as referral_rules
from welcome.services.dossier_texts import PRIVACY_TOPICS, FieldTexts, preparation_texts
from welcome.services.errors import DomainError

TEMPLATE = "documents/folder.html"
#: What any handover passes at the least: who the person is and how to reach them.
HANDOVER_MINIMUM = (DataCategory.NAME, DataCategory.CONTACT)
#: Partners suggested per need that has no referral yet: two give a choice; a household with
#: many open needs gets the best one each, so the folder stays a folder and not a directory.
MATCHES_PER_NEED = 2
MATCHES_PER_NEED_MANY = 1
#: From this many open needs on, each gets only its best suggestion.
MANY_NEEDS = 6
#: When a handed-over referral names no feedback date, the person calls after this long.
DEFAULT_WAIT = timedelta(days=14)
PRIORITY_ORDER = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}
#: Referrals that ended without help; their partner is not suggested again for that need.
ENDED_WITHOUT_HELP = (ReferralStatus.FAILED, ReferralStatus.CANCELLED)
#: CLDR knows some languages under another code than the catalogue's.
CLDR_ALIASES = {"hbs": "sh"}


@dataclass(frozen=True)
class Text:
    """A document text with its variables, printed in the folder language and in German."""

    message: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass
class Contact:
    """A partner card under a need: a referral's partner, or a suggestion of the matching."""

    partner: Partner
    referral: Referral | None = None
    languages: list[str] = field(default_factory=list)


@dataclass
class FolderResource:
    title: str
    title_de: str
    text: str | None
    url: str | None


@dataclass
class FolderNeed:
    need: Need
    label: str
    label_de: str
    next_step: Text
    contacts: list[Contact] = field(default_factory=list)
    resources: list[FolderResource] = field(default_factory=list)


@dataclass
class PreparationSheet:
    """One appointment to prepare: a planned referral, or a blank sheet when there is none."""

    need: FolderNeed | None
    referral: Referral | None
    texts: FieldTexts


@dataclass
class Folder:
    case: Case
    language: Language
    sections: list[DossierSection]
    made_on: date
    needs: list[FolderNeed]
    general_resources: list[FolderResource]
    sheets: list[PreparationSheet]

    @property
    def person(self) -> Person:
        return self.case.main_person

    @property
    def code(self) -> str:
        return self.language.code


# --- input ----------------------------------------------------------------------------------


def folder_language(session: Session, code: str | None) -> Language:
    """The catalogue entry of a folder language.

    :raises DomainError: for any code the folder is not printed in.
    """
    language = None
    if code in DOCUMENT_LANGUAGES:
        language = session.scalar(select(Language).where(Language.code == code))
    if language is None:
        raise DomainError(_("Welcome folders are printed in German, English, Turkish, Russian, "
                            "Ukrainian, Romanian and Arabic; choose one of these languages."),
                          "language")
    return language


def parse_sections(values: Iterable[str]) -> list[DossierSection]:
    """The chosen sections in print order.

    :raises DomainError: when none is chosen or one is unknown.
    """
    chosen = set()
    for value in values:
        try:
            chosen.add(DossierSection(value))
        except ValueError:
            raise DomainError(_("There is no part of the folder called “%(name)s”.",
                                name=value[:40]), "sections") from None
    if not chosen:
        raise DomainError(_("Choose at least one part of the folder."), "sections")
    return [section for section in DossierSection if section in chosen]


def default_language(case: Case) -> str:
    """The main person's preferred language when the folder is printed in it; else another
    language they speak that it is printed in; else German."""
    person = case.main_person
    preferred = person.preferred_language
    if preferred is not None and preferred.code in DOCUMENT_LANGUAGES:
        return preferred.code
    for language in person.languages:
        if language.code in DOCUMENT_LANGUAGES and language.code != "de":
            return language.code
    return "de"


# --- content --------------------------------------------------------------------------------


def load_case(session: Session, case_id: int) -> Case | None:
    """The case with everything the folder prints, in a fixed number of queries."""
    return session.scalar(
        select(Case).where(Case.id == case_id).options(
            joinedload(Case.main_person).selectinload(Person.languages),
            joinedload(Case.main_person).joinedload(Person.preferred_language),
            joinedload(Case.responsible),
            selectinload(Case.members).joinedload(CaseMember.person)
            .selectinload(Person.languages),
            selectinload(Case.members).joinedload(CaseMember.person)
            .joinedload(Person.preferred_language),
            selectinload(Case.needs).joinedload(Need.field_of_action),
            selectinload(Case.needs).joinedload(Need.person),
            selectinload(Case.referrals).joinedload(Referral.partner)
            .selectinload(Partner.languages),
        ))


def build_folder(session: Session, case: Case, language: Language,
                 sections: list[DossierSection], today: date | None = None) -> Folder:
    """Everything the folder prints, taken from this case only.

    Open needs come in priority order. Each lists the partners of its open or completed
    referrals; a need without one lists the partners the matching ranks best (two, or one
    from :data:`MANY_NEEDS` open needs on; never those whose referral for it failed).
    Resources are the active ones of the needs' fields in the folder language (German where
    nobody translated them).
    """
    code = language.code
    open_needs = sorted(
        (need for need in case.needs if need.status in NeedStatus.open_statuses()),
        key=lambda need: (PRIORITY_ORDER[need.priority], need.identified_on, need.id))
    referrals_by_need: dict[int, list[Referral]] = {}
    for referral in case.referrals:
        referrals_by_need.setdefault(referral.need_id, []).append(referral)

    unreferred = [need for need in open_needs
                  if not _live_referrals(referrals_by_need.get(need.id, []))]
    ranked = matching.suggest_for_needs(session, unreferred)
    resources = _resources(session, {need.field_of_action_id for need in open_needs})

    suggestions = MATCHES_PER_NEED_MANY if len(open_needs) >= MANY_NEEDS else MATCHES_PER_NEED
    without_consent = _planned_without_consent(session, case.referrals)
    folder_needs = []
    for need in open_needs:
        referrals = _live_referrals(referrals_by_need.get(need.id, []))
        if referrals:
            contacts = [Contact(r.partner, r) for r in referrals]
        else:
            refused = {r.partner_id for r in referrals_by_need.get(need.id, [])}
            contacts = [Contact(s.partner) for s in ranked[need.id]
                        if s.partner.id not in refused][:suggestions]
        for contact in contacts:
            contact.languages = [language_name(lang, code) for lang in contact.partner.languages]
        folder_needs.append(FolderNeed(
            need=need,
            label=field_label(need.field_of_action, code),
            label_de=need.field_of_action.label_de,
            next_step=next_step(referrals, bool(contacts), without_consent),
            contacts=contacts,
            resources=[_resource(r, code) for r in resources
                       if r.field_of_action_id == need.field_of_action_id],
        ))

    sheets = [PreparationSheet(item, contact.referral,
                               preparation_texts(item.need.field_of_action.code))
              for item in folder_needs for contact in item.contacts
              if contact.referral is not None
              and contact.referral.status in ReferralStatus.open_statuses()]
    if not sheets:
        sheets = [PreparationSheet(None, None, preparation_texts(None))]
    return Folder(
        case=case, language=language, sections=sections, made_on=today or date.today(),
        needs=folder_needs,
        general_resources=[_resource(r, code) for r in resources if r.field_of_action_id is None],
        sheets=sheets,
    )


def _planned_without_consent(session: Session, referrals: list[Referral]) -> set[int]:
    """Planned handovers that no consent covers today: the center cannot make them, so the
    folder must not promise them (a consent withdrawn since planning, say)."""
    planned = [r for r in referrals if r.status == ReferralStatus.PLANNED
               and r.channel in HandoverChannel.passing_data()]
    coverage = consents.covers_many(session, [
        (referral_rules.consenting_person(r), r.partner, HANDOVER_MINIMUM, r.channel)
        for r in planned])
    return {r.id for r, covered in zip(planned, coverage, strict=True) if not covered}


def _live_referrals(referrals: list[Referral]) -> list[Referral]:
    return [r for r in referrals if r.status not in ENDED_WITHOUT_HELP]


def _resources(session: Session, field_ids: set[int]) -> list[Resource]:
    return list(session.scalars(
        select(Resource)
        .where(Resource.active.is_(True),
               or_(Resource.field_of_action_id.is_(None),
                   Resource.field_of_action_id.in_(field_ids)))
        .options(selectinload(Resource.translations).joinedload(ResourceTranslation.language))
        .order_by(Resource.sort_order, Resource.id)))


def _resource(resource: Resource, code: str) -> FolderResource:
    translation = resource.in_language(code) if code != "de" else None
    if translation is None:
        return FolderResource(resource.title, resource.title, resource.text, resource.url)
    return FolderResource(translation.title, resource.title, translation.text or resource.text,
                          translation.url or resource.url)


def next_step(referrals: list[Referral], has_contacts: bool,
              without_consent: Collection[int] = ()) -> Text:
    """What the person does next for one need, from the most advanced of its referrals.

    :param without_consent: planned referrals the center may not hand over for lack of a
        covering consent; the person contacts those partners themselves.
    """
    order = [ReferralStatus.APPOINTMENT_MADE, ReferralStatus.HANDED_OVER,
             ReferralStatus.PLANNED]
    current = sorted((r for r in referrals if r.status in order),
                     key=lambda r: (order.index(r.status), r.id))
    if not current:
        if any(r.status == ReferralStatus.COMPLETED for r in referrals):
            return Text(dt("The partner has done their part. If something is still open, "
                           "tell the Welcome Center."))
        if has_contacts:
            return Text(dt("Contact one of the offices listed for this step and ask for an "
                           "appointment."))
        return Text(dt("Talk about this with the Welcome Center at your next appointment."))
    referral = current[0]
    partner = {"partner": referral.partner.name}
    if referral.status == ReferralStatus.APPOINTMENT_MADE:
        if referral.appointment_on:
            return Text(dt("Go to your appointment with %(partner)s on %(day)s. Take this "
                           "folder and the documents listed on your preparation sheet."),
                        {**partner, "day": day(referral.appointment_on)})
        return Text(dt("You have an appointment with %(partner)s. Write down its date in your "
                       "appointment table and take this folder with you."), partner)
    if referral.status == ReferralStatus.HANDED_OVER:
        due = referral.feedback_due_on or (
            referral.handed_over_at.date() + DEFAULT_WAIT if referral.handed_over_at else None)
        if due:
            return Text(dt("The Welcome Center has passed your request to %(partner)s; they "
                           "will contact you. If you have not heard from them by %(day)s, "
                           "call them."), {**partner, "day": day(due)})
        return Text(dt("The Welcome Center has passed your request to %(partner)s; they will "
                       "contact you."), partner)
    if referral.channel == HandoverChannel.INFORMATION_ONLY or referral.id in without_consent:
        return Text(dt("Contact %(partner)s yourself and ask for an appointment."), partner)
    return Text(dt("The Welcome Center will get in touch with %(partner)s for you. You can "
                   "also contact them yourself."), partner)


def day(value: date) -> str:
    """Dates print the same in every folder language: 05.03.2026."""
    return value.strftime("%d.%m.%Y")


def field_label(field_of_action: FieldOfAction, code: str) -> str:
    """A field's name in the folder language: the catalogue's German or English label, else
    the documents catalogue's translation of the English one."""
    if code == "de":
        return field_of_action.label_de
    if code == "en":
        return field_of_action.label_en
    return document_text(code, field_of_action.label_en)


def language_name(language: Language, code: str) -> str:
    """A language's name in the folder language (CLDR), else its catalogue label."""
    locale = Locale.parse(code)
    name = locale.languages.get(CLDR_ALIASES.get(language.code, language.code))
    if name:
        return name
    return language.label_de if code == "de" else language.label_en


# --- output ---------------------------------------------------------------------------------


def folder_html(folder: Folder, preview: bool = False) -> str:
    """The folder as HTML: what WeasyPrint renders, and (``preview``) what the screen shows."""
    logo = logo_file(current_app.config["WELCOME_LOGO_FILE"])
    return document_html(
        TEMPLATE, folder.code, reviewed=folder.language.documents_reviewed,
        right_to_left=folder.language.right_to_left, folder=folder, preview=preview,
        bilingual=folder.code != "de", logo_src=logo_data_uri(logo) if preview else LOGO_URL,
        day=day, privacy_topics=PRIVACY_TOPICS,
        retention_months=current_app.config["WELCOME_RETENTION_MONTHS"],
    )


def render_folder(folder: Folder) -> Pdf:
    return render_pdf(folder_html(folder), logo=logo_file(current_app.config["WELCOME_LOGO_FILE"]))


def preview_folder(session: Session, case: Case, language: Language,
                   sections: list[DossierSection]) -> str:
    """The folder as the screen previews it (reads only; see :func:`record_preview`)."""
    return folder_html(build_folder(session, case, language, sections), preview=True)


def record_preview(session: Session, case_id: int, code: str,
                   actor: tuple[int | None, str] | None = None) -> None:
    """Looking at a preview is recorded like reading the case.

    :param actor: (user id, name) of who looked, when the caller has already ended the
        transaction the preview was read in (its objects are then expired).
    """
    user_id, username = actor or audit.current_actor()
    audit.record(session, AuditAction.VIEW, "Case", case_id,
                 detail=f"welcome folder preview ({code})", user_id=user_id, username=username)


def render_export(session: Session, case: Case, language: Language,
                  sections: list[DossierSection], today: date | None = None) -> Pdf:
    """The folder as PDF (reads only; see :func:`record_export`)."""
    return render_folder(build_folder(session, case, language, sections, today))


def record_export(session: Session, case_id: int, language_id: int, code: str,
                  sections: list[DossierSection], pdf: Pdf,
                  actor: tuple[int | None, str] | None = None) -> DossierExport:
    """Record an export (who, when, language, sections, pages, hash) and audit it. Flushes.

    Takes ids rather than records, so a caller can end the transaction it read the case in
    before writing (SQLite cannot turn two concurrent readers into writers).

    :param actor: as for :func:`record_preview`.
    """
    user_id, username = actor or audit.current_actor()
    export = DossierExport(
        case_id=case_id, language_id=language_id, exported_by_id=user_id,
        exported_by_name=username, page_count=pdf.pages, size_bytes=len(pdf.data),
        sha256=hashlib.sha256(pdf.data).hexdigest(),
    )
    export.sections = sections
    session.add(export)
    audit.record(session, AuditAction.EXPORT, "Case", case_id,
                 detail=f"welcome folder {code}, {pdf.pages} pages, "
                        f"sha256 {export.sha256}", user_id=user_id, username=username)
    session.flush()
    return export


def export_folder(session: Session, case: Case, language: Language,
                  sections: list[DossierSection],
                  today: date | None = None) -> tuple[Pdf, DossierExport]:
    """Render the folder and record the export. Flushes, never commits."""
    pdf = render_export(session, case, language, sections, today)
    return pdf, record_export(session, case.id, language.id, language.code, sections, pdf)


def recent_exports(session: Session, case: Case, limit: int = 20) -> list[DossierExport]:
    """The case's latest exports, newest first, for the export screen."""
    return list(session.scalars(
        select(DossierExport).where(DossierExport.case_id == case.id)
        .options(joinedload(DossierExport.language), joinedload(DossierExport.exported_by),
                 selectinload(DossierExport.section_rows))
        .order_by(DossierExport.exported_at.desc(), DossierExport.id.desc()).limit(limit)))
