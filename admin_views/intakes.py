"""The coordinator's intake queue: triage (accept, merge, contacted, reject) and arrival lists.

Every decision is a page that shows what will happen and asks for confirmation; the change
itself is a service function in ``welcome.services.triage``. The clerk's own screen is in
``admin_views.intake_clerk``.
"""

from datetime import date
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from sqlalchemy import case, or_, select
from wtforms import BooleanField, FileField, HiddenField, SelectField, TextAreaField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import DateInput

from admin_views.base import WelcomeModelView, catalogue_query, enum_filter
from admin_views.cases import _case_link, case_loader, person_loader, reasons
from admin_views.fields import EnumSelectField
from admin_views.filters import IdEqualFilter, catalogue_options
from welcome.auth.roles import CASEWORK, has_role
from welcome.extensions import db
from welcome.models import (
    ContactChannel,
    Intake,
    IntakeOffice,
    IntakeStatus,
    Language,
    Person,
    Reason,
    ReasonKind,
    ResidencePurpose,
)
from welcome.services import intake_import, intakes, triage
from welcome.services.duplicates import flag_duplicates
from welcome.services.errors import DomainError
from welcome.validation import PhoneNumber, email_address

#: How long a preview of an arrival list may be confirmed (seconds).
PREVIEW_MAX_AGE = 2 * 3600
#: Persons listed when the coordinator searches for a merge target.
SEARCH_LIMIT = 20
#: Queue order: open intakes first (new before contacted), decided ones after.
STATUS_RANK = {IntakeStatus.NEW: 0, IntakeStatus.CONTACTED: 1}
INT_MAX = 2**31 - 1


class QueueMenuLabel:
    """The menu entry "Intakes" with the number of new intakes, read once per request."""

    def __init__(self, label: Any) -> None:
        self.label = label

    def count(self) -> int:
        if "new_intakes" not in g:
            g.new_intakes = intakes.count_new(db.session) if has_role(CASEWORK) else 0
        return g.new_intakes

    def __str__(self) -> str:
        return str(self.label)

    def __html__(self) -> Markup:
        count = self.count()
        if not count:
            return escape(str(self.label))
        return Markup('{} <span class="badge badge-warning" title="{}">{}</span>').format(
            str(self.label), _("%(n)d new", n=count), count)


class ContactedForm(FlaskForm):
    contacted_on = DateField(_l("Contacted on"), widget=DateInput(),
                             validators=[InputRequired()])
    contacted_channel = EnumSelectField(_l("Contacted how"), enum_class=ContactChannel)


class RejectForm(FlaskForm):
    decision_reason = SelectField(_l("Reason for rejecting"), coerce=int,
                                  validators=[InputRequired()])
    decision_note = TextAreaField(_l("Note on the decision"), validators=[Length(max=2000)])


class MergeForm(FlaskForm):
    take_over = HiddenField()
    case = SelectField(_l("Case"), coerce=int, validators=[Optional()])
    open_new_case = BooleanField(_l("Open a new case for this person"))


class ImportForm(FlaskForm):
    file = FileField(_l("Arrival list (CSV file)"))
    office = EnumSelectField(_l("Office, where the list does not say"),
                             enum_class=IntakeOffice)


class ImportConfirmForm(FlaskForm):
    payload = HiddenField()


def _serializer() -> URLSafeTimedSerializer:
    """Signs the checked rows the preview hands back, so the import needs no stored file."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=intake_import.SIGNATURE_SALT)


def _name_link(view: Any, context: Any, model: Intake, name: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for(".details_view", id=model.id),
                                                getattr(model, name))


def _person_link(view: Any, context: Any, model: Intake, name: str) -> Markup:
    if model.person is None:
        return Markup("")
    return Markup('<a href="{}">{}</a>').format(
        url_for("person.details_view", id=model.person.id), model.person.full_name)


class IntakeView(WelcomeModelView):
    """Endpoint ``intakes``: the queue of what registration offices passed to the center."""

    audit_reads = True
    rules = staticmethod(intakes.check_intake)
    details_template = "admin/intake/details.html"
    list_template = "admin/intake/list.html"

    column_list = ("created_at", "family_name", "given_name", "date_of_birth", "office",
                   "status", "possible_duplicate", "case")
    column_details_list = ("family_name", "given_name", "date_of_birth", "phone", "email",
                           "preferred_language", "residence_purpose", "household_size",
                           "office", "note", "status", "created_by", "contacted_on",
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
    column_sortable_list = ("created_at", "family_name", "given_name", "date_of_birth",
                            "office", "status")
    column_searchable_list = ("family_name", "given_name", "email", "phone")
    search_hint = _l("Name, e-mail or phone")
    column_select_related_list = (Intake.case,)
    column_formatters = {"case": _case_link, "family_name": _name_link}
    column_formatters_detail = {"case": _case_link, "person": _person_link}
    column_formatters_export = {}
    column_filters = (
        enum_filter(Intake.status, _l("Status"), IntakeStatus),
        enum_filter(Intake.office, _l("Office"), IntakeOffice),
        "possible_duplicate",
        IdEqualFilter(Intake.residence_purpose_id, _l("Residence purpose"),
                      options=catalogue_options(ResidencePurpose)),
    )
    #: Data only: status, case and person change through the triage actions.
    form_columns = ("given_name", "family_name", "date_of_birth", "phone", "email",
                    "preferred_language", "residence_purpose", "household_size", "office",
                    "consent_to_contact", "note")
    form_ajax_refs = {"case": case_loader("case"), "person": person_loader("person")}
    form_args = {
        "preferred_language": {"query_factory": catalogue_query(Language)},
        "residence_purpose": {"query_factory": catalogue_query(ResidencePurpose)},
        "phone": {"validators": [PhoneNumber()]},
        "email": {"validators": [email_address()]},
    }

    # --- the queue ----------------------------------------------------------------------------

    def _apply_sorting(self, query: Any, joins: Any, sort_column: Any, sort_desc: bool) -> Any:
        """Without a chosen sort: new first, then contacted, each oldest first; then the
        decided ones, newest first."""
        if sort_column is not None:
            return super()._apply_sorting(query, joins, sort_column, sort_desc)
        rank = case(STATUS_RANK, value=Intake.status, else_=2)
        waiting = case((Intake.status.in_(list(STATUS_RANK)), Intake.created_at))
        return query.order_by(rank, waiting, Intake.created_at.desc(), Intake.id), joins

    def on_model_change(self, form: Any, model: Intake, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        if triage.is_open(model):
            flag_duplicates(db.session, model)

    # --- one intake ---------------------------------------------------------------------------

    def _intake(self) -> Intake:
        return self.get_one(request.args.get("id"))

    def _open_intake(self) -> Intake:
        intake = self._intake()
        if not triage.is_open(intake):
            flash(_("This intake was already decided (%(status)s); nothing was changed.",
                    status=intake.status.label), "warning")
            abort(redirect(url_for(".details_view", id=intake.id)))
        return intake

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template:
            kwargs["matches"] = self._matches(kwargs["model"])
            kwargs["is_open"] = triage.is_open(kwargs["model"])
        return super().render(template, **kwargs)

    @staticmethod
    def _matches(intake: Intake) -> list[tuple[str, Any, list[str]]]:
        """The records the duplicate check found, loaded in two statements."""
        found = intake.duplicate_matches or []
        person_ids = [m["id"] for m in found if m.get("kind") == "person"]
        intake_ids = [m["id"] for m in found if m.get("kind") == "intake"]
        persons = {p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
        others = {i.id: i for i in db.session.scalars(
            select(Intake).where(Intake.id.in_(intake_ids)))} if intake_ids else {}
        result = []
        for match in found:
            record = (persons if match.get("kind") == "person" else others).get(match.get("id"))
            if record is not None:
                result.append((match["kind"], record, match.get("on", [])))
        return result

    def _done(self, intake: Intake, message: str) -> Any:
        db.session.commit()
        flash(message, "success")
        return redirect(url_for(".details_view", id=intake.id))

    def _refused(self, error: DomainError, form: Any = None) -> None:
        db.session.rollback()
        field = getattr(form, error.field, None) if form is not None and error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "danger")

    @expose("/accept/", methods=("GET", "POST"))
    def accept_view(self) -> Any:
        self._check_edit()
        intake = self._open_intake()
        form = FlaskForm()
        if request.method == "POST" and form.validate():
            try:
                new_case = triage.accept_intake(db.session, intake, current_staff())
            except DomainError as error:
                self._refused(error)
            else:
                return self._done(intake, _("Case %(reference)s was opened for %(name)s.",
                                            reference=new_case.reference,
                                            name=intake.full_name))
        status = 422 if request.method == "POST" else 200
        return self.render("admin/intake/accept.html", intake=intake, form=form,
                           matches=self._matches(intake),
                           source=triage.SOURCE_OF_OFFICE[intake.office]), status

    @expose("/contacted/", methods=("GET", "POST"))
    def contacted_view(self) -> Any:
        self._check_edit()
        intake = self._open_intake()
        form = ContactedForm()
        if request.method == "GET":
            form.contacted_on.data = date.today()
            form.contacted_channel.data = ContactChannel.PHONE
        elif form.validate():
            try:
                triage.mark_contacted(db.session, intake, form.contacted_on.data,
                                      form.contacted_channel.data)
            except DomainError as error:
                self._refused(error, form)
            else:
                return self._done(intake, _("The contact with %(name)s was recorded.",
                                            name=intake.full_name))
        status = 422 if request.method == "POST" else 200
        return self.render("admin/intake/contacted.html", intake=intake, form=form), status

    @expose("/reject/", methods=("GET", "POST"))
    def reject_view(self) -> Any:
        self._check_edit()
        intake = self._open_intake()
        form = RejectForm()
        form.decision_reason.choices = [
            SelectChoice(reason.id, reason.label)
            for reason in reasons(ReasonKind.INTAKE_REJECTED)()
        ]
        if request.method == "POST" and form.validate():
            try:
                triage.reject_intake(db.session, intake,
                                     db.session.get(Reason, form.decision_reason.data),
                                     form.decision_note.data)
            except DomainError as error:
                self._refused(error, form)
            else:
                return self._done(intake, _("The intake of %(name)s was rejected.",
                                            name=intake.full_name))
        status = 422 if request.method == "POST" else 200
        return self.render("admin/intake/reject.html", intake=intake, form=form), status

    @expose("/merge/", methods=("GET",))
    def merge_view(self) -> Any:
        """Choose whom to merge into: the records the duplicate check found, or a search."""
        self._check_edit()
        intake = self._open_intake()
        term = (request.args.get("q") or "").strip()[:100]
        found = self._search(term, intake) if term else []
        return self.render("admin/intake/merge.html", intake=intake,
                           matches=self._matches(intake), term=term, found=found)

    @staticmethod
    def _search(term: str, intake: Intake) -> list[Any]:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        persons = list(db.session.scalars(
            select(Person).where(or_(Person.family_name.ilike(pattern, escape="\\"),
                                     Person.email.ilike(pattern, escape="\\")))
            .order_by(Person.family_name, Person.given_name, Person.id).limit(SEARCH_LIMIT)))
        others = list(db.session.scalars(
            select(Intake).where(Intake.family_name.ilike(pattern, escape="\\"),
                                 Intake.status.in_(list(STATUS_RANK)), Intake.id != intake.id)
            .order_by(Intake.family_name, Intake.id).limit(SEARCH_LIMIT)))
        return [("person", p) for p in persons] + [("intake", i) for i in others]

    def _merge_target(self, intake: Intake) -> tuple[str, Any]:
        for kind, model in (("person", Person), ("intake", Intake)):
            raw = request.args.get(kind)
            if raw is None:
                continue
            key = int(raw) if raw.isdigit() and int(raw) <= INT_MAX else None
            target = db.session.get(model, key) if key else None
            if target is None or target is intake:
                abort(404)
            return kind, target
        abort(404)

    @expose("/merge/confirm/", methods=("GET", "POST"))
    def merge_confirm_view(self) -> Any:
        """The intake and the chosen record side by side; what to take over; confirm."""
        self._check_edit()
        intake = self._open_intake()
        kind, target = self._merge_target(intake)
        differing = triage.differing_fields(intake, target)
        open_cases = triage.open_cases_of(db.session, target) if kind == "person" else []
        form = MergeForm()
        form.case.choices = [SelectChoice(c.id, c.reference) for c in open_cases]
        if kind == "intake" and not triage.is_open(target):
            flash(_("The other intake was already decided; choose another record."), "warning")
            return redirect(url_for(".merge_view", id=intake.id))
        if request.method == "POST" and form.validate():
            chosen = request.form.getlist("field")
            if not set(chosen) <= set(differing):
                abort(400, _("This field cannot be taken over."))
            try:
                if kind == "person":
                    chosen_case = next((c for c in open_cases if c.id == form.case.data), None)
                    triage.merge_into_person(db.session, intake, target, chosen, chosen_case,
                                             open_new_case=form.open_new_case.data,
                                             by=current_staff())
                else:
                    triage.merge_into_intake(db.session, intake, target, chosen)
            except DomainError as error:
                self._refused(error, form)
            else:
                return self._done(intake, _("%(name)s was merged with the existing record.",
                                            name=intake.full_name))
        elif request.method == "GET":
            form.open_new_case.data = not open_cases
        status = 422 if request.method == "POST" else 200
        return self.render("admin/intake/merge_confirm.html", intake=intake, kind=kind,
                           target=target, differing=differing, open_cases=open_cases,
                           fields=triage.TAKE_OVER_FIELDS, form=form), status

    def _check_edit(self) -> None:
        if not self.can_edit:
            abort(403)

    # --- arrival lists ------------------------------------------------------------------------

    @expose("/import/", methods=("GET", "POST"))
    def import_view(self) -> Any:
        """Upload a CSV arrival list and see, row by row, what would be imported."""
        self._check_edit()
        form = ImportForm()
        if request.method == "GET":
            return self._import_page(form)
        if not form.validate():
            return self._import_page(form, status=422)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [*form.file.errors, _("Choose a CSV file.")]
            return self._import_page(form, status=400)
        try:
            data = upload.stream.read(intake_import.MAX_IMPORT_BYTES + 1)
        finally:
            upload.close()
        try:
            result = intake_import.preview(db.session, data, form.office.data)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
            status = 413 if len(data) > intake_import.MAX_IMPORT_BYTES else error.status_code
            return self._import_page(form, status=status)
        confirm = ImportConfirmForm()
        confirm.payload.data = _serializer().dumps(
            intake_import.rows_to_payload(result.new_rows))
        return self._import_page(form, preview=result, confirm=confirm,
                                 filename=upload.filename)

    @expose("/import/confirm/", methods=("POST",))
    def import_confirm_view(self) -> Any:
        self._check_edit()
        form = ImportConfirmForm()
        if not form.validate():
            abort(400)
        try:
            payload = _serializer().loads(form.payload.data or "", max_age=PREVIEW_MAX_AGE)
        except BadSignature:
            abort(400, _("The preview has expired or was changed. Please upload the file "
                         "again."))
        try:
            rows = intake_import.rows_from_payload(payload)
            created, skipped = intake_import.import_rows(db.session, rows, current_staff())
        except DomainError as error:
            db.session.rollback()
            abort(error.status_code if error.status_code != 422 else 400, error.message)
        db.session.commit()
        flash(_("%(created)d intakes were imported; %(skipped)d rows had been imported before.",
                created=created, skipped=skipped), "success")
        return redirect(url_for(".index_view"))

    def _import_page(self, form: Any, status: int = 200, **kwargs: Any) -> Any:
        kwargs.setdefault("preview", None)
        return self.render("admin/intake/import.html", form=form,
                           columns=intake_import.COLUMNS, titles=intake_import.COLUMN_TITLES,
                           max_mb=intake_import.MAX_IMPORT_BYTES // (1024 * 1024),
                           max_rows=intake_import.MAX_IMPORT_ROWS, **kwargs), status


def current_staff() -> Any:
    """The signed-in staff member as a model instance (for relationships), not the proxy."""
    return current_user._get_current_object()

