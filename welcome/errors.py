"""Error pages in the user's language, for every status the app can answer with."""

import time
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from welcome.auth.redirects import safe_next

#: (title, explanation) per status; anything else falls back to 400 or 500 wording.
MESSAGES = {
    400: (_l("The request could not be understood"),
          _l("Something in the request is wrong or missing. Please go back and try again.")),
    401: (_l("Please sign in"), _l("You need to sign in to see this page.")),
    403: (_l("Not allowed"),
          _l("Your role does not allow this page. If you need it for your work, ask the "
             "Welcome Center's coordinator.")),
    404: (_l("Not found"),
          _l("This page or record does not exist, or it was deleted.")),
    405: (_l("Not possible this way"),
          _l("This address cannot be used like that. Please use the buttons in the app.")),
    409: (_l("Conflict"),
          _l("The change conflicts with the current state of the record.")),
    413: (_l("File too large"), _l("The file you sent is larger than the app accepts.")),
    422: (_l("Please check your input"), _l("Some of what you entered cannot be used.")),
    429: (_l("Too many attempts"),
          _l("Please wait a minute before you try again.")),
    500: (_l("Something went wrong"),
          _l("The app ran into an error. Nothing was saved. Please try again; if it happens "
             "again, tell IT what you were doing.")),
}


#: Flask-WTF's and Flask-Limiter's own descriptions are English; these replace them.
CSRF_MESSAGE = (_l("The form has expired"),
                _l("The page was open too long, or was opened before you signed in again. "
                   "Please reload the page and enter your changes once more."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    # A description set by our own code (abort(400, "…")) is more precise than the default.
    if error.description and error.description != type(error).description:
        message = error.description
    return error_page(code, title, message)


def handle_csrf_error(error: CSRFError):
    return error_page(400, *CSRF_MESSAGE)


def handle_rate_limit(error: RateLimitExceeded):
    """429 with a Retry-After header; a blocked sign-in attempt is audited like a failed one."""
    from welcome.extensions import db, limiter
    from welcome.models import AuditAction
    from welcome.services import audit

    if request.endpoint == "auth.login":
        username = request.form.get("username", "").strip()[:64]
        audit.record(db.session, AuditAction.LOGIN_FAILED, "User", detail="rate limited",
                     user_id=None, username=username)
        db.session.commit()
    current = limiter.current_limit
    reset_at = current.reset_at if current is not None else time.time() + 60
    response = error_page(429, *MESSAGES[429])
    return response[0], 429, {"Retry-After": str(max(1, int(reset_at - time.time())))}


def error_page(code: int, title: Any, message: Any):
    """The error page (or, for the admin's ajax lookups, JSON) in the user's language."""
    if _wants_json():
        return jsonify(error=str(title), message=str(message)), code
    back = safe_next(request.referrer and _path_of(request.referrer), "")
    page = render_template("errors/error.html", title=title, message=message, code=code,
                           back=back)
    return page, code


def handle_unexpected(error: Exception):
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s", request.path)
    from welcome.extensions import db

    db.session.rollback()
    return handle_http_error(InternalServerError())


def _wants_json() -> bool:
    return request.path.startswith(("/admin/", "/api/")) and "/ajax/" in request.path


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")
