"""The warm handover screens of a referral: hand over, record the outcome, feedback links.

Every step runs a service function; the screens only collect input and show the result.
"""

from datetime import date
from typing import Any

from flask import flash, g, redirect, request, session, url_for
from flask_admin import expose
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, DateField, HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import DateInput

from admin_views.fields import EnumMultipleField, EnumSelectField, StrictQuerySelectField
from welcome.extensions import db
from welcome.models import (
    DataCategory,
    HandoverChannel,
    Reason,
    ReasonKind,
    Referral,
    ReferralStatus,
)
from welcome.services import feedback, mail, referrals
from welcome.services.errors import DomainError, StaleEditError

#: What a coordinator usually passes: enough to get in touch about the need, nothing more.
DEFAULT_CATEGORIES = (DataCategory.NAME, DataCategory.CONTACT, DataCategory.PREFERRED_LANGUAGE,
                      DataCategory.NEED)
#: Outcomes staff record on the referral page (handing over has its own screen).
OUTCOMES = (ReferralStatus.APPOINTMENT_MADE, ReferralStatus.COMPLETED, ReferralStatus.FAILED,
            ReferralStatus.CANCELLED)


class HandoverForm(BaseForm):
    channel = EnumSelectField(_l("Hand over how"), enum_class=HandoverChannel,
                              validators=[InputRequired()])
    categories = EnumMultipleField(_l("Data to pass on"), enum_class=DataCategory)
    with_link = BooleanField(_l("Add a link through which the partner reports back"))
    step = HiddenField(default="preview")


def _outcome_reasons() -> list[Reason]:
    return list(db.session.scalars(
        select(Reason).where(Reason.kind == ReasonKind.REFERRAL_FAILED, Reason.active.is_(True))
        .order_by(Reason.sort_order, Reason.id)))


class OutcomeForm(BaseForm):
    status = EnumSelectField(_l("What happened"), enum_class=ReferralStatus,
                             validators=[InputRequired()])
    day = DateField(_l("On"), widget=DateInput(), validators=[Optional()])
    reason = StrictQuerySelectField(_l("Reason (failed or cancelled)"), allow_blank=True,
                                    blank_text="—", query_factory=_outcome_reasons)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


def _link_key(referral: Referral) -> str:
    return f"handover-link-{referral.id}"


class HandoverPages:
    """Pages added to the referral screen (mixed into ``ReferralView``)."""

    @expose("/handover/", methods=("GET", "POST"))
    def handover_view(self) -> Any:
        """Choose channel and data, see the exact text, then hand over (and send the mail)."""
        referral = self.get_one(request.args.get("id"))
        back = url_for(".details_view", id=referral.id)
        if referral.status != ReferralStatus.PLANNED:
            if request.method == "POST":
                return self._already_handed_over(referral)
            flash(_("This referral was handed over already."), "info")
            return redirect(back)
        # A link is read out on the phone badly; by e-mail the partner just clicks it.
        form = HandoverForm(request.form if request.method == "POST" else None,
                            channel=referral.channel, categories=list(DEFAULT_CATEGORIES),
                            with_link=referral.channel == HandoverChannel.EMAIL)
        context: dict[str, Any] = {"referral": referral, "form": form, "back": back,
                                   "mail_configured": mail.mail_configured(),
                                   "person": referrals.consenting_person(referral)}
        if request.method == "POST" and form.validate():
            channel, categories = form.channel.data, form.categories.data
            try:
                coverage = referrals.check_handover(db.session, referral, channel, categories)
            except DomainError as error:
                _attach(form, error)
                return self.render("admin/referral_handover.html", **context)
            context["coverage"] = coverage
            if coverage and form.step.data == "confirm":
                return self._confirm_handover(referral, form, context)
            if coverage:
                try:
                    url = self._feedback_url(referral, form, new_link=True)
                except DomainError as error:
                    _attach(form, error)
                    return self.render("admin/referral_handover.html", **context)
                context["text"] = None if channel is HandoverChannel.INFORMATION_ONLY else \
                    referrals.compose_text(referral, categories, current_user, feedback_url=url)
                form.step.data = "confirm"
                g.form_status = 200
            else:
                g.form_status = 422
        return self.render("admin/referral_handover.html", **context)

    def _feedback_url(self, referral: Referral, form: HandoverForm,
                      new_link: bool) -> str | None:
        """The partner's feedback link for the text, when asked for. The preview makes a new
        one and keeps its token in the session, so the confirmed text is the one shown."""
        channel = HandoverChannel(form.channel.data)
        if not form.with_link.data or channel is HandoverChannel.INFORMATION_ONLY:
            return None
        token = session.get(_link_key(referral))
        if new_link or token is None:
            token = feedback.create_link(db.session, referral, by=current_user, channel=channel)
            db.session.commit()
            session[_link_key(referral)] = token
        return feedback.link_url(token)

    def _confirm_handover(self, referral: Referral, form: HandoverForm,
                          context: dict[str, Any]) -> Any:
        """Record the handover and commit at once, then send the e-mail: no database lock is
        held while the mail server talks. If the server refuses, the handover is taken back."""
        channel = HandoverChannel(form.channel.data)
        try:
            text = referrals.hand_over(db.session, referral, channel, form.categories.data,
                                       by=current_user,
                                       feedback_url=self._feedback_url(referral, form, False))
            db.session.commit()
        except (StaleEditError, StaleDataError, OperationalError):
            # A second submission raced the first one (double click, two colleagues).
            db.session.rollback()
            return self._already_handed_over(referral)
        except DomainError as error:
            db.session.rollback()
            return self._refused(form, error, context)
        if channel is HandoverChannel.EMAIL and mail.mail_configured() and text is not None:
            try:
                mail.send_mail(referral.partner.email,
                               _("Handover from the Welcome Center (%(reference)s)",
                                 reference=referral.case.reference), text)
            except mail.MailError as error:
                referrals.take_back(db.session, referral)
                db.session.commit()
                return self._refused(form, error, context)
        session.pop(_link_key(referral), None)
        flash(_("Handed over to %(partner)s. The text as passed on is kept with the referral.",
                partner=referral.partner.name), "success")
        return redirect(context["back"])

    def _refused(self, form: HandoverForm, error: DomainError, context: dict[str, Any]) -> Any:
        _attach(form, error)
        form.step.data = "preview"
        context.pop("coverage", None)
        return self.render("admin/referral_handover.html", **context)

    def _already_handed_over(self, referral: Referral) -> Any:
        """A second "hand over" of the same referral: say so, pass nothing more (409)."""
        db.session.expire_all()
        if self.get_one(referral.id).status == ReferralStatus.PLANNED:
            flash(_("The referral could not be handed over because the database was busy. "
                    "Nothing was passed on; please try again."), "danger")
        else:
            flash(_("This referral was handed over already (perhaps the form was sent twice); "
                    "nothing more was passed on."), "warning")
        g.form_status = 409
        return self.details_view()

    @expose("/outcome/", methods=("POST",))
    def outcome_view(self) -> Any:
        """Record what came of a handed-over referral."""
        referral = self.get_one(request.args.get("id"))
        back = url_for(".details_view", id=referral.id)
        form = OutcomeForm(request.form)
        if not form.validate():
            g.form_status = 422
            flash(_("Please check the outcome: %(errors)s",
                    errors="; ".join(str(e) for errors in form.errors.values() for e in errors)),
                  "danger")
            return self.details_view()
        try:
            referrals.record_outcome(referral, form.status.data, on=form.day.data or date.today(),
                                     reason=form.reason.data, note=form.note.data)
        except DomainError as error:
            db.session.rollback()
            g.form_status = error.status_code
            flash(error.message, "danger")
            return self.details_view()
        db.session.commit()
        flash(_("Saved: %(status)s.", status=referral.status.label), "success")
        return redirect(back)

    @expose("/feedback-link/", methods=("POST",))
    def feedback_link_view(self) -> Any:
        """A new link for the partner, shown once (only its hash is kept)."""
        referral = self.get_one(request.args.get("id"))
        try:
            token = feedback.create_link(db.session, referral, by=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            g.form_status = error.status_code
            return self.details_view()
        db.session.commit()
        g.form_status = 200
        return self.render("admin/referral_feedback_link.html", referral=referral,
                           url=feedback.link_url(token),
                           back=url_for(".details_view", id=referral.id))

    @expose("/feedback-link/revoke/", methods=("POST",))
    def revoke_link_view(self) -> Any:
        referral = self.get_one(request.args.get("id"))
        for link in referral.feedback_links:
            feedback.revoke_link(link)
        db.session.commit()
        flash(_("The feedback links of this referral no longer work."), "success")
        return redirect(url_for(".details_view", id=referral.id))

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.details_template:
            referral = kwargs["model"]
            choices = [s for s in OUTCOMES if s in referrals.TRANSITIONS[referral.status]]
            kwargs["outcome_choices"] = choices
            kwargs.setdefault("outcome_form", OutcomeForm(
                status=choices[0] if choices else None, day=date.today()))
            kwargs["active_links"] = [link for link in referral.feedback_links
                                      if link.revoked_at is None and link.used_at is None]
        return super().render(template, **kwargs)


def _attach(form: BaseForm, error: DomainError) -> None:
    """Show a service's refusal at the field it concerns, or on top of the page."""
    g.form_status = error.status_code
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")
