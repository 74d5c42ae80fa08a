"""Error pages in the user's language, for every status the app can answer with."""

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
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


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title, message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    # A description set by our own code (abort(400, "…")) is more precise than the default.
    if error.description and error.description != type(error).description:
        message = error.description
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
