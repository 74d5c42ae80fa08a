"""Needs: recording them and deciding their outcome."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import object_session

from welcome.models import Need, NeedStatus, ReasonKind, Referral
from welcome.services.dates import check_day
from welcome.services.errors import DomainError
from welcome.services.reasons import check_reason_kind


def check_need(need: Need) -> None:
    """Keep a need consistent before it is saved, whatever screen changed it.

    Sets the resolution date when a need becomes met or unmet and clears it when it is reopened.

    :raises DomainError: naming the field that breaks a rule.
    """
    _keep_referred_need_in_place(need)
    check_day(need.identified_on, "identified_on")
    if need.status == NeedStatus.UNMET:
        if need.unmet_reason is None and need.unmet_reason_id is None:
            raise DomainError(
                _("Say why the need stays unmet; monitoring reports these gaps."), "unmet_reason"
            )
        check_reason_kind(need, "unmet_reason", ReasonKind.NEED_UNMET)
    elif need.unmet_reason is not None or need.unmet_reason_id is not None:
        need.unmet_reason = None
        need.unmet_reason_id = None
    if need.status in (NeedStatus.MET, NeedStatus.UNMET):
        if need.resolved_on is None:
            need.resolved_on = date.today()
    else:
        need.resolved_on = None
    check_day(need.resolved_on, "resolved_on")
    identified = need.identified_on or date.today()
    if need.resolved_on is not None and need.resolved_on < identified:
        raise DomainError(_("A need cannot be resolved before it was identified."), "resolved_on")
    field_id = need.field_of_action.id if need.field_of_action else need.field_of_action_id
    if any(topic.field_of_action_id != field_id for topic in need.topics):
        raise DomainError(_("Choose topics of the need's own field of action."), "topics")
    if need.person is not None and need.case is not None:
        household = need.case.household
        if all(person is not need.person for person in household):
            raise DomainError(
                _("The person concerned must belong to the case's household."), "person"
            )


def _keep_referred_need_in_place(need: Need) -> None:
    """A referral was made for this case and person, under that person's consent; moving the
    need would carry the referral over to somebody else's file.

    Compares the assigned case and person with the stored keys, which are only brought in line
    on flush, so it must run before anything else in the check loads (and so flushes) data.
    """
    if need.id is None:
        return
    new_case_id = need.case.id if need.case is not None else need.case_id
    new_person_id = need.person.id if need.person is not None else None
    moved_case = new_case_id != need.case_id
    moved_person = new_person_id != need.person_id
    if not (moved_case or moved_person):
        return
    session = object_session(need)
    if session is None or not session.scalar(select(exists().where(Referral.need_id == need.id))):
        return
    if moved_case:
        raise DomainError(_("This need already has referrals and stays with its case. Record a "
                            "new need for the other case instead."), "case")
    raise DomainError(_("This need already has referrals for the person concerned. Record a "
                        "new need for somebody else instead."), "person")
