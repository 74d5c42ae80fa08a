"""The network: partners and the resources printed into welcome folders."""

from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from admin_views.base import WelcomeModelView, catalogue_query
from admin_views.filters import ExistsFilter, IdEqualFilter, catalogue_options
from welcome.auth.roles import CASEWORK
from welcome.extensions import db
from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import (
    FieldOfAction,
    Language,
    Partner,
    PartnerType,
    Resource,
    ResourceTranslation,
)
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


def _document_languages() -> list[Language]:
    """Languages a resource can be translated into: those the folder is printed in."""
    return list(db.session.scalars(
        select(Language).where(Language.code.in_(DOCUMENT_LANGUAGES), Language.code != "de")
        .order_by(Language.sort_order, Language.id)))


def _translated_into(view: Any, context: Any, model: Any, name: str) -> str:
    return ", ".join(translation.language.label for translation in model.translations)


class ResourceView(WelcomeModelView):
    """One entry per resource: the German title and text, with translations below them."""

    roles = CASEWORK
    rules = staticmethod(resources.check_resource)

    column_list = ("title", "field_of_action", "translations", "url", "active")
    column_details_list = ("title", "text", "url", "field_of_action", "translations", "active",
                           "sort_order", "created_at", "updated_at")
    column_export_list = ("title", "field_of_action", "url", "active")
    column_labels = {
        "title": _l("Title (German)"),
        "text": _l("Text (German)"),
        "field_of_action": _l("Field of action"),
        "translations": _l("Translated into"),
        "url": _l("Link"),
        "active": _l("Active"),
        "sort_order": _l("Order"),
    }
    column_sortable_list = ("title", ("field_of_action", "field_of_action.sort_order"),
                            "active")
    column_default_sort = [("title", False), ("id", False)]
    column_searchable_list = ("title", "url")
    search_hint = _l("Title or link")
    column_select_related_list = (Resource.field_of_action,)
    column_formatters = {"url": _website, "translations": _translated_into}
    column_formatters_detail = {"url": _website, "translations": _translated_into}
    column_formatters_export = {}
    column_filters = (
        IdEqualFilter(Resource.field_of_action_id, _l("Field of action"),
                      options=catalogue_options(FieldOfAction)),
        ExistsFilter(
            Resource.id, _l("Translated into"), options=catalogue_options(Language),
            criteria=lambda value: select(ResourceTranslation.id).where(
                ResourceTranslation.resource_id == Resource.id,
                ResourceTranslation.language_id == value,
            ),
        ),
        "active",
    )
    form_columns = ("title", "text", "url", "field_of_action", "active", "sort_order",
                    "translations")
    form_args = {
        "title": {"description": _l("The title in German; the folder prints it beside the "
                                    "person's language.")},
        "field_of_action": {"query_factory": catalogue_query(FieldOfAction),
                            "description": _l("Empty: printed in every folder.")},
        "url": {"description": _l("A public web address beginning with https://"),
                "validators": [web_address()]},
    }
    inline_models = [
        (ResourceTranslation, {
            "form_label": _l("Translation"),
            "form_columns": ("id", "language", "title", "text", "url"),
            "form_args": {
                "language": {"query_factory": _document_languages},
                "url": {"validators": [web_address()],
                        "description": _l("Only when the site has a page in this language.")},
            },
            "column_labels": {"language": _l("Language"), "title": _l("Title"),
                              "text": _l("Text"), "url": _l("Link in this language")},
        }),
    ]
    one_options = (selectinload(Resource.translations)
                   .joinedload(ResourceTranslation.language),)

    def get_query(self) -> Any:
        return super().get_query().options(
            selectinload(Resource.translations).joinedload(ResourceTranslation.language))
