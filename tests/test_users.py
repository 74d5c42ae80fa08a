"""Accounts in the admin: the same rules as the command line, and separation of duties.

IT manages accounts but must not obtain access to counselling content on its own: nobody
changes their own role or switches off their own account, and casework access given in the
administration waits for a coordinator's confirmation.
"""

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import fresh_database, separate_app
from tests.helpers import PASSWORD, flashes, login_as, make_case, make_person, make_user
from welcome import MIGRATIONS_DIR
from welcome.extensions import db
from welcome.models import AccessChange, AuditAction, AuditEvent, Language, Role, User
from welcome.services import users
from welcome.services.errors import DomainError, NotAllowedError


def _count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _new_account(client, **overrides):
    data = {"username": "neu", "display_name": "Neue Kollegin", "role": "assistant",
            "locale": "de", "active": "y", "password": "ein gutes Passwort"}
    data.update(overrides)
    return client.post("/admin/user/new/", data=data)


def _sign_in(client, username, password=PASSWORD):
    client.post("/logout")
    return client.post("/login", data={"username": username, "password": password})


@pytest.mark.parametrize(("overrides", "message"), [
    ({"username": "KOORDINATION"}, "Der Benutzername KOORDINATION ist bereits vergeben"),
    ({"username": "  "}, "mindestens 2 Zeichen"),
    ({"username": "anna maria"}, "keine Leerzeichen"),
    ({"display_name": " "}, "Namen ein, der in der Anwendung angezeigt wird"),
    ({"password": "kurz"}, "mindestens 10 Zeichen"),
    ({"display_name": "N" * 121}, "nicht länger als 120 Zeichen"),
])
def test_admin_form_follows_the_account_rules(client, overrides, message):
    make_user(Role.COORDINATOR, username="koordination")
    login_as(client, Role.IT_ADMIN)
    before = _count_users()
    response = _new_account(client, **overrides)
    assert response.status_code == 422
    assert message in flashes(response)
    assert _count_users() == before


def test_admin_form_strips_names(client):
    login_as(client, Role.IT_ADMIN)
    assert _new_account(client, username="  neu  ", display_name=" Neue ",
                        role="clerk").status_code == 302
    user = users.find_user(db.session, "neu")
    assert (user.username, user.display_name) == ("neu", "Neue")


def test_renaming_to_a_taken_name_is_refused(client):
    make_user(Role.CLERK, username="sabine")
    other = make_user(Role.CLERK, username="jonas")
    login_as(client, Role.IT_ADMIN)
    response = client.post(f"/admin/user/edit/?id={other.id}", data={
        "username": "Sabine", "display_name": "Jonas", "role": "clerk", "locale": "de",
        "active": "y"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, other.id).username == "jonas"


def test_database_keeps_user_names_unique_without_case(db):
    make_user(Role.CLERK, username="case-test")
    db.session.add(User(username="CASE-TEST", display_name="x", role=Role.CLERK))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_migration_renames_names_that_differ_only_in_case(database_url, tmp_path):
    """Such accounts could never sign in reliably; the index needs them apart."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url) as app, app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="0007")
        for name in ("koordination", "KOORDINATION"):
            db.session.execute(text(
                "INSERT INTO users (username, display_name, role, active, locale, "
                "password_hash, failed_logins, created_at, updated_at) VALUES (:name, :name, "
                "'coordinator', TRUE, 'de', '', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"name": name})
        db.session.commit()
        upgrade(directory=str(MIGRATIONS_DIR))
        rows = db.session.execute(text(
            "SELECT id, username, session_token FROM users ORDER BY id")).all()
        assert [row.username for row in rows] == ["koordination", f"KOORDINATION-{rows[1].id}"]
        assert all(len(row.session_token) > 20 for row in rows)
        assert rows[0].session_token != rows[1].session_token
        db.session.remove()


def test_it_admin_cannot_change_their_own_role_or_switch_themselves_off(client):
    admin = login_as(client, Role.IT_ADMIN)
    for changes in ({"role": "coordinator", "active": "y"}, {"role": "it_admin"}):
        response = client.post(f"/admin/user/edit/?id={admin.id}", data={
            "username": admin.username, "display_name": admin.display_name, "locale": "de",
            **changes})
        assert response.status_code == 403
        assert "eigene" in flashes(response)
    db.session.expire_all()
    admin = db.session.get(User, admin.id)
    assert (admin.role, admin.active) == (Role.IT_ADMIN, True)
    assert client.get("/admin/case/").status_code == 403


def test_a_casework_account_made_by_it_waits_for_a_coordinator(client):
    """IT creates a coordinator account: it signs in, but reads no case until confirmed."""
    case = make_case(main_person=make_person(family_name="Vertraulich"))
    login_as(client, Role.IT_ADMIN)
    assert _new_account(client, username="helfer", role="coordinator").status_code == 302
    account = users.find_user(db.session, "helfer")
    assert account.pending_change is AccessChange.NEW_ACCOUNT

    assert _sign_in(client, "helfer", "ein gutes Passwort").status_code == 302
    start = client.get("/admin/")
    assert start.status_code == 200
    assert "wartet auf die Bestätigung durch die Koordination" in flashes(start)
    for path in ("/admin/case/", f"/admin/case/details/?id={case.id}", "/admin/person/",
                 "/admin/user/", "/admin/case/ajax/lookup/?name=main_person&query=Vertr"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"Vertraulich" not in response.data

    coordinator = login_as(client, Role.COORDINATOR)
    page = flashes(client.get("/admin/"))
    assert "Zu bestätigende Zugänge zur Fallarbeit" in page and "helfer" in page
    response = client.post("/admin/confirm-access/", data={"id": str(account.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, account.id).pending_change is None
    confirmed = db.session.scalar(select(AuditEvent).where(
        AuditEvent.entity == "User", AuditEvent.entity_id == str(account.id),
        AuditEvent.changed_fields == "pending_change"))
    assert confirmed.user_id == coordinator.id

    _sign_in(client, "helfer", "ein gutes Passwort")
    assert client.get(f"/admin/case/details/?id={case.id}").status_code == 200


@pytest.mark.parametrize(("start", "new", "waits"), [
    (Role.CLERK, Role.COORDINATOR, AccessChange.ROLE_RAISED),
    (Role.ASSISTANT, Role.COORDINATOR, AccessChange.ROLE_RAISED),
    (Role.IT_ADMIN, Role.ASSISTANT, AccessChange.ROLE_RAISED),
    (Role.COORDINATOR, Role.ASSISTANT, None),
    (Role.COORDINATOR, Role.BOARD, None),
])
def test_raising_a_role_into_casework_waits_for_confirmation(client, start, new, waits):
    account = make_user(start)
    login_as(client, Role.IT_ADMIN)
    response = client.post(f"/admin/user/edit/?id={account.id}", data={
        "username": account.username, "display_name": account.display_name,
        "role": new.value, "locale": "de", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, account.id).pending_change is waits


def test_a_new_password_for_a_casework_account_waits_for_confirmation(client):
    """Otherwise IT could set a coordinator's password and read as that coordinator."""
    account = make_user(Role.COORDINATOR)
    clerk = make_user(Role.CLERK)
    login_as(client, Role.IT_ADMIN)
    for user in (account, clerk):
        client.post(f"/admin/user/password/?id={user.id}", data={
            "password": "von der IT gesetzt", "confirm": "von der IT gesetzt"})
    db.session.expire_all()
    assert db.session.get(User, account.id).pending_change is AccessChange.PASSWORD_SET
    assert db.session.get(User, clerk.id).pending_change is None
    _sign_in(client, account.username, "von der IT gesetzt")
    assert client.get("/admin/case/").status_code == 403


def test_command_line_checks_name_lengths(runner):
    result = runner.invoke(args=["welcome", "create-user", "--username", "x" * 65,
                                 "--role", "clerk", "--password-stdin"],
                           input="ein gutes Passwort\n")
    assert result.exit_code != 0
    assert "at most 64 characters" in result.output


def test_command_line_grants_directly(runner):
    """Whoever runs the server makes the first coordinator; nobody is there to confirm."""
    result = runner.invoke(args=["welcome", "create-user", "--username", "erste",
                                 "--role", "coordinator", "--password-stdin"],
                           input="ein gutes Passwort\n")
    assert result.exit_code == 0, result.output
    assert users.find_user(db.session, "erste").pending_change is None


def test_only_another_confirmed_coordinator_confirms(client, db):
    waiting = make_user(Role.COORDINATOR, pending_change=AccessChange.NEW_ACCOUNT)
    assistant = make_user(Role.ASSISTANT)
    with pytest.raises(NotAllowedError):
        users.confirm_access(db.session, waiting, assistant)
    with pytest.raises(NotAllowedError):
        users.confirm_access(db.session, waiting, waiting)
    with pytest.raises(DomainError):
        users.confirm_access(db.session, assistant, make_user(Role.COORDINATOR))
    login_as(client, Role.ASSISTANT)
    assert client.post("/admin/confirm-access/", data={"id": str(waiting.id)}).status_code == 403
    login_as(client, Role.COORDINATOR)
    for bad in ("", "abc", "99999999999999", "-1"):
        assert client.post("/admin/confirm-access/", data={"id": bad}).status_code == 404
    response = client.post("/admin/confirm-access/", data={"id": str(assistant.id)})
    assert response.status_code == 409
    assert "wartet nichts auf Bestätigung" in flashes(response)


def test_accounts_that_appear_in_records_are_not_deleted(client):
    account = make_user(Role.COORDINATOR)
    make_case(responsible=account)
    login_as(client, Role.IT_ADMIN)
    client.post("/admin/user/delete/", data={"id": str(account.id)})
    db.session.expire_all()
    assert db.session.get(User, account.id) is not None


def test_catalogue_entries_in_use_are_switched_off_not_deleted(client):
    """Deleting a language would blank it, unaudited, in every person who prefers it."""
    person = make_person()
    language = person.preferred_language
    login_as(client, Role.COORDINATOR)
    response = client.post("/admin/language/delete/", data={"id": str(language.id)})
    assert response.status_code == 302
    assert "noch in Datensätzen verwendet" in flashes(client.get("/admin/language/"))
    db.session.expire_all()
    assert db.session.get(Language, language.id) is not None
    unused = Language(code="xq", label_de="Testsprache", label_en="Test language",
                      sort_order=999)
    db.session.add(unused)
    db.session.commit()
    client.post("/admin/language/delete/", data={"id": str(unused.id)})
    db.session.expire_all()
    assert db.session.get(Language, unused.id) is None
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.entity == "Language", AuditEvent.action == AuditAction.DELETE,
        AuditEvent.entity_id == str(unused.id))) is not None
