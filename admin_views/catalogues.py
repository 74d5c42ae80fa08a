"""Catalogue screens: the lists staff choose from, maintained without a release."""

from typing import Any

from flask_babel import lazy_gettext as _l

from admin_views.base import WelcomeModelView, catalogue_query, enum_filter
from admin_views.filters import IdEqualFilter, catalogue_options
from welcome.auth.roles import CATALOGUE_EDITORS
from welcome.extensions import db
from welcome.models import FieldOfAction, FieldTopic, Reason, ReasonKind, Role
from welcome.services import catalogues

LABELS = {
    "code": _l("Code"),
    "label_de": _l("Label (German)"),
    "label_en": _l("Label (English)"),
    "active": _l("Active"),
    "sort_order": _l("Order"),
    "field_of_action": _l("Field of action"),
    "legal_basis": _l("Legal basis"),
    "right_to_left": _l("Written right to left"),
    "documents_reviewed": _l("Document translation reviewed"),
    "kind": _l("Used for"),
    "created_at": _l("Created"),
    "updated_at": _l("Last changed"),
}


class CatalogueView(WelcomeModelView):
    """Shared set-up of every catalogue: code, two labels, active flag and order."""

    roles = CATALOGUE_EDITORS
    delete_roles = frozenset({Role.COORDINATOR, Role.IT_ADMIN})
    export_roles = frozenset({Role.COORDINATOR, Role.IT_ADMIN})
    column_list = ("label_de", "label_en", "code", "active", "sort_order")
    column_labels = LABELS
    column_sortable_list = ("label_de", "label_en", "code", "active", "sort_order")
    column_default_sort = [("sort_order", False), ("id", False)]
    column_searchable_list = ("label_de", "label_en", "code")
    search_hint = _l("Label or code")
    column_filters = ("active",)
    form_columns = ("code", "label_de", "label_en", "active", "sort_order")
    form_args = {"code": {"description": _l("A short stable key without spaces, e.g. housing.")}}
    page_size = 50

    def on_model_delete(self, model: Any) -> None:
        catalogues.check_deletable(db.session, model)


class FieldOfActionView(CatalogueView):
    pass


class FieldTopicView(CatalogueView):
    """The everyday topics the interview offers under each field of action."""

    column_list = ("field_of_action", "label_de", "label_en", "code", "active", "sort_order")
    column_sortable_list = (("field_of_action", "field_of_action.sort_order"), "label_de",
                            "label_en", "code", "active", "sort_order")
    column_default_sort = [("field_of_action_id", False), ("sort_order", False), ("id", False)]
    column_select_related_list = (FieldTopic.field_of_action,)
    column_filters = (IdEqualFilter(FieldTopic.field_of_action_id, _l("Field of action"),
                                    options=catalogue_options(FieldOfAction)), "active")
    form_columns = ("field_of_action", "code", "label_de", "label_en", "active", "sort_order")
    form_args = {
        "field_of_action": {"query_factory": catalogue_query(FieldOfAction)},
        "code": {"description": _l("A short stable key without spaces, e.g. housing.deposit.")},
    }


class ResidencePurposeView(CatalogueView):
    column_list = ("label_de", "label_en", "legal_basis", "code", "active", "sort_order")
    form_columns = ("code", "label_de", "label_en", "legal_basis", "active", "sort_order")


class PartnerTypeView(CatalogueView):
    pass


class LanguageView(CatalogueView):
    column_list = ("label_de", "label_en", "code", "right_to_left", "documents_reviewed",
                   "active", "sort_order")
    form_columns = ("code", "label_de", "label_en", "right_to_left", "documents_reviewed",
                    "active", "sort_order")
    form_args = {"code": {"description": _l("The ISO 639 code, e.g. de, uk or ar.")}}


class ReasonView(CatalogueView):
    column_list = ("kind", "label_de", "label_en", "code", "active", "sort_order")
    column_default_sort = [("kind", False), ("sort_order", False), ("id", False)]
    column_filters = (enum_filter(Reason.kind, _l("Used for"), ReasonKind), "active")
    form_columns = ("kind", "code", "label_de", "label_en", "active", "sort_order")
