"""Every change, whatever path it took, leaves an audit event; reads and exports too."""

import json
import re

from sqlalchemy import func, select

from tests.helpers import (
    flashes,
    login_as,
    make_case,
    make_intake,
    make_need,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    AuditEvent,
    CaseStatus,
    Consultation,
    ContactChannel,
    Intake,
    IntakeStatus,
    Person,
    Role,
    UiLocale,
)
from welcome.models.types import utcnow
from welcome.services import catalogues, interviews, users


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


def _reads() -> list[tuple[str, str, int, str | None]]:
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.VIEW).order_by(AuditEvent.id))
    return [(e.entity, e.entity_id, e.user_id, e.detail) for e in rows]


def test_opening_a_person_or_case_is_recorded_as_a_read(client):
    user = login_as(client, Role.ASSISTANT)
    case = make_case()
    client.get(f"/admin/case/details/?id={case.id}")
    client.get(f"/admin/person/details/?id={case.main_person_id}")
    assert _reads() == [("Case", str(case.id), user.id, None),
                        ("Person", str(case.main_person_id), user.id, None)]


def test_a_read_is_logged_under_the_records_number(client):
    """"?id=01" opens record 1; the log must say 1, or a filter on 1 would miss the read."""
    login_as(client, Role.COORDINATOR)
    person = make_person()
    assert client.get(f"/admin/person/details/?id=0{person.id}").status_code == 200
    assert [row[1] for row in _reads()] == [str(person.id)]


def test_opening_the_edit_form_is_a_read_too(client):
    """The edit form shows the whole record; saving it is logged as the change it is."""
    user = login_as(client, Role.COORDINATOR)
    case = make_case()
    person = case.main_person
    assert client.get(f"/admin/person/edit/?id={person.id}").status_code == 200
    assert client.get(f"/admin/case/edit/?id={case.id}").status_code == 200
    assert _reads() == [("Person", str(person.id), user.id, "edit form"),
                        ("Case", str(case.id), user.id, "edit form")]
    client.post(f"/admin/person/edit/?id={person.id}", data={
        "given_name": person.given_name, "family_name": "Neu", "edit_version": "1"})
    assert len(_reads()) == 2


def test_export_records_the_list_and_the_number_of_rows(client):
    login_as(client, Role.COORDINATOR)
    for _ in range(3):
        make_case()
    make_case(status=CaseStatus.ACTIVE)
    response = client.get("/admin/case/export/csv/?flt0_status_equals=new")
    assert response.status_code == 200
    exports = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT)))
    assert [(e.entity, json.loads(e.detail)) for e in exports] == [
        ("Case", {"format": "csv", "rows": 3, "list": "flt0_status_equals=new"})]
    assert len(response.get_data(as_text=True).strip().splitlines()) == 1 + 3
    page = flashes(client.get("/admin/audit/?flt0_what_equals=export"))
    assert "CSV-Datei, 3 Zeilen; Liste: flt0_status_equals=new" in page


def test_audit_log_speaks_the_readers_language(client):
    """Record types, field names and details are shown as staff know them, not as code."""
    user = login_as(client, Role.COORDINATOR)
    client.post("/admin/person/new/", data={"given_name": "Lina", "family_name": "Haddad"})
    users.authenticate(db.session, "nobody", "not the password")
    db.session.add(AuditEvent(at=utcnow(), action=AuditAction.UPDATE, entity="User",
                              entity_id=str(user.id), changed_fields="password_hash,locale"))
    db.session.commit()
    page = flashes(client.get("/admin/audit/"))
    assert "Person" in page and "Familienname, Vorname" in page
    assert "Benutzerkonto" in page and "Passwort, Sprache" in page
    assert "unbekannter Benutzername" in page
    for raw in ("family_name", "password_hash", "unknown user", ">User<", "locale"):
        assert raw not in page
    db.session.get(type(user), user.id).locale = UiLocale.EN
    db.session.commit()
    page = flashes(client.get("/admin/audit/"))
    assert "User account" in page and "Family name, Given name" in page
    assert "unknown user name" in page


def test_audit_log_filters_by_translated_record_type_and_exact_number(client):
    login_as(client, Role.IT_ADMIN)
    for number in ("1", "10", "12"):
        db.session.add(AuditEvent(at=utcnow(), action=AuditAction.VIEW, entity="Person",
                                  entity_id=number))
    db.session.add(AuditEvent(at=utcnow(), action=AuditAction.VIEW, entity="Case",
                              entity_id="1"))
    db.session.commit()
    kind, number = "record_type_equals", "record_number_equals"
    page = client.get(f"/admin/audit/?flt0_{kind}=Person&flt1_{number}=1")
    assert page.status_code == 200
    listed = re.findall(r'<td class="col-entity_id">\s*(\d+)\s*</td>', page.get_data(as_text=True))
    assert listed == ["1"]
    options = page.get_data(as_text=True)
    assert "Benutzerkonto" in options and "Haushaltsmitglied" in options
    for wrong in (f"flt0_{kind}=Nonsense", f"flt0_{number}=1%25", f"flt0_{number}=abc"):
        assert client.get(f"/admin/audit/?{wrong}").status_code == 200


def test_every_audited_record_and_field_has_a_label(app):
    """Whatever the audit log can record shows as a word staff know, never a column name."""
    from flask_admin.contrib.sqla import ModelView

    from admin_views.audit_labels import ENTITY_LABELS, FIELD_LABELS
    from welcome.services.audit import CHILD_ROWS, NOISE, UNAUDITED, field_name

    admin = app.extensions["admin"][0]
    screens = {v.model.__name__: v.column_labels for v in admin._views
               if isinstance(v, ModelView)}
    missing = []
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if issubclass(model, UNAUDITED + CHILD_ROWS):
            continue
        if model.__name__ not in ENTITY_LABELS:
            missing.append(model.__name__)
        relationships = mapper.relationships.keys()
        for attr in mapper.attrs:
            name = field_name(attr.key, relationships)
            if attr.key not in NOISE and name not in screens.get(model.__name__, {}) \
                    and name not in FIELD_LABELS:
                missing.append(f"{model.__name__}.{name}")
    assert missing == []


def test_audit_log_can_be_filtered_but_not_changed(client):
    login_as(client, Role.IT_ADMIN)
    page = client.get("/admin/audit/?flt0_what_equals=login").get_data(as_text=True)
    assert "angemeldet" in page
    assert client.get("/admin/audit/new/").status_code == 403
    assert client.get("/admin/audit/edit/?id=1").status_code == 403
    assert client.post("/admin/audit/delete/", data={"id": "1"}).status_code == 403
    assert client.post("/admin/audit/action/", data={"action": "delete",
                                                     "rowid": "1"}).status_code == 403


def _last_event_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def _trail(entity: str, ids: list[int], since: int) -> list[tuple[str, AuditAction, str | None]]:
    """What the audit log recorded about these rows after event ``since``."""
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == entity, AuditEvent.entity_id.in_([str(i) for i in ids]),
        AuditEvent.id > since).order_by(AuditEvent.id))
    return [(row.entity_id, row.action, row.changed_fields) for row in rows]


def test_mass_deleting_needs_audits_their_referrals(client):
    """The database would delete a need's referrals on its own; the ORM does it row by row."""
    user = login_as(client, Role.COORDINATOR)
    need = make_need()
    referrals = [make_referral(need), make_referral(need)]
    since = _last_event_id()
    response = client.post("/admin/need/action/", data={"action": "delete",
                                                        "rowid": [str(need.id)]})
    assert response.status_code == 302
    ids = [r.id for r in referrals]
    assert _trail("Referral", ids, since) == [(str(i), AuditAction.DELETE, None) for i in ids]
    deleted = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "Referral", AuditEvent.action == AuditAction.DELETE))
    assert {e.user_id for e in deleted} == {user.id}


def test_deleting_a_case_audits_everything_it_takes_along(client, app):
    login_as(client, Role.COORDINATOR)
    case = make_case()
    need = make_need(case)
    referral = make_referral(need)
    consultation = Consultation(case=case, channel=ContactChannel.PHONE)
    db.session.add(consultation)
    db.session.commit()
    intake = make_intake(case=case, status=IntakeStatus.ACCEPTED)
    interview = interviews.start_interview(db.session, case, None)
    db.session.commit()
    since = _last_event_id()
    response = client.post("/admin/case/delete/", data={"id": str(case.id)})
    assert response.status_code == 302
    for record in (need, referral, consultation, interview):
        entity = type(record).__name__
        assert _trail(entity, [record.id], since) == [(str(record.id), AuditAction.DELETE, None)]
    assert _trail("Intake", [intake.id], since) == [(str(intake.id), AuditAction.UPDATE, "case")]
    db.session.expire_all()
    assert db.session.get(Intake, intake.id).case_id is None


def test_deleting_a_person_audits_unlinked_records(client):
    """(A person with consents is not deleted at all: tests/test_evidence.py.)"""
    login_as(client, Role.COORDINATOR)
    case = make_case()
    member = make_person()
    need = make_need(case, person=member)
    intake = make_intake(person=member, status=IntakeStatus.ACCEPTED)
    since = _last_event_id()
    response = client.post("/admin/person/delete/", data={"id": str(member.id)})
    assert response.status_code == 302
    assert _trail("Need", [need.id], since) == [(str(need.id), AuditAction.UPDATE, "person")]
    assert _trail("Intake", [intake.id], since) == [(str(intake.id), AuditAction.UPDATE, "person")]


def test_every_database_cascade_is_seen_by_the_audit_log():
    """An ON DELETE CASCADE or SET NULL rule changes rows behind the ORM's back, unaudited.

    Each such foreign key to an audited table must be handled by an ORM relationship on the
    parent (which deletes or unlinks the rows one by one, inside the audit hook's view), or
    lead to a table whose rows are never deleted while referenced (accounts and catalogue
    entries are deactivated instead). Walks the schema, so a new foreign key cannot escape.
    """
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm import ONETOMANY

    from welcome.services.audit import CHILD_ROWS, UNAUDITED

    refused = {"users", *(model.__tablename__ for model in catalogues.CATALOGUES.values())}
    mappers = {mapper.local_table: mapper for mapper in db.Model.registry.mappers}
    missing = []
    for table in db.metadata.sorted_tables:
        child = mappers.get(table)
        if child is None or issubclass(child.class_, UNAUDITED + CHILD_ROWS):
            continue
        for foreign_key in table.foreign_keys:
            if foreign_key.ondelete not in ("CASCADE", "SET NULL"):
                continue
            parent_table = foreign_key.column.table
            if parent_table.name in refused:
                continue
            handled = [
                rel for rel in sa_inspect(mappers[parent_table].class_).relationships
                if rel.direction is ONETOMANY and rel.mapper is child
                and foreign_key.parent in rel.remote_side and not rel.passive_deletes
                and (foreign_key.ondelete == "SET NULL" or rel.cascade.delete)
            ]
            if not handled:
                missing.append(f"{table.name}.{foreign_key.parent.name}")
    assert missing == []
