"""The registration-office clerk's screen: one fast form, and the clerk's own intakes below it.

A clerk logs many residents in a row with the keyboard only: after each save the form is
empty again with the cursor in the first field. Nothing on this screen shows anything but the
clerk's own entries, and nothing shows the result of the duplicate check.
"""

import uuid
from datetime import date, datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from admin_views.dashboard import RoleGuardMixin
from admin_views.fields import EnumSelectField
from welcome.auth.roles import CLERKS
from welcome.extensions import db
from welcome.models import Intake, IntakeOffice, Language, ResidencePurpose
from welcome.services import intakes
from welcome.services.errors import DomainError
from welcome.validation import PhoneNumber, email_address

#: Ways a clerk may type a date of birth: 15.03.1990, 15,03,1990, 15031990, 1990-03-15.
BIRTH_FORMATS = ("%d.%m.%Y", "%d,%m,%Y", "%d/%m/%Y", "%d%m%Y", "%Y-%m-%d")
INT_MAX = 2**31 - 1


class BirthDateField(StringField):
    """A date typed as TT.MM.JJJJ: faster at a counter than the browser's date picker."""

    def process_formdata(self, valuelist: Any) -> None:
        super().process_formdata(valuelist)
        self.raw = (self.data or "").strip()
        self.data = None
        if not self.raw:
            return
        for pattern in BIRTH_FORMATS:
            try:
                self.data = datetime.strptime(self.raw, pattern).date()
                return
            except ValueError:
                continue
        raise ValueError(_("Enter the date of birth as DD.MM.YYYY, e.g. 15.03.1990."))

    def _value(self) -> str:
        if isinstance(self.data, date):
            return self.data.strftime("%d.%m.%Y")
        return getattr(self, "raw", "") or ""


class CatalogueSelectField(SelectField):
    """An optional choice from a catalogue (active entries), handing the form the entry's id."""

    def __init__(self, label: Any, model: type, **kwargs: Any) -> None:
        self.model = model
        super().__init__(label, coerce=self._coerce, validators=[Optional()], **kwargs)

    @staticmethod
    def _coerce(value: Any) -> int | None:
        if value in (None, "", "None"):
            return None
        number = int(value)
        if not 0 < number <= INT_MAX:
            raise ValueError(value)
        return number

    def choices_from_catalogue(self) -> None:
        entries = db.session.scalars(
            db.select(self.model).where(self.model.active.is_(True))
            .order_by(self.model.sort_order, self.model.id)
        )
        self.choices = [SelectChoice("", "—"),
                        *(SelectChoice(str(entry.id), entry.label) for entry in entries)]

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and str(self.data) not in {c.value for c in self.choices}:
            raise ValidationError(_("Choose one of the offered entries."))


class IntakeForm(FlaskForm):
    """What the clerk asks; labels and order follow the conversation at the counter."""

    given_name = StringField(_l("Given name(s)"),
                             validators=[InputRequired(), Length(max=intakes.MAX_NAME)])
    family_name = StringField(_l("Family name"),
                              validators=[InputRequired(), Length(max=intakes.MAX_NAME)])
    date_of_birth = BirthDateField(_l("Date of birth"), description=_l("DD.MM.YYYY, optional"))
    phone = StringField(_l("Phone"), validators=[Length(max=40), PhoneNumber()],
                        description=_l("German or international (+90 …)"))
    email = StringField(_l("E-mail"), validators=[Length(max=254), email_address()],
                        description=_l("Phone or e-mail: at least one"))
    preferred_language = CatalogueSelectField(_l("Preferred language"), Language)
    residence_purpose = CatalogueSelectField(_l("Residence purpose"), ResidencePurpose)
    household_size = IntegerField(
        _l("Household size"), default=1,
        validators=[InputRequired(), NumberRange(min=1, max=intakes.MAX_HOUSEHOLD)],
        description=_l("Persons moving in together, including the person"),
    )
    office = EnumSelectField(_l("Office"), enum_class=IntakeOffice)
    note = StringField(
        _l("Short note"), validators=[Length(max=500)],
        description=_l("Optional, e.g. “wants help with housing”. No health, religion or "
                       "ethnicity."),
    )
    consent_to_contact = BooleanField(
        _l("The person agrees to be contacted by the Welcome Center"),
        description=_l("Without this agreement nothing is saved: hand over the flyer instead."),
    )
    submission_key = HiddenField()

    def validate_email(self, field: Any) -> None:
        if not field.data and not self.phone.data:
            raise ValidationError(_("Enter a phone number or an e-mail address."))

    def validate_consent_to_contact(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(
                _("Without the person's agreement to be contacted nothing may be stored. "
                  "Please hand over the Welcome Center's flyer instead."))

    def fill_intake(self) -> Intake:
        return Intake(
            given_name=self.given_name.data,
            family_name=self.family_name.data,
            date_of_birth=self.date_of_birth.data,
            phone=self.phone.data or None,
            email=(self.email.data or "").strip() or None,
            preferred_language_id=self.preferred_language.data,
            residence_purpose_id=self.residence_purpose.data,
            household_size=self.household_size.data,
            office=self.office.data,
            consent_to_contact=bool(self.consent_to_contact.data),
            note=(self.note.data or "").strip() or None,
        )


class ClerkIntakeView(RoleGuardMixin, BaseView):
    """Endpoint ``intake`` at ``/intake/``: the clerk's whole world in this app."""

    roles = CLERKS

    def _form(self) -> IntakeForm:
        form = IntakeForm()
        form.preferred_language.choices_from_catalogue()
        form.residence_purpose.choices_from_catalogue()
        return form

    def _blank_form(self) -> IntakeForm:
        form = self._form()
        form.submission_key.data = uuid.uuid4().hex
        latest = intakes.latest_intake(db.session, current_user)
        form.office.data = latest.office if latest else IntakeOffice.REGISTRATION_OFFICE
        return form

    def _page(self, form: IntakeForm, status: int = 200) -> Any:
        return self.render("admin/intake/clerk.html", form=form,
                           own=intakes.own_intakes(db.session, current_user),
                           status_of=intakes.clerk_status), status

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        if request.method == "GET":
            return self._page(self._blank_form())
        form = self._form()
        if not form.validate():
            return self._page(form, 422)
        key = form.submission_key.data or ""
        try:
            intake, created = intakes.log_intake(db.session, form.fill_intake(), current_user,
                                                 key)
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(error.message, "danger")
                form.submission_key.data = uuid.uuid4().hex
            return self._page(form, error.status_code)
        db.session.commit()
        if created:
            flash(_("Saved: %(name)s. You can enter the next person.", name=intake.full_name),
                  "success")
        else:
            flash(_("%(name)s was already saved; nothing was added twice.",
                    name=intake.full_name), "info")
        return redirect(url_for(".index"))

    @expose("/details/")
    def details_view(self) -> Any:
        """One of the clerk's own intakes; any other id is "not found"."""
        intake_id = request.args.get("id", type=int)
        if intake_id is None or not 0 < intake_id <= INT_MAX:
            abort(404)
        intake = intakes.own_intake(db.session, current_user, intake_id)
        if intake is None:
            abort(404)
        return self.render("admin/intake/clerk_details.html", intake=intake,
                           status=intakes.clerk_status(intake))
