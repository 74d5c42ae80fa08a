"""The orientation interview: one guided screen per step, from household to summary.

Every "Next" saves the step into the case's records through ``welcome.services.interviews``
and redirects (so reloading or the back button never submits twice). New rows carry a key, so
a form sent again updates what the first sending created instead of creating it again.
"""

import secrets
from datetime import date, timedelta
from typing import Any

from flask import abort, flash, g, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from admin_views.dashboard import RoleGuardMixin
from admin_views.fields import EnumMultipleField, EnumSelectField, StrictQuerySelectField
from welcome.auth.roles import CASEWORK
from welcome.extensions import db
from welcome.i18n import country_choices
from welcome.models import (
    Case,
    CaseMember,
    CaseSource,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    DataCategory,
    FieldOfAction,
    HandoverChannel,
    InterviewStep,
    Language,
    MemberRelation,
    Need,
    NeedStatus,
    Partner,
    Person,
    Priority,
    Reason,
    ReasonKind,
    ReferralStatus,
    ResidencePurpose,
    Sex,
)
from welcome.services import cases, consent_forms, consents, interviews, matching, persons
from welcome.services.errors import DomainError
from welcome.validation import PhoneNumber, email_address

STEPS = list(InterviewStep)
#: Blank household rows offered for new members.
BLANK_MEMBER_ROWS = 1
#: How many submission keys a session remembers.
MAX_KEYS = 300


def _catalogue(model: type) -> Any:
    def query() -> list[Any]:
        return list(db.session.scalars(select(model).where(model.active.is_(True))
                                       .order_by(model.sort_order, model.id)))
    return query


def _countries() -> list[SelectChoice]:
    return [SelectChoice("", "—"), *(SelectChoice(c, n) for c, n in country_choices())]


class PersonFields(Form):
    """What the household step asks about each person."""

    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[Optional(), Length(max=100)])
    date_of_birth = DateField(_l("Date of birth"), widget=DateInput(), validators=[Optional()])
    sex = EnumSelectField(_l("Sex"), enum_class=Sex, allow_blank=True,
                          validators=[Optional()])
    preferred_language = StrictQuerySelectField(
        _l("Preferred language"), allow_blank=True, blank_text="—",
        query_factory=_catalogue(Language))


class MainPersonForm(PersonFields):
    nationality = SelectField(_l("Nationality"), choices=_countries,
                              coerce=lambda value: value or None)
    languages = QuerySelectMultipleField(_l("Languages spoken"), query_factory=_catalogue(Language),
                                         widget=ListWidget(prefix_label=False),
                                         option_widget=CheckboxInput())
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), PhoneNumber()])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254), email_address()])


class MemberForm(PersonFields):
    person_id = HiddenField()
    key = HiddenField()
    relation = EnumSelectField(_l("Relation"), enum_class=MemberRelation,
                               validators=[Optional()])


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
        query_factory=_catalogue(ResidencePurpose))
    arrival_date = DateField(_l("Arrived on"), widget=DateInput(), validators=[Optional()])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=200)])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    whole_household = BooleanField(_l("The same for the whole household"), default=True)
    case_version = HiddenField()


class SummaryForm(BaseForm):
    held_on = DateField(_l("Date"), widget=DateInput(), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[Optional(), NumberRange(min=1, max=600)])
    channel = EnumSelectField(_l("Channel"), enum_class=ContactChannel,
                              validators=[InputRequired()])
    language = StrictQuerySelectField(_l("Language used"), allow_blank=True, blank_text="—",
                                      query_factory=_catalogue(Language))
    interpreter_used = BooleanField(_l("Interpreter"))
    summary = TextAreaField(_l("Next steps and notes"),
                            validators=[Optional(), Length(max=5000)],
                            description=_l("Do not record health, religion, ethnicity or other "
                                           "special categories of personal data."))
    follow_up_on = DateField(_l("Follow-up on"), widget=DateInput(), validators=[Optional()])
    case_version = HiddenField()


class ConsentForm(BaseForm):
    """A consent recorded during the interview, for the partners still uncovered."""

    partners = SelectMultipleField(_l("Partners the person agrees to"), coerce=int,
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())
    categories = EnumMultipleField(_l("Data the person agrees to pass on"),
                                   enum_class=DataCategory)
    channels = EnumMultipleField(_l("Channels allowed"), enum_class=HandoverChannel,
                                 members=HandoverChannel.passing_data())
    given_how = EnumSelectField(_l("Given how"), enum_class=ConsentMethod,
                                validators=[InputRequired()])
    witness = StringField(_l("Witness"), validators=[Optional(), Length(max=200)])
    form_language = StrictQuerySelectField(_l("Form language"), query_factory=_catalogue(Language))
    valid_until = DateField(_l("Valid until"), widget=DateInput(), validators=[Optional()])
    key = HiddenField()
    case_version = HiddenField()


def _key() -> str:
    return secrets.token_urlsafe(12)


def _remember(key: str | None, record_id: int) -> None:
    if not key:
        return
    keys = session.setdefault("interview_keys", {})
    keys[key] = record_id
    while len(keys) > MAX_KEYS:
        keys.pop(next(iter(keys)))
    session.modified = True


def _recalled(key: str | None) -> int | None:
    return session.get("interview_keys", {}).get(key) if key else None


class InterviewView(RoleGuardMixin, BaseView):
    """``/admin/interview/<case id>/<step>/``, and ``/admin/interview/new/`` for walk-ins."""

    roles = CASEWORK

    # --- plumbing -------------------------------------------------------------------------

    def _case(self, case_id: int) -> Case:
        case = db.session.scalar(
            select(Case).where(Case.id == case_id).options(
                selectinload(Case.members).joinedload(CaseMember.person),
                selectinload(Case.needs), selectinload(Case.referrals)))
        if case is None:
            abort(404)
        return case

    def _step(self, name: str) -> InterviewStep:
        try:
            return InterviewStep(name)
        except ValueError:
            abort(404)

    def _go(self, case: Case, current: InterviewStep) -> Any:
        """Where the buttons lead: the next or previous step, or back to the case."""
        choice = request.form.get("go", "next")
        index = STEPS.index(current)
        if choice == "pause":
            flash(_("Saved. The interview can be continued from the case page."), "success")
            return redirect(url_for("case.details_view", id=case.id))
        target = STEPS[max(index - 1, 0)] if choice == "back" else STEPS[min(index + 1, 5)]
        return redirect(url_for(".step", case_id=case.id, step_name=target.value))

    def _page(self, case: Case | None, step: InterviewStep, template: str,
              **context: Any) -> Any:
        interview = None
        if case is not None:
            interview = interviews.open_interview(db.session, case, current_user)
            db.session.commit()
        return self.render(f"admin/interview/{template}", case=case, step=step, steps=STEPS,
                           interview=interview, **context)

    def _refused(self, error: DomainError, form: BaseForm | None = None) -> None:
        db.session.rollback()
        g.form_status = error.status_code
        field = getattr(form, error.field, None) if form is not None and error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "danger")

    def _run_view(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """A form sent back for correction answers 4xx, as on every other screen."""
        response = super()._run_view(fn, *args, **kwargs)
        if request.method == "POST" and isinstance(response, str):
            return response, g.pop("form_status", 422)
        return response

    # --- entry points -----------------------------------------------------------------------

    @expose("/")
    def index(self) -> Any:
        return redirect(url_for(".new"))

    @expose("/new/", methods=("GET", "POST"))
    def new(self) -> Any:
        """Start with a person who walked in: the household step creates person and case."""
        if request.method == "POST":
            form = HouseholdForm(request.form)
        else:
            form = HouseholdForm(source=CaseSource.SELF,
                                 members=[{"key": _key()} for _ in range(BLANK_MEMBER_ROWS)])
        if request.method == "POST" and request.form.get("go") == "add_member":
            form.members.append_entry({"key": _key()})
            g.form_status = 200
        elif request.method == "POST" and form.validate():
            existing = _recalled(request.form.get("key"))
            if existing:
                return redirect(url_for(".step", case_id=existing, step_name="arrival"))
            try:
                case = self._create_case(form)
            except DomainError as error:
                self._refused(error, form.main.form)
            else:
                _remember(request.form.get("key"), case.id)
                db.session.commit()
                return self._go(case, InterviewStep.HOUSEHOLD)
        return self._page(None, InterviewStep.HOUSEHOLD, "household.html", form=form,
                          key=request.form.get("key") or _key(), new=True)

    def _create_case(self, form: HouseholdForm) -> Case:
        values = _person_values(form.main.form, main=True)
        if not values.get("given_name") or not values.get("family_name"):
            raise DomainError(_("Enter the given name and the family name."), "family_name")
        person = Person(**{k: v for k, v in values.items() if k != "languages"})
        person.languages = values["languages"]
        persons.check_person(person)
        db.session.add(person)
        case = cases.open_case(db.session, person, source=form.source.data or CaseSource.SELF,
                               responsible=current_user._get_current_object())
        interview = interviews.open_interview(db.session, case, current_user)
        interviews.save_household(db.session, case, values, _member_rows(form),
                                  {"case": case.version, "person": person.version})
        interviews.reach(interview, InterviewStep.ARRIVAL)
        return case

    @expose("/<int:case_id>/")
    def start(self, case_id: int) -> Any:
        """Open (or resume) the case's interview at the step it reached."""
        case = self._case(case_id)
        interview = interviews.open_interview(db.session, case, current_user)
        db.session.commit()
        return redirect(url_for(".step", case_id=case.id, step_name=interview.step.value))

    @expose("/<int:case_id>/<step_name>/", methods=("GET", "POST"))
    def step(self, case_id: int, step_name: str) -> Any:
        case = self._case(case_id)
        step = self._step(step_name)
        handler = getattr(self, f"_step_{step.value}")
        return handler(case, step)

    # --- the steps --------------------------------------------------------------------------

    def _save(self, case: Case, step: InterviewStep, version: Any, save: Any,
              form: BaseForm | None = None) -> Any | None:
        """Run one step's save; on success record progress and move on.

        :param version: the case version the form was rendered with (None: ``save`` checks).
        """
        try:
            if version is not None:
                interviews.check_version(case, version)
            save()
            interviews.touch(case)
            interview = interviews.open_interview(db.session, case, current_user)
            interviews.reach(interview, STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)])
            db.session.commit()
        except DomainError as error:
            self._refused(error, form)
            return None
        return self._go(case, step)

    def _step_household(self, case: Case, step: InterviewStep) -> Any:
        person = case.main_person
        if request.method == "POST":
            form = HouseholdForm(request.form)
        else:
            form = HouseholdForm(
                main=_person_data(person, main=True),
                members=[{**_person_data(m.person), "person_id": m.person_id,
                          "relation": m.relation} for m in case.members]
                + [{"key": _key()} for _ in range(BLANK_MEMBER_ROWS)],
                case_version=case.version, person_version=person.version)
        if request.method == "POST" and request.form.get("go") == "add_member":
            form.members.append_entry({"key": _key()})
            g.form_status = 200
        elif request.method == "POST" and form.validate():
            def save() -> None:
                rows = _member_rows(form)
                interviews.save_household(
                    db.session, case, _person_values(form.main.form, main=True), rows,
                    {"case": form.case_version.data, "person": form.person_version.data})
                for row in rows:
                    if row.created is not None:
                        _remember(row.key, row.created.id)
            response = self._save(case, step, None, save, form.main.form)
            if response is not None:
                return response
        return self._page(case, step, "household.html", form=form, new=False)

    def _step_arrival(self, case: Case, step: InterviewStep) -> Any:
        person = case.main_person
        form = ArrivalForm(request.form if request.method == "POST" else None,
                           obj=person if request.method == "GET" else None,
                           case_version=case.version)
        if request.method == "POST" and form.validate():
            values = {name: getattr(form, name).data for name in interviews.ARRIVAL_FIELDS}
            response = self._save(
                case, step, form.case_version.data,
                lambda: interviews.save_arrival(db.session, case, values,
                                                form.whole_household.data),
                form)
            if response is not None:
                return response
        return self._page(case, step, "arrival.html", form=form)

    def _step_needs(self, case: Case, step: InterviewStep) -> Any:
        fields = _catalogue(FieldOfAction)()
        household = case.household
        form = BaseForm(request.form) if request.method == "POST" else None
        rows = []
        for field_of_action in fields:
            need = interviews.open_need_for(case, field_of_action)
            rows.append(_NeedRow(field_of_action, need, household, request.form
                                 if request.method == "POST" else None))
        if request.method == "POST":
            problems = [row for row in rows if row.error]
            version = request.form.get("case_version")
            if problems:
                g.form_status = 422
                flash(_("Please check the marked needs."), "danger")
            else:
                chosen = [row.choice() for row in rows if row.checked]
                response = self._save(case, step, version, lambda: interviews.save_needs(
                    db.session, case, chosen))
                if response is not None:
                    return response
        return self._page(case, step, "needs.html", rows=rows, form=form,
                          priorities=[(p.value, p.label) for p in Priority],
                          case_version=request.form.get("case_version", case.version))

    def _step_partners(self, case: Case, step: InterviewStep) -> Any:
        open_needs = [n for n in case.needs if n.status in NeedStatus.open_statuses()]
        reasons = list(db.session.scalars(
            select(Reason).where(Reason.kind == ReasonKind.NEED_UNMET, Reason.active.is_(True))
            .order_by(Reason.sort_order, Reason.id)))
        blocks = [_PartnerBlock(need, matching.suggest_partners(db.session, need), case)
                  for need in open_needs]
        if request.method == "POST":
            def save() -> None:
                for block in blocks:
                    picked = [s.partner for s in block.suggestions
                              if str(s.partner.id) in request.form.getlist(
                                  f"partner-{block.need.id}")]
                    interviews.refer_to(db.session, block.need, picked)
                    reason_id = request.form.get(f"unmet-{block.need.id}", "")
                    reason = next((r for r in reasons if str(r.id) == reason_id), None)
                    if reason_id and reason is None:
                        raise DomainError(_("Choose a reason from the list."))
                    if reason is not None and not picked:
                        interviews.mark_unmet(block.need, reason)
            response = self._save(case, step, request.form.get("case_version"), save)
            if response is not None:
                return response
        return self._page(case, step, "partners.html", blocks=blocks, reasons=reasons,
                          case_version=case.version)

    def _step_consent(self, case: Case, step: InterviewStep) -> Any:
        person = case.main_person
        planned = [r for r in case.referrals if r.status == ReferralStatus.PLANNED
                   and r.channel in HandoverChannel.passing_data()]
        coverage = {r.id: consents.covers(db.session, person, r.partner,
                                          consent_forms.DEFAULT_CATEGORIES, r.channel)
                    for r in planned}
        uncovered = {r.partner for r in planned if not coverage[r.id]}
        form = ConsentForm(request.form if request.method == "POST" else None,
                           partners=[p.id for p in uncovered],
                           categories=list(consent_forms.DEFAULT_CATEGORIES),
                           channels=sorted({r.channel for r in planned}
                                           or {HandoverChannel.PHONE}, key=list(
                                               HandoverChannel).index),
                           given_how=ConsentMethod.SIGNED_PAPER,
                           form_language=consent_forms.document_language(
                               db.session, person.preferred_language.code
                               if person.preferred_language else None),
                           key=_key(), case_version=case.version)
        form.partners.choices = [SelectChoice(p.id, p.name) for p in
                                 sorted({r.partner for r in planned}, key=lambda p: p.name)]
        if request.method == "POST" and request.form.get("go") == "record_consent":
            if form.validate():
                response = self._record_consent(case, form)
                if response is not None:
                    return response
            else:
                g.form_status = 422
        elif request.method == "POST":
            def save() -> None:
                for referral in planned:
                    if request.form.get(f"fallback-{referral.id}") == "information_only":
                        interviews.make_information_only(referral)
            response = self._save(case, step, request.form.get("case_version"), save)
            if response is not None:
                return response
        draft_url = url_for("person.consent_form_view", id=person.id,
                            partner=[p.id for p in uncovered])
        return self._page(case, step, "consent.html", form=form, planned=planned,
                          coverage=coverage, uncovered=uncovered, draft_url=draft_url,
                          case_version=case.version)

    def _record_consent(self, case: Case, form: ConsentForm) -> Any | None:
        if _recalled(form.key.data):
            return redirect(url_for(".step", case_id=case.id, step_name="consent"))
        partners = list(db.session.scalars(
            select(Partner).where(Partner.id.in_(form.partners.data or []))))
        try:
            consent = consents.give_consent(
                db.session, case.main_person, purpose=ConsentPurpose.SHARE_WITH_PARTNERS,
                given_how=form.given_how.data, witness=form.witness.data or None,
                form_version=consents.CONSENT_FORM_VERSION, form_language=form.form_language.data,
                partners=partners, categories=form.categories.data,
                channels=form.channels.data, valid_until=form.valid_until.data,
                recorded_by=current_user._get_current_object())
            interviews.touch(case)
            db.session.flush()
            _remember(form.key.data, consent.id)
            db.session.commit()
        except DomainError as error:
            self._refused(error, form)
            return None
        flash(_("The consent was recorded."), "success")
        return redirect(url_for(".step", case_id=case.id, step_name="consent"))

    def _step_summary(self, case: Case, step: InterviewStep) -> Any:
        interview = interviews.open_interview(db.session, case, current_user)
        person = case.main_person
        form = SummaryForm(request.form if request.method == "POST" else None,
                           held_on=date.today(), duration_minutes=60,
                           channel=ContactChannel.IN_PERSON,
                           language=person.preferred_language,
                           follow_up_on=date.today() + timedelta(days=14),
                           case_version=case.version)
        if request.method == "POST" and form.validate():
            try:
                interviews.check_version(case, form.case_version.data)
                interviews.finish(
                    db.session, interview, held_on=form.held_on.data,
                    duration_minutes=form.duration_minutes.data, channel=form.channel.data,
                    language=form.language.data, interpreter_used=form.interpreter_used.data,
                    staff=current_user._get_current_object(), summary=form.summary.data or None,
                    follow_up_on=form.follow_up_on.data)
                db.session.commit()
            except DomainError as error:
                self._refused(error, form)
            else:
                flash(_("The orientation interview was saved."), "success")
                return redirect(url_for("case.details_view", id=case.id, interview="done"))
        return self._page(case, step, "summary.html", form=form,
                          person_consents=[(c, consents.state_of(c)) for c in db.session.scalars(
                              select(Consent).where(Consent.person_id == person.id))])


class _NeedRow:
    """One field of action on the needs step, with what was entered or is recorded."""

    def __init__(self, field_of_action: FieldOfAction, need: Need | None,
                 household: list[Person], posted: Any) -> None:
        self.field = field_of_action
        self.need = need
        self.household = household
        self.error: str | None = None
        prefix = f"need-{field_of_action.id}"
        self.prefix = prefix
        if posted is not None:
            self.checked = posted.get(prefix) == "y"
            self.topics = [topic for topic in posted.getlist(f"{prefix}-topic")
                           if topic in field_of_action.topics]
            self.person_id = posted.get(f"{prefix}-person", "")
            self.priority = posted.get(f"{prefix}-priority", Priority.MEDIUM.value)
            self.note = posted.get(f"{prefix}-note", "")[:400]
            if self.priority not in {p.value for p in Priority}:
                self.error = _("Choose a priority from the list.")
            if self.person_id and self.person_id not in {str(p.id) for p in household}:
                self.error = _("Choose a member of the household.")
        else:
            self.checked = need is not None
            recorded = (need.description or "") if need else ""
            self.topics = [t for t in field_of_action.topics if t in recorded]
            self.person_id = str(need.person_id) if need and need.person_id else ""
            self.priority = need.priority.value if need else Priority.MEDIUM.value
            self.note = recorded.split(" – ", 1)[1] if " – " in recorded else (
                recorded if recorded and not self.topics else "")

    def choice(self) -> interviews.NeedChoice:
        person = next((p for p in self.household if str(p.id) == self.person_id), None)
        return interviews.NeedChoice(self.field, person, Priority(self.priority),
                                     self.topics, self.note.strip())


class _PartnerBlock:
    def __init__(self, need: Need, suggestions: list[matching.Suggestion], case: Case) -> None:
        self.need = need
        self.suggestions = suggestions
        self.referred = {r.partner_id: r for r in case.referrals if r.need_id == need.id}


def _person_data(person: Person, main: bool = False) -> dict[str, Any]:
    names = interviews.PERSON_FIELDS if main else (
        "given_name", "family_name", "date_of_birth", "sex", "preferred_language")
    return {name: getattr(person, name) for name in names}


def _person_values(form: Form, main: bool = False) -> dict[str, Any]:
    names = interviews.PERSON_FIELDS if main else (
        "given_name", "family_name", "date_of_birth", "sex", "preferred_language")
    values = {name: form[name].data for name in names}
    for name in ("given_name", "family_name", "phone", "email"):
        if name in values:
            values[name] = (values[name] or "").strip() or None
    return values


def _member_rows(form: HouseholdForm) -> list[interviews.MemberRow]:
    rows = []
    for entry in form.members:
        member = entry.form
        values = _person_values(member)
        if not member.person_id.data and not (values["given_name"] or values["family_name"]):
            continue
        if not values["given_name"] or not values["family_name"]:
            raise DomainError(_("Enter the given name and the family name of every household "
                                "member."))
        person_id = member.person_id.data or _recalled(member.key.data)
        rows.append(interviews.MemberRow(
            int(person_id) if person_id and str(person_id).isdecimal() else None,
            member.relation.data or MemberRelation.OTHER, values, key=member.key.data))
    return rows
