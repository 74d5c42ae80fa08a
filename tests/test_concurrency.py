"""Colleagues working at the same moment: nobody gets an error page, nothing is overwritten.

These tests use a database file of their own and real threads, each with its own test client
and connection, as the web server's threads have in production.
"""

import threading
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import fresh_database, prepare_schema, separate_app
from tests.helpers import PASSWORD, CsrfClient, password_hash
from welcome.extensions import db
from welcome.models import CaseSource, Person, Role, User
from welcome.services import audit, cases

THREADS = 8


@pytest.fixture
def shared_app(database_url, tmp_path) -> Iterator:
    """An app on a database of its own with two coordinators and a few persons and cases."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url) as application:
        prepare_schema(application)
        with application.app_context(), audit.acting_as(None, "tests"):
            for number in range(THREADS):
                db.session.add(User(username=f"colleague{number}", display_name=f"C {number}",
                                    role=Role.COORDINATOR, password_hash=password_hash()))
            people = [Person(given_name="Lina", family_name=f"Haddad {n}") for n in range(4)]
            db.session.add_all(people)
            db.session.flush()
            for person in people:
                cases.open_case(db.session, person, source=CaseSource.SELF)
            db.session.commit()
            db.session.remove()
        application.test_client_class = CsrfClient
        yield application


def _signed_in(application, number: int) -> CsrfClient:
    client = application.test_client()
    response = client.post("/login", data={"username": f"colleague{number}",
                                           "password": PASSWORD})
    assert response.status_code == 302
    return client


def _at_once(work: list[Callable[[], int]]) -> list[int | str]:
    """Run the calls in threads that start together; their HTTP status, or the error."""
    start = threading.Barrier(len(work))
    results: list[int | str] = [0] * len(work)

    def run(position: int) -> None:
        start.wait()
        try:
            results[position] = work[position]()
        except Exception as error:
            results[position] = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _version(application, person_id: int) -> int:
    with application.app_context():
        version = db.session.get(Person, person_id).version
        db.session.remove()
    return version


def _edit_person(client: CsrfClient, person_id: int, employer: str) -> Callable[[], int]:
    """Save the person's form as a colleague who opened it just now."""
    data = {"given_name": "Lina", "family_name": f"Haddad {person_id - 1}", "employer": employer,
            "edit_version": str(_version(client.application, person_id))}
    return lambda: client.post(f"/admin/person/edit/?id={person_id}", data=data).status_code


def test_two_colleagues_save_different_persons_at_once(shared_app):
    clients = [_signed_in(shared_app, n) for n in range(2)]
    for attempt in range(4):
        statuses = _at_once([_edit_person(clients[n], n + 1, f"Firma {attempt}")
                             for n in range(2)])
        assert statuses == [302, 302]
    with shared_app.app_context():
        assert [db.session.get(Person, n).employer for n in (1, 2)] == ["Firma 3"] * 2


def test_the_same_record_saved_twice_at_once_refuses_one_clearly(shared_app):
    clients = [_signed_in(shared_app, n) for n in range(2)]
    statuses = _at_once([_edit_person(clients[n], 3, f"Firma {n}") for n in range(2)])
    assert sorted(statuses) == [302, 409]


def test_many_colleagues_open_cases_at_once(shared_app):
    """Opening a case page writes a read entry to the audit log: eight at once all succeed."""
    clients = [_signed_in(shared_app, n) for n in range(THREADS)]

    def open_cases(client: CsrfClient) -> Callable[[], int]:
        def run() -> int:
            statuses = {client.get(f"/admin/case/details/?id={case_id}").status_code
                        for _ in range(3) for case_id in range(1, 5)}
            return statuses.pop() if len(statuses) == 1 else 0
        return run

    assert _at_once([open_cases(client) for client in clients]) == [200] * THREADS
