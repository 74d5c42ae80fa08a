"""The coordinator's intake queue: triage (accept, merge, contacted, reject) and arrival lists.

Every decision is a page that shows what will happen and asks for confirmation; the change
itself is a service function in ``welcome.services.triage``. The clerk's own screen is in
``admin_views.intake_clerk``.
"""

import re
from collections.abc import Callable
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
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
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
    Case,
    CaseStatus,
    ContactChannel,
    Intake,
    IntakeOffice,
    IntakeStatus,
    Language,
    MemberRelation,
    Person,
    Reason,
    ReasonKind,
    ResidencePurpose,
)
from welcome.services import intake_import, intakes, triage
from welcome.services.duplicates import find_duplicates, flag_duplicates, phone_digits
from welcome.services.errors import DomainError, StaleEditError
from welcome.services.versioning import stale_message
from welcome.validation import PhoneNumber, email_address

#: How long a preview of an arrival list may be confirmed (seconds).
PREVIEW_MAX_AGE = 2 * 3600
#: Persons listed when the coordinator searches for a merge target.
SEARCH_LIMIT = 20
#: Words of a name search that count (given and family names, several of each).
MAX_SEARCH_WORDS = 5
#: Digits a search term needs before it is also compared with phone numbers.
MIN_PHONE_DIGITS = 4
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


def _choice_id(value: Any) -> int | None:
    """A chosen record's id; the blank choice is None (and then refused as missing)."""
    return None if value in (None, "") else int(value)


class RejectForm(FlaskForm):
    decision_reason = SelectField(
        _l("Reason for rejecting"), coerce=_choice_id,
        validators=[InputRequired(message=_l("Choose a reason for rejecting."))])
    decision_note = TextAreaField(_l("Note on the decision"), validators=[Length(max=2000)])


class MergeForm(FlaskForm):
    take_over = HiddenField()
    case = SelectField(_l("Case"), coerce=int, validators=[Optional()])
    open_new_case = BooleanField(_l("Open a new case for this person"))


class HouseholdForm(FlaskForm):
    relation = EnumSelectField(
        _l("Relation to the main person"), enum_class=MemberRelation, allow_blank=True,
        validators=[InputRequired(message=_l("Choose how the person is related to the main "
                                             "person."))])


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


def _duplicate_badge(view: Any, context: Any, model: Intake, name: str) -> Markup:
    """A warning, not a green tick: a possible duplicate is something to check."""
    if not model.possible_duplicate:
        return Markup("")
    return Markup('<span class="badge badge-warning">{}</span>').format(
        _("possible duplicate"))


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
    column_formatters = {"case": _case_link, "family_name": _name_link,
                         "possible_duplicate": _duplicate_badge}
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
            flash(triage.already_decided_message(intake), "warning")
            abort(redirect(url_for(".details_view", id=intake.id)))
        return intake

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template:
            kwargs["matches"] = self._matches(kwargs["model"])
            kwargs["is_open"] = triage.is_open(kwargs["model"])
        return super().render(template, **kwargs)

    @staticmethod
    def _matches(intake: Intake) -> list[tuple[str, Any, list[str]]]:
        """What the duplicate check says about the intake, as (kind, record, matched on).

        For an open intake the check runs now (two statements), so intakes logged after it
        and persons made from intakes meanwhile are shown too. A decided intake shows what the
        check found when it was decided, a decided intake among them as the person it became.
        """
        if triage.is_open(intake):
            return [(m.kind, m.record, m.on) for m in find_duplicates(db.session, intake)]
        found = intake.duplicate_matches or []
        person_ids = [m["id"] for m in found if m.get("kind") == "person"]
        intake_ids = [m["id"] for m in found if m.get("kind") == "intake"]
        persons = {p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
        others = {i.id: i for i in db.session.scalars(
            select(Intake).options(joinedload(Intake.person))
            .where(Intake.id.in_(intake_ids)))} if intake_ids else {}
        result, shown = [], set()
        for match in found:
            kind = match.get("kind")
            record = (persons if kind == "person" else others).get(match.get("id"))
            became = record.person if kind == "intake" and record is not None else None
            if became is not None and not triage.is_open(record):
                kind, record = "person", became
            if record is not None and (kind, record.id) not in shown:
                shown.add((kind, record.id))
                result.append((kind, record, match.get("on", [])))
        return result

    def _decide(self, intake: Intake, decision: Callable[[], str],
                form: Any = None) -> tuple[Any, int]:
        """Run a triage decision and commit.

        :param decision: calls the service and returns the message for the coordinator.
        :returns: the redirect to the intake after success; after a refusal ``None`` and the
            status for the page shown again with the reason. An intake a colleague decided a
            moment ago, or a record a colleague changed meanwhile, is a refusal too.
        """
        try:
            message = decision()
            db.session.commit()
        except triage.AlreadyDecidedError as error:
            db.session.rollback()
            flash(error.message, "warning")
            return redirect(url_for(".details_view", id=intake.id)), 302
        except DomainError as error:
            self._refused(error, form)
            return None, error.status_code
        except StaleDataError:
            db.session.rollback()
            flash(stale_message(), "danger")
            return None, StaleEditError.status_code
        flash(message, "success")
        return redirect(url_for(".details_view", id=intake.id)), 302

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
        status = 200
        if request.method == "POST":
            status = 422
            if form.validate():
                def accept() -> str:
                    new_case = triage.accept_intake(db.session, intake, current_staff())
                    return _("Case %(reference)s was opened for %(name)s.",
                             reference=new_case.reference, name=intake.full_name)

                response, status = self._decide(intake, accept)
                if response is not None:
                    return response
        return self.render("admin/intake/accept.html", intake=intake, form=form,
                           matches=self._matches(intake),
                           source=triage.SOURCE_OF_OFFICE[intake.office]), status

    @expose("/contacted/", methods=("GET", "POST"))
    def contacted_view(self) -> Any:
        self._check_edit()
        intake = self._open_intake()
        form = ContactedForm()
        status = 200
        if request.method == "GET":
            form.contacted_on.data = date.today()
            form.contacted_channel.data = ContactChannel.PHONE
        else:
            status = 422
            if form.validate():
                def contacted() -> str:
                    triage.mark_contacted(db.session, intake, form.contacted_on.data,
                                          form.contacted_channel.data)
                    return _("The contact with %(name)s was recorded.", name=intake.full_name)

                response, status = self._decide(intake, contacted, form)
                if response is not None:
                    return response
        return self.render("admin/intake/contacted.html", intake=intake, form=form), status

    @expose("/reject/", methods=("GET", "POST"))
    def reject_view(self) -> Any:
        self._check_edit()
        intake = self._open_intake()
        form = RejectForm()
        form.decision_reason.choices = [SelectChoice("", "—"), *(
            SelectChoice(reason.id, reason.label)
            for reason in reasons(ReasonKind.INTAKE_REJECTED)()
        )]
        status = 200
        if request.method == "POST":
            status = 422
            if form.validate():
                def reject() -> str:
                    triage.reject_intake(db.session, intake,
                                         db.session.get(Reason, form.decision_reason.data),
                                         form.decision_note.data)
                    return _("The intake of %(name)s was rejected.", name=intake.full_name)

                response, status = self._decide(intake, reject, form)
                if response is not None:
                    return response
        return self.render("admin/intake/reject.html", intake=intake, form=form), status

    @expose("/merge/", methods=("GET",))
    def merge_view(self) -> Any:
        """Choose whom to merge into: the records the duplicate check found, or a search; or
        the household of an open case the intake joins as a new member."""
        self._check_edit()
        intake = self._open_intake()
        term = (request.args.get("q") or "").strip()[:100]
        found = self._search(term, intake) if term else []
        matches = self._matches(intake)
        person_ids = [record.id for kind, record, *_rest in [*matches, *found]
                      if kind == "person"]
        return self.render("admin/intake/merge.html", intake=intake, matches=matches,
                           term=term, found=found,
                           households=triage.open_cases_by_person(db.session, person_ids))

    @staticmethod
    def _search(term: str, intake: Intake) -> list[Any]:
        """Persons and open intakes by name ("Olena", "Kovalenko", "Olena Kovalenko": every
        word in the given or the family name), e-mail or phone number; cases by reference."""
        def like(value: str) -> str:
            return "%" + value.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"

        def criteria(model: Any) -> Any:
            words = term.split()[:MAX_SEARCH_WORDS]
            either = [or_(model.given_name.ilike(like(word), escape="\\"),
                          model.family_name.ilike(like(word), escape="\\")) for word in words]
            found = [and_(*either), model.email.ilike(like(term), escape="\\")]
            digits = re.sub(r"\D", "", term).lstrip("0")
            if len(digits) >= MIN_PHONE_DIGITS:
                found.append(phone_digits(model.phone).contains(digits))
            return or_(*found)

        persons = list(db.session.scalars(
            select(Person).where(criteria(Person))
            .order_by(Person.family_name, Person.given_name, Person.id).limit(SEARCH_LIMIT)))
        others = list(db.session.scalars(
            select(Intake).where(criteria(Intake), Intake.status.in_(list(STATUS_RANK)),
                                 Intake.id != intake.id)
            .order_by(Intake.family_name, Intake.id).limit(SEARCH_LIMIT)))
        households = list(db.session.scalars(
            select(Case).options(joinedload(Case.main_person))
            .where(Case.reference.ilike(like(term), escape="\\"),
                   Case.status != CaseStatus.CLOSED)
            .order_by(Case.reference).limit(SEARCH_LIMIT)))
        return ([("person", p) for p in persons] + [("intake", i) for i in others]
                + [("case", c) for c in households])

    def _merge_target(self, intake: Intake) -> tuple[str, Any]:
        for kind, model in (("person", Person), ("intake", Intake), ("case", Case)):
            raw = request.args.get(kind)
            if raw is None:
                continue
            key = int(raw) if raw.isdecimal() and int(raw) <= INT_MAX else None
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
        if kind == "intake" and not triage.is_open(target):
            flash(_("The other intake was already decided; choose another record."), "warning")
            return redirect(url_for(".merge_view", id=intake.id))
        if kind == "case" and target.status == CaseStatus.CLOSED:
            flash(_("This case is closed; choose an open case."), "warning")
            return redirect(url_for(".merge_view", id=intake.id))
        differing = triage.differing_fields(intake, target) if kind != "case" else []
        open_cases = triage.open_cases_of(db.session, target) if kind == "person" else []
        form = HouseholdForm() if kind == "case" else MergeForm()
        if kind != "case":
            form.case.choices = [SelectChoice(c.id, c.reference) for c in open_cases]
        status = 200
        if request.method == "POST":
            status = 422
            if form.validate():
                chosen = request.form.getlist("field")
                if not set(chosen) <= set(differing):
                    abort(400, _("This field cannot be taken over."))

                def merge() -> str:
                    if kind == "case":
                        triage.merge_into_case(db.session, intake, target, form.relation.data)
                        return _("%(name)s was added to the household of case %(reference)s.",
                                 name=intake.full_name, reference=target.reference)
                    if kind == "person":
                        chosen_case = next((c for c in open_cases if c.id == form.case.data),
                                           None)
                        triage.merge_into_person(db.session, intake, target, chosen,
                                                 chosen_case,
                                                 open_new_case=form.open_new_case.data,
                                                 by=current_staff())
                    else:
                        triage.merge_into_intake(db.session, intake, target, chosen)
                    return _("%(name)s was merged with the existing record.",
                             name=intake.full_name)

                response, status = self._decide(intake, merge, form)
                if response is not None:
                    return response
        elif kind != "case":
            form.open_new_case.data = not open_cases
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

