"""The warm handover as a coordinator does it: check, see the text, hand over, hear back."""

import re
import socket
from datetime import date, timedelta

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
    ReasonKind,
    Referral,
    ReferralStatus,
    Role,
)
from welcome.models.types import utcnow


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


def test_handover_by_email_arrives_with_the_stored_text(client, planned, inbox):
    _handover(client, planned, "preview")
    response = _handover(client, planned, "confirm")
    assert response.status_code == 302, flashes(response)[:1500]
    stored = _stored(planned)
    assert stored.status is ReferralStatus.HANDED_OVER
    assert [m.rcpt_tos for m in inbox.messages] == [["mbe@example.org"]]
    message = inbox.messages[0].content.decode("utf-8")
    assert stored.case.reference in message
    body = message.split("\r\n\r\n", 1)[1].replace("=\r\n", "")
    assert "Lina Haddad" in stored.handover_text
    assert "Lina Haddad" in body
    link = re.search(r"/feedback/([\w-]+)", stored.handover_text)
    assert link is not None and link.group(0) in body.replace("=3D", "=")
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
    assert "nicht gesendet" in flashes(response)
    assert _stored(planned).status is ReferralStatus.PLANNED


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
    response = client.post(f"/admin/referral/outcome/?id={planned.id}",
                           data={"status": "failed", "day": "2026-11-01"})
    assert response.status_code == 422
    assert "warum" in flashes(response)
    response = client.post(f"/admin/referral/outcome/?id={planned.id}", data={
        "status": "failed", "day": "2026-11-01",
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
    _handover(client, planned, "preview", channel="phone")
    _handover(client, planned, "confirm", channel="phone")
    token = re.search(r"/feedback/([\w-]+)", _stored(planned).handover_text).group(1)
    client.post("/logout")
    return token


def test_partner_confirms_an_appointment(client, planned):
    token = _link(client, planned)
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200
    text = flashes(page)
    assert "Lina" in text and planned.case.reference in text and "Haddad" not in text
    response = client.post(f"/feedback/{token}", data={"answer": "appointment",
                                                       "day": "2026-12-01"})
    assert response.status_code == 200 and "Vielen Dank" in flashes(response)
    stored = _stored(planned)
    assert stored.status is ReferralStatus.APPOINTMENT_MADE
    assert stored.appointment_on == date(2026, 12, 1)
    assert stored.partner_feedback
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
