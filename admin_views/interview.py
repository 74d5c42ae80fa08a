"""The orientation interview: one guided screen per step, from household to summary.

Every "Next" saves the step into the case's records through ``welcome.services.interviews``
and redirects, so reloading never submits twice. Each rendered form carries a one-time key
(the walk-in form carries it in its address, so the browser's back button finds it again):
the same form sent twice is recognised and saved once. Only ``start`` (and the walk-in form)
begin an interview; the step pages work on the open one.
"""

import hashlib
import json
import secrets
from datetime import date, timedelta
from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from admin_views.base import INT_MAX, catalogue_query, keep_current_choices
from admin_views.dashboard import RoleGuardMixin
from admin_views.fields import (
    CheckboxesField,
    ChoiceField,
    EnumMultipleField,
    EnumSelectField,
    StrictQuerySelectField,
)
from welcome.auth.roles import CASEWORK
from welcome.extensions import db
from welcome.i18n import country_choices
from welcome.models import (
    Case,
    CaseMember,
    CaseSource,
    Consent,
    ConsentMethod,
    ContactChannel,
    DataCategory,
    FieldOfAction,
    HandoverChannel,
    Interview,
    InterviewStep,
    Language,
    MemberRelation,
    Need,
    Partner,
    Person,
    Priority,
    Referral,
    ResidencePurpose,
    Sex,
)
from welcome.services import consent_forms, consents, interviews, matching
from welcome.services.errors import DomainError, FieldErrors, StaleEditError
from welcome.services.versioning import check_version, stale_message
from welcome.validation import PhoneNumber, email_address

STEPS = list(InterviewStep)
#: Suggestions shown at once per need; the others are one click ("more partners") away.
SHOWN_SUGGESTIONS = 3
#: Inputs that say how a form was sent, not what it says; left out of its fingerprint.
NOT_CONTENT = {"csrf_token", "go", "form_key"}


def _countries() -> list[SelectChoice]:
    return [SelectChoice("", "—"), *(SelectChoice(c, n) for c, n in country_choices())]


class PersonFields(BaseForm):
    """What the household step asks about each person (WTForms' messages in German too)."""

    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[Optional(), Length(max=100)])
    date_of_birth = DateField(_l("Date of birth"), widget=DateInput(), validators=[Optional()])
    sex = EnumSelectField(_l("Sex"), enum_class=Sex, allow_blank=True,
                          validators=[Optional()])
    preferred_language = StrictQuerySelectField(
        _l("Preferred language"), allow_blank=True, blank_text="—",
        query_factory=catalogue_query(Language))


class MainPersonForm(PersonFields):
    #: Required here as well as in ``persons.check_person``, so that a form missing the names
    #: reports them together with its other mistakes instead of one after the other.
    given_name = StringField(_l("Given name"), validators=[
        InputRequired(message=_l("Enter the given name.")), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[
        InputRequired(message=_l("Enter the family name.")), Length(max=100)])
    nationality = SelectField(_l("Nationality"), choices=_countries,
                              coerce=lambda value: value or None)
    languages = QuerySelectMultipleField(_l("Languages spoken"),
                                         query_factory=catalogue_query(Language),
                                         widget=ListWidget(prefix_label=False),
                                         option_widget=CheckboxInput())
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), PhoneNumber()])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254), email_address()])


class MemberForm(PersonFields):
    person_id = HiddenField()
    version = HiddenField()
    relation = EnumSelectField(_l("Relation"), enum_class=MemberRelation, allow_blank=True,
                               validators=[Optional()])
    remove = BooleanField(_l("Remove"))


class HouseholdForm(BaseForm):
    main = FormField(MainPersonForm)
    members = FieldList(FormField(MemberForm))
    source = EnumSelectField(_l("Came through"), enum_class=CaseSource,
                             validators=[Optional()])
    case_version = HiddenField()
    person_version = HiddenField()


class ArrivalForm(BaseForm):
    residence_purpose = StrictQuerySelectField(
        _l("Residence purpose"), allow_blank=True, blank_text="—",
        query_factory=catalogue_query(ResidencePurpose))
    arrival_date = DateField(_l("Arrived on"), widget=DateInput(), validators=[Optional()])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=200)])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    whole_household = BooleanField(_l("The same for the whole household"), default=True)
    case_version = HiddenField()
    person_version = HiddenField()


class SummaryForm(BaseForm):
    held_on = DateField(_l("Date"), widget=DateInput(), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[Optional(), NumberRange(min=1, max=600)])
    channel = EnumSelectField(_l("Channel"), enum_class=ContactChannel,
                              validators=[InputRequired()])
    language = StrictQuerySelectField(_l("Language used"), allow_blank=True, blank_text="—",
                                      query_factory=catalogue_query(Language))
    interpreter_used = BooleanField(_l("Interpreter"))
    summary = TextAreaField(_l("Next steps and notes"),
                            validators=[Optional(), Length(max=5000)],
                            description=_l("Do not record health, religion, ethnicity or other "
                                           "special categories of personal data."))
    follow_up_on = DateField(_l("Follow-up on"), widget=DateInput(), validators=[Optional()])
    case_version = HiddenField()


class ConsentForm(BaseForm):
    """A consent recorded during the interview, for the partners still uncovered."""

    person = ChoiceField(_l("Whose consent"), coerce=int)
    partners = CheckboxesField(_l("Partners the person agrees to"), coerce=int)
    categories = EnumMultipleField(_l("Data the person agrees to pass on"),
                                   enum_class=DataCategory)
    channels = EnumMultipleField(_l("Channels allowed"), enum_class=HandoverChannel,
                                 members=HandoverChannel.passing_data())
    given_how = EnumSelectField(_l("Given how"), enum_class=ConsentMethod,
                                validators=[InputRequired()])
    witness = StringField(_l("Witness"), validators=[Optional(), Length(max=200)])
    form_language = StrictQuerySelectField(_l("Form language"),
                                           query_factory=catalogue_query(Language))
    valid_until = DateField(_l("Valid until"), widget=DateInput(), validators=[Optional()])
    case_version = HiddenField()


def _key() -> str:
    return secrets.token_urlsafe(16)


def _digest() -> str:
    """A fingerprint of what the form says, to tell a repetition from a changed form."""
    content = sorted((name, value) for name in request.form if name not in NOT_CONTENT
                     for value in request.form.getlist(name))
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _field_named(form: Any, name: str) -> Any:
    """The input of ``form`` (sub-forms and rows included) whose HTML name is ``name``."""
    for field in form:
        if field.name == name:
            return field
        if isinstance(field, FormField):
            found = _field_named(field.form, name)
        elif isinstance(field, FieldList):
            found = next((f for f in (_field_named(entry.form, name) for entry in field) if f),
                         None)
        else:
            found = None
        if found is not None:
            return found
    return None


class InterviewView(RoleGuardMixin, BaseView):
    """``/admin/interview/<case id>/<step>/``, and ``/admin/interview/new/`` for walk-ins."""

    roles = CASEWORK

    # --- plumbing -------------------------------------------------------------------------

    def _case(self, case_id: int) -> Case:
        """The case with everything the steps show, loaded in a fixed number of queries."""
        if not 0 < case_id <= INT_MAX:
            abort(404)
        household = (selectinload(Person.languages), selectinload(Person.preferred_language))
        case = db.session.scalar(
            select(Case).where(Case.id == case_id).options(
                selectinload(Case.main_person).options(*household),
                selectinload(Case.members).selectinload(CaseMember.person).options(*household),
                selectinload(Case.needs).options(
                    selectinload(Need.field_of_action), selectinload(Need.topics),
                    selectinload(Need.unmet_reason)),
                selectinload(Case.referrals).selectinload(Referral.partner),
                selectinload(Case.intakes)))
        if case is None:
            abort(404)
        return case

    def _step(self, name: str) -> InterviewStep:
        try:
            return InterviewStep(name)
        except ValueError:
            abort(404)

    def _go(self, case: Case, current: InterviewStep) -> Any:
        """Where the buttons lead: the next or previous step, this step, or the case page."""
        choice = request.form.get("go", "next")
        index = STEPS.index(current)
        if choice == "pause":
            flash(_("Saved. The interview can be continued from the case page."), "success")
            return redirect(url_for("case.details_view", id=case.id))
        if choice == "record_consent":
            target = current
        elif choice == "back":
            target = STEPS[max(index - 1, 0)]
        else:
            target = STEPS[min(index + 1, len(STEPS) - 1)]
        return redirect(url_for(".step", case_id=case.id, step_name=target.value))

    def _page(self, case: Case | None, interview: Interview | None, step: InterviewStep,
              template: str, **context: Any) -> Any:
        posted = request.form.get("form_key") if request.method == "POST" else None
        return self.render(f"admin/interview/{template}", case=case, step=step, steps=STEPS,
                           interview=interview,
                           form_key=interviews.usable_key(posted) or _key(), **context)

    def _refused(self, error: DomainError, form: Any = None) -> dict[str, str]:
        """Roll back and show the message at its input (or on top of the page).

        :return: the messages by input name, for steps that place them themselves.
        """
        db.session.rollback()
        g.form_status = error.status_code
        if isinstance(error, FieldErrors):
            errors = error.errors
            flash(error.message, "danger")
        else:
            errors = {error.field: error.message} if error.field else {}
        for name, message in errors.items():
            field = _field_named(form, name) if form is not None else None
            if field is not None:
                field.errors = [*field.errors, message]
            elif not isinstance(error, FieldErrors):
                flash(message, "danger")
        if not errors:
            flash(error.message, "danger")
        return errors

    def _run_view(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """A form sent back for correction answers 4xx, as on every other screen."""
        response = super()._run_view(fn, *args, **kwargs)
        if request.method == "POST" and isinstance(response, str):
            return response, g.pop("form_status", 422)
        return response

    def _save(self, interview: Interview, step: InterviewStep, save: Any, form: Any = None,
              then: Any = None, saved: str | None = None) -> Any | None:
        """Save one step's form once: claim its key, check the case version, save, move on.

        :param then: the response after saving (by default where the pressed button leads).
        :param saved: a message to show once the form is really saved.
        :return: that response, or None when the form must be shown again with the messages
            (which are left in ``g.field_errors``).
        """
        case = interview.case
        then = then or (lambda: self._go(case, step))
        try:
            interviews.claim_key(db.session, interview, step, request.form.get("form_key"),
                                 _digest())
            check_version(case, request.form.get("case_version"))
            save()
            interviews.touch(case)
            interviews.reach(interview, STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)])
            db.session.commit()
        except interviews.RepeatedSubmission:
            db.session.rollback()
            flash(_("This form had been saved already; it was not saved a second time."),
                  "info")
            return then()
        except StaleDataError:
            g.field_errors = self._refused(StaleEditError(stale_message()), form)
            return None
        except DomainError as error:
            g.field_errors = self._refused(error, form)
            return None
        if saved:
            flash(saved, "success")
        return then()

    # --- entry points -----------------------------------------------------------------------

    @expose("/")
    def index(self) -> Any:
        return redirect(url_for(".new"))

    @expose("/new/", methods=("GET", "POST"))
    def new(self) -> Any:
        """Start with a person who walked in: the household step creates person and case.

        The form's one-time key is part of its address, so going back to the form after it
        was saved leads to the case it created instead of creating another.
        """
        key = interviews.usable_key(request.args.get("key"))
        if key is None:
            return redirect(url_for(".new", key=_key()))
        saved = interviews.recall(db.session, key)
        if saved is not None:
            return self._walk_in_saved(saved.interview.case, saved.digest)
        if request.method == "POST":
            form = HouseholdForm(request.form)
        else:
            form = HouseholdForm(source=CaseSource.SELF, members=[{}])
        if request.method == "POST" and request.form.get("go") == "add_member":
            form.members.append_entry()
            g.form_status = 200
        elif request.method == "POST" and form.validate():
            try:
                interview = interviews.start_walk_in(
                    db.session, _person_values(form.main.form, interviews.PERSON_FIELDS),
                    _member_rows(form), form.source.data or CaseSource.SELF,
                    current_user._get_current_object())
                interviews.claim_key(db.session, interview, InterviewStep.HOUSEHOLD, key,
                                     _digest())
                db.session.commit()
            except (interviews.RepeatedSubmission, StaleEditError):
                db.session.rollback()
                saved = interviews.recall(db.session, key)
                return self._walk_in_saved(saved.interview.case, saved.digest)
            except DomainError as error:
                self._refused(error, form)
            else:
                return self._go(interview.case, InterviewStep.HOUSEHOLD)
        return self._page(None, None, InterviewStep.HOUSEHOLD, "household.html", form=form,
                          new=True)

    def _walk_in_saved(self, case: Case, digest: str) -> Any:
        """The walk-in form was saved before: the same form moves on, a changed one is shown
        the household as recorded to enter the changes there."""
        if request.method == "POST" and digest == _digest():
            flash(_("This form had been saved already; it was not saved a second time."),
                  "info")
            return self._go(case, InterviewStep.HOUSEHOLD)
        flash(_("This person was saved already (case %(reference)s). Here is the household as "
                "recorded; enter any changes here.", reference=case.reference), "info")
        return redirect(url_for(".step", case_id=case.id, step_name="household"))

    @expose("/<int:case_id>/")
    def start(self, case_id: int) -> Any:
        """Open (or resume) the case's interview at the step it reached."""
        case = self._case(case_id)
        interview = interviews.start_interview(db.session, case, current_user._get_current_object())
        db.session.commit()
        return redirect(url_for(".step", case_id=case.id, step_name=interview.step.value))

    @expose("/<int:case_id>/<step_name>/", methods=("GET", "POST"))
    def step(self, case_id: int, step_name: str) -> Any:
        case = self._case(case_id)
        step = self._step(step_name)
        interview = interviews.current_interview(db.session, case)
        if interview is None:
            if interviews.last_finished(db.session, case) is None:
                return redirect(url_for(".start", case_id=case.id))
            flash(_("This orientation interview was saved already. To record more, start a new "
                    "one from the case page."), "info")
            return redirect(url_for("case.details_view", id=case.id))
        handler = getattr(self, f"_step_{step.value}")
        return handler(case, interview, step)

    # --- the steps --------------------------------------------------------------------------

    def _step_household(self, case: Case, interview: Interview, step: InterviewStep) -> Any:
        person = case.main_person
        if request.method == "POST":
            form = HouseholdForm(request.form)
        else:
            form = HouseholdForm(
                main=_person_data(person, interviews.PERSON_FIELDS),
                members=[{**_person_data(m.person, interviews.MEMBER_FIELDS),
                          "person_id": m.person_id, "version": m.person.version,
                          "relation": m.relation} for m in case.members]
                + [{} for _ in range(interviews.blank_member_rows(case))],
                case_version=case.version, person_version=person.version)
        _keep_household_choices(form, case)
        if request.method == "POST" and request.form.get("go") == "add_member":
            form.members.append_entry()
            g.form_status = 200
        elif request.method == "POST" and form.validate():
            response = self._save(interview, step, lambda: interviews.save_household(
                db.session, interview, _person_values(form.main.form, interviews.PERSON_FIELDS),
                _member_rows(form), {"case": form.case_version.data,
                                     "person": form.person_version.data}), form)
            if response is not None:
                return response
        return self._page(case, interview, step, "household.html", form=form, new=False)

    def _step_arrival(self, case: Case, interview: Interview, step: InterviewStep) -> Any:
        person = case.main_person
        if request.method == "POST":
            form = ArrivalForm(request.form)
        else:
            form = ArrivalForm(obj=person, case_version=case.version,
                               person_version=person.version)
        keep_current_choices(form, person)
        if request.method == "POST" and form.validate():
            values = {name: getattr(form, name).data for name in interviews.ARRIVAL_FIELDS}
            for name in ("employer", "street", "postcode", "city", "district"):
                values[name] = (values[name] or "").strip() or None
            response = self._save(interview, step, lambda: interviews.save_arrival(
                db.session, interview, values, form.whole_household.data,
                {"case": form.case_version.data, "person": form.person_version.data}), form)
            if response is not None:
                return response
        return self._page(case, interview, step, "arrival.html", form=form)

    def _step_needs(self, case: Case, interview: Interview, step: InterviewStep) -> Any:
        fields = list(db.session.scalars(
            select(FieldOfAction).where(FieldOfAction.active.is_(True))
            .order_by(FieldOfAction.sort_order, FieldOfAction.id)
            .options(selectinload(FieldOfAction.topics))))
        posted = request.form if request.method == "POST" else None
        rows = [_NeedRow(field, interviews.current_need(case, field), posted) for field in fields]
        errors: dict[str, str] = {}
        if posted is not None:
            choices = [row.choice() for row in rows]
            response = self._save(interview, step, lambda: interviews.save_needs(
                db.session, interview, choices))
            if response is not None:
                return response
            errors = g.pop("field_errors", {})
        return self._page(case, interview, step, "needs.html", rows=rows, errors=errors,
                          household=case.household,
                          priorities=[(p.value, p.label) for p in Priority],
                          case_version=_posted("case_version", case.version))

    def _step_partners(self, case: Case, interview: Interview, step: InterviewStep) -> Any:
        listed = interviews.partner_needs(case)
        suggestions = matching.suggest_for_needs(db.session, listed)
        posted = request.form if request.method == "POST" else None
        blocks = [_PartnerBlock(need, suggestions[need.id],
                                interviews.retractable(interview, need), posted)
                  for need in listed]
        errors: dict[str, str] = {}
        if posted is not None:
            choices = [interviews.PartnerChoice(
                block.need, posted.getlist(f"partner-{block.need.id}"),
                posted.get(f"unmet-{block.need.id}", ""),
                posted.get(f"need-version-{block.need.id}", "")) for block in blocks]
            response = self._save(interview, step, lambda: interviews.save_partner_choices(
                db.session, interview, choices))
            if response is not None:
                return response
            errors = g.pop("field_errors", {})
        tickable = any(s.partner.id not in b.referred for b in blocks for s in b.shown)
        return self._page(case, interview, step, "partners.html", blocks=blocks, errors=errors,
                          reasons=interviews.unmet_reasons(db.session), focus_next=not tickable,
                          case_version=_posted("case_version", case.version))

    def _step_consent(self, case: Case, interview: Interview, step: InterviewStep) -> Any:
        lines = interviews.consent_lines(db.session, case, consent_forms.DEFAULT_CATEGORIES)
        uncovered = [line for line in lines if not line.coverage]
        people = list({line.person.id: line.person for line in uncovered}.values())
        person = people[0] if people else case.main_person
        missing = sorted({line.referral.partner for line in uncovered
                          if line.person is person}, key=lambda p: p.name)
        recording = request.method == "POST" and request.form.get("go") == "record_consent"
        if recording:
            form = ConsentForm(request.form)
        else:
            form = ConsentForm(
                person=person.id, partners=[p.id for p in missing],
                categories=list(consent_forms.DEFAULT_CATEGORIES),
                channels=sorted({line.referral.channel for line in uncovered
                                 if line.person is person} or {HandoverChannel.PHONE},
                                key=list(HandoverChannel).index),
                given_how=ConsentMethod.SIGNED_PAPER,
                form_language=consent_forms.document_language(
                    db.session, person.preferred_language.code
                    if person.preferred_language else None),
                case_version=case.version)
        form.person.choices = [SelectChoice(p.id, p.full_name) for p in people or [person]]
        form.partners.choices = [SelectChoice(p.id, p.name) for p in sorted(
            {line.referral.partner for line in lines}, key=lambda p: p.name)]
        errors: dict[str, str] = {}
        if recording and form.validate():
            response = self._save(interview, step, lambda: self._record_consent(
                interview, form, people or [person]), form, saved=_("The consent was recorded."))
            if response is not None:
                return response
        elif recording:
            g.form_status = 422
        elif request.method == "POST":
            fallbacks = {line.referral.id: request.form.get(f"fallback-{line.referral.id}",
                                                            "planned") for line in uncovered}
            response = self._save(interview, step,
                                  lambda: interviews.save_fallbacks(lines, fallbacks))
            if response is not None:
                return response
            errors = g.pop("field_errors", {})
        draft_url = url_for("person.consent_form_view", id=person.id,
                            partner=[p.id for p in missing])
        return self._page(case, interview, step, "consent.html", form=form, lines=lines,
                          uncovered=uncovered, draft_url=draft_url, errors=errors,
                          several_people=len(people) > 1, focus_next=not uncovered,
                          case_version=_posted("case_version", case.version))

    def _record_consent(self, interview: Interview, form: ConsentForm,
                        people: list[Person]) -> None:
        person = next(p for p in people if p.id == form.person.data)
        partners = list(db.session.scalars(
            select(Partner).where(Partner.id.in_(form.partners.data or []))))
        interviews.record_consent(
            db.session, interview, person, given_how=form.given_how.data,
            witness=(form.witness.data or "").strip() or None,
            form_language=form.form_language.data, partners=partners,
            categories=form.categories.data, channels=form.channels.data,
            valid_until=form.valid_until.data, recorded_by=current_user._get_current_object())

    def _step_summary(self, case: Case, interview: Interview, step: InterviewStep) -> Any:
        person = case.main_person
        if request.method == "POST":
            form = SummaryForm(request.form)
        else:
            form = SummaryForm(held_on=date.today(), duration_minutes=60,
                               channel=ContactChannel.IN_PERSON,
                               language=person.preferred_language,
                               follow_up_on=date.today() + timedelta(days=14),
                               case_version=case.version)
        if request.method == "POST" and form.validate():
            def finish() -> None:
                interviews.finish(
                    db.session, interview, held_on=form.held_on.data,
                    duration_minutes=form.duration_minutes.data, channel=form.channel.data,
                    language=form.language.data, interpreter_used=form.interpreter_used.data,
                    staff=current_user._get_current_object(),
                    summary=(form.summary.data or "").strip() or None,
                    follow_up_on=form.follow_up_on.data)

            response = self._save(
                interview, step, finish, form,
                then=lambda: redirect(url_for("case.details_view", id=case.id, interview="done")),
                saved=_("The orientation interview was saved."))
            if response is not None:
                return response
        household = case.household
        person_consents = [(c, consents.state_of(c)) for c in db.session.scalars(
            select(Consent).where(Consent.person_id.in_([p.id for p in household]))
            .order_by(Consent.given_on.desc(), Consent.id.desc())
            .options(selectinload(Consent.partners)))]
        return self._page(case, interview, step, "summary.html", form=form,
                          household=household, person_consents=person_consents)


def _posted(name: str, default: Any) -> Any:
    return request.form.get(name, default) if request.method == "POST" else default


class _NeedRow:
    """One field of action on the needs step, with what was entered or is recorded."""

    def __init__(self, field_of_action: FieldOfAction, need: Need | None, posted: Any) -> None:
        self.field = field_of_action
        self.need = need
        self.prefix = f"need-{field_of_action.id}"
        self.topics = interviews.offered_topics(field_of_action, need)
        if posted is not None:
            self.checked = posted.get(self.prefix) == "y"
            self.ticked_topics = set(posted.getlist(f"{self.prefix}-topic"))
            self.person_id = posted.get(f"{self.prefix}-person", "")
            self.priority = posted.get(f"{self.prefix}-priority", Priority.MEDIUM.value)
            self.note = posted.get(f"{self.prefix}-note", "")
            self.version = posted.get(f"{self.prefix}-version", "")
        else:
            self.checked = need is not None
            self.ticked_topics = {str(topic.id) for topic in need.topics} if need else set()
            self.person_id = str(need.person_id) if need and need.person_id else ""
            self.priority = need.priority.value if need else Priority.MEDIUM.value
            self.note = (need.description or "") if need else ""
            self.version = str(need.version) if need else ""

    def choice(self) -> interviews.NeedChoice:
        return interviews.NeedChoice(self.field, self.checked, self.person_id, self.priority,
                                     sorted(self.ticked_topics), self.note, self.version)


class _PartnerBlock:
    """One need on the partners step: its ranked suggestions and what is ticked."""

    def __init__(self, need: Need, suggestions: list[matching.Suggestion],
                 undoable: dict[int, Referral], posted: Any) -> None:
        self.need = need
        self.undoable = undoable
        #: Referrals that stay whatever is ticked here (handed over, or planned before).
        self.referred = {r.partner_id: r for r in need.case.referrals
                         if r.need is need and r.partner_id not in undoable}
        known = {s.partner.id for s in suggestions}
        self.suggestions = suggestions + [matching.Suggestion(r.partner) for pid, r in
                                          undoable.items() if pid not in known]
        self.shown = self.suggestions[:SHOWN_SUGGESTIONS]
        self.more = self.suggestions[SHOWN_SUGGESTIONS:]
        if posted is not None:
            self.ticked = set(posted.getlist(f"partner-{need.id}"))
            self.reason_id = posted.get(f"unmet-{need.id}", "")
            self.version = posted.get(f"need-version-{need.id}", "")
        else:
            self.ticked = {str(pid) for pid in undoable}
            self.reason_id = str(need.unmet_reason_id or "")
            self.version = str(need.version)
        if any(str(s.partner.id) in self.ticked for s in self.more):
            self.shown, self.more = self.suggestions, []


def _person_data(person: Person, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(person, name) for name in names}


def _person_values(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: form[name].data for name in names}
    for name in ("given_name", "family_name", "phone", "email"):
        if name in values:
            values[name] = (values[name] or "").strip() or None
    return values


def _keep_household_choices(form: HouseholdForm, case: Case) -> None:
    """A language retired since a person was recorded stays offered for that person, so that
    saving the household does not clear it."""
    keep_current_choices(form.main.form, case.main_person)
    members = {str(member.person_id): member.person for member in case.members}
    for entry in form.members:
        person = members.get(str(entry.form.person_id.data or "").strip())
        if person is not None:
            keep_current_choices(entry.form, person)


def _member_rows(form: HouseholdForm) -> list[interviews.MemberRow]:
    rows = []
    for entry in form.members:
        member = entry.form
        raw_id = (member.person_id.data or "").strip()
        person_id = int(raw_id) if raw_id.isdecimal() and int(raw_id) <= INT_MAX else (
            -1 if raw_id else None)
        rows.append(interviews.MemberRow(
            person_id, member.relation.data,
            _person_values(member, interviews.MEMBER_FIELDS),
            version=member.version.data, remove=member.remove.data, name=entry.name))
    return rows
