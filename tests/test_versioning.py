"""A stale edit is refused with a clear message instead of overwriting a colleague's change."""

import pytest
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from tests.helpers import (
    catalogue,
    flashes,
    login_as,
    make_case,
    make_consent,
    make_need,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.models import FieldTopic, Need, Person, Role


def _person_form(person: Person, **changes: str) -> dict[str, str]:
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "edit_version": str(person.version),
    }
    data.update(changes)
    return data


def test_second_save_from_an_old_form_is_refused(client):
    """Two coordinators open the same person; the second save must not win silently."""
    login_as(client, Role.COORDINATOR)
    person = make_person(family_name="Kovalenko")
    first = _person_form(person, family_name="Kovalenko-Shevchenko")
    second = _person_form(person, family_name="Kowalenko")

    assert client.post(f"/admin/person/edit/?id={person.id}", data=first).status_code == 302
    response = client.post(f"/admin/person/edit/?id={person.id}", data=second)

    assert response.status_code == 409
    assert "während Sie ihn bearbeitet haben" in flashes(response)
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert stored.family_name == "Kovalenko-Shevchenko"
    assert stored.version == 2


def test_edit_without_version_is_refused(client):
    login_as(client, Role.COORDINATOR)
    case = make_case()
    data = {"main_person": str(case.main_person_id), "source": case.source.value,
            "status": "active", "opened_on": "2026-03-02"}
    response = client.post(f"/admin/case/edit/?id={case.id}", data=data)
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(type(case), case.id).status.value == "new"


def test_edit_form_carries_the_current_version(client):
    login_as(client, Role.COORDINATOR)
    person = make_person()
    response = client.get(f"/admin/person/edit/?id={person.id}")
    assert f'name="edit_version" type="hidden" value="{person.version}"' in \
        response.get_data(as_text=True)


@pytest.mark.parametrize("make", [
    lambda: make_person(),
    lambda: make_case(),
    lambda: make_referral(),
    lambda: make_consent(make_person()),
    lambda: make_need(),
], ids=["person", "case", "referral", "consent", "need"])
def test_concurrent_commit_raises_stale_data(db, make):
    """The database-level guard: an UPDATE that lost the race changes nothing."""
    record = make()
    table = type(record).__table__.name
    db.session.execute(text(f"UPDATE {table} SET version = version + 1 WHERE id = :id"),
                       {"id": record.id})
    record.notes = "changed meanwhile"
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_a_need_edited_from_an_old_form_is_refused(client):
    """Needs carry a version too, so the need form and the interview cannot overwrite each
    other's changes."""
    login_as(client, Role.COORDINATOR)
    need = make_need(description="erste Fassung")
    data = {"case": str(need.case_id), "field_of_action": str(need.field_of_action_id),
            "priority": "medium", "status": "identified", "identified_on": "2026-03-02",
            "edit_version": str(need.version)}
    first = client.post(f"/admin/need/edit/?id={need.id}", data={**data, "description": "A"})
    assert first.status_code == 302
    second = client.post(f"/admin/need/edit/?id={need.id}", data={**data, "description": "B"})
    assert second.status_code == 409
    db.session.expire_all()
    assert db.session.get(Need, need.id).description == "A"


def test_a_need_takes_only_topics_of_its_field(client):
    login_as(client, Role.COORDINATOR)
    need = make_need(field="housing")
    data = {"case": str(need.case_id), "field_of_action": str(need.field_of_action_id),
            "priority": "medium", "status": "identified", "identified_on": "2026-03-02",
            "edit_version": str(need.version),
            "topics": [str(catalogue(FieldTopic, "work.a_german_style_cv").id)]}
    response = client.post(f"/admin/need/edit/?id={need.id}", data=data)
    assert response.status_code == 422
    assert "Handlungsfeld dieses Handlungsbedarfs" in flashes(response)
    data["topics"] = [str(catalogue(FieldTopic, "housing.deposit").id)]
    assert client.post(f"/admin/need/edit/?id={need.id}", data=data).status_code == 302
