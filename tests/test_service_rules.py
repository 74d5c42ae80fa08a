"""Rules the services enforce whatever screen, import or script makes the change."""

from datetime import date

import pytest

from tests.helpers import make_case, make_need, make_referral, reason
from welcome.extensions import db
from welcome.models import CaseStatus, NeedStatus, ReasonKind, ReferralStatus
from welcome.services import cases, needs, referrals
from welcome.services.errors import DomainError


@pytest.mark.parametrize("kind", [ReasonKind.NEED_UNMET, ReasonKind.INTAKE_REJECTED])
def test_a_case_closes_only_with_a_closing_reason(app_context, kind):
    case = make_case()
    with pytest.raises(DomainError) as refused:
        cases.close_case(case, date(2026, 11, 2), reason(kind))
    assert refused.value.field == "closure_reason"


def test_a_closing_reason_given_by_id_is_checked_too(app_context):
    case = make_case()
    wrong, right = reason(ReasonKind.REFERRAL_FAILED), reason(ReasonKind.CASE_CLOSED)
    case.status, case.closed_on = CaseStatus.CLOSED, date(2026, 11, 2)
    case.closure_reason_id = wrong.id
    with pytest.raises(DomainError):
        cases.check_case(case)
    case.closure_reason_id = right.id
    cases.check_case(case)


def test_an_unmet_need_takes_only_a_reason_for_unmet_needs(app_context):
    need = make_need()
    wrong, right = reason(ReasonKind.CASE_CLOSED), reason(ReasonKind.NEED_UNMET)
    need.status, need.unmet_reason = NeedStatus.UNMET, wrong
    with pytest.raises(DomainError) as refused:
        needs.check_need(need)
    assert refused.value.field == "unmet_reason"
    need.unmet_reason = right
    needs.check_need(need)


def test_a_failed_referral_takes_only_a_referral_reason(app_context):
    referral = make_referral(channel="information_only")
    referrals.hand_over(db.session, referral, "information_only", [])
    wrong, right = reason(ReasonKind.NEED_UNMET), reason(ReasonKind.REFERRAL_FAILED)
    referral.status, referral.outcome_reason = ReferralStatus.FAILED, wrong
    with pytest.raises(DomainError) as refused:
        referrals.check_referral(referral)
    assert refused.value.field == "outcome_reason"
    referral.outcome_reason = right
    referrals.check_referral(referral)


def test_a_case_from_year_one_is_refused_before_it_gets_a_reference(app_context):
    with pytest.raises(DomainError) as refused:
        make_case(opened_on=date(1, 1, 1))
    assert refused.value.field == "opened_on"


def test_a_need_with_referrals_stays_with_its_case_and_person(app_context):
    need = make_referral().need
    other = make_case()
    need.case = other
    with pytest.raises(DomainError) as refused:
        needs.check_need(need)
    assert refused.value.field == "case"
    db.session.rollback()
    need.person = need.case.main_person
    with pytest.raises(DomainError) as refused:
        needs.check_need(need)
    assert refused.value.field == "person"


def test_a_need_without_referrals_can_move(app_context):
    need, other = make_need(), make_case()
    need.case, need.person = other, other.main_person
    needs.check_need(need)
    db.session.commit()
    assert (need.case_id, need.person_id) == (other.id, other.main_person_id)
