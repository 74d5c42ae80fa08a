"""Staff accounts and the audit log."""

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual, FilterLike
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from admin_views.audit_labels import ENTITY_LABELS, detail_label, entity_label, field_labels
from admin_views.base import ReadOnlyModelView, WelcomeModelView, enum_filter, field_errors
from admin_views.filters import DayRangeFilter
from welcome.auth.roles import AUDIT_READERS, USER_ADMINS
from welcome.extensions import db
from welcome.models import AuditAction, AuditEvent, Role, User
from welcome.services import users
from welcome.services.errors import DomainError


class PasswordForm(BaseForm):
    """CSRF is checked for every POST by CSRFProtect; the token comes from the form tag."""

    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(max=200)],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class UserView(WelcomeModelView):
    """Accounts, managed by IT; the rules (names, own role, confirmation of casework access)
    are ``welcome.services.users``."""

    roles = USER_ADMINS
    delete_roles = USER_ADMINS
    export_roles = frozenset()
    details_template = "admin/user_details.html"

    column_list = ("username", "display_name", "role", "pending_change", "active", "locale",
                   "last_login_at", "locked_until")
    column_details_list = ("username", "display_name", "role", "pending_change", "active",
                           "locale", "last_login_at", "locked_until", "created_at",
                           "updated_at")
    column_labels = {
        "username": _l("User name"),
        "display_name": _l("Name"),
        "role": _l("Role"),
        "pending_change": _l("Waits for a coordinator's confirmation"),
        "active": _l("May sign in"),
        "locale": _l("Language"),
        "last_login_at": _l("Last sign-in"),
        "locked_until": _l("Locked until"),
        "password": _l("Password"),
    }
    column_sortable_list = ("username", "display_name", "role", "active", "last_login_at")
    column_default_sort = [("username", False), ("id", False)]
    column_searchable_list = ("username", "display_name")
    search_hint = _l("User name or name")
    column_filters = (enum_filter(User.role, _l("Role"), Role), "active")
    form_columns = ("username", "display_name", "role", "active", "locale")
    form_args = {
        "username": {"validators": [Length(min=2, max=64)]},
        "role": {"description": _l("A coordinator or assistant role given here takes effect "
                                   "once a coordinator confirms it on their start page.")},
    }

    def get_create_form(self) -> Any:
        form_class = super().get_create_form()
        form_class.password = PasswordField(
            _l("Password"), validators=[InputRequired(), Length(max=200)],
            description=_l("At least 10 characters. The user can be given a new one later."),
        )
        return form_class

    def create_model(self, form: Any) -> Any:
        """New accounts go through ``users.create_user``, the same rules as the command line."""
        try:
            with field_errors(form):
                user = users.create_user(
                    db.session, form.username.data or "", form.role.data,
                    form.password.data or "", form.display_name.data or "", form.locale.data,
                    active=bool(form.active.data), granted_by=current_user._get_current_object(),
                )
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            self.handle_view_exception(error)
            return False
        self.after_model_change(form, user, True)
        return user

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        with field_errors(form):
            users.check_user_change(db.session, model, current_user._get_current_object())

    def on_model_delete(self, model: User) -> None:
        users.check_deletable(db.session, model)

    @expose("/password/", methods=("GET", "POST"))
    def password_view(self) -> Any:
        """Set a new password: a form of its own, so no edit form ever touches the hash."""
        user = self.get_one(request.args.get("id"))
        form = PasswordForm(request.form)
        if request.method == "POST" and form.validate():
            actor = current_user._get_current_object()
            try:
                users.set_password(user, form.password.data, set_by=actor)
            except DomainError as error:
                form.password.errors = [*form.password.errors, error.message]
            else:
                db.session.commit()
                if user.id == actor.id:
                    login_user(user)  # the new session token ended this session too
                flash(_("The password of %(name)s was changed.", name=user.username), "success")
                if user.pending_change is not None:
                    flash(_("A coordinator needs to confirm the account before it can be used "
                            "for casework again."), "info")
                return redirect(url_for(".details_view", id=user.id))
        return self.render("admin/user_password.html", form=form, user=user,
                           return_url=url_for(".details_view", id=user.id))


class RecordTypeFilter(FilterEqual):
    """The kind of record, chosen by its translated name (the log stores the class name)."""

    def __init__(self, column: Any, name: Any) -> None:
        super().__init__(column, name, options=self._options)

    @staticmethod
    def _options() -> list[tuple[str, str]]:
        return sorted(((key, str(label)) for key, label in ENTITY_LABELS.items()),
                      key=lambda item: item[1])

    def validate(self, value: Any) -> bool:
        return value in ENTITY_LABELS


class RecordNumberFilter(FilterEqual):
    """Exactly one record number: "1" must not also find 10 to 19."""

    def validate(self, value: Any) -> bool:
        return str(value).strip().isdecimal() and len(str(value).strip()) < 19

    def clean(self, value: Any) -> str:
        return str(int(value))


class AuditEventView(ReadOnlyModelView):
    roles = AUDIT_READERS
    export_roles = frozenset()
    can_view_details = False

    column_list = ("at", "username", "action", "entity", "entity_id", "changed_fields",
                   "detail")
    column_labels = {
        "at": _l("When"),
        "username": _l("Who"),
        "action": _l("What"),
        "entity": _l("Record type"),
        "entity_id": _l("Record number"),
        "changed_fields": _l("Fields changed"),
        "detail": _l("Detail"),
    }
    column_sortable_list = ("at", "username", "action", "entity")
    column_default_sort = [("at", True), ("id", True)]
    column_filters = (
        enum_filter(AuditEvent.action, _l("What"), AuditAction),
        FilterLike(AuditEvent.username, _l("Who")),
        RecordTypeFilter(AuditEvent.entity, _l("Record type")),
        RecordNumberFilter(AuditEvent.entity_id, _l("Record number")),
        DayRangeFilter(AuditEvent.at, _l("When")),
    )
    column_formatters = {
        "entity": lambda view, context, model, name: entity_label(model.entity),
        "changed_fields": lambda view, context, model, name: field_labels(
            model.changed_fields, view.screen_labels(model.entity)),
        "detail": lambda view, context, model, name: detail_label(model.detail),
    }
    page_size = 50

    def screen_labels(self, entity: str | None) -> dict[str, Any]:
        """The column labels of the admin screen that shows records of ``entity``."""
        for view in self.admin._views:
            if isinstance(view, ModelView) and view.model.__name__ == entity:
                return view.column_labels or {}
        return {}
