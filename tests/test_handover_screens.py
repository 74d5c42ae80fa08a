"""The warm handover as a coordinator does it: check, see the text, hand over, hear back."""

import re
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import separate_app
from tests.helpers import (
    CsrfClient,
    flashes,
    login_as,
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
    AuditAction,
    AuditEvent,
    FeedbackLink,
    HandoverChannel,
    MemberRelation,
    PartnerAnswer,
    ReasonKind,
    Referral,
    ReferralStatus,
    Role,
    UiLocale,
    User,
)
from welcome.models.types import utcnow
from welcome.services import cases


class Inbox:
    """A real SMTP server on a free local port that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    old = {key: app.config[key] for key in ("WELCOME_MAIL_SERVER", "WELCOME_MAIL_PORT")}
    app.config.update(WELCOME_MAIL_SERVER="127.0.0.1", WELCOME_MAIL_PORT=controller.port)
    yield handler
    app.config.update(old)
    controller.stop()


@pytest.fixture
def planned(client):
    """A coordinator, and a planned referral whose person consented to name, contact, need."""
    login_as(client, Role.COORDINATOR)
    person = make_person(given_name="Lina", family_name="Haddad", email="lina@example.org")
    partner = make_partner(name="Migrationsberatung Altstadt", email="mbe@example.org")
    referral = make_referral(make_need(make_case(person), description="Wohnung gesucht"),
                             partner)
    make_consent(person, [partner])
    return referral


def _handover(client, referral, step, channel="email", categories=("name", "need"),
              with_link=True):
    data = {"step": step, "channel": channel, "categories": list(categories)}
    if with_link:
        data["with_link"] = "y"
    return client.post(f"/admin/referral/handover/?id={referral.id}", data=data)


def _stored(referral) -> Referral:
    db.session.expire_all()
    return db.session.get(Referral, referral.id)


def test_preview_shows_the_exact_text(client, planned):
    response = _handover(client, planned, "preview")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Lina Haddad" in page and "Wohnung gesucht" in page
    assert "lina@example.org" not in page.split("handover-text")[1].split("</textarea>")[0]
    assert "/feedback/" in page
    assert _stored(planned).status is ReferralStatus.PLANNED


def test_preview_without_consent_says_what_is_missing(client, planned):
    response = _handover(client, planned, "preview", categories=("name", "address"))
    assert response.status_code == 422
    assert "Anschrift" in flashes(response)
    assert "Einverständniserklärung erfassen" in flashes(response)


def _token(response) -> str:
    return re.search(r"/feedback/([\w-]{20,})", response.get_data(as_text=True)).group(1)


def test_handover_by_email_arrives_with_the_stored_text(client, planned, inbox):
    token = _token(_handover(client, planned, "preview"))
    response = _handover(client, planned, "confirm")
    assert response.status_code == 302, flashes(response)[:1500]
    stored = _stored(planned)
    assert stored.status is ReferralStatus.HANDED_OVER
    assert [m.rcpt_tos for m in inbox.messages] == [["mbe@example.org"]]
    message = message_from_bytes(inbox.messages[0].content, policy=policy.default)
    assert stored.case.reference in message["Subject"]
    body = message.get_content().replace("\r\n", "\n")
    assert "Lina Haddad" in body and f"/feedback/{token}" in body
    # The referral keeps the text exactly as sent, but with the link's token masked.
    assert token not in stored.handover_text
    assert stored.handover_text.rstrip() == body.replace(token, "••••").rstrip()
    handovers = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.HANDOVER)).all()
    assert [e.entity_id for e in handovers] == [str(planned.id)]


def test_unreachable_mail_server_records_nothing(client, planned, app):
    app.config.update(WELCOME_MAIL_SERVER="127.0.0.1", WELCOME_MAIL_PORT=9)
    try:
        _handover(client, planned, "preview")
        response = _handover(client, planned, "confirm")
    finally:
        app.config.update(WELCOME_MAIL_SERVER="")
    assert response.status_code == 502
    text = flashes(response)
    assert "Mailserver war nicht erreichbar" in text and "nicht gesendet" in text
    assert "Error" not in text and "Connection" not in text
    stored = _stored(planned)
    assert stored.status is ReferralStatus.PLANNED
    assert (stored.handed_over_at, stored.handover_text, stored.passed_categories) == (
        None, None, [])


def test_without_mail_server_the_text_is_offered_to_copy(client, planned):
    page = _handover(client, planned, "preview").get_data(as_text=True)
    assert "mailto:mbe@example.org" in page
    assert "Ich habe die E-Mail gesendet" in page
    response = _handover(client, planned, "confirm")
    assert response.status_code == 302
    assert _stored(planned).handed_over_at is not None


def test_phone_handover_shows_a_call_script(client, planned):
    page = _handover(client, planned, "preview", channel="phone").get_data(as_text=True)
    assert "Gesprächsleitfaden" in page
    response = _handover(client, planned, "confirm", channel="phone")
    assert response.status_code == 302
    assert _stored(planned).channel.value == "phone"


def test_confirm_rechecks_consent(client, planned):
    """A form changed between preview and confirm cannot pass more than is covered."""
    _handover(client, planned, "preview")
    response = _handover(client, planned, "confirm", categories=("name", "address"))
    assert response.status_code == 422
    assert _stored(planned).status is ReferralStatus.PLANNED


def test_the_admin_edit_form_cannot_hand_over(client, planned):
    data = {"case": str(planned.case_id), "need": str(planned.need_id),
            "partner": str(planned.partner_id), "channel": "email", "status": "handed_over",
            "planned_on": "2026-03-02", "edit_version": str(planned.version),
            "handover_text": "alles über die Person"}
    response = client.post(f"/admin/referral/edit/?id={planned.id}", data=data)
    assert response.status_code == 422
    assert "Übergeben" in flashes(response)
    stored = _stored(planned)
    assert stored.status is ReferralStatus.PLANNED and stored.handover_text is None


def test_outcome_is_recorded_on_the_referral_page(client, planned):
    _handover(client, planned, "preview")
    _handover(client, planned, "confirm")
    today = date.today().isoformat()
    response = client.post(f"/admin/referral/outcome/?id={planned.id}",
                           data={"status": "failed", "day": today})
    assert response.status_code == 422
    assert "warum" in flashes(response)
    response = client.post(f"/admin/referral/outcome/?id={planned.id}", data={
        "status": "failed", "day": today,
        "reason": str(reason(ReasonKind.REFERRAL_FAILED).id)})
    assert response.status_code == 302
    assert _stored(planned).status is ReferralStatus.FAILED


def test_overdue_feedback_filter(client, planned):
    _handover(client, planned, "preview", channel="phone")
    _handover(client, planned, "confirm", channel="phone")
    stored = _stored(planned)
    stored.feedback_due_on = date.today() - timedelta(days=1)
    db.session.commit()
    other = make_referral()
    page = client.get("/admin/referral/?flt0_feedback_is=1").get_data(as_text=True)
    assert stored.case.reference in page and other.case.reference not in page


# --- the partner's side -------------------------------------------------------------------


def _link(client, planned) -> str:
    token = _token(_handover(client, planned, "preview", channel="phone"))
    _handover(client, planned, "confirm", channel="phone")
    client.post("/logout")
    return token


def test_partner_confirms_an_appointment(client, planned):
    token = _link(client, planned)
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200
    text = flashes(page)
    assert "Lina" in text and planned.case.reference in text and "Haddad" not in text
    day = date.today() + timedelta(days=9)
    response = client.post(f"/feedback/{token}", data={"answer": "appointment",
                                                       "day": day.isoformat()})
    assert response.status_code == 200 and "Vielen Dank" in flashes(response)
    stored = _stored(planned)
    assert stored.status is ReferralStatus.APPOINTMENT_MADE
    assert stored.appointment_on == day
    assert (stored.partner_answer, stored.partner_answer_on) == (PartnerAnswer.APPOINTMENT, day)
    changes = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "Referral", AuditEvent.action == AuditAction.UPDATE)).all()
    assert changes[-1].username == f"partner:{planned.partner_id}"


def test_a_link_answers_once(client, planned):
    token = _link(client, planned)
    client.post(f"/feedback/{token}", data={"answer": "completed"})
    response = client.post(f"/feedback/{token}", data={"answer": "completed"})
    assert response.status_code == 410
    assert "bereits" in flashes(response)


def test_expired_and_revoked_links_are_refused(client, planned):
    token = _link(client, planned)
    db.session.scalar(select(FeedbackLink)).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/feedback/{token}").status_code == 410
    link = db.session.scalar(select(FeedbackLink))
    link.expires_at = utcnow() + timedelta(days=1)
    link.revoked_at = utcnow()
    db.session.commit()
    response = client.get(f"/feedback/{token}")
    assert response.status_code == 410 and "zurückgezogen" in flashes(response)


@pytest.mark.parametrize("token", ["x", "0" * 43, "a" * 200, "%2e%2e"])
def test_wrong_tokens_are_refused(client, planned, token):
    response = client.get(f"/feedback/{token}")
    assert response.status_code in (404, 410)
    assert "Lina" not in flashes(response)


def test_partner_answer_needs_a_reason_when_not_helped(client, planned):
    token = _link(client, planned)
    response = client.post(f"/feedback/{token}", data={"answer": "not_helped"})
    assert response.status_code == 422
    assert _stored(planned).status is ReferralStatus.HANDED_OVER


def test_partner_page_needs_the_csrf_token(client, planned):
    token = _link(client, planned)
    response = client.post(f"/feedback/{token}", data={"answer": "completed"}, csrf=False)
    assert response.status_code == 400
    assert _stored(planned).status is ReferralStatus.HANDED_OVER


def test_partner_page_is_rate_limited(database_url):
    with separate_app(database_url, WELCOME_FEEDBACK_RATE_LIMIT="3 per minute") as app:
        app.test_client_class = CsrfClient
        client = app.test_client()
        statuses = [client.get(f"/feedback/{'b' * 43}").status_code for _ in range(4)]
    assert statuses == [410, 410, 410, 429]


def test_staff_create_and_withdraw_links(client, planned):
    _handover(client, planned, "preview", channel="phone", with_link=False)
    _handover(client, planned, "confirm", channel="phone", with_link=False)
    response = client.post(f"/admin/referral/feedback-link/?id={planned.id}")
    assert response.status_code == 200
    token = re.search(r"/feedback/([\w-]+)", response.get_data(as_text=True)).group(1)
    client.post(f"/admin/referral/feedback-link/revoke/?id={planned.id}")
    client.post("/logout")
    assert client.get(f"/feedback/{token}").status_code == 410


def test_link_tokens_are_stored_only_as_hashes(client, planned):
    token = _link(client, planned)
    assert db.session.scalar(select(FeedbackLink.token_hash)) != token
    assert len(token) >= 40


# --- whose consent, what the partner sees, what can change after the handover -------------


def test_a_spouses_need_asks_for_the_spouses_consent(client):
    login_as(client, Role.COORDINATOR)
    main = make_person(given_name="Valentina")
    spouse = make_person(given_name="Marco")
    case = make_case(main)
    cases.add_member(case, spouse, MemberRelation.SPOUSE)
    db.session.commit()
    referral = make_referral(make_need(case, person=spouse), make_partner())
    make_consent(main, [referral.partner])
    response = _handover(client, referral, "preview")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"/admin/consent/new/?person_id={spouse.id}" in page
    assert f"/admin/person/consent-form/?id={spouse.id}&amp;partner={referral.partner_id}" in page
    assert f"person_id={main.id}" not in page


def test_the_feedback_page_shows_no_name_that_was_not_passed(client, planned):
    token = _token(_handover(client, planned, "preview", channel="phone", categories=("need",)))
    _handover(client, planned, "confirm", channel="phone", categories=("need",))
    client.post("/logout")
    text = flashes(client.get(f"/feedback/{token}"))
    assert "Lina" not in text and "Haddad" not in text
    assert planned.case.reference in text and "eine Person" in text


def test_information_only_referrals_get_no_feedback_link(client, planned):
    response = _handover(client, planned, "confirm", channel="information_only")
    assert response.status_code == 302
    assert _stored(planned).feedback_due_on is None
    page = client.get(f"/admin/referral/details/?id={planned.id}").get_data(as_text=True)
    assert "/feedback-link/" not in page
    response = client.post(f"/admin/referral/feedback-link/?id={planned.id}")
    assert response.status_code == 422
    assert "keine Rückmeldung" in flashes(response)
    assert db.session.scalar(select(FeedbackLink).where(
        FeedbackLink.referral_id == planned.id)) is None


def _link_box(client, referral) -> str:
    page = client.get(f"/admin/referral/handover/?id={referral.id}").get_data(as_text=True)
    return re.search(r'<input[^>]*id="with_link"[^>]*>', page).group(0)


def test_the_link_box_is_ticked_for_email_only(client, planned):
    """A link helps in an e-mail; in a call script it cannot be read out."""
    by_phone = make_referral(make_need(planned.case), planned.partner,
                             channel=HandoverChannel.PHONE)
    assert "checked" in _link_box(client, planned)
    assert "checked" not in _link_box(client, by_phone)


def test_after_the_handover_the_edit_form_cannot_change_what_was_passed(client, planned):
    _handover(client, planned, "confirm", channel="phone", with_link=False)
    stored = _stored(planned)
    page = client.get(f"/admin/referral/edit/?id={planned.id}").get_data(as_text=True)
    assert 'name="partner"' not in page and 'name="channel"' not in page
    assert "Migrationsberatung Altstadt" in page and "bleiben so, wie sie übergeben wurden" in page
    other_case = make_case(make_person())
    response = client.post(f"/admin/referral/edit/?id={planned.id}", data={
        "case": str(other_case.id), "need": str(make_need(other_case).id),
        "partner": str(make_partner().id), "channel": "email", "status": "handed_over",
        "planned_on": stored.planned_on.isoformat(), "notes": "angerufen",
        "edit_version": str(stored.version)})
    assert response.status_code == 302, flashes(response)[:1000]
    after = _stored(planned)
    assert (after.case_id, after.need_id, after.partner_id, after.channel) == (
        stored.case_id, stored.need_id, stored.partner_id, stored.channel)
    assert after.notes == "angerufen"


def test_a_planned_referral_can_be_moved_to_another_case(client, planned):
    """Before the handover nothing was passed, so the referral may still change."""
    case = make_case(make_person())
    need = make_need(case, field="work")
    response = client.post(f"/admin/referral/edit/?id={planned.id}", data={
        "case": str(case.id), "need": str(need.id), "partner": str(make_partner().id),
        "channel": "phone", "status": "planned", "planned_on": planned.planned_on.isoformat(),
        "edit_version": str(planned.version)})
    assert response.status_code == 302, flashes(response)[:1000]
    assert (_stored(planned).case_id, _stored(planned).need_id) == (case.id, need.id)


def test_a_second_confirm_is_answered_with_409(client, planned):
    _handover(client, planned, "confirm", channel="phone")
    response = _handover(client, planned, "confirm", channel="email")
    assert response.status_code == 409
    assert "bereits übergeben" in flashes(response)
    assert _stored(planned).channel is HandoverChannel.PHONE


def test_dashboard_cards_open_the_filtered_lists(client, planned):
    _handover(client, planned, "confirm", channel="phone")
    overdue = _stored(planned)
    overdue.feedback_due_on = date.today() - timedelta(days=1)
    attention = make_referral()
    attention.needs_attention = True
    neither = make_referral()
    db.session.commit()
    overdue, attention, neither = (r.case.reference for r in (overdue, attention, neither))
    page = client.get("/admin/").get_data(as_text=True)
    links = re.findall(r'href="(/admin/referral/\?[^"]+)"', page)
    assert len(links) == 2
    shown = [flashes(client.get(link.replace("&amp;", "&"))) for link in links]
    assert overdue in shown[0] and attention not in shown[0]
    assert attention in shown[1] and overdue not in shown[1]
    assert all(neither not in text for text in shown)


@pytest.mark.parametrize(("data", "message"), [
    ({"status": "completed", "day": "gestern"}, "Kein gültiges Datum"),
    ({"status": "completed", "day": "2099-01-01"}, "in der Zukunft"),
    ({"status": "appointment_made", "day": "2020-01-01"}, "vor der Übergabe"),
    ({"status": "failed", "reason": "999999"}, "angebotenen Einträge"),
    ({"status": "lost"}, "Ungültige Auswahl"),
    ({"status": "completed", "note": "x" * 2001}, "2000"),
])
def test_bad_outcome_input_is_explained(client, planned, data, message):
    _handover(client, planned, "confirm", channel="phone")
    response = client.post(f"/admin/referral/outcome/?id={planned.id}", data=data)
    assert response.status_code == 422
    assert message in flashes(response)
    assert _stored(planned).status is ReferralStatus.HANDED_OVER


@pytest.mark.parametrize(("day", "message"), [
    ("31.02.2026", "Kein gültiges Datum"),
    ("2020-01-01", "vor der Übergabe"),
    ("2099-01-01", "mehr als zwei Jahre"),
])
def test_bad_feedback_dates_are_explained(client, planned, day, message):
    token = _link(client, planned)
    response = client.post(f"/feedback/{token}", data={"answer": "appointment", "day": day})
    assert response.status_code == 422
    assert message in flashes(response)
    assert _stored(planned).status is ReferralStatus.HANDED_OVER
    assert client.get(f"/feedback/{token}").status_code == 200


def _speaks_english(user: User) -> None:
    db.session.get(User, user.id).locale = UiLocale.EN
    db.session.commit()


def test_the_partners_answer_is_shown_in_the_readers_language(client, planned):
    token = _link(client, planned)
    day = date.today() + timedelta(days=9)
    client.post(f"/feedback/{token}", data={"answer": "appointment", "day": day.isoformat(),
                                            "note": "Bitte Ausweis mitbringen"})
    stored = _stored(planned)
    assert stored.partner_note == "Bitte Ausweis mitbringen"
    user = login_as(client, Role.COORDINATOR)
    german = flashes(client.get(f"/admin/referral/details/?id={planned.id}"))
    assert f"Termin vereinbart für den {day:%d.%m.%Y}." in german
    _speaks_english(user)
    english = flashes(client.get(f"/admin/referral/details/?id={planned.id}"))
    assert f"Appointment made for {day.day} {day:%b} {day.year}." in english
    assert "Bitte Ausweis mitbringen" in english and day.isoformat() not in english


def test_a_partner_who_could_not_help_gives_a_reason_shown_per_language(client, planned):
    token = _link(client, planned)
    why = reason(ReasonKind.REFERRAL_FAILED)
    response = client.post(f"/feedback/{token}", data={"answer": "not_helped",
                                                       "reason": str(why.id)})
    assert response.status_code == 200
    stored = _stored(planned)
    assert (stored.status, stored.partner_answer, stored.partner_answer_reason_id) == (
        ReferralStatus.FAILED, PartnerAnswer.NOT_HELPED, why.id)
    _speaks_english(login_as(client, Role.COORDINATOR))
    assert f"Could not help: {why.label_en}." in flashes(
        client.get(f"/admin/referral/details/?id={planned.id}"))
