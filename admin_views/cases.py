"""Casework screens: cases, persons, needs and consultations."""

from datetime import date
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import DateBetweenFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload, undefer
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

from admin_views.ajax import SearchLoader
from admin_views.base import ActiveChoices, WelcomeModelView, catalogue_query, enum_filter
from admin_views.consent_pages import PersonConsentPages
from admin_views.filters import ExistsFilter, IdEqualFilter, catalogue_options, choice_options
from welcome.extensions import db
from welcome.i18n import country_choices, country_name
from welcome.models import (
    Case,
    CaseMember,
    CaseSource,
    CaseStatus,
    Consent,
    Consultation,
    ConsultationKind,
    ContactChannel,
    FieldOfAction,
    FieldTopic,
    Interview,
    Language,
    Need,
    NeedStatus,
    Partner,
    Person,
    Priority,
    Reason,
    ReasonKind,
    Referral,
    ResidencePurpose,
    Role,
    User,
    WithdrawalMethod,
)
from welcome.services import (
    cases,
    consents,
    consultations,
    interviews,
    matching,
    needs,
    persons,
)
from welcome.services.errors import DomainError
from welcome.validation import PhoneNumber, email_address

NOTES_WARNING = _l(
    "Do not record health, religion, ethnicity or other special categories of personal data."
)


def person_loader(name: str) -> SearchLoader:
    return SearchLoader(
        name, Person,
        fields=[Person.family_name, Person.given_name, Person.email],
        order_by=[Person.family_name, Person.given_name, Person.id],
        placeholder=_l("Type a name …"),
    )


def case_loader(name: str) -> SearchLoader:
    """Cases by reference or by the main person's name, shown with that name."""
    return SearchLoader(
        name, Case,
        fields=[Case.reference],
        related={Case.main_person: [Person.family_name, Person.given_name]},
        load=(joinedload(Case.main_person),),
        label=lambda case: f"{case.reference} · {case.main_person}",
        order_by=[Case.opened_on.desc(), Case.id.desc()],
        placeholder=_l("Type a case reference or a name …"),
    )


def reasons(kind: ReasonKind) -> ActiveChoices:
    """The active reasons of one kind (closing a case, an unmet need …)."""
    return ActiveChoices(Reason, Reason.kind == kind)


class TopicChoices(ActiveChoices):
    """Active everyday topics grouped by their field, with the field loaded for the label; an
    edit form also offers the topics the need already holds (see ``ActiveChoices``)."""

    def __init__(self) -> None:
        super().__init__(FieldTopic, order_by=(FieldOfAction.sort_order, FieldTopic.sort_order,
                                               FieldTopic.id))

    def statement(self, shown: Any) -> Any:
        return (select(FieldTopic).join(FieldTopic.field_of_action).where(shown)
                .order_by(*self.order_by).options(contains_eager(FieldTopic.field_of_action)))


topic_choices = TopicChoices()


#: Users a case can be assigned to: active coordinators and assistants.
staff_members = ActiveChoices(User, User.role.in_([Role.COORDINATOR, Role.ASSISTANT]),
                              order_by=(User.display_name, User.id))


def staff_options() -> Any:
    return choice_options(
        lambda: select(User).where(User.role.in_([Role.COORDINATOR, Role.ASSISTANT]))
        .order_by(User.display_name),
        str,
    )


def _country(view: Any, context: Any, model: Any, name: str) -> str:
    return country_name(getattr(model, name))


def _link(endpoint: str, record: Any, text: Any = None) -> Markup:
    """A link to the record's page; the address is built once per request and endpoint, as
    a list links every row."""
    if record is None:
        return Markup("")
    pages = g.setdefault("detail_pages", {})
    if endpoint not in pages:
        pages[endpoint] = url_for(endpoint)
    return Markup('<a href="{}?id={}">{}</a>').format(
        pages[endpoint], record.id, text if text is not None else str(record)
    )


def _case_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    return _link("case.details_view", model.case, model.case.reference if model.case else "")


def _main_person_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    return _link("person.details_view", model.main_person)


def _reference_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    return _link("case.details_view", model, model.reference)


def _person_name_link(view: Any, context: Any, model: Any, name: str) -> Markup:
    return _link("person.details_view", model, getattr(model, name))


class CaseView(WelcomeModelView):
    audit_reads = True
    rules = staticmethod(cases.check_case)
    details_template = "admin/case_details.html"

    column_list = ("reference", "main_person", "status", "responsible", "opened_on",
                   "open_needs_count", "follow_up_on")
    column_details_list = ("reference", "status", "source", "main_person", "responsible",
                           "opened_on", "follow_up_on", "closed_on", "closure_reason", "notes",
                           "created_at", "updated_at")
    column_export_list = ("reference", "status", "source", "opened_on", "closed_on",
                          "follow_up_on", "open_needs_count")
    column_labels = {
        "reference": _l("Reference"),
        "main_person": _l("Main person"),
        "status": _l("Status"),
        "source": _l("Came through"),
        "responsible": _l("Responsible"),
        "opened_on": _l("Opened on"),
        "closed_on": _l("Closed on"),
        "closure_reason": _l("Reason for closing"),
        "follow_up_on": _l("Follow-up on"),
        "open_needs_count": _l("Open needs"),
        "members": _l("Household members"),
        "notes": _l("Notes"),
        "created_at": _l("Created"),
        "updated_at": _l("Last changed"),
    }
    column_sortable_list = (
        "reference",
        ("main_person", "main_person.family_name"),
        "status",
        ("responsible", "responsible.display_name"),
        "opened_on",
        "follow_up_on",
    )
    column_default_sort = [("opened_on", True), ("id", True)]
    column_searchable_list = ("reference", "main_person.family_name", "main_person.given_name")
    search_hint = _l("Reference or name")
    column_select_related_list = (Case.main_person, Case.responsible)
    column_formatters = {
        "reference": _reference_link,
        "main_person": _main_person_link,
    }
    column_formatters_export = {}
    column_filters = (
        enum_filter(Case.status, _l("Status"), CaseStatus),
        enum_filter(Case.source, _l("Came through"), CaseSource),
        DateBetweenFilter(Case.opened_on, _l("Opened on")),
        DateBetweenFilter(Case.follow_up_on, _l("Follow-up on")),
        IdEqualFilter(Case.responsible_id, _l("Responsible"), options=staff_options()),
        ExistsFilter(
            Case.id, _l("Field of action"), options=catalogue_options(FieldOfAction),
            criteria=lambda value: select(Need.id).where(
                Need.case_id == Case.id, Need.field_of_action_id == value
            ),
        ),
        ExistsFilter(
            Case.id, _l("Residence purpose"), options=catalogue_options(ResidencePurpose),
            criteria=lambda value: select(Person.id).where(
                Person.id == Case.main_person_id, Person.residence_purpose_id == value
            ),
        ),
        ExistsFilter(
            Case.id, _l("Partner"),
            options=choice_options(lambda: select(Partner).order_by(Partner.name, Partner.id),
                                   str),
            criteria=lambda value: select(Referral.id).where(
                Referral.case_id == Case.id, Referral.partner_id == value
            ),
        ),
    )
    form_columns = ("main_person", "source", "status", "opened_on", "responsible",
                    "follow_up_on", "closed_on", "closure_reason", "notes", "members")
    form_ajax_refs = {"main_person": person_loader("main_person")}
    form_args = {
        "closure_reason": {"query_factory": reasons(ReasonKind.CASE_CLOSED)},
        "responsible": {"query_factory": staff_members},
        "notes": {"description": NOTES_WARNING},
    }
    inline_models = [
        (CaseMember, {
            "form_columns": ("id", "person", "relation"),
            "form_ajax_refs": {"person": person_loader("person")},
            "column_labels": {"person": _l("Person"), "relation": _l("Relation")},
        }),
    ]

    def get_query(self) -> Any:
        return super().get_query().options(undefer(Case.open_needs_count))

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template:
            kwargs["today"] = date.today()
            kwargs["open_interview"] = db.session.scalar(select(Interview).where(
                Interview.case_id == kwargs["model"].id, Interview.finished_at.is_(None)))
        return super().render(template, **kwargs)

    one_options = (
        selectinload(Case.members).joinedload(CaseMember.person),
        selectinload(Case.needs).joinedload(Need.field_of_action),
        selectinload(Case.needs).joinedload(Need.person),
        selectinload(Case.needs).selectinload(Need.topics),
        selectinload(Case.referrals).joinedload(Referral.partner),
        selectinload(Case.referrals).joinedload(Referral.need).joinedload(Need.field_of_action),
        selectinload(Case.consultations).joinedload(Consultation.staff),
        selectinload(Case.intakes),
    )


class PersonView(PersonConsentPages, WelcomeModelView):
    audit_reads = True
    rules = staticmethod(persons.check_person)
    details_template = "admin/person_details.html"

    column_list = ("family_name", "given_name", "date_of_birth", "nationality",
                   "preferred_language", "district", "arrival_date", "residence_purpose")
    column_details_list = ("given_name", "family_name", "date_of_birth", "sex", "nationality",
                           "preferred_language", "languages", "phone", "email", "street",
                           "postcode", "city", "district", "arrival_date", "residence_purpose",
                           "employer", "notes", "created_at", "updated_at")
    column_export_list = ("family_name", "given_name", "date_of_birth", "nationality",
                          "district", "arrival_date")
    column_labels = {
        "given_name": _l("Given name"),
        "family_name": _l("Family name"),
        "date_of_birth": _l("Date of birth"),
        "sex": _l("Sex"),
        "nationality": _l("Nationality"),
        "preferred_language": _l("Preferred language"),
        "languages": _l("Languages spoken"),
        "phone": _l("Phone"),
        "email": _l("E-mail"),
        "street": _l("Street and number"),
        "postcode": _l("Postcode"),
        "city": _l("City"),
        "district": _l("District"),
        "arrival_date": _l("Arrived on"),
        "residence_purpose": _l("Residence purpose"),
        "employer": _l("Employer"),
        "notes": _l("Notes"),
        "created_at": _l("Created"),
        "updated_at": _l("Last changed"),
    }
    column_sortable_list = ("family_name", "given_name", "date_of_birth", "nationality",
                            "district", "arrival_date")
    column_default_sort = [("family_name", False), ("given_name", False), ("id", False)]
    column_searchable_list = ("family_name", "given_name", "email", "phone")
    search_hint = _l("Name, e-mail or phone")
    column_select_related_list = (Person.preferred_language, Person.residence_purpose)
    column_formatters = {
        "nationality": _country,
        "family_name": _person_name_link,
    }
    column_formatters_detail = {"nationality": _country}
    column_formatters_export = {"nationality": _country}
    column_filters = (
        IdEqualFilter(Person.residence_purpose_id, _l("Residence purpose"),
                      options=catalogue_options(ResidencePurpose)),
        IdEqualFilter(Person.preferred_language_id, _l("Preferred language"),
                      options=catalogue_options(Language)),
        DateBetweenFilter(Person.arrival_date, _l("Arrived on")),
        "district",
        "nationality",
    )
    form_columns = ("given_name", "family_name", "date_of_birth", "sex", "nationality",
                    "preferred_language", "languages", "phone", "email", "street", "postcode",
                    "city", "district", "arrival_date", "residence_purpose", "employer", "notes")
    form_overrides = {"nationality": SelectField}
    form_args = {
        "nationality": {
            "choices": lambda: [SelectChoice("", "—"),
                                *(SelectChoice(code, name) for code, name in country_choices())],
            "coerce": lambda value: value or None,
        },
        "preferred_language": {"query_factory": catalogue_query(Language)},
        "languages": {"query_factory": catalogue_query(Language)},
        "residence_purpose": {"query_factory": catalogue_query(ResidencePurpose)},
        "notes": {"description": NOTES_WARNING},
        "phone": {"validators": [PhoneNumber()]},
        "email": {"validators": [email_address()]},
    }

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template:
            person = kwargs["model"]
            kwargs["person_cases"] = db.session.scalars(
                select(Case).where(Case.id.in_(
                    select(Case.id).where(Case.main_person_id == person.id).union(
                        select(CaseMember.case_id).where(CaseMember.person_id == person.id))
                )).order_by(Case.opened_on.desc(), Case.id.desc())
            ).all()
            kwargs["today"] = date.today()
            kwargs["withdrawal_methods"] = list(WithdrawalMethod)
            kwargs["person_consents"] = [
                (consent, consents.state_of(consent))
                for consent in db.session.scalars(
                    select(Consent).where(Consent.person_id == person.id)
                    .order_by(Consent.given_on.desc(), Consent.id.desc())
                )
            ]
        return super().render(template, **kwargs)


class NeedView(WelcomeModelView):
    rules = staticmethod(needs.check_need)
    prefill_args = {"case_id": ("case", Case)}
    details_template = "admin/need_details.html"

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template:
            need = kwargs["model"]
            open_need = need.status in NeedStatus.open_statuses()
            kwargs["suggestions"] = (matching.suggest_partners(db.session, need)
                                     if open_need else None)
            kwargs["referred"] = {r.partner_id: r for r in need.case.referrals
                                  if r.need_id == need.id}
        return super().render(template, **kwargs)

    @expose("/refer/", methods=("POST",))
    def refer_view(self) -> Any:
        """Plan a referral to one of the suggested partners, then hand it over."""
        need = self.get_one(request.args.get("id"))
        partner_id = request.form.get("partner", "")
        partner = db.session.get(Partner, int(partner_id)) if partner_id.isdecimal() \
            and int(partner_id) < 2**31 else None
        if partner is None:
            abort(404)
        try:
            planned = interviews.refer_to(db.session, need, [partner])
        except DomainError as error:
            db.session.rollback()
            abort(error.status_code, error.message)
        db.session.commit()
        if not planned:
            flash(_("A referral to %(partner)s is already planned.", partner=partner.name), "info")
            return redirect(url_for(".details_view", id=need.id))
        return redirect(url_for("referral.handover_view", id=planned[0].id))

    column_list = ("case", "field_of_action", "person", "priority", "status", "identified_on",
                   "resolved_on")
    column_details_list = ("case", "field_of_action", "person", "topics", "description",
                           "priority", "status", "unmet_reason", "identified_on", "resolved_on",
                           "notes", "created_at", "updated_at")
    column_export_list = ("field_of_action", "priority", "status", "unmet_reason",
                          "identified_on", "resolved_on")
    column_labels = {
        "case": _l("Case"),
        "person": _l("For whom"),
        "field_of_action": _l("Field of action"),
        "description": _l("Description"),
        "topics": _l("Everyday topics"),
        "priority": _l("Priority"),
        "status": _l("Status"),
        "unmet_reason": _l("Why unmet"),
        "identified_on": _l("Identified on"),
        "resolved_on": _l("Resolved on"),
        "notes": _l("Notes"),
    }
    column_sortable_list = (("case", "case.reference"),
                            ("field_of_action", "field_of_action.sort_order"),
                            "priority", "status", "identified_on", "resolved_on")
    column_default_sort = [("identified_on", True), ("id", True)]
    column_searchable_list = ("case.reference", "description")
    search_hint = _l("Case reference or description")
    column_select_related_list = (Need.case, Need.field_of_action, Need.person)
    column_formatters = {"case": _case_link}
    column_formatters_export = {}
    column_filters = (
        enum_filter(Need.status, _l("Status"), NeedStatus),
        enum_filter(Need.priority, _l("Priority"), Priority),
        IdEqualFilter(Need.field_of_action_id, _l("Field of action"),
                      options=catalogue_options(FieldOfAction)),
        IdEqualFilter(Need.unmet_reason_id, _l("Why unmet"),
                      options=catalogue_options(Reason)),
        DateBetweenFilter(Need.identified_on, _l("Identified on")),
    )
    form_columns = ("case", "field_of_action", "topics", "person", "description", "priority",
                    "status", "unmet_reason", "identified_on", "notes")
    form_ajax_refs = {"case": case_loader("case"), "person": person_loader("person")}
    form_args = {
        "field_of_action": {"query_factory": catalogue_query(FieldOfAction)},
        "topics": {"query_factory": topic_choices,
                   "description": _l("Only topics of the need's field of action.")},
        "unmet_reason": {"query_factory": reasons(ReasonKind.NEED_UNMET)},
        "description": {"description": _l("Printed in the person's welcome folder; "
                                          "remarks for staff only go into the notes.")},
        "notes": {"description": NOTES_WARNING},
    }


class ConsultationView(WelcomeModelView):
    rules = staticmethod(consultations.check_consultation)
    prefill_args = {"case_id": ("case", Case)}
    column_list = ("case", "held_on", "kind", "channel", "language", "interpreter_used",
                   "staff", "follow_up_on")
    column_details_list = ("case", "held_on", "kind", "duration_minutes", "channel",
                           "language", "interpreter_used", "staff", "summary", "follow_up_on",
                           "created_at", "updated_at")
    column_export_list = ("held_on", "kind", "duration_minutes", "channel", "language",
                          "interpreter_used")
    column_labels = {
        "case": _l("Case"),
        "held_on": _l("Date"),
        "kind": _l("Kind"),
        "duration_minutes": _l("Duration (minutes)"),
        "channel": _l("Channel"),
        "language": _l("Language used"),
        "interpreter_used": _l("Interpreter"),
        "staff": _l("Staff member"),
        "summary": _l("Summary"),
        "follow_up_on": _l("Follow-up on"),
    }
    column_sortable_list = (("case", "case.reference"), "held_on", "kind", "channel",
                            "follow_up_on")
    column_default_sort = [("held_on", True), ("id", True)]
    column_searchable_list = ("case.reference",)
    search_hint = _l("Case reference")
    column_select_related_list = (Consultation.case, Consultation.language, Consultation.staff)
    column_formatters = {"case": _case_link}
    column_formatters_export = {}
    column_filters = (
        enum_filter(Consultation.kind, _l("Kind"), ConsultationKind),
        enum_filter(Consultation.channel, _l("Channel"), ContactChannel),
        DateBetweenFilter(Consultation.held_on, _l("Date")),
        IdEqualFilter(Consultation.staff_id, _l("Staff member"), options=staff_options()),
    )
    form_columns = ("case", "held_on", "kind", "duration_minutes", "channel", "language",
                    "interpreter_used", "staff", "summary", "follow_up_on")
    form_ajax_refs = {"case": case_loader("case")}
    form_args = {
        "language": {"query_factory": catalogue_query(Language)},
        "staff": {"query_factory": staff_members},
        "summary": {"description": NOTES_WARNING},
        "duration_minutes": {"validators": [NumberRange(min=1, max=600)]},
    }
