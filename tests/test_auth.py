"""Signing in and out, sessions, rate limits, CSRF and the CLI for accounts."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import fresh_database, prepare_schema, separate_app
from tests.helpers import PASSWORD, CsrfClient, flashes, login_as, make_user
from welcome.extensions import db
from welcome.models import AuditAction, AuditEvent, Role, UiLocale, User
from welcome.models.types import utcnow
from welcome.services import audit

WRONG = "Benutzername oder Passwort ist falsch"


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_sign_in_and_out(client):
    user = make_user(Role.COORDINATOR)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert [e.username for e in _events(AuditAction.LOGIN)] == [user.username]

    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302
    assert len(_events(AuditAction.LOGOUT)) == 1


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive", "locked"])
def test_failures_all_look_the_same(client, case):
    """Nobody learns from the message whether an account exists, is inactive or locked."""
    user = make_user(Role.ASSISTANT, username="jonas")
    password = PASSWORD
    username = "jonas"
    if case == "wrong password":
        password = "not the password"
    elif case == "unknown user":
        username = "nobody"
    elif case == "inactive":
        user.active = False
    else:
        user.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 401
    assert WRONG in flashes(response)
    assert client.get("/admin/").status_code == 302
    assert len(_events(AuditAction.LOGIN_FAILED)) == 1


def test_repeated_failures_lock_the_account(client):
    user = make_user(Role.ASSISTANT)
    for _ in range(10):
        client.post("/login", data={"username": user.username, "password": "guess"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401


def test_empty_form_is_a_400_with_field_messages(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 400
    assert "Dieses Feld wird benötigt" in flashes(response)


@pytest.mark.parametrize(("next_url", "lands_on"), [
    ("/admin/case/?search=WC", "/admin/case/?search=WC"),
    ("https://evil.example/phish", "/admin/"),
    ("//evil.example/phish", "/admin/"),
    ("/\\evil.example", "/admin/"),
    ("javascript:alert(1)", "/admin/"),
])
def test_next_only_follows_local_paths(client, next_url, lands_on):
    user = make_user(Role.COORDINATOR)
    response = client.post("/login", query_string={"next": next_url},
                           data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == lands_on


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client):
    response = client.get("/admin/case/?page=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/case/?page%3D1"


def test_idle_session_expires(client, app):
    user = make_user(Role.COORDINATOR)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= (app.config["WELCOME_IDLE_MINUTES"] + 1) * 60
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302
    assert [(e.username, e.detail) for e in _events(AuditAction.LOGOUT)] == [
        (user.username, "idle")]


def test_idle_expiry_keeps_the_users_language(client, app):
    user = make_user(Role.COORDINATOR, locale=UiLocale.EN)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= (app.config["WELCOME_IDLE_MINUTES"] + 1) * 60
    page = client.get("/admin/case/", follow_redirects=True).get_data(as_text=True)
    assert 'lang="en"' in page
    assert "You were signed out after a period of inactivity" in page
    assert "Sign in" in page


def test_post_without_csrf_token_is_refused(client):
    user = make_user(Role.COORDINATOR)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    response = client.post("/admin/person/new/", data={"given_name": "A", "family_name": "B"},
                           csrf=False)
    assert response.status_code == 400
    response = client.post("/login", data={"username": "x", "password": "y"}, csrf=False)
    assert response.status_code == 400


def _attempts(client, count, username=lambda n: "someone", address=lambda n: "10.0.0.1",
              headers=lambda n: {}):
    return [
        client.post("/login", data={"username": username(n), "password": "wrong"},
                    environ_base={"REMOTE_ADDR": address(n)}, headers=headers(n)).status_code
        for n in range(count)
    ]


@pytest.fixture
def limited_client(app, client, monkeypatch):
    """The shared client with the production limit (the shared test app allows more).

    Limit counters outlive a test, so every test signs in with names and addresses of its own.
    """
    monkeypatch.setitem(app.config, "WELCOME_LOGIN_RATE_LIMIT", "10 per minute")
    return client


def _fresh() -> tuple[str, str]:
    """A user name prefix and an address no other test (or run) has used."""
    tag = secrets.token_hex(3)
    return f"rl-{tag}", ".".join(["10", *(str(int(tag[i:i + 2], 16)) for i in (0, 2, 4))])


def test_login_is_rate_limited_per_user_name(limited_client):
    """Ten failures a minute for one user name, even from ten different addresses."""
    name, _address = _fresh()
    statuses = _attempts(limited_client, 11, username=lambda n: name,
                         address=lambda n: f"172.16.{secrets.randbelow(250)}.{n}")
    assert statuses == [401] * 10 + [429]


def test_login_is_rate_limited_per_address(limited_client):
    """Ten failures a minute from one address, even for ten different user names."""
    name, address = _fresh()
    statuses = _attempts(limited_client, 11, username=lambda n: f"{name}-{n}",
                         address=lambda n: address)
    assert statuses == [401] * 10 + [429]


def test_refused_attempt_says_when_to_retry_and_is_audited(limited_client):
    name, address = _fresh()
    _attempts(limited_client, 10, username=lambda n: f"{name}-{n}", address=lambda n: address)
    response = limited_client.post("/login", data={"username": name, "password": "x"},
                                   environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = flashes(response)
    assert "Zu viele Versuche" in page and "per 1 minute" not in page
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.LOGIN_FAILED, AuditEvent.username == name))
    assert [e.detail for e in refused] == ["rate limited"]


def test_successful_sign_ins_do_not_count(limited_client):
    """A whole office behind one address signs in every morning."""
    user = make_user(Role.ASSISTANT)
    _name, address = _fresh()
    statuses = []
    for _ in range(12):
        statuses.append(limited_client.post(
            "/login", data={"username": user.username, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": address}).status_code)
        limited_client.post("/logout")
    assert statuses == [302] * 12


@pytest.mark.parametrize(("proxies", "expected"), [(0, [401] * 10 + [429]), (1, [401] * 11)])
def test_behind_a_proxy_each_workstation_has_its_own_limit(database_url, tmp_path, proxies,
                                                          expected):
    """With WELCOME_PROXY_COUNT the address comes from X-Forwarded-For; without it, every
    request seems to come from the proxy. The app commits its failed sign-ins to the audit
    log, so it gets a database of its own."""
    name, proxy = _fresh()
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, \
            separate_app(url, WELCOME_LOGIN_RATE_LIMIT="10 per minute",
                         WELCOME_PROXY_COUNT=proxies) as app:
        prepare_schema(app)
        app.test_client_class = CsrfClient
        statuses = _attempts(app.test_client(), 11, username=lambda n: f"{name}-{n}",
                             address=lambda n: proxy,
                             headers=lambda n: {"X-Forwarded-For": f"192.168.7.{n}"})
    assert statuses == expected


def test_language_switch_is_stored_on_the_user(client):
    user = make_user(Role.COORDINATOR)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert 'lang="de"' in client.get("/admin/case/").get_data(as_text=True)
    response = client.post("/language", data={"locale": "en", "next": "/admin/case/"})
    assert response.headers["Location"] == "/admin/case/"
    page = client.get("/admin/case/").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Cases" in page and "List" in page
    db.session.expire_all()
    assert db.session.get(User, user.id).locale.value == "en"


def test_language_switch_works_on_the_sign_in_page(client):
    assert "Anmelden" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"locale": "xx"}).status_code == 400


def test_security_headers(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy.replace("'self'", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_page_loads_anything_from_another_host(client):
    user = make_user(Role.COORDINATOR)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    for path in ("/login", "/admin/", "/admin/case/", "/admin/case/new/"):
        page = client.get(path).get_data(as_text=True)
        assert 'src="http' not in page and 'href="http' not in page.replace(
            'href="https://', "")


def test_cli_creates_and_manages_users(runner):
    result = runner.invoke(args=["welcome", "create-user", "--username", "anna", "--role",
                                 "assistant", "--password-stdin"], input="ein gutes Passwort\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "anna"))
    assert user.role is Role.ASSISTANT and user.password_hash.startswith("scrypt")

    result = runner.invoke(args=["welcome", "set-password", "--username", "anna",
                                 "--password-stdin"], input="kurz\n")
    assert result.exit_code != 0
    result = runner.invoke(args=["welcome", "set-password", "--username", "anna",
                                 "--password-stdin"], input="ein neues langes Passwort\n")
    assert result.exit_code == 0

    result = runner.invoke(args=["welcome", "deactivate-user", "--username", "anna"])
    assert result.exit_code == 0
    db.session.expire_all()
    assert not db.session.scalar(select(User).where(User.username == "anna")).active
    created = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "User", AuditEvent.entity_id == str(user.id))).all()
    assert {e.action for e in created} == {AuditAction.CREATE, AuditAction.UPDATE}
    assert all(e.username.startswith("cli:") for e in created)


def test_cli_refuses_a_taken_name_and_unknown_users(runner):
    make_user(Role.CLERK, username="sabine")
    result = runner.invoke(args=["welcome", "create-user", "--username", "Sabine", "--role",
                                 "clerk", "--password-stdin"], input="ein gutes Passwort\n")
    assert result.exit_code != 0
    assert runner.invoke(args=["welcome", "deactivate-user", "--username", "nobody"]).exit_code


def test_it_admin_sets_a_password_on_a_page_of_its_own(client):
    login_as(client, Role.IT_ADMIN)
    user = make_user(Role.ASSISTANT)
    page = client.get(f"/admin/user/details/?id={user.id}").get_data(as_text=True)
    assert "scrypt" not in page and "password_hash" not in page
    edit = client.get(f"/admin/user/edit/?id={user.id}").get_data(as_text=True)
    assert 'name="password' not in edit

    response = client.post(f"/admin/user/password/?id={user.id}",
                           data={"password": "zu kurz", "confirm": "zu kurz"})
    assert response.status_code == 422
    assert "mindestens 10 Zeichen" in flashes(response)
    response = client.post(f"/admin/user/password/?id={user.id}",
                           data={"password": "ein neues Passwort", "confirm": "ein anderes"})
    assert response.status_code == 422
    response = client.post(f"/admin/user/password/?id={user.id}",
                           data={"password": "ein neues Passwort", "confirm": "ein neues Passwort"})
    assert response.status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"username": user.username,
                                           "password": "ein neues Passwort"})
    assert response.status_code == 302


def test_an_account_with_history_is_deactivated_not_deleted(client):
    login_as(client, Role.IT_ADMIN)
    user = make_user(Role.ASSISTANT)
    db.session.add(AuditEvent(at=utcnow(), action=AuditAction.LOGIN, user_id=user.id,
                              username=user.username))
    db.session.commit()
    response = client.post("/admin/user/delete/", data={"id": str(user.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id) is not None
    assert "deaktivieren" in flashes(client.get("/admin/user/"))


def test_keepalive_needs_a_signed_in_user_and_a_token(client):
    assert client.post("/keepalive").status_code == 302
    login_as(client, Role.ASSISTANT)
    assert client.post("/keepalive", csrf=False).status_code == 400
    assert client.post("/keepalive").get_json()["csrf_token"]


def _copy_of(client, app):
    """A second browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_copied_session_cookie_stops_working_after_sign_out(client, app):
    user = make_user(Role.COORDINATOR)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    copy = _copy_of(client, app)
    assert copy.get("/admin/").status_code == 200
    client.post("/logout")
    response = copy.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert copy.get("/admin/").status_code == 302, "reusing the cookie revives nothing"


@pytest.mark.parametrize("change", ["new password", "role", "deactivated"])
def test_account_changes_end_its_open_sessions(client, app, change):
    user = make_user(Role.ASSISTANT)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    browser = _copy_of(client, app)
    assert browser.get("/admin/").status_code == 200
    login_as(client, Role.IT_ADMIN)
    if change == "new password":
        response = client.post(f"/admin/user/password/?id={user.id}", data={
            "password": "ein ganz neues Passwort", "confirm": "ein ganz neues Passwort"})
    else:
        data = {"username": user.username, "display_name": user.display_name,
                "role": "clerk" if change == "role" else "assistant", "locale": "de"}
        if change == "role":
            data["active"] = "y"
        response = client.post(f"/admin/user/edit/?id={user.id}", data=data)
    assert response.status_code == 302, flashes(response)
    assert browser.get("/admin/").status_code == 302


def test_language_chosen_on_the_sign_in_page_is_kept(client):
    user = make_user(Role.COORDINATOR)
    client.post("/language", data={"locale": "en", "next": "/login"})
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert 'lang="en"' in client.get("/admin/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is UiLocale.EN


def test_the_language_of_the_last_user_is_no_choice_for_the_next(client):
    """After sign-out the sign-in page keeps the user's language; the next colleague who signs
    in on that computer keeps their own."""
    english = make_user(Role.COORDINATOR, locale=UiLocale.EN)
    german = make_user(Role.ASSISTANT)
    client.post("/login", data={"username": english.username, "password": PASSWORD})
    client.post("/logout")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": german.username, "password": PASSWORD})
    assert 'lang="de"' in client.get("/admin/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, german.id).locale is UiLocale.DE


def test_expired_form_gets_a_page_in_the_users_language(client):
    login_as(client, Role.COORDINATOR)
    response = client.post("/admin/person/new/", data={"given_name": "A"}, csrf=False)
    assert response.status_code == 400
    page = flashes(response)
    assert "Das Formular ist abgelaufen" in page
    assert "CSRF" not in page


def test_the_actor_is_the_one_who_began_the_request(app, db):
    """Flask-Login forgets an account that becomes inactive; the audit log must not."""
    from flask_login import login_user

    from welcome.auth import remember_actor

    user = make_user(Role.IT_ADMIN)
    with app.test_request_context():
        login_user(user)
        remember_actor()
        user.active = False
        assert audit.current_actor() == (user.id, user.username)


def test_cli_speaks_english(runner):
    result = runner.invoke(args=["welcome", "create-user", "--username", "kurt", "--role",
                                 "assistant", "--password-stdin"], input="kurz\n")
    assert result.exit_code != 0
    assert "The password needs at least 10 characters." in result.output
    result = runner.invoke(args=["welcome", "create-user", "--username", "x y", "--role",
                                 "assistant", "--password-stdin"], input="ein gutes Passwort\n")
    assert "A user name cannot contain spaces." in result.output


def test_cli_deactivation_ends_open_sessions(client, app, runner):
    user = make_user(Role.ASSISTANT)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 200
    result = runner.invoke(args=["welcome", "deactivate-user", "--username", user.username])
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302
