"""Optimistic locking: refuse an edit that started from an older version of the record."""

from typing import Any

from flask_babel import gettext as _

from welcome.services.errors import StaleEditError


def check_version(record: Any, version_seen: Any) -> None:
    """Refuse the change when the record moved on since the user loaded it.

    :param record: a model with a ``version`` column (see ``VersionedMixin``).
    :param version_seen: the version the user's form was rendered with.
    :raises StaleEditError: when the versions differ or the form carried none.
    """
    try:
        seen = int(version_seen)
    except (TypeError, ValueError):
        seen = None
    if seen != record.version:
        raise StaleEditError(stale_message())


def stale_message() -> str:
    return _(
        "Somebody else changed this record while you were editing it. Your changes were not "
        "saved. Reload the page to see the current state, then enter your changes again."
    )
