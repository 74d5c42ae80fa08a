"""Signing in and out, the language switch, idle timeout and role checks."""

from datetime import timedelta

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from welcome.auth.redirects import current_path
from welcome.extensions import db, login_manager
from welcome.models import User
from welcome.models.types import utcnow


def init_app(app: Flask) -> None:
    from welcome.auth.views import blueprint

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(blueprint)
    app.before_request(expire_idle_session)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.active else None


def expire_idle_session() -> object | None:
    """Sign out a user who has been idle longer than WELCOME_IDLE_MINUTES."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    from flask import current_app

    idle = timedelta(minutes=current_app.config["WELCOME_IDLE_MINUTES"])
    now = utcnow().timestamp()
    last_seen = session.get("last_seen")
    if isinstance(last_seen, int | float) and now - last_seen > idle.total_seconds():
        logout_user()
        session.clear()
        flash(_("You were signed out after a period of inactivity. Please sign in again."), "info")
        return redirect(url_for("auth.login", next=current_path()))
    session["last_seen"] = now
    return None
