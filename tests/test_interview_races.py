"""Two requests racing each other on the real PostgreSQL server: saved once, never twice.

A double click or a twin tab sends its form while the first sending is still being saved.
These tests hold the first request inside its transaction until the second has arrived, so
the race really happens; they need a database that serves several connections at once and
are therefore defined for PostgreSQL runs (``WELCOME_TEST_DATABASE_URL``), as in CI.
"""

import threading
import time

from sqlalchemy import func, select

from tests.conftest import POSTGRES_URL, fresh_database, prepare_schema, separate_app
from tests.helpers import PASSWORD, CsrfClient, form_values, make_case, make_user
from welcome.extensions import db
from welcome.models import CaseMember, Consultation, Interview, Role
from welcome.services import interviews

#: How long the first request holds its transaction open, so the second one overlaps it.
HOLD_SECONDS = 0.5


def _clients(app, count: int) -> list[CsrfClient]:
    app.test_client_class = CsrfClient
    clients = []
    for _number in range(count):
        client = app.test_client()
        response = client.post("/login", data={"username": "racer", "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    return clients


def _race(calls) -> list:
    """Run the calls at the same moment in threads; their responses, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _count(app, model, *where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model).where(*where))
        finally:
            db.session.remove()


def _slow_claims(monkeypatch) -> None:
    """The first request to claim a key keeps its transaction open a little longer."""
    claim = interviews.claim_key
    first = threading.Lock()

    def slow(*args, **kwargs):
        claim(*args, **kwargs)
        if first.acquire(blocking=False):
            time.sleep(HOLD_SECONDS)

    monkeypatch.setattr(interviews, "claim_key", slow)


if POSTGRES_URL:

    def test_the_same_household_form_sent_twice_at_once_adds_one_member(tmp_path,
                                                                         monkeypatch):
        with fresh_database("postgresql", tmp_path) as url, separate_app(url) as app:
            prepare_schema(app)
            with app.app_context():
                make_user(Role.COORDINATOR, username="racer")
                case_id = make_case().id
                db.session.remove()
            first, second = _clients(app, 2)
            assert first.get(f"/admin/interview/{case_id}/").status_code == 302
            page = first.get(f"/admin/interview/{case_id}/household/")
            data = form_values(page, "interview-form")
            data.pop("csrf_token")  # each client sends the token of its own session
            data.update({"members-0-given_name": ["Taras"], "members-0-family_name": ["Bondar"],
                         "members-0-relation": ["spouse"], "go": ["next"]})
            _slow_claims(monkeypatch)
            url = f"/admin/interview/{case_id}/household/"
            responses = _race([lambda: first.post(url, data=dict(data)),
                               lambda: second.post(url, data=dict(data))])
            assert [r.status_code for r in responses] == [302, 302]
            assert {r.headers["Location"] for r in responses} == {
                f"/admin/interview/{case_id}/arrival/"}
            assert _count(app, CaseMember) == 1

    def test_two_tabs_finishing_at_once_record_one_consultation(tmp_path, monkeypatch):
        with fresh_database("postgresql", tmp_path) as url, separate_app(url) as app:
            prepare_schema(app)
            with app.app_context():
                make_user(Role.COORDINATOR, username="racer")
                case_id = make_case().id
                db.session.remove()
            first, second = _clients(app, 2)
            assert first.get(f"/admin/interview/{case_id}/").status_code == 302
            url = f"/admin/interview/{case_id}/summary/"
            forms = []
            for client in (first, second):
                data = form_values(client.get(url), "interview-form")
                data["go"] = ["next"]
                forms.append(data)
            assert forms[0]["form_key"] != forms[1]["form_key"]
            _slow_claims(monkeypatch)
            responses = _race([lambda: first.post(url, data=forms[0]),
                               lambda: second.post(url, data=forms[1])])
            assert sorted(r.status_code for r in responses) in ([302, 409], [302, 302])
            assert _count(app, Consultation) == 1
            assert _count(app, Interview) == 1
            assert _count(app, Interview, Interview.finished_at.is_not(None)) == 1
