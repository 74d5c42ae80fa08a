"""Errors that services raise when a rule refuses a change."""

from typing import Any


class DomainError(Exception):
    """A rule refused the change. ``message`` is translated and safe to show to the user.

    :param message: what the user reads (already in their language).
    :param field: the form field the message belongs to, when there is one.
    """

    status_code = 422

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class StaleEditError(DomainError):
    """Somebody else saved the record after the user opened it."""

    status_code = 409


class NotAllowedError(DomainError):
    """The acting user may not do this to this record."""

    status_code = 403


class FieldErrors(DomainError):
    """Several inputs of one form break rules at once, so all of them can be marked.

    :param errors: the name of each input concerned → the message for it.
    """

    def __init__(self, message: Any, errors: dict[str, str]) -> None:
        super().__init__(message)
        self.errors = errors
