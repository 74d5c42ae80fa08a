"""Staff accounts and the audit log."""

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterLike
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from admin_views.base import ReadOnlyModelView, WelcomeModelView, enum_filter
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
    roles = USER_ADMINS
    delete_roles = USER_ADMINS
    export_roles = frozenset()
    details_template = "admin/user_details.html"

    column_list = ("username", "display_name", "role", "active", "locale", "last_login_at",
                   "locked_until")
    column_details_list = ("username", "display_name", "role", "active", "locale",
                           "last_login_at", "locked_until", "created_at", "updated_at")
    column_labels = {
        "username": _l("User name"),
        "display_name": _l("Name"),
        "role": _l("Role"),
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
    form_args = {"username": {"validators": [Length(min=2, max=64)]}}

    def get_create_form(self) -> Any:
        form_class = super().get_create_form()
        form_class.password = PasswordField(
            _l("Password"), validators=[InputRequired(), Length(max=200)],
            description=_l("At least 10 characters. The user can be given a new one later."),
        )
        return form_class

    def on_model_change(self, form: Any, model: User, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        if is_created:
            try:
                users.set_password(model, form.password.data)
            except DomainError as error:
                form.password.errors = [*form.password.errors, error.message]
                raise

    def on_model_delete(self, model: User) -> None:
        if db.session.scalar(select(exists().where(AuditEvent.user_id == model.id))):
            raise DomainError(_("%(name)s has a history in the audit log; deactivate the "
                                "account instead of deleting it.", name=model.username))

    @expose("/password/", methods=("GET", "POST"))
    def password_view(self) -> Any:
        """Set a new password: a form of its own, so no edit form ever touches the hash."""
        user = self.get_one(request.args.get("id"))
        form = PasswordForm(request.form)
        if request.method == "POST" and form.validate():
            try:
                users.set_password(user, form.password.data)
            except DomainError as error:
                form.password.errors = [*form.password.errors, error.message]
            else:
                db.session.commit()
                flash(_("The password of %(name)s was changed.", name=user.username), "success")
                return redirect(url_for(".details_view", id=user.id))
        return self.render("admin/user_password.html", form=form, user=user,
                           return_url=url_for(".details_view", id=user.id))


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
        FilterLike(AuditEvent.entity, _l("Record type")),
        FilterLike(AuditEvent.entity_id, _l("Record number")),
        DayRangeFilter(AuditEvent.at, _l("When")),
    )
    page_size = 50
