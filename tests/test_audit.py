"""Every change, whatever path it took, leaves an audit event; reads and exports too."""

from sqlalchemy import select

from tests.helpers import login_as, make_case, make_person
from welcome.extensions import db
from welcome.models import AuditAction, AuditEvent, Person, Role


def _events(entity: str, entity_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    return list(db.session.scalars(query))


def test_admin_create_update_delete_are_audited(client):
    user = login_as(client, Role.COORDINATOR)
    client.post("/admin/person/new/", data={"given_name": "Lina", "family_name": "Haddad",
                                            "email": "lina@example.org"})
    person = db.session.scalar(select(Person).where(Person.family_name == "Haddad"))
    client.post(f"/admin/person/edit/?id={person.id}", data={
        "given_name": "Lina", "family_name": "Haddad-Khoury", "email": "lina@example.org",
        "edit_version": "1"})
    client.post("/admin/person/delete/", data={"id": str(person.id)})

    events = _events("Person", person.id)
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE,
                                          AuditAction.DELETE]
    assert {e.user_id for e in events} == {user.id}
    assert events[0].changed_fields == "email,family_name,given_name"
    assert events[1].changed_fields == "family_name"
    assert "Haddad" not in "".join(str(e.changed_fields) + str(e.detail) for e in events)


def test_mass_delete_action_is_audited(client):
    login_as(client, Role.COORDINATOR)
    people = [make_person(), make_person()]
    response = client.post("/admin/person/action/", data={
        "action": "delete", "rowid": [str(p.id) for p in people]})
    assert response.status_code == 302
    for person in people:
        assert [e.action for e in _events("Person", person.id)][-1] == AuditAction.DELETE


def test_opening_a_person_or_case_is_recorded_as_a_read(client):
    user = login_as(client, Role.ASSISTANT)
    case = make_case()
    client.get(f"/admin/case/details/?id={case.id}")
    client.get(f"/admin/person/details/?id={case.main_person_id}")
    reads = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.VIEW)))
    assert [(e.entity, e.entity_id, e.user_id) for e in reads] == [
        ("Case", str(case.id), user.id), ("Person", str(case.main_person_id), user.id)]


def test_export_is_recorded(client):
    login_as(client, Role.COORDINATOR)
    make_case()
    assert client.get("/admin/case/export/csv/").status_code == 200
    exports = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT)))
    assert [(e.entity, e.detail) for e in exports] == [("Case", "csv")]


def test_audit_log_can_be_filtered_but_not_changed(client):
    login_as(client, Role.IT_ADMIN)
    page = client.get("/admin/audit/?flt0_what_equals=login").get_data(as_text=True)
    assert "angemeldet" in page
    assert client.get("/admin/audit/new/").status_code == 403
    assert client.get("/admin/audit/edit/?id=1").status_code == 403
    assert client.post("/admin/audit/delete/", data={"id": "1"}).status_code == 403
    assert client.post("/admin/audit/action/", data={"action": "delete",
                                                     "rowid": "1"}).status_code == 403
