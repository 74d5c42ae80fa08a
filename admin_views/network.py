"""The network: partners and the resources printed into welcome folders."""

from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from admin_views.base import WelcomeModelView, catalogue_query
from admin_views.filters import ExistsFilter, IdEqualFilter, catalogue_options
from welcome.auth.roles import CASEWORK
from welcome.models import FieldOfAction, Language, Partner, PartnerType, Resource
from welcome.models.partner import partner_fields, partner_languages
from welcome.services import resources
from welcome.validation import PhoneNumber, email_address, is_web_address, web_address


def _website(view: Any, context: Any, model: Any, name: str) -> Markup:
    url = getattr(model, name)
    if not is_web_address(url):
        return Markup("{}").format(url or "")
    return Markup('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>').format(url)


class PartnerView(WelcomeModelView):
    roles = CASEWORK

    column_list = ("name", "partner_type", "district", "phone", "email", "active",
                   "accepts_email_handover")
    column_details_list = ("name", "partner_type", "fields_of_action", "languages",
                           "contact_person", "street", "postcode", "city", "district", "phone",
                           "email", "website", "appointment_url", "opening_hours",
                           "working_language", "accepts_email_handover", "active", "notes",
                           "created_at", "updated_at")
    column_export_list = ("name", "partner_type", "district", "phone", "email", "website",
                          "active")
    column_labels = {
        "name": _l("Name"),
        "partner_type": _l("Type"),
        "fields_of_action": _l("Fields of action served"),
        "languages": _l("Languages offered"),
        "contact_person": _l("Contact person"),
        "street": _l("Street and number"),
        "postcode": _l("Postcode"),
        "city": _l("City"),
        "district": _l("District"),
        "phone": _l("Phone"),
        "email": _l("E-mail"),
        "website": _l("Website"),
        "appointment_url": _l("Online appointments"),
        "opening_hours": _l("Opening hours"),
        "working_language": _l("Language for handover texts"),
        "accepts_email_handover": _l("Accepts handover by e-mail"),
        "active": _l("Active"),
        "notes": _l("Notes"),
    }
    column_sortable_list = ("name", ("partner_type", "partner_type.sort_order"), "district",
                            "active")
    column_default_sort = [("name", False), ("id", False)]
    column_searchable_list = ("name", "contact_person", "district")
    search_hint = _l("Name, contact person or district")
    column_select_related_list = (Partner.partner_type,)
    column_formatters = {"website": _website, "appointment_url": _website}
    column_formatters_export = {}
    column_filters = (
        IdEqualFilter(Partner.partner_type_id, _l("Type"), options=catalogue_options(PartnerType)),
        ExistsFilter(
            Partner.id, _l("Field of action"), options=catalogue_options(FieldOfAction),
            criteria=lambda value: select(partner_fields.c.partner_id).where(
                partner_fields.c.partner_id == Partner.id,
                partner_fields.c.field_of_action_id == value,
            ),
        ),
        ExistsFilter(
            Partner.id, _l("Language offered"), options=catalogue_options(Language),
            criteria=lambda value: select(partner_languages.c.partner_id).where(
                partner_languages.c.partner_id == Partner.id,
                partner_languages.c.language_id == value,
            ),
        ),
        "district",
        "active",
        "accepts_email_handover",
    )
    form_columns = ("name", "partner_type", "fields_of_action", "languages", "contact_person",
                    "street", "postcode", "city", "district", "phone", "email", "website",
                    "appointment_url", "opening_hours", "working_language",
                    "accepts_email_handover", "active", "notes")
    form_args = {
        "partner_type": {"query_factory": catalogue_query(PartnerType)},
        "fields_of_action": {"query_factory": catalogue_query(FieldOfAction)},
        "languages": {"query_factory": catalogue_query(Language)},
        "working_language": {"query_factory": catalogue_query(Language)},
        "phone": {"validators": [PhoneNumber()]},
        "email": {"validators": [email_address()]},
        "website": {"validators": [web_address()]},
        "appointment_url": {"validators": [web_address()]},
    }


class ResourceView(WelcomeModelView):
    roles = CASEWORK
    rules = staticmethod(resources.check_resource)

    column_list = ("title", "field_of_action", "language", "url", "active")
    column_details_list = ("title", "field_of_action", "language", "url", "text", "active",
                           "sort_order", "created_at", "updated_at")
    column_labels = {
        "title": _l("Title"),
        "field_of_action": _l("Field of action"),
        "language": _l("Language"),
        "url": _l("Link"),
        "text": _l("Text"),
        "active": _l("Active"),
        "sort_order": _l("Order"),
    }
    column_sortable_list = ("title", ("field_of_action", "field_of_action.sort_order"),
                            ("language", "language.sort_order"), "active")
    column_default_sort = [("title", False), ("id", False)]
    column_searchable_list = ("title", "url")
    search_hint = _l("Title or link")
    column_select_related_list = (Resource.field_of_action, Resource.language)
    column_formatters = {"url": _website}
    column_formatters_export = {}
    column_filters = (
        IdEqualFilter(Resource.field_of_action_id, _l("Field of action"),
                      options=catalogue_options(FieldOfAction)),
        IdEqualFilter(Resource.language_id, _l("Language"), options=catalogue_options(Language)),
        "active",
    )
    form_columns = ("title", "field_of_action", "language", "url", "text", "active",
                    "sort_order")
    form_args = {
        "field_of_action": {"query_factory": catalogue_query(FieldOfAction)},
        "language": {"query_factory": catalogue_query(Language)},
        "url": {"description": _l("A public web address beginning with https://"),
                "validators": [web_address()]},
    }
