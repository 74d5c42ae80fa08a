"""The page a partner opens from a feedback link: no account, one referral, one answer."""

from typing import Any

from flask import Blueprint, Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import DateInput

from admin_views.fields import StrictQuerySelectField
from welcome.extensions import db, limiter
from welcome.models import AuditAction, PartnerAnswer, Reason, ReasonKind
from welcome.services import audit, feedback
from welcome.services.errors import DomainError

blueprint = Blueprint("feedback", __name__, url_prefix="/feedback")


def _rate() -> str:
    from flask import current_app

    return current_app.config["WELCOME_FEEDBACK_RATE_LIMIT"]


def _reasons() -> list[Reason]:
    return list(db.session.scalars(
        select(Reason).where(Reason.kind == ReasonKind.REFERRAL_FAILED, Reason.active.is_(True),
                             Reason.code != "referral_consent_withdrawn")
        .order_by(Reason.sort_order, Reason.id)))


class AnswerForm(FlaskForm):
    answer = RadioField(_l("Your answer"), validators=[InputRequired()], choices=[
        SelectChoice(PartnerAnswer.APPOINTMENT.value, _l("An appointment has been made")),
        SelectChoice(PartnerAnswer.COMPLETED.value, _l("We have helped; the matter is completed")),
        SelectChoice(PartnerAnswer.NOT_HELPED.value, _l("We could not help")),
    ])
    day = DateField(_l("Date of the appointment"), widget=DateInput(), validators=[Optional()])
    reason = StrictQuerySelectField(_l("Why not"), allow_blank=True, blank_text="—",
                                    query_factory=_reasons)
    note = TextAreaField(_l("Note for the Welcome Center (optional, no health details please)"),
                         validators=[Optional(), Length(max=1000)])


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)


@blueprint.route("/<token>", methods=["GET", "POST"])
@limiter.limit(_rate)
def answer(token: str) -> Any:
    try:
        link = feedback.usable_link(db.session, token)
    except feedback.LinkUnusable as error:
        return render_template("feedback/unusable.html", message=error.message), 410
    referral = link.referral
    actor = f"partner:{referral.partner_id}"
    form = AnswerForm()
    if request.method == "GET":
        with audit.acting_as(None, actor):
            audit.record(db.session, AuditAction.VIEW, "Referral", referral.id,
                         detail="feedback page")
            db.session.commit()
    elif form.validate_on_submit():
        try:
            with audit.acting_as(None, actor):
                feedback.record_answer(link, PartnerAnswer(form.answer.data),
                                       on=form.day.data, reason=form.reason.data,
                                       note=form.note.data)
                db.session.commit()
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, error.message]
        else:
            return render_template("feedback/thanks.html", referral=referral)
    status = 422 if request.method == "POST" else 200
    return render_template("feedback/answer.html", form=form, referral=referral,
                           first_name=feedback.first_name_for_partner(referral),
                           title=_("Feedback on a referral")), status
