"""Signing in and out, the language switch, idle timeout and role checks."""

import hmac
from datetime import timedelta

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from welcome.auth.redirects import current_path
from welcome.extensions import db, login_manager
from welcome.models import AuditAction, User
from welcome.models.types import utcnow
from welcome.services import audit


def init_app(app: Flask) -> None:
    from welcome.auth.views import blueprint

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(blueprint)
    app.before_request(expire_idle_session)
    app.before_request(remember_actor)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session (``"<id>:<token>"``, see ``User.get_id``), if the session is
    still valid: a new token on the account ends every session opened before."""
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdecimal() or len(user_id) > 9 or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def remember_actor() -> None:
    """Note who makes this request before anything changes, so the audit log names them even
    if their own account changes on the way (Flask-Login forgets inactive accounts)."""
    if current_user.is_authenticated:
        g.audit_actor = (current_user.id, current_user.username)


def expire_idle_session() -> object | None:
    """Sign out a user who has been idle longer than WELCOME_IDLE_MINUTES."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    from flask import current_app

    idle = timedelta(minutes=current_app.config["WELCOME_IDLE_MINUTES"])
    now = utcnow().timestamp()
    last_seen = session.get("last_seen")
    if isinstance(last_seen, int | float) and now - last_seen > idle.total_seconds():
        locale = str(current_user.locale)
        audit.record(db.session, AuditAction.LOGOUT, "User", current_user.id, detail="idle")
        db.session.commit()
        logout_user()
        session.clear()
        session["locale"] = locale
        flash(_("You were signed out after a period of inactivity. Please sign in again."), "info")
        return redirect(url_for("auth.login", next=current_path()))
    session["last_seen"] = now
    return None
