"""Consent decides what may be passed to whom, by which channel, until when."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from tests.helpers import (
    catalogue,
    make_case,
    make_consent,
    make_need,
    make_partner,
    make_person,
    make_referral,
    reason,
)
from welcome.extensions import db
from welcome.models import (
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    HandoverChannel,
    Language,
    MemberRelation,
    PartnerType,
    ReasonKind,
    ReferralStatus,
    WithdrawalMethod,
)
from welcome.services import cases, consents, feedback, referrals
from welcome.services.errors import DomainError, StaleEditError

NAME, CONTACT, NEED = DataCategory.NAME, DataCategory.CONTACT, DataCategory.NEED
EMAIL, PHONE = HandoverChannel.EMAIL, HandoverChannel.PHONE


@pytest.fixture
def setting(app_context):
    """A household, a partner, a planned referral and a consent naming that partner."""
    person = make_person(given_name="Olena", family_name="Kovalenko",
                         date_of_birth=date(1990, 4, 1), phone="+49 171 3920077",
                         email="olena.kovalenko@example.org")
    case = make_case(person)
    partner = make_partner(name="Migrationsberatung Altstadt")
    referral = make_referral(make_need(case, description="Wohnung für drei Personen"), partner)
    consent = make_consent(person, [partner], categories=[NAME, CONTACT, NEED],
                           channels=[EMAIL, PHONE])
    return person, partner, referral, consent


def _reasons(referral, channel=EMAIL, categories=(NAME, NEED)) -> list[str]:
    return referrals.check_handover(db.session, referral, channel, list(categories)).reasons


def test_a_consent_naming_the_partner_covers_the_handover(setting):
    person, partner, _referral, consent = setting
    coverage = consents.covers(db.session, person, partner, [NAME, NEED], EMAIL)
    assert coverage and coverage.consent.id == consent.id and coverage.reasons == []


def test_a_consent_for_the_partner_type_covers_every_partner_of_that_type(app_context):
    person = make_person()
    partner = make_partner(type_code="jmd")
    make_consent(person, [], partner_types=[catalogue(PartnerType, "jmd")])
    assert consents.covers(db.session, person, partner, [NAME], PHONE)
    other = make_partner(type_code="mbe")
    assert not consents.covers(db.session, person, other, [NAME], PHONE)


def test_without_any_consent_the_handover_is_refused(app_context):
    referral = make_referral()
    reasons = _reasons(referral)
    assert len(reasons) == 1 and "nicht zugestimmt" in reasons[0]
    with pytest.raises(DomainError):
        referrals.hand_over(db.session, referral, EMAIL, [NAME])
    assert referral.status is ReferralStatus.PLANNED


def test_another_partner_is_not_covered(setting):
    _person, _, referral, _ = setting
    other = make_partner(name="Jobcenter Musterstadt", type_code="jobcenter")
    other_referral = make_referral(make_need(referral.case, field="work"), other)
    assert _reasons(other_referral) == [
        "Die Einverständniserklärung umfasst weder Jobcenter Musterstadt noch die zugehörige "
        "Partnerart."]


def test_a_category_not_covered_is_named(setting):
    *_, referral, _ = setting
    reasons = _reasons(referral, categories=(NAME, DataCategory.ADDRESS, DataCategory.HOUSEHOLD))
    assert len(reasons) == 2
    assert "Anschrift" in reasons[0] and "Haushaltsmitglieder" in reasons[1]


def test_a_channel_not_allowed_is_named(setting):
    *_, referral, _ = setting
    reasons = _reasons(referral, channel=HandoverChannel.ACCOMPANIED)
    assert reasons == ["Die Einverständniserklärung erlaubt keine Übergabe auf diesem Weg: "
                       "persönlich begleitet."]


def test_an_expired_consent_covers_nothing(app_context):
    person = make_person()
    partner = make_partner()
    referral = make_referral(make_need(make_case(person)), partner)
    make_consent(person, [partner], given_on=date.today() - timedelta(days=400),
                 valid_until=date.today() - timedelta(days=1))
    reasons = _reasons(referral)
    assert len(reasons) == 1 and "abgelaufen" in reasons[0]


def test_a_withdrawn_consent_covers_nothing_even_after_planning(setting):
    *_, referral, consent = setting
    assert referrals.check_handover(db.session, referral, EMAIL, [NAME, NEED])
    consents.withdraw_consent(db.session, consent, date.today(), WithdrawalMethod.VERBAL)
    db.session.commit()
    reasons = _reasons(referral)
    assert len(reasons) == 1 and "widerrufen" in reasons[0]
    with pytest.raises(DomainError):
        referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])


def test_information_only_needs_no_consent_and_passes_nothing(app_context):
    referral = make_referral(channel=HandoverChannel.INFORMATION_ONLY)
    referrals.hand_over(db.session, referral, HandoverChannel.INFORMATION_ONLY, [NAME, CONTACT])
    db.session.commit()
    assert referral.status is ReferralStatus.HANDED_OVER
    assert referral.consent is None and referral.passed_categories == []
    assert referral.handover_text is None


def test_the_text_contains_only_the_categories_passed(setting):
    person, _, referral, consent = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    db.session.commit()
    handed = referral.handover_text
    assert "Olena Kovalenko" in handed
    assert "Wohnung für drei Personen" in handed
    assert person.phone not in handed and person.email not in handed
    assert "01.04.1990" not in handed and "Altstadt" not in handed.split("\n")[0]
    assert referral.consent_id == consent.id
    assert referral.passed_categories == [NAME, NEED]
    assert referral.need.status.value == "referred"


def test_the_text_is_in_the_partners_working_language(setting):
    *_, partner, referral, _ = setting
    partner.working_language = catalogue(Language, "en")
    db.session.commit()
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    assert referral.handover_text.startswith("Good day,")
    assert "Concern: Finding a home" in referral.handover_text


def test_a_partner_without_email_handover_is_not_mailed(setting):
    *_, partner, referral, _ = setting
    partner.accepts_email_handover = False
    db.session.commit()
    with pytest.raises(DomainError, match="keine Übergaben per E-Mail"):
        referrals.check_handover(db.session, referral, EMAIL, [NAME])


def test_withdrawal_flags_open_referrals_that_relied_on_it(setting):
    *_, referral, consent = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    db.session.commit()
    affected = consents.withdraw_consent(db.session, consent, date.today(),
                                         WithdrawalMethod.IN_WRITING)
    assert affected == [referral] and referral.needs_attention
    with pytest.raises(DomainError, match="bereits widerrufen"):
        consents.withdraw_consent(db.session, consent, date.today(), WithdrawalMethod.VERBAL)


@pytest.mark.parametrize(("old", "new"), [
    (ReferralStatus.PLANNED, ReferralStatus.COMPLETED),
    (ReferralStatus.PLANNED, ReferralStatus.APPOINTMENT_MADE),
    (ReferralStatus.COMPLETED, ReferralStatus.FAILED),
    (ReferralStatus.CANCELLED, ReferralStatus.PLANNED),
    (ReferralStatus.FAILED, ReferralStatus.HANDED_OVER),
])
def test_illegal_transitions_are_refused(old, new, app_context):
    with pytest.raises(DomainError, match="nicht von"):
        referrals.check_transition(old, new)


def test_failed_and_cancelled_need_a_reason(setting):
    *_, referral, _ = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    with pytest.raises(DomainError, match="warum"):
        referrals.record_outcome(referral, ReferralStatus.FAILED)


def test_handover_fields_cannot_be_written_around_the_service(setting):
    """No script or form can set a referral to handed over or change what was passed."""
    *_, referral, consent = setting
    referral.status = ReferralStatus.HANDED_OVER
    referral.consent = consent
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    db.session.commit()
    referral.handover_text = "something else"
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()
    referral.passed_categories = [NAME, NEED, CONTACT]
    with pytest.raises(DomainError):
        db.session.flush()


def test_the_database_refuses_a_handover_without_consent(setting):
    *_, referral, _ = setting
    with pytest.raises(Exception, match=r"handover_names_consent|CHECK"):
        db.session.execute(text(
            "UPDATE referrals SET status = 'handed_over', handed_over_at = CURRENT_TIMESTAMP "
            "WHERE id = :id"), {"id": referral.id})


@pytest.mark.parametrize(("change", "field"), [
    ({"channels": [HandoverChannel.INFORMATION_ONLY]}, "channels"),
    ({"partners": []}, "partners"),
    ({"categories": []}, "categories"),
    ({"given_how": ConsentMethod.VERBAL_WITH_WITNESS}, "witness"),
    ({"given_on": date.today() + timedelta(days=3)}, "given_on"),
    ({"valid_until": date(2020, 1, 1)}, "valid_until"),
])
def test_incomplete_consents_are_refused(app_context, change, field):
    person = make_person()
    values = {
        "purpose": ConsentPurpose.SHARE_WITH_PARTNERS, "given_how": ConsentMethod.SIGNED_PAPER,
        "form_version": "2026-1", "form_language": catalogue(Language, "de"),
        "given_on": date(2026, 3, 2), "partners": [make_partner()], "categories": [NAME],
        "channels": [PHONE],
    }
    values.update(change)
    with pytest.raises(DomainError) as refusal:
        consents.give_consent(db.session, person, **values)
    assert refusal.value.field == field


@pytest.mark.parametrize(("data", "accepted"), [
    (b"%PDF-1.7 scan", True),
    (b"\xff\xd8\xff\xe0 jpeg", True),
    (b"MZ executable", False),
    (b"", False),
])
def test_scanned_forms_are_pdf_or_images(setting, data, accepted):
    *_, consent = setting
    if accepted:
        consents.attach_scan(consent, data, "scan.pdf")
        assert consent.scan == data
    else:
        with pytest.raises(DomainError):
            consents.attach_scan(consent, data, "scan.exe")


def test_oversized_scans_are_refused(setting, app):
    *_, consent = setting
    too_big = b"%PDF-" + b"0" * app.config["WELCOME_MAX_UPLOAD_BYTES"]
    with pytest.raises(DomainError, match="MB"):
        consents.attach_scan(consent, too_big, "scan.pdf")


def test_consent_states(app_context):
    consent = make_consent(make_person(), given_on=date(2026, 1, 1),
                           valid_until=date(2026, 6, 30))
    assert consents.state_of(consent, date(2026, 3, 1)).value == "valid"
    assert consents.state_of(consent, date(2026, 6, 10)).value == "expires_soon"
    assert consents.state_of(consent, date(2026, 7, 1)).value == "expired"
    assert consents.state_of(consent, date(2025, 12, 1)).value == "not_yet_valid"


# --- whose data a household member's need passes ------------------------------------------


@pytest.fixture
def household(app_context):
    """A couple: the main person withdrew every consent, the spouse consented for one partner."""
    main = make_person(given_name="Valentina", family_name="Rossi", phone="+49 171 3920011",
                       email="valentina@example.org")
    spouse = make_person(given_name="Marco", family_name="Bianchi", phone="+49 171 3920022",
                         email="marco@example.org")
    case = make_case(main)
    cases.add_member(case, spouse, MemberRelation.SPOUSE)
    db.session.commit()
    partner = make_partner(name="Jobcenter Musterstadt", type_code="jobcenter")
    withdrawn = make_consent(main, [partner], categories=[NAME, CONTACT, NEED])
    consents.withdraw_consent(db.session, withdrawn, date.today(), WithdrawalMethod.VERBAL)
    make_consent(spouse, [partner], categories=[NAME, CONTACT, NEED])
    referral = make_referral(make_need(case, field="work", person=spouse,
                                       description="Stelle als Elektriker"), partner)
    return main, spouse, referral


def test_a_spouses_need_passes_the_spouses_data_not_the_main_persons(household):
    main, spouse, referral = household
    text = referrals.hand_over(db.session, referral, EMAIL, [NAME, CONTACT, NEED])
    assert "Marco Bianchi" in text and spouse.phone in text and spouse.email in text
    assert "Valentina" not in text and "Rossi" not in text
    assert main.phone not in text and main.email not in text
    assert referral.handover_text == text


def test_a_spouses_need_is_not_covered_by_the_main_persons_consent(app_context):
    main, spouse = make_person(given_name="Ana"), make_person(given_name="Rui")
    case = make_case(main)
    cases.add_member(case, spouse, MemberRelation.SPOUSE)
    partner = make_partner()
    make_consent(main, [partner])
    referral = make_referral(make_need(case, person=spouse), partner)
    reasons = _reasons(referral)
    assert len(reasons) == 1 and "Rui" in reasons[0]


def test_a_childs_need_passes_the_parents_data(app_context):
    parent, child = make_person(given_name="Olga"), make_person(given_name="Mila")
    case = make_case(parent)
    cases.add_member(case, child, MemberRelation.CHILD)
    partner = make_partner()
    make_consent(parent, [partner])
    referral = make_referral(make_need(case, person=child), partner)
    text = referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    assert f"Olga {parent.family_name}" in text and "Mila" not in text


# --- information-only referrals -----------------------------------------------------------


def test_information_only_expects_no_feedback_and_gets_no_link(app_context):
    referral = make_referral(channel=HandoverChannel.INFORMATION_ONLY)
    referrals.hand_over(db.session, referral, HandoverChannel.INFORMATION_ONLY, [])
    assert referral.feedback_due_on is None
    with pytest.raises(DomainError, match="Rückmeldung"):
        feedback.create_link(db.session, referral)
    assert referral.feedback_links == []


def test_the_feedback_page_names_the_person_only_when_the_name_was_passed(setting):
    *_, referral, _ = setting
    referrals.hand_over(db.session, referral, EMAIL, [CONTACT, NEED])
    assert feedback.first_name_for_partner(referral) is None
    other = make_referral(make_need(referral.case, field="work"), referral.partner)
    referrals.hand_over(db.session, other, EMAIL, [NAME, NEED])
    assert feedback.first_name_for_partner(other) == "Olena"


# --- what a handover was about stays as it was -------------------------------------------


@pytest.mark.parametrize("change", ["partner", "channel", "case", "need"])
def test_after_the_handover_partner_channel_case_and_need_are_fixed(setting, change):
    *_, referral, _ = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    db.session.commit()
    other_case = make_case(make_person())
    values = {
        "partner": make_partner(name="Andere Beratungsstelle"),
        "channel": PHONE,
        "case": other_case,
        "need": make_need(other_case),
    }
    setattr(referral, change, values[change])
    with pytest.raises(DomainError, match="bleiben so") as refusal:
        db.session.flush()
    assert refusal.value.field == change


def test_a_planned_referral_can_still_be_changed(setting):
    *_, referral, _ = setting
    referral.channel = PHONE
    referral.partner = make_partner(name="Andere Beratungsstelle")
    db.session.flush()
    assert referral.status is ReferralStatus.PLANNED


def test_an_inactive_partner_is_not_handed_over_to(setting):
    *_, partner, referral, _ = setting
    partner.active = False
    db.session.commit()
    with pytest.raises(DomainError, match="nicht mehr aktiv"):
        referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    assert referral.status is ReferralStatus.PLANNED


def test_a_second_handover_of_the_same_referral_is_refused(setting):
    *_, referral, _ = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    with pytest.raises(StaleEditError, match="bereits übergeben"):
        referrals.hand_over(db.session, referral, PHONE, [NAME, CONTACT])
    assert referral.channel is EMAIL and referral.passed_categories == [NAME, NEED]


def test_the_stored_text_masks_the_feedback_token(setting):
    *_, referral, _ = setting
    url = "https://welcome.example.org/feedback/" + "T" * 43
    sent = referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED], feedback_url=url)
    assert url in sent
    assert "T" * 43 not in referral.handover_text
    assert referral.handover_text == sent.replace("T" * 43, "••••")


def test_a_refused_email_takes_the_handover_back(setting):
    *_, referral, _ = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    db.session.commit()
    referrals.take_back(db.session, referral)
    db.session.commit()
    assert referral.status is ReferralStatus.PLANNED
    assert (referral.handed_over_at, referral.handover_text, referral.consent) == (None, None, None)
    assert referral.passed_categories == [] and referral.need.status.value == "in_progress"
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    assert referral.status is ReferralStatus.HANDED_OVER


# --- withdrawal and the recorded scope ----------------------------------------------------


def test_a_withdrawal_cannot_be_dated_in_the_future(setting):
    *_, consent = setting
    with pytest.raises(DomainError, match="Zukunft") as refusal:
        consents.withdraw_consent(db.session, consent, date.today() + timedelta(days=1),
                                  WithdrawalMethod.IN_WRITING)
    assert refusal.value.field == "withdrawn_on"
    assert consent.withdrawn_on is None
    assert consents.state_of(consent).value == "valid"
    consents.withdraw_consent(db.session, consent, date.today(), WithdrawalMethod.IN_WRITING)
    assert consents.state_of(consent).value == "withdrawn"


@pytest.mark.parametrize(("attribute", "value", "field"), [
    ("categories", [NAME, CONTACT, NEED, DataCategory.ADDRESS], "categories"),
    ("channels", [EMAIL, PHONE, HandoverChannel.ACCOMPANIED], "channels"),
    ("partners", "other partner", "partners"),
    ("partner_types", "a type", "partner_types"),
    ("person", "other person", "person"),
    ("purpose", ConsentPurpose.CONTACT_BY_CENTER, "purpose"),
    ("given_on", date(2026, 1, 5), "given_on"),
    ("given_how", ConsentMethod.ELECTRONIC, "given_how"),
    ("form_version", "2027-1", "form_version"),
    ("form_language", "en", "form_language"),
])
def test_a_recorded_consents_scope_cannot_be_changed(setting, attribute, value, field):
    """Handovers relied on the scope; widening it afterwards would make them look covered."""
    *_, consent = setting
    value = {
        "other partner": [*consent.partners, make_partner(name="Noch ein Partner")],
        "a type": [catalogue(PartnerType, "jmd")],
        "other person": make_person(),
        "en": catalogue(Language, "en"),
    }.get(value, value) if isinstance(value, str) else value
    setattr(consent, attribute, value)
    with pytest.raises(DomainError, match="neue Einverständniserklärung") as refusal:
        db.session.flush()
    assert refusal.value.field == field


def test_a_recorded_consent_may_be_shortened_and_annotated_but_not_extended(setting):
    *_, consent = setting
    consent.valid_until = date.today() + timedelta(days=60)
    consent.notes = "Original im Ordner"
    db.session.commit()
    consent.valid_until = date.today() + timedelta(days=30)
    db.session.commit()
    consent.valid_until = date.today() + timedelta(days=90)
    with pytest.raises(DomainError, match="nicht verlängert"):
        db.session.flush()
    db.session.rollback()
    consent.valid_until = None
    with pytest.raises(DomainError, match="nicht verlängert"):
        db.session.flush()


@pytest.mark.parametrize(("change", "field"), [
    ({"given_on": date(1, 1, 1)}, "given_on"),
    ({"given_on": date.today().replace(year=date.today().year - 11)}, "given_on"),
    ({"valid_until": date(9999, 12, 31)}, "valid_until"),
])
def test_implausible_consent_dates_are_refused(app_context, change, field):
    with pytest.raises(DomainError) as refusal:
        make_consent(make_person(), **change)
    assert refusal.value.field == field


# --- outcome dates ------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "offset", "message"), [
    (ReferralStatus.APPOINTMENT_MADE, -1, "vor der Übergabe"),
    (ReferralStatus.APPOINTMENT_MADE, 800, "mehr als zwei Jahre"),
    (ReferralStatus.COMPLETED, 1, "in der Zukunft"),
    (ReferralStatus.FAILED, 3, "in der Zukunft"),
])
def test_implausible_outcome_dates_are_refused(setting, status, offset, message):
    *_, referral, _ = setting
    referrals.hand_over(db.session, referral, EMAIL, [NAME, NEED])
    with pytest.raises(DomainError, match=message) as refusal:
        referrals.record_outcome(referral, status, date.today() + timedelta(days=offset),
                                 reason=reason(ReasonKind.REFERRAL_FAILED))
    assert refusal.value.field == "day"
    assert referral.status is ReferralStatus.HANDED_OVER
