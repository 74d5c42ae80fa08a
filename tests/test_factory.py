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
