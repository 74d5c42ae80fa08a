"""Intakes under concurrency: two requests at the same moment, each with its own client and
database connection, on a database whose commits are real (not the rolled-back test
transaction). On PostgreSQL the requests really overlap; on SQLite they take turns.

Each race is made reliable by slowing a service step down while both requests are under way,
so without the locks both requests would pass the "still open" / "not yet saved" checks.
"""

import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import fresh_database, prepare_schema, separate_app
from tests.helpers import PASSWORD, CsrfClient, flashes, make_person, make_user
from welcome.extensions import db
from welcome.models import Case, Intake, IntakeOffice, IntakeStatus, Person, Role
from welcome.services import cases, intake_import, intakes, triage

#: How long the slowed-down step takes: long enough for the other request to catch up.
DELAY = 0.4


@pytest.fixture(scope="module")
def shared_app(database_url, tmp_path_factory) -> Iterator[Any]:
    """An app on a database of its own, where every commit stays."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path_factory.mktemp("race")) as url, \
            separate_app(url) as application:
        prepare_schema(application)
        application.test_client_class = CsrfClient
        yield application


def _client(app: Any, role: Role | None = None, username: str | None = None) -> Any:
    """A client signed in as a new user of ``role``, or as the existing user ``username``;
    the client carries the user name as ``client.username``."""
    if username is None:
        with app.app_context():
            username = make_user(role).username
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    client.username = username
    return client


def _slowed(original: Callable[..., Any]) -> Callable[..., Any]:
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(DELAY)
        return original(*args, **kwargs)

    return slow


def _at_once(*requests: Callable[[], Any]) -> list[Any]:
    """Run the requests in threads that start together; the responses (or the errors)."""
    start = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(index: int, request: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[index] = request()
        except Exception as error:  # a 500 inside the app reaches the test client as an error
            results[index] = error

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == [], errors
    return results


def _make_intake(app: Any, **kw: Any) -> int:
    values = {"given_name": "Olena", "family_name": "Kovalenko", "phone": "+49 171 3920055",
              "office": IntakeOffice.REGISTRATION_OFFICE, "consent_to_contact": True,
              "household_size": 2}
    values.update(kw)
    with app.app_context():
        intake = Intake(**values)
        db.session.add(intake)
        db.session.commit()
        return intake.id


def test_two_coordinators_accepting_at_once_open_one_person_and_one_case(
        shared_app, monkeypatch):
    family = "Rennen-Annahme"
    intake_id = _make_intake(shared_app, family_name=family)
    first = _client(shared_app, Role.COORDINATOR)
    second = _client(shared_app, Role.COORDINATOR)
    monkeypatch.setattr(cases, "open_case", _slowed(cases.open_case))
    url = f"/admin/intakes/accept/?id={intake_id}"
    responses = _at_once(lambda: first.post(url), lambda: second.post(url))
    assert [r.status_code for r in responses] == [302, 302]
    with shared_app.app_context():
        persons = db.session.scalars(select(Person).where(Person.family_name == family)).all()
        assert len(persons) == 1
        assert db.session.scalar(select(func.count(Case.id)).where(
            Case.main_person_id == persons[0].id)) == 1
        intake = db.session.get(Intake, intake_id)
        assert intake.status == IntakeStatus.ACCEPTED and intake.person_id == persons[0].id
    texts = [flashes(client.get(r.headers["Location"])) for client, r in
             zip((first, second), responses, strict=True)]
    assert sum("Für Olena Rennen-Annahme wurde der Fall" in text for text in texts) == 1
    assert sum("bereits entschieden" in text for text in texts) == 1


def test_two_coordinators_merging_into_one_person_at_once_never_fail(shared_app, monkeypatch):
    with shared_app.app_context():
        person_id = make_person(family_name="Rennen-Person", phone=None).id
    intake_ids = [_make_intake(shared_app, family_name="Rennen-Person", phone=phone)
                  for phone in ("+49 171 3920061", "+49 171 3920062")]
    first = _client(shared_app, Role.COORDINATOR)
    second = _client(shared_app, Role.COORDINATOR)
    monkeypatch.setattr(triage, "check_person", _slowed(triage.check_person))

    def merge(client: CsrfClient, intake_id: int) -> Any:
        return client.post(f"/admin/intakes/merge/confirm/?id={intake_id}&person={person_id}",
                           data={"field": ["phone"]})

    responses = _at_once(lambda: merge(first, intake_ids[0]),
                         lambda: merge(second, intake_ids[1]))
    statuses = sorted(r.status_code for r in responses)
    assert statuses in ([302, 302], [302, 409])
    for response in responses:
        if response.status_code == 409:
            assert "Jemand anderes hat diesen Datensatz geändert" in flashes(response)
    with shared_app.app_context():
        merged = db.session.scalar(select(func.count(Intake.id)).where(
            Intake.id.in_(intake_ids), Intake.status == IntakeStatus.DUPLICATE))
        assert merged == statuses.count(302)


def test_a_double_submit_at_the_same_moment_saves_one_intake(shared_app, monkeypatch):
    first = _client(shared_app, Role.CLERK)
    second = _client(shared_app, username=first.username)
    page = first.get("/intake/").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([0-9a-f]{32})"', page).group(1)
    data = {"given_name": "Doppel", "family_name": "Klick", "date_of_birth": "",
            "phone": "0171 3920071", "email": "", "preferred_language": "",
            "residence_purpose": "", "household_size": "1", "office": "registration_office",
            "note": "", "consent_to_contact": "y", "submission_key": key}
    monkeypatch.setattr(intakes, "check_intake", _slowed(intakes.check_intake))
    responses = _at_once(lambda: first.post("/intake/", data=dict(data)),
                         lambda: second.post("/intake/", data=dict(data)))
    assert [r.status_code for r in responses] == [302, 302]
    with shared_app.app_context():
        assert db.session.scalar(select(func.count(Intake.id)).where(
            Intake.submission_key == key)) == 1
    texts = [flashes(client.get("/intake/")) for client in (first, second)]
    assert sum("Gespeichert: Doppel Klick" in text for text in texts) == 1
    assert sum("bereits gespeichert" in text for text in texts) == 1


def test_an_arrival_list_confirmed_twice_at_once_is_imported_once(shared_app, monkeypatch):
    first = _client(shared_app, Role.COORDINATOR)
    second = _client(shared_app, Role.COORDINATOR)
    rows = "\r\n".join([
        "Familienname;Vorname;Geburtsdatum;Telefon;Einwilligung Kontakt",
        "Liste-Rennen;Anna;01.02.1980;0171 3920081;ja",
        "Liste-Rennen;Boris;02.03.1981;0171 3920082;ja",
        "Liste-Rennen;Chiara;03.04.1982;0171 3920083;ja",
    ]).encode()
    preview = first.post("/admin/intakes/import/", data={
        "file": (io.BytesIO(rows), "liste.csv"), "office": "registration_office"},
        content_type="multipart/form-data")
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"',
                        preview.get_data(as_text=True)).group(1)
    monkeypatch.setattr(intake_import, "flag_duplicates_many",
                        _slowed(intake_import.flag_duplicates_many))
    url = "/admin/intakes/import/confirm/"
    responses = _at_once(lambda: first.post(url, data={"payload": payload}),
                         lambda: second.post(url, data={"payload": payload}))
    assert [r.status_code for r in responses] == [302, 302]
    with shared_app.app_context():
        assert db.session.scalar(select(func.count(Intake.id)).where(
            Intake.family_name == "Liste-Rennen")) == 3
    texts = [flashes(client.get(r.headers["Location"])) for client, r in
             zip((first, second), responses, strict=True)]
    assert sorted(re.search(r"(\d+) Zuweisungen wurden importiert", t).group(1)
                  for t in texts) == ["0", "3"]
