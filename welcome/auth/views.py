"""Sign-in, sign-out, language switch and the role-based start page."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from welcome.auth.redirects import safe_next
from welcome.auth.roles import home_endpoint
from welcome.extensions import db, limiter
from welcome.i18n import UI_LOCALES
from welcome.models import AuditAction, UiLocale
from welcome.services import audit, users

blueprint = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


def _login_rate() -> str:
    from flask import current_app

    return current_app.config["WELCOME_LOGIN_RATE_LIMIT"]


def _username_key() -> str:
    return "user:" + request.form.get("username", "").strip().lower()[:64]


def _failed(response: Response) -> bool:
    """Only failed sign-ins count towards the limits: a whole office signing in every morning
    through one proxy address must not lock itself out."""
    return response.status_code != 302


@blueprint.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(home_endpoint(current_user.confirmed_role)))


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_rate, methods=["POST"], key_func=_username_key, deduct_when=_failed)
def login():
    form = LoginForm()
    target = safe_next(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(target or url_for("auth.home"))
    if form.validate_on_submit():
        user = users.authenticate(db.session, form.username.data, form.password.data)
        if user is not None and session.get("locale_chosen"):
            # A language picked on the sign-in page is a choice for this account too.
            user.locale = UiLocale(session["locale"])
        db.session.commit()
        if user is not None:
            session.clear()
            login_user(user)
            return redirect(target or url_for(home_endpoint(user.confirmed_role)))
        flash(_("User name or password is wrong, or the account may not sign in."), "danger")
        return render_template("auth/login.html", form=form, next=target), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form, next=target), status


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out everywhere: the account gets a new session token, so a copy of the session
    cookie (another browser, a captured one) stops working too."""
    audit.record(db.session, AuditAction.LOGOUT, "User", current_user.id)
    users.end_sessions(current_user._get_current_object())
    db.session.commit()
    locale = str(current_user.locale)
    logout_user()
    session.clear()
    session["locale"] = locale
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/keepalive", methods=["POST"])
@login_required
def keepalive():
    """Called by long forms (the interview) while someone types: the session stays alive and
    the page gets a fresh CSRF token, so a long conversation never loses what was entered."""
    return jsonify(csrf_token=generate_csrf())


@blueprint.route("/language", methods=["POST"])
def set_language():
    """Switch the UI language; stored on the user, or in the session on the sign-in page."""
    code = request.form.get("locale", "")
    if code not in UI_LOCALES:
        abort(400, _("Unknown language."))
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = UiLocale(code)
        db.session.commit()
    else:
        session["locale_chosen"] = True
    return redirect(safe_next(request.form.get("next"), url_for("auth.home")))
