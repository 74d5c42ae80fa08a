"""A referral is handed over once, however often or by how many people "hand over" is pressed.

These tests commit for real, so each builds a database of its own.
"""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tests.conftest import fresh_database, prepare_schema, separate_app
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
)
from tests.test_handover_screens import Inbox, _free_port
from welcome.extensions import db
from welcome.models import AuditAction, AuditEvent, Referral, ReferralStatus, Role
from welcome.services import referrals


@contextmanager
def own_app(database_url: str, tmp_path, **overrides: object) -> Iterator:
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url, **overrides) as app:
        prepare_schema(app)
        app.test_client_class = CsrfClient
        yield app


def signed_in(app, client) -> None:
    """Sign a coordinator in; an app context of its own, as requests inside one share ``g``
    (and with it Flask-Login's idea of who is signed in)."""
    with app.app_context():
        login_as(client, Role.COORDINATOR)


def _planned_referral() -> int:
    person = make_person(given_name="Lina", family_name="Haddad")
    partner = make_partner(email="mbe@example.org")
    make_consent(person, [partner])
    return make_referral(make_need(make_case(person)), partner).id


def _handovers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == AuditAction.HANDOVER))


class SlowInbox(Inbox):
    """An SMTP server that holds the conversation until the test lets it finish."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 15)
        return await super().handle_DATA(server, session, envelope)


def test_a_second_confirm_during_the_smtp_conversation_is_refused(database_url, tmp_path):
    """Two coordinators confirm the same e-mail handover: one mail, one record, a clear 409."""
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with own_app(database_url, tmp_path, WELCOME_MAIL_SERVER="127.0.0.1",
                     WELCOME_MAIL_PORT=controller.port) as app:
            with app.app_context():
                referral_id = _planned_referral()
            first, second = app.test_client(), app.test_client()
            for client in (first, second):
                signed_in(app, client)
            url = f"/admin/referral/handover/?id={referral_id}"
            data = {"channel": "email", "categories": ["name", "need"], "with_link": "y"}
            for client in (first, second):
                assert client.post(url, data={**data, "step": "preview"}).status_code == 200
            answers = {}
            sender = threading.Thread(target=lambda: answers.update(
                first=first.post(url, data={**data, "step": "confirm"})))
            sender.start()
            assert inbox.arrived.wait(15), "the first confirm never reached the mail server"
            # The first handover is committed while its mail is still being delivered.
            answers["second"] = second.post(url, data={**data, "step": "confirm"})
            inbox.release.set()
            sender.join(20)
            assert answers["first"].status_code == 302
            assert answers["second"].status_code == 409
            assert "bereits übergeben" in flashes(answers["second"])
            assert len(inbox.messages) == 1
            assert _handovers(app) == 1
            with app.app_context():
                assert db.session.get(Referral, referral_id).status is ReferralStatus.HANDED_OVER
    finally:
        inbox.release.set()
        controller.stop()


def test_two_simultaneous_confirms_hand_over_once(database_url, tmp_path, monkeypatch):
    """Two confirms at once (a double click): one hands over, the other is told so with a 409,
    never a 500.

    On PostgreSQL both requests are held until they reach the service together. SQLite lets
    one writing transaction run at a time (``BEGIN IMMEDIATE``), so there the second request
    waits for the first; a barrier inside the service would only deadlock them.
    """
    if database_url.startswith("postgresql"):
        barrier = threading.Barrier(2)
        hand_over = referrals.hand_over

        def together(*args, **kwargs):
            barrier.wait(10)
            return hand_over(*args, **kwargs)

        monkeypatch.setattr(referrals, "hand_over", together)
    with own_app(database_url, tmp_path) as app:
        with app.app_context():
            referral_id = _planned_referral()
        clients = [app.test_client(), app.test_client()]
        for client in clients:
            signed_in(app, client)
        url = f"/admin/referral/handover/?id={referral_id}"
        data = {"channel": "phone", "categories": ["name", "need"]}
        for client in clients:
            assert client.post(url, data={**data, "step": "preview"}).status_code == 200
        answers = []
        threads = [threading.Thread(target=lambda c=client: answers.append(
            c.post(url, data={**data, "step": "confirm"}))) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(answer.status_code for answer in answers) == [302, 409]
        refused = next(answer for answer in answers if answer.status_code == 409)
        assert "übergeben" in flashes(refused)
        assert _handovers(app) == 1
