"""One safe-redirect rule for every path that follows a ``next`` parameter."""

from urllib.parse import urlsplit

from flask import request


def current_path() -> str:
    """The path and query of this request, for coming back after signing in."""
    return request.full_path.rstrip("?")


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``.

    Refuses absolute URLs, scheme-relative ``//host`` URLs and backslash tricks that browsers
    read as another host.
    """
    if not target or "\\" in target or any(ord(char) < 32 for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
