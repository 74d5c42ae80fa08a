"""The application factory and configuration."""

import pytest

from welcome import create_app


def test_production_needs_a_secret_key(monkeypatch, tmp_path):
    """Does start-up refuse to run without WELCOME_SECRET_KEY outside a demo?"""
    monkeypatch.delenv("WELCOME_SECRET_KEY", raising=False)
    monkeypatch.delenv("WELCOME_DEMO", raising=False)
    with pytest.raises(RuntimeError, match="WELCOME_SECRET_KEY"):
        create_app({"WELCOME_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    """Do WELCOME_* variables reach the config, typed like their defaults?"""
    monkeypatch.setenv("WELCOME_IDLE_MINUTES", "45")
    monkeypatch.setenv("WELCOME_HTTPS", "1")
    app = create_app({"TESTING": True, "WELCOME_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["WELCOME_IDLE_MINUTES"] == 45
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


def test_default_database_is_sqlite_in_instance(monkeypatch):
    monkeypatch.delenv("WELCOME_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/welcome.db")


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'lang="de"' in response.get_data(as_text=True)


def test_a_short_secret_key_is_refused(monkeypatch, tmp_path):
    """A short key can be guessed, and with it every session cookie."""
    monkeypatch.delenv("WELCOME_DEMO", raising=False)
    database = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(RuntimeError, match="too short"):
        create_app({"WELCOME_DATABASE_URL": database, "WELCOME_SECRET_KEY": "geheim123"})
    app = create_app({"WELCOME_DATABASE_URL": database, "WELCOME_SECRET_KEY": "k" * 32})
    assert app.secret_key == "k" * 32


def test_a_negative_proxy_count_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="WELCOME_PROXY_COUNT"):
        create_app({"TESTING": True, "WELCOME_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                    "WELCOME_PROXY_COUNT": -1})
