"""Referrals and consents."""

from datetime import date
from typing import Any

from flask import request
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateBetweenFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from admin_views.ajax import SearchLoader
from admin_views.base import WelcomeModelView, catalogue_query, enum_filter
from admin_views.cases import _case_link, _link, case_loader, person_loader, reasons
from admin_views.consent_pages import ConsentPages
from admin_views.fields import EnumMultipleField, UploadField
from admin_views.filters import IdEqualFilter, choice_options
from admin_views.handover import HandoverPages
from welcome.extensions import db
from welcome.i18n import format_day
from welcome.models import (
    Case,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    FieldOfAction,
    HandoverChannel,
    Language,
    Need,
    Partner,
    PartnerType,
    Person,
    ReasonKind,
    Referral,
    ReferralStatus,
)
from welcome.services import consent_forms, consents, feedback, referrals
from welcome.services.errors import DomainError


def partner_loader(name: str) -> SearchLoader:
    return SearchLoader(
        name, Partner,
        fields=[Partner.name],
        order_by=[Partner.name, Partner.id],
        where=lambda: [Partner.active.is_(True)],
        placeholder=_l("Type a partner's name …"),
    )


def need_loader(name: str) -> SearchLoader:
    """Needs by what their option shows (case reference, field of action, description), of
    the case chosen on the form when it names one."""
    return SearchLoader(
        name, Need,
        fields=[Need.description],
        related={Need.case: [Case.reference],
                 Need.field_of_action: [FieldOfAction.label_de, FieldOfAction.label_en]},
        load=(joinedload(Need.case), joinedload(Need.field_of_action)),
        scope=("case", Need.case_id),
        order_by=[Need.id.desc()],
        placeholder=_l("Type the field of action, a case reference or a word …"),
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
    #: The need picker offers the needs of the case chosen above it (see welcome.js).
    form_widget_args = {"need": {"data-scope": "case"}}

    def get_query(self) -> Any:
        return super().get_query().options(
            joinedload(Referral.need).joinedload(Need.field_of_action)
        )

    def locked_fields(self, model: Referral) -> tuple[str, ...]:
        return ("case", "need", "partner", "channel") if model.handed_over_at else ()

    def locked_reason(self, model: Referral) -> str:
        return _("Handed over on %(day)s: case, need, partner and channel stay as they were "
                 "passed on.", day=format_day(model.handed_over_at))


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
        "purpose": {"default": ConsentPurpose.SHARE_WITH_PARTNERS},
    }

    def create_form(self, obj: Any = None) -> Any:
        """A new consent for a known person starts with the form in that person's language, as
        the printed form comes (how it was given stays for the coordinator to say)."""
        form = super().create_form(obj)
        person = form.person.data
        if request.method == "GET" and isinstance(person, Person) and not form.form_language.data:
            code = person.preferred_language.code if person.preferred_language else None
            form.form_language.data = consent_forms.document_language(db.session, code)
        return form

    def locked_fields(self, model: Consent) -> tuple[str, ...]:
        return consents.SCOPE_FORM_FIELDS

    def locked_reason(self, model: Consent) -> str:
        return _("What the person agreed to stays as it was recorded. For another scope, "
                 "record a new consent.")

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

