"""Security headers on every response, and checks every request passes before anything else;
all assets come from the app itself."""

import secrets

from flask import Flask, Response, abort, g, request
from flask_babel import gettext as _

#: No external host anywhere: scripts need this response's nonce, styles and images are local.
CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_guards(app: Flask) -> None:
    """Checks that run before every other request hook (rate limits, CSRF, sign-in)."""
    app.before_request(refuse_nul_characters)


def refuse_nul_characters() -> None:
    """A zero byte in a URL or form is never real input (it comes from a broken paste or a
    probe) and PostgreSQL refuses to store or compare it, so it is answered here, once for
    every screen, instead of failing deep inside a query.

    :raises BadRequest: when the path, a query or form argument, or a file name holds one.
    """
    values = [request.path]
    for data in (request.args, request.form):
        for key, value in data.items(multi=True):
            values += [key, value]
    values += [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in value for value in values):
        abort(400, _("The request contains a zero byte, which is not allowed. Please check what "
                     "you typed or pasted and try again."))


def init_app(app: Flask) -> None:
    app.before_request(_make_nonce)
    app.after_request(_add_headers)
    app.jinja_env.globals["csp_nonce"] = lambda: g.get("csp_nonce", "")


def _make_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def allow_same_origin_frames() -> None:
    """Let this response be shown in a frame of the app's own pages (the folder preview);
    every other page still refuses to be framed."""
    g.same_origin_frames = True


def _add_headers(response: Response) -> Response:
    csp = CSP.format(nonce=g.get("csp_nonce", ""))
    framing = "DENY"
    if g.get("same_origin_frames"):
        csp = csp.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
        framing = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = framing
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
