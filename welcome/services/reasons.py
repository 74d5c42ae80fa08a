"""Reasons from the catalogue: each kind of decision takes reasons of its own kind."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.orm import object_session

from welcome.models import Reason, ReasonKind
from welcome.services.errors import DomainError


def check_reason_kind(record: Any, field: str, kind: ReasonKind) -> None:
    """Refuse a reason of another kind in ``record.<field>`` (a case closed "waiting list").

    Monitoring counts reasons per kind, so a reason chosen for the wrong decision would be
    counted as something it is not.

    :raises DomainError: naming ``field``; nothing to do when no reason is set.
    """
    reason = getattr(record, field)
    reason_id = getattr(record, f"{field}_id")
    session = object_session(record)
    chosen_now = inspect(record).attrs[field].history.has_changes()
    if not chosen_now and reason_id is not None and session is not None:
        reason = session.get(Reason, reason_id)
    if reason is not None and reason.kind != kind:
        raise DomainError(_("Choose a reason of the kind “%(kind)s”.", kind=kind.label), field)
