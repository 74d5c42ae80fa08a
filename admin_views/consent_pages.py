"""Consent pages: the printable form, withdrawing in one step, the scanned signed form."""

import re
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import BaseForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField
from wtforms.validators import InputRequired
from wtforms.widgets import DateInput

from admin_views.fields import EnumSelectField
from welcome.auth.redirects import safe_next
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    DataCategory,
    HandoverChannel,
    Partner,
    PartnerType,
    WithdrawalMethod,
)
from welcome.services import audit, consent_forms, consents
from welcome.services.errors import DomainError


class WithdrawForm(BaseForm):
    withdrawn_on = DateField(_l("Withdrawn on"), widget=DateInput(), validators=[InputRequired()])
    withdrawn_how = EnumSelectField(_l("Withdrawn how"), enum_class=WithdrawalMethod,
                                    validators=[InputRequired()])


def pdf_response(data: bytes, filename: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{safe}"'})


class ConsentPages:
    """Pages added to the consent screen (mixed into ``ConsentView``)."""

    @expose("/form/")
    def form_view(self) -> Any:
        """The printed form of a recorded consent, in its version and language."""
        consent = self.get_one(request.args.get("id"))
        pdf = consent_forms.form_for_consent(db.session, consent)
        audit.record(db.session, AuditAction.EXPORT, "Consent", consent.id,
                     detail=f"consent form {consent.form_version}")
        db.session.commit()
        return pdf_response(pdf.data, f"Einverstaendnis-{consent.id}.pdf")

    @expose("/withdraw/", methods=("POST",))
    def withdraw_view(self) -> Any:
        """Withdraw with effect for the future; open referrals relying on it are flagged."""
        consent = self.get_one(request.args.get("id"))
        back = safe_next(request.args.get("url"),
                         url_for("person.details_view", id=consent.person_id))
        form = WithdrawForm(request.form)
        if not form.validate():
            abort(422, _("Please give the date and the way the consent was withdrawn."))
        try:
            affected = consents.withdraw_consent(db.session, consent, form.withdrawn_on.data,
                                                 form.withdrawn_how.data)
        except DomainError as error:
            db.session.rollback()
            abort(error.status_code, error.message)
        db.session.commit()
        flash(_("The consent was withdrawn."), "success")
        if affected:
            flash(_("These referrals relied on it and are marked for attention: %(referrals)s",
                    referrals=", ".join(f"{r.case.reference} → {r.partner.name}"
                                        for r in affected)), "warning")
        return redirect(back)

    @expose("/scan/")
    def scan_view(self) -> Any:
        """The scanned signed form; opening it is recorded like any read of personal data."""
        consent = self.get_one(request.args.get("id"))
        if consent.scan is None:
            abort(404)
        audit.record(db.session, AuditAction.VIEW, "Consent", consent.id, detail="scan")
        db.session.commit()
        return Response(consent.scan, mimetype=consent.scan_mimetype or "application/pdf",
                        headers={"Content-Disposition": "inline"})


def _ids(name: str) -> list[int]:
    values = request.args.getlist(name)
    if not all(value.isdecimal() and int(value) < 2**31 for value in values):
        abort(400, _("The link to the consent form is not valid."))
    return [int(value) for value in values]


def _enums(name: str, enum_class: type) -> list[Any]:
    try:
        return [enum_class(value) for value in request.args.getlist(name)]
    except ValueError:
        abort(400, _("The link to the consent form is not valid."))


class PersonConsentPages:
    """The draft consent form, printed from a person's page before the consent is recorded."""

    @expose("/consent-form/")
    def consent_form_view(self) -> Any:
        person = self.get_one(request.args.get("id"))
        partner_ids, type_ids = _ids("partner"), _ids("partner_type")
        partners = list(db.session.scalars(select(Partner).where(Partner.id.in_(partner_ids))))
        types = list(db.session.scalars(select(PartnerType).where(PartnerType.id.in_(type_ids))))
        if len(partners) != len(set(partner_ids)) or len(types) != len(set(type_ids)):
            abort(404)
        if not partners and not types:
            partners = consent_forms.partners_awaiting_consent(db.session, person)
        categories = _enums("category", DataCategory) or consent_forms.DEFAULT_CATEGORIES
        channels = _enums("channel", HandoverChannel) or consent_forms.DEFAULT_CHANNELS
        pdf = consent_forms.draft_form(db.session, person, request.args.get("language"),
                                       partners, types, categories, channels)
        audit.record(db.session, AuditAction.EXPORT, "Person", person.id, detail="consent form")
        db.session.commit()
        return pdf_response(pdf.data, f"Einverstaendnis-{date.today().isoformat()}.pdf")
