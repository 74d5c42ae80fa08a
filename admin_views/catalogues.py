"""Catalogue screens: the lists staff choose from, maintained without a release."""

from typing import Any

from flask_babel import lazy_gettext as _l

from admin_views.base import WelcomeModelView, enum_filter
from welcome.auth.roles import CATALOGUE_EDITORS
from welcome.extensions import db
from welcome.models import Reason, ReasonKind, Role
from welcome.services import catalogues

LABELS = {
    "code": _l("Code"),
    "label_de": _l("Label (German)"),
    "label_en": _l("Label (English)"),
    "active": _l("Active"),
    "sort_order": _l("Order"),
    "topics_de": _l("Everyday topics (German, one per line)"),
    "topics_en": _l("Everyday topics (English, one per line)"),
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
    form_columns = ("code", "label_de", "label_en", "topics_de", "topics_en", "active",
                    "sort_order")


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
