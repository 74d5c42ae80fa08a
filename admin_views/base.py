"""The base every admin screen derives from: access by role, safe input, audit, localisation.

Flask-Admin's defaults are friendly to demos and unkind to a municipal office: an unknown id
redirects with a flash, a database error is flashed with its internals, a stale form silently
overwrites a colleague's work. This base closes those gaps once for every view.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.babel import gettext as admin_gettext
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model import typefmt
from flask_admin.model.form import converts
from flask_admin.model.template import DeleteRowAction, EditRowAction, ViewRowAction
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import RelationshipDirection, RelationshipProperty, joinedload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import validators
from wtforms.fields import DateField
from wtforms.widgets import DateInput

from admin_views.fields import (
    EnumSelectField,
    StrictAjaxSelectField,
    StrictAjaxSelectMultipleField,
    StrictQuerySelectField,
    StrictQuerySelectMultipleField,
    VersionField,
)
from admin_views.search import search_criterion, words
from welcome.auth.redirects import current_path
from welcome.auth.roles import CASEWORK, FULL_RIGHTS, has_role
from welcome.extensions import db
from welcome.i18n import format_day, format_moment
from welcome.models import AuditAction, LabelledEnum, Role
from welcome.services import audit, evidence
from welcome.services.errors import DomainError, StaleEditError
from welcome.services.versioning import check_version, stale_message

#: Largest page number a list accepts; deeper pages are reached by narrowing the search.
MAX_PAGE = 500
#: Largest export a coordinator can download at once.
EXPORT_MAX_ROWS = 10_000
#: Bounds of a 32-bit integer column, so no number field can overflow the database.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
#: Characters that make spreadsheet programs read a CSV cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class WelcomeModelConverter(AdminModelConverter):
    """Form scaffolding with translated enum labels and integers that fit their column."""

    @converts("Integer")
    def handle_integer_types(self, column: Any, field_args: dict[str, Any], **extra: Any) -> Any:
        field_args["validators"].append(validators.NumberRange(min=INT_MIN, max=INT_MAX))
        return super().handle_integer_types(column=column, field_args=field_args, **extra)

    @converts("Date")
    def convert_date(self, field_args: dict[str, Any], **extra: Any) -> Any:
        """The browser's own date input: localised display, keyboard entry, ISO on the wire."""
        field_args.setdefault("widget", DateInput())
        return DateField(**field_args)

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column: Any, field_args: dict[str, Any], **extra: Any) -> Any:
        """A required choice without a default starts blank, so nothing is recorded unseen."""
        self._nullable_common(column, field_args)
        field_args.pop("allow_blank", None)
        return EnumSelectField(enum_class=column.type.enum_class,
                               allow_blank=column.nullable or column.default is None,
                               **field_args)

    def _model_select_field(self, prop: Any, multiple: Any, remote_model: Any,
                            **kwargs: Any) -> Any:
        """Pickers that refuse ids matching no offered entry, single or multiple; a required
        select starts blank instead of on its first entry."""
        loader = getattr(self.view, "_form_ajax_refs", {}).get(prop.key)
        if multiple:
            if loader:
                return StrictAjaxSelectMultipleField(loader, **kwargs)
            kwargs.setdefault("query_factory", lambda: db.session.query(remote_model))
            return StrictQuerySelectMultipleField(**kwargs)
        if loader:
            return StrictAjaxSelectField(loader, **kwargs)
        if not kwargs.get("allow_blank"):
            kwargs["allow_blank"] = True
            kwargs["validators"] = [
                validators.DataRequired() if isinstance(v, validators.InputRequired) else v
                for v in kwargs.get("validators", [])
            ]
        kwargs.setdefault("blank_text", "—")
        kwargs.setdefault("query_factory", lambda: db.session.query(remote_model))
        return StrictQuerySelectField(**kwargs)


def _enum_label(view: Any, value: LabelledEnum, name: str) -> str:
    return value.label


def _date(view: Any, value: date, name: str) -> str:
    return format_day(value)


def _moment(view: Any, value: datetime, name: str) -> str:
    return format_moment(value)


def _yes_no(view: Any, value: bool, name: str) -> str:
    return str(_("yes") if value else _("no"))


def _yes_no_icon(view: Any, value: bool, name: str) -> Markup:
    text = _("yes") if value else _("no")
    icon = "fa-check-circle text-success" if value else "fa-minus-circle text-muted"
    return Markup('<span class="fa {}" aria-hidden="true"></span><span class="sr-only">{}</span>'
                  ).format(icon, text)


def _escape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


#: Order matters: the first matching type wins, and datetime is a kind of date.
LIST_FORMATTERS = {
    type(None): typefmt.empty_formatter,
    LabelledEnum: _enum_label,
    bool: _yes_no_icon,
    datetime: _moment,
    date: _date,
    list: typefmt.list_formatter,
}
EXPORT_FORMATTERS = {**LIST_FORMATTERS, bool: _yes_no}


#: Flask-Admin's own row buttons, which the list template draws from ``_row_links``.
ROW_ACTION_KINDS = {ViewRowAction: "view", EditRowAction: "edit", DeleteRowAction: "delete"}
#: Stands in for the row's id while a row link is built once for the whole page.
ROW_ID = "ROWID"


class EnumEqualFilter(FilterEqual):
    """Equality on an enum column; values outside the enumeration are refused, not queried."""

    def __init__(self, column: Any, name: Any, enum_class: type[LabelledEnum]) -> None:
        super().__init__(column, name, options=lambda: [(m.value, m.label) for m in enum_class])
        self.enum_class = enum_class

    def validate(self, value: Any) -> bool:
        return value in {member.value for member in self.enum_class}


def enum_filter(column: Any, name: Any, enum_class: type[LabelledEnum]) -> FilterEqual:
    """An equality filter whose options are the enum's translated labels."""
    return EnumEqualFilter(column, name, enum_class)


@contextmanager
def field_errors(form: Any) -> Iterator[None]:
    """Show a service's refusal beside the form field it names (and let it propagate)."""
    try:
        yield
    except DomainError as error:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        raise


class WelcomeModelView(ModelView):
    """Shared behaviour of every model screen.

    Subclasses declare who may see and change them (``roles`` …), their columns, and
    ``rules``: the service function that checks a record before it is saved.
    """

    #: Roles that may open the screen; create and edit follow unless narrowed below.
    roles: frozenset[Role] = CASEWORK
    create_roles: frozenset[Role] | None = None
    edit_roles: frozenset[Role] | None = None
    delete_roles: frozenset[Role] = FULL_RIGHTS
    export_roles: frozenset[Role] = FULL_RIGHTS
    #: Record a "view" audit event when somebody opens a record's detail page.
    audit_reads = False
    #: Service check run before every save: raises DomainError naming the field.
    rules: Callable[[Any], None] | None = None
    #: Loader options for a record's detail page, to avoid one query per related row shown;
    #: edit forms and other pages load only what they use.
    one_options: tuple[Any, ...] = ()
    #: URL arguments that prefill a create form, e.g. ``{"case_id": ("case", Case)}``, so
    #: "Add need" on a case page opens a form that already names the case.
    prefill_args: dict[str, tuple[str, type]] = {}

    can_view_details = True
    edit_template = "admin/edit.html"
    list_template = "admin/model/welcome_list.html"
    #: Filters appear in the URL by name (?flt0_status_equals=new), so links can be shared.
    named_filter_urls = True
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    page_size = 20
    export_max_rows = EXPORT_MAX_ROWS
    export_types = ["csv", "xlsx"]
    fast_mass_delete = False
    model_form_converter = WelcomeModelConverter
    form_excluded_columns = ("created_at", "updated_at", "version")
    column_details_exclude_list = ("version",)
    column_type_formatters = LIST_FORMATTERS
    column_type_formatters_detail = LIST_FORMATTERS
    column_type_formatters_export = EXPORT_FORMATTERS
    #: Labels every screen shares; a view's own ``column_labels`` add to them.
    COMMON_LABELS = {
        "created_at": _l("Created"),
        "updated_at": _l("Last changed"),
        "notes": _l("Notes"),
        "active": _l("Active"),
    }

    def __init__(self, model: type, **kwargs: Any) -> None:
        self.column_labels = {**self.COMMON_LABELS, **(self.column_labels or {})}
        super().__init__(model, db, **kwargs)

    # --- access -------------------------------------------------------------------------------

    #: Which permission each page needs beyond access to the screen.
    PAGE_PERMISSIONS = {
        "create_view": "can_create",
        "edit_view": "can_edit",
        "ajax_update": "can_edit",
        "delete_view": "can_delete",
        "export": "can_export",
        "password_view": "can_edit",
        "handover_view": "can_edit",
        "outcome_view": "can_edit",
        "feedback_link_view": "can_edit",
        "revoke_link_view": "can_edit",
        "withdraw_view": "can_edit",
        "refer_view": "can_edit",
    }

    def is_accessible(self) -> bool:
        return has_role(self.roles)

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        """Refuse with 403 what the role may not do, instead of redirecting silently."""
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        if name == "details_view" and not self.can_view_details:
            abort(404)
        permission = self.PAGE_PERMISSIONS.get(name)
        if permission is not None and not getattr(self, permission):
            abort(403)
        return None

    @expose("/action/", methods=("POST",))
    def action_view(self) -> Any:
        action = request.form.get("action", "")
        if action not in self._actions_data:
            abort(400)
        if not self.is_action_allowed(action):
            abort(403)
        ids = request.form.getlist("rowid")
        if not all(row.isdecimal() and int(row) <= INT_MAX for row in ids):
            abort(400)
        return super().action_view()

    @action("delete", admin_lazy_gettext("Delete"),
            admin_lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids: Any) -> None:
        """Flask-Admin's mass delete (record by record, so each is audited) with integer ids,
        which PostgreSQL needs to compare them with the key column."""
        super().action_delete([int(row) for row in ids])

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=current_path()))
        abort(403)

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return has_role(self.create_roles or self.roles)

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return has_role(self.edit_roles or self.roles)

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return has_role(self.delete_roles)

    @property
    def can_export(self) -> bool:  # type: ignore[override]
        return has_role(self.export_roles)

    # --- reading ------------------------------------------------------------------------------

    #: What the search box says it searches, e.g. "Reference or name".
    search_hint: Any = None

    def search_placeholder(self) -> str | None:
        return str(self.search_hint) if self.search_hint else super().search_placeholder()

    def get_one(self, id: Any) -> Any:
        """The record, through ``get_query`` so any row restriction applies; 404 otherwise."""
        try:
            pk = int(id)
        except (TypeError, ValueError):
            abort(404)
        if not INT_MIN <= pk <= INT_MAX:
            abort(404)
        details = request.endpoint == f"{self.endpoint}.details_view"
        options = self.one_options if details else ()
        record = self.get_query().options(*options).filter(self.model.id == pk).first()
        if record is None:
            abort(404)
        return record

    def _get_filter_groups(self) -> Any:
        """Filter options that come from the database are read per request, not at start-up."""
        for group in (self._filter_groups or {}).values():
            for item in group.filters:
                item["options"] = self._filters[item["index"]].get_options(self) or None
        return super()._get_filter_groups()

    def get_list(self, page: int | None, sort_column: Any, sort_desc: bool, search: str | None,
                 filters: Any, execute: bool = True, page_size: int | None = None) -> Any:
        """Flask-Admin's list query, shaped for tables of 200 000 rows (DESIGN §9).

        Rows are counted only up to the last page the pager offers (a full COUNT takes longer
        than the rest of the page), and a page is found by its ids first: the OFFSET walks the
        sort index alone, and only the rows shown are then loaded with their related records.
        Search results are not counted unless they fit on the first page: counting every match
        of a common word costs more than finding a page of them, so the pager offers
        "previous" and "next" instead.
        """
        joins: dict[Any, Any] = {}
        query = self.get_query()
        if self._search_supported and search:
            query, _, joins, _ = self._apply_search(query, None, joins, {}, search)
        if filters and self._filters:
            query, _, joins, _ = self._apply_filters(query, None, joins, {}, filters)
        size = self.page_size if page_size is None else page_size
        searching = bool(self._search_supported and words(search))
        count = None if searching else self._capped_count(query, size)
        query, joins = self._apply_sorting(query, joins, sort_column, sort_desc)
        related = [joinedload(relation) for relation in self._auto_joins]
        if not execute:
            return count, self._apply_pagination(query.options(*related), page, size)
        ids = [row_id for (row_id,) in
               self._apply_pagination(query.with_entities(self.model.id), page, size)]
        if searching and not page and len(ids) < size:
            count = len(ids)
        if not ids:
            return count, []
        rows = {row.id: row for row in
                self.get_query().options(*related).filter(self.model.id.in_(ids))}
        return count, [rows[row_id] for row_id in ids if row_id in rows]

    def _capped_count(self, query: Any, page_size: int | None) -> int:
        """The number of rows, or ``AtLeast(cap)`` when there are more than MAX_PAGE pages."""
        cap = MAX_PAGE * (page_size or self.page_size)
        found = query.session.scalar(
            select(func.count()).select_from(
                query.with_entities(self.model.id).limit(cap + 1).subquery()))
        return AtLeast(cap) if found > cap else found

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any,
                      search: str) -> Any:
        """Every word must occur in one of the searchable columns, each table searched through
        its own indexes (see ``admin_views.search``)."""
        by_path: dict[tuple[Any, ...], list[Any]] = {}
        for column, path in self._search_fields or ():
            by_path.setdefault(tuple(path or ()), []).append(column)
        criterion = search_criterion(self.model, by_path, search)
        if criterion is not None:
            query = query.filter(criterion)
            if count_query is not None:
                count_query = count_query.filter(criterion)
        return query, count_query, joins, count_joins

    def render(self, template: str, **kwargs: Any) -> Any:
        if "list_row_actions" in kwargs:
            kwargs["row_links"] = self._row_links(kwargs["list_row_actions"],
                                                  kwargs.get("return_url"))
        return super().render(template, **kwargs)

    def _row_links(self, actions: list[Any], return_url: str | None) -> dict[str, Any]:
        """What the row buttons of a list need, built once per page: a list of 20 rows
        otherwise spends a third of its time building the same three links again and again."""

        def around_id(endpoint: str) -> list[str]:
            """The address before and after the row's id, as Flask-Admin builds it."""
            return self.get_url(endpoint, id=ROW_ID, url=return_url).split(ROW_ID, 1)

        return {
            "actions": [(ROW_ACTION_KINDS.get(type(action)), action) for action in actions],
            "details": around_id(".details_view"),
            "edit": around_id(".edit_view"),
            "delete": self.get_url(".delete_view"),
            "csrf_token": generate_csrf(),
            "select_title": admin_gettext("Select record"),
            "view_title": admin_gettext("View Record"),
            "edit_title": admin_gettext("Edit Record"),
            "delete_title": admin_gettext("Delete Record"),
            "delete_question": admin_gettext("Are you sure you want to delete this record?"),
        }

    def _order_by(self, query: Any, joins: Any, sort_joins: Any, sort_field: Any,
                  sort_desc: bool) -> Any:
        """Sorting by a related record's column (a case by its main person's name) joins it.

        Flask-Admin always joins outer; when every step is a required many-to-one link, an
        inner join finds the same rows and lets PostgreSQL walk the related column's index
        instead of sorting the whole table.
        """
        if sort_field is None or not sort_joins or not all(map(_required_link, sort_joins)):
            return super()._order_by(query, joins, sort_joins, sort_field, sort_desc)
        query, joins, alias = self._apply_path_joins(query, joins, sort_joins, inner_join=True)
        column = sort_field if alias is None else getattr(alias, sort_field.key)
        return query.order_by(column.desc() if sort_desc else column), joins

    def _apply_sorting(self, query: Any, joins: Any, sort_column: Any, sort_desc: bool) -> Any:
        """A clicked column replaces the default order; the id keeps rows that share the
        column's value (many cases opened on one day) in the same order on every page."""
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        if sort_column is not None:
            key = self.model.id.desc() if sort_desc else self.model.id
            query = query.order_by(key)
        return query, joins

    def _get_list_extra_args(self) -> Any:
        view_args = super()._get_list_extra_args()
        view_args.page = min(max(view_args.page or 0, 0), MAX_PAGE)
        return view_args

    @expose("/details/")
    def details_view(self) -> Any:
        response = super().details_view()
        if isinstance(response, str):
            self._record_read()
        return response

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self) -> Any:
        """The edit form shows the whole record, so opening it is a read like the details."""
        response = super().edit_view()
        if request.method == "GET" and isinstance(response, str):
            self._record_read("edit form")
        return response

    def _record_read(self, detail: str | None = None) -> None:
        """Audit a read of the record in ``?id=`` (already found by ``get_one``), by its
        number as stored, so "?id=01" and "?id=1" are one record in the log."""
        if self.audit_reads:
            audit.record(db.session, AuditAction.VIEW, self.model.__name__,
                         int(request.args["id"]), detail=detail)
            db.session.commit()

    def get_export_value(self, model: Any, name: Any) -> Any:
        return _escape_formula(super().get_export_value(model, name))

    @expose("/export/<export_type>/")
    def export(self, export_type: str) -> Any:
        if export_type not in self.export_types:
            abort(404)
        if not self.can_export:
            abort(403)
        view_args = self._get_list_extra_args()
        count, _query = self.get_list(0, None, False, view_args.search, view_args.filters,
                                      execute=False)
        rows = min(count or 0, self.export_max_rows)
        audit.record(db.session, AuditAction.EXPORT, self.model.__name__,
                     detail=audit.export_detail(export_type, rows,
                                                request.query_string.decode("utf-8", "replace")))
        db.session.commit()
        return super().export(export_type)

    # --- writing ------------------------------------------------------------------------------

    def create_form(self, obj: Any = None) -> Any:
        form = super().create_form(obj)
        if request.method == "GET":
            for arg, (field, model) in self.prefill_args.items():
                key = request.args.get(arg, type=int)
                record = db.session.get(model, key) if key and 0 < key <= INT_MAX else None
                if record is not None and hasattr(form, field):
                    form[field].data = record
        return form

    def get_edit_form(self) -> Any:
        form_class = super().get_edit_form()
        if hasattr(self.model, "version"):
            form_class.edit_version = VersionField()
        return form_class

    def locked_fields(self, model: Any) -> tuple[str, ...]:
        """Form fields this record no longer lets anyone change (the service refuses it too);
        the edit form shows them read-only instead of as inputs."""
        return ()

    def locked_reason(self, model: Any) -> str:
        """Why the fields of :meth:`locked_fields` are read-only, for the edit form."""
        return ""

    def edit_form(self, obj: Any = None) -> Any:
        form = super().edit_form(obj)
        if obj is not None:
            keep_current_choices(form, obj)
        if hasattr(form, "edit_version") and request.method == "GET" and obj is not None:
            form.edit_version.data = obj.version
        for name in self.locked_fields(obj) if obj is not None else ():
            if name in form:
                del form[name]
        return form

    def update_model(self, form: Any, model: Any) -> bool:
        """Check the version before the form touches the record, and fill the record without
        flushing half of it: a flush in between would bump the version (a false "somebody else
        changed this record") and hide the changed fields from the rules."""
        if hasattr(form, "edit_version"):
            try:
                check_version(model, form.edit_version.data)
            except StaleEditError as error:
                self.handle_view_exception(error)
                return False
        with db.session.no_autoflush:
            return super().update_model(form, model)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        with field_errors(form):
            if self.rules is not None:
                type(self).rules(model)

    def on_model_delete(self, model: Any) -> None:
        evidence.check_deletion(db.session, model)

    def handle_view_exception(self, exc: Exception) -> bool:
        """Turn expected failures into a message; let anything else fail loudly."""
        if isinstance(exc, DomainError):
            flash(exc.message, "danger")
            g.form_status = exc.status_code
            return True
        if isinstance(exc, StaleDataError):
            flash(stale_message(), "danger")
            g.form_status = StaleEditError.status_code
            return True
        if isinstance(exc, IntegrityError):
            flash(
                _("The record could not be saved because it conflicts with other records "
                  "(for example, it is still in use or a value must be unique)."),
                "danger",
            )
            g.form_status = 409
            return True
        raise exc

    def _run_view(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A form sent back for correction answers 4xx, not 200, so clients see it failed."""
        response = super()._run_view(fn, *args, **kwargs)
        if request.method == "POST" and isinstance(response, str):
            return response, g.pop("form_status", 422)
        return response


class AtLeast(int):
    """A row count that stopped counting at a limit; the list shows "more than 10,000"."""

    def __str__(self) -> str:
        return _("more than %(n)s", n=format_number(int(self)))


def _required_link(relation: Any) -> bool:
    """Whether ``relation`` is a many-to-one link every row has (a NOT NULL foreign key)."""
    prop = getattr(relation, "property", None)
    return (isinstance(prop, RelationshipProperty)
            and prop.direction is RelationshipDirection.MANYTOONE
            and all(not local.nullable for local, _ in prop.local_remote_pairs))


class ReadOnlyModelView(WelcomeModelView):
    """A screen to browse and filter, never to change (the audit log, for instance)."""

    can_create = False  # type: ignore[assignment]
    can_edit = False  # type: ignore[assignment]
    can_delete = False  # type: ignore[assignment]


class ActiveChoices:
    """Query factory for a select over entries that can be retired: catalogue entries,
    reasons, staff members.

    A new record can choose only active entries. An edit form also offers what the record
    already holds, marked "(inactive)", so that saving an unrelated change never clears a
    value that was deactivated in the meantime (``WelcomeModelView.edit_form`` arranges that).

    :param criteria: further conditions every offered entry meets (a reason's kind, say).
    :param order_by: the order of the options; by default the catalogue's own order.
    """

    def __init__(self, model: type, *criteria: Any, order_by: tuple[Any, ...] = ()) -> None:
        self.model = model
        self.criteria = criteria
        self.order_by = order_by or (model.sort_order, model.id)

    def __call__(self, keep: tuple[Any, ...] = ()) -> list[Any]:
        shown = self.model.active.is_(True)
        kept = [row.id for row in keep if row is not None and row.id is not None]
        if kept:
            shown = or_(shown, self.model.id.in_(kept))
        return list(db.session.scalars(self.statement(shown)))

    def statement(self, shown: Any) -> Any:
        """The query of the options; ``shown`` is the condition active-or-kept."""
        return select(self.model).where(*self.criteria, shown).order_by(*self.order_by)

    def keeping(self, current: Any) -> Callable[[], list[Any]]:
        """The same options plus ``current`` (one record, a list of them, or None)."""
        rows = tuple(current) if isinstance(current, list | tuple | set) else (current,)
        return partial(self, keep=rows)

    @staticmethod
    def label(row: Any) -> str:
        return str(row) if row.active else _("%(entry)s (inactive)", entry=row)


def catalogue_query(model: type) -> ActiveChoices:
    """Query factory for a catalogue select: active entries in their configured order."""
    return ActiveChoices(model)


def keep_current_choices(form: Any, record: Any) -> None:
    """Let every select over retirable entries also offer what ``record`` holds now."""
    for field in form:
        factory = getattr(field, "query_factory", None)
        if isinstance(factory, ActiveChoices):
            field.query_factory = factory.keeping(getattr(record, field.short_name, None))
            field.get_label = factory.label
