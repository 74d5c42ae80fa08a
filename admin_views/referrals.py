"""Referrals, consents and intakes."""

from datetime import date
from typing import Any

from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateBetweenFilter
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from admin_views.ajax import SearchLoader
from admin_views.base import WelcomeModelView, catalogue_query, enum_filter
from admin_views.cases import _case_link, _link, case_loader, person_loader, reasons
from admin_views.consent_pages import ConsentPages
from admin_views.fields import EnumMultipleField, UploadField
from admin_views.filters import IdEqualFilter, catalogue_options, choice_options
from admin_views.handover import HandoverPages
from welcome.models import (
    Case,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    HandoverChannel,
    Intake,
    IntakeOffice,
    IntakeStatus,
    Language,
    Need,
    Partner,
    PartnerType,
    Person,
    ReasonKind,
    Referral,
    ReferralStatus,
    ResidencePurpose,
)
from welcome.services import consents, feedback, intakes, referrals
from welcome.services.errors import DomainError
from welcome.validation import PhoneNumber, email_address


def partner_loader(name: str) -> SearchLoader:
    return SearchLoader(
        name, Partner,
        fields=[Partner.name],
        order_by=[Partner.name, Partner.id],
        where=lambda: [Partner.active.is_(True)],
        placeholder=_l("Type a partner's name …"),
    )


def need_loader(name: str) -> SearchLoader:
    return SearchLoader(
        name, Need,
        fields=[Need.description],
        order_by=[Need.id.desc()],
        placeholder=_l("Type words from the need's description …"),
    )


def partner_options() -> Any:
    return choice_options(lambda: select(Partner).order_by(Partner.name), str)


def _person_link(view: Any, context: Any, model: Any, name: str) -> Any:
    return _link("person.details_view", model.person)


def _categories(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(value.label for value in getattr(model, name))


class OverdueFeedbackFilter(BaseSQLAFilter):
    """Handed-over referrals whose partner has not reported back in time."""

    def __init__(self, name: Any) -> None:
        super().__init__(Referral.feedback_due_on, name,
                         options=lambda: [("1", str(_l("overdue")))])

    def validate(self, value: Any) -> bool:
        return value == "1"

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        return query.filter(
            Referral.status.in_(feedback.OPEN_FOR_FEEDBACK),
            Referral.feedback_due_on < date.today(),
        )

    def operation(self) -> Any:
        return _l("is")


class ReferralView(HandoverPages, WelcomeModelView):
    rules = staticmethod(referrals.check_referral)
    prefill_args = {"case_id": ("case", Case)}
    details_template = "admin/referral_details.html"

    column_list = ("case", "need.field_of_action", "partner", "channel", "status",
                   "planned_on", "feedback_due_on", "needs_attention")
    column_details_list = ("case", "need", "partner", "channel", "status", "planned_on",
                           "consent", "passed_categories", "handed_over_at", "handed_over_by",
                           "feedback_due_on", "appointment_on", "completed_on",
                           "outcome_reason", "outcome_note", "needs_attention", "notes",
                           "created_at", "updated_at")
    column_export_list = ("need.field_of_action", "partner", "channel", "status", "planned_on",
                          "handed_over_at", "completed_on", "outcome_reason")
    column_labels = {
        "case": _l("Case"),
        "need": _l("Need"),
        "need.field_of_action": _l("Field of action"),
        "partner": _l("Partner"),
        "channel": _l("Channel"),
        "status": _l("Status"),
        "planned_on": _l("Planned on"),
        "consent": _l("Consent relied on"),
        "passed_categories": _l("Data passed"),
        "handed_over_at": _l("Handed over at"),
        "handed_over_by": _l("Handed over by"),
        "handover_text": _l("Text as sent"),
        "feedback_due_on": _l("Feedback due on"),
        "appointment_on": _l("Appointment on"),
        "completed_on": _l("Completed on"),
        "outcome_reason": _l("Reason (failed or cancelled)"),
        "outcome_note": _l("Note on the outcome"),
        "needs_attention": _l("Needs attention"),
        "notes": _l("Notes"),
    }
    column_sortable_list = (("case", "case.reference"), ("partner", "partner.name"), "channel",
                            "status", "planned_on", "feedback_due_on")
    column_default_sort = [("planned_on", True), ("id", True)]
    column_searchable_list = ("case.reference", "partner.name")
    search_hint = _l("Case reference or partner")
    column_select_related_list = (Referral.case, Referral.partner)
    column_formatters = {"case": _case_link, "passed_categories": _categories}
    column_formatters_export = {}
    column_filters = (
        enum_filter(Referral.status, _l("Status"), ReferralStatus),
        enum_filter(Referral.channel, _l("Channel"), HandoverChannel),
        IdEqualFilter(Referral.partner_id, _l("Partner"), options=partner_options()),
        DateBetweenFilter(Referral.planned_on, _l("Planned on")),
        DateBetweenFilter(Referral.feedback_due_on, _l("Feedback due on")),
        OverdueFeedbackFilter(_l("Feedback")),
        "needs_attention",
    )
    form_columns = ("case", "need", "partner", "channel", "status", "planned_on",
                    "feedback_due_on", "appointment_on", "completed_on", "outcome_reason",
                    "outcome_note", "needs_attention", "notes")
    form_ajax_refs = {
        "case": case_loader("case"),
        "need": need_loader("need"),
        "partner": partner_loader("partner"),
    }
    form_args = {"outcome_reason": {"query_factory": reasons(ReasonKind.REFERRAL_FAILED)}}

    def get_query(self) -> Any:
        return super().get_query().options(
            joinedload(Referral.need).joinedload(Need.field_of_action)
        )


class ConsentView(ConsentPages, WelcomeModelView):
    rules = staticmethod(consents.check_consent)
    prefill_args = {"person_id": ("person", Person)}
    details_template = "admin/consent_details.html"

    column_list = ("person", "purpose", "given_on", "given_how", "valid_until",
                   "withdrawn_on")
    column_details_list = ("person", "purpose", "partners", "partner_types", "categories",
                           "channels", "given_on", "given_how", "witness", "form_version",
                           "form_language", "valid_until", "withdrawn_on", "withdrawn_how",
                           "recorded_by", "scan_filename", "notes", "created_at", "updated_at")
    column_export_list = ("purpose", "given_on", "given_how", "valid_until", "withdrawn_on")
    column_labels = {
        "person": _l("Person"),
        "purpose": _l("Purpose"),
        "partners": _l("Partners covered"),
        "partner_types": _l("Partner types covered"),
        "categories": _l("Data categories"),
        "channels": _l("Channels allowed"),
        "given_on": _l("Given on"),
        "given_how": _l("Given how"),
        "witness": _l("Witness"),
        "form_version": _l("Form version"),
        "form_language": _l("Form language"),
        "valid_until": _l("Valid until"),
        "withdrawn_on": _l("Withdrawn on"),
        "withdrawn_how": _l("Withdrawn how"),
        "recorded_by": _l("Recorded by"),
        "scan_filename": _l("Scanned form"),
        "notes": _l("Notes"),
    }
    column_sortable_list = (("person", "person.family_name"), "purpose", "given_on",
                            "valid_until", "withdrawn_on")
    column_default_sort = [("given_on", True), ("id", True)]
    column_searchable_list = ("person.family_name", "person.given_name")
    search_hint = _l("Name")
    column_select_related_list = (Consent.person,)
    column_formatters = {
        "person": _person_link,
        "categories": _categories,
        "channels": _categories,
    }
    column_formatters_export = {}
    column_filters = (
        enum_filter(Consent.purpose, _l("Purpose"), ConsentPurpose),
        enum_filter(Consent.given_how, _l("Given how"), ConsentMethod),
        DateBetweenFilter(Consent.given_on, _l("Given on")),
        DateBetweenFilter(Consent.valid_until, _l("Valid until")),
        DateBetweenFilter(Consent.withdrawn_on, _l("Withdrawn on")),
    )
    form_columns = ("person", "purpose", "partners", "partner_types", "categories",
                    "channels", "given_on", "given_how", "witness", "form_version",
                    "form_language", "valid_until", "scan_upload", "notes")
    form_extra_fields = {
        "categories": EnumMultipleField(_l("Data categories"), enum_class=DataCategory),
        "channels": EnumMultipleField(_l("Channels allowed"), enum_class=HandoverChannel,
                                      members=HandoverChannel.passing_data()),
        "scan_upload": UploadField(_l("Scanned signed form (PDF, JPEG or PNG)")),
    }
    form_ajax_refs = {
        "person": person_loader("person"),
        "partners": partner_loader("partners"),
    }
    form_args = {
        "partner_types": {"query_factory": catalogue_query(PartnerType)},
        "form_language": {"query_factory": catalogue_query(Language)},
        "form_version": {"default": consents.CONSENT_FORM_VERSION},
    }

    def on_model_change(self, form: Any, model: Consent, is_created: bool) -> None:
        upload = form.scan_upload.data
        if upload and getattr(upload, "filename", ""):
            try:
                consents.attach_scan(model, upload.read(), upload.filename)
            except DomainError as error:
                form.scan_upload.errors = [*form.scan_upload.errors, error.message]
                raise
        if is_created and model.recorded_by is None and current_user.is_authenticated:
            model.recorded_by = current_user._get_current_object()
        super().on_model_change(form, model, is_created)


class IntakeView(WelcomeModelView):
    rules = staticmethod(intakes.check_intake)
    column_list = ("created_at", "family_name", "given_name", "office", "status",
                   "possible_duplicate", "case")
    column_details_list = ("family_name", "given_name", "date_of_birth", "phone", "email",
                           "preferred_language", "residence_purpose", "household_size",
                           "office", "consent_to_contact", "note", "status",
                           "possible_duplicate", "created_by", "contacted_on",
                           "contacted_channel", "decision_reason", "decision_note", "case",
                           "person", "created_at")
    column_export_list = ("created_at", "office", "status", "household_size")
    column_labels = {
        "created_at": _l("Received"),
        "family_name": _l("Family name"),
        "given_name": _l("Given name"),
        "date_of_birth": _l("Date of birth"),
        "phone": _l("Phone"),
        "email": _l("E-mail"),
        "preferred_language": _l("Preferred language"),
        "residence_purpose": _l("Residence purpose"),
        "household_size": _l("Household size"),
        "office": _l("Office"),
        "consent_to_contact": _l("Agrees to be contacted"),
        "note": _l("Note"),
        "status": _l("Status"),
        "possible_duplicate": _l("Possible duplicate"),
        "created_by": _l("Logged by"),
        "contacted_on": _l("Contacted on"),
        "contacted_channel": _l("Contacted how"),
        "decision_reason": _l("Reason for rejecting"),
        "decision_note": _l("Note on the decision"),
        "case": _l("Case"),
        "person": _l("Person"),
    }
    column_sortable_list = ("created_at", "family_name", "given_name", "office", "status")
    column_default_sort = [("created_at", False), ("id", False)]
    column_searchable_list = ("family_name", "given_name", "email", "phone")
    search_hint = _l("Name, e-mail or phone")
    column_select_related_list = (Intake.case,)
    column_formatters = {"case": _case_link}
    column_formatters_export = {}
    column_filters = (
        enum_filter(Intake.status, _l("Status"), IntakeStatus),
        enum_filter(Intake.office, _l("Office"), IntakeOffice),
        "possible_duplicate",
        IdEqualFilter(Intake.residence_purpose_id, _l("Residence purpose"),
                      options=catalogue_options(ResidencePurpose)),
    )
    form_columns = ("given_name", "family_name", "date_of_birth", "phone", "email",
                    "preferred_language", "residence_purpose", "household_size", "office",
                    "consent_to_contact", "note", "status", "contacted_on", "contacted_channel",
                    "decision_reason", "decision_note", "case", "person")
    form_ajax_refs = {"case": case_loader("case"), "person": person_loader("person")}
    form_args = {
        "preferred_language": {"query_factory": catalogue_query(Language)},
        "residence_purpose": {"query_factory": catalogue_query(ResidencePurpose)},
        "decision_reason": {"query_factory": reasons(ReasonKind.INTAKE_REJECTED)},
        "phone": {"validators": [PhoneNumber()]},
        "email": {"validators": [email_address()]},
    }
