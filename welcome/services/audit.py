"""The audit trail: every create, update and delete, whatever path it took, plus reads.

Changes are collected by a session hook after each flush, so admin forms, list actions, CLI
commands and services all leave a trace without remembering to. Reads, exports, logins and
handovers are recorded explicitly with :func:`record`.
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from welcome.models import (
    AuditAction,
    AuditEvent,
    CaseReferenceCounter,
    ConsentCategory,
    ConsentChannel,
    DossierExportSection,
    InstanceSetting,
    InterviewKey,
    ReferralCategory,
)
from welcome.models.types import utcnow

#: Bookkeeping rows that are not facts about people or work; changes to them stay out of the log.
#: Category/channel rows are reported as a change of their parent's field instead.
UNAUDITED = (AuditEvent, CaseReferenceCounter, InstanceSetting, InterviewKey)
CHILD_ROWS = (ConsentCategory, ConsentChannel, ReferralCategory, DossierExportSection)
#: Columns whose change says nothing a reader of the log needs (sign-ins are logged as such).
#: A new session token goes with a sign-out or a change that is logged by its own name.
NOISE = {"created_at", "updated_at", "version", "last_login_at", "failed_logins", "locked_until",
         "session_token"}

_cli_actor: ContextVar[tuple[int | None, str] | None] = ContextVar("audit_cli_actor", default=None)


@contextmanager
def acting_as(user_id: int | None, username: str) -> Iterator[None]:
    """Attribute changes outside a web request (CLI commands, scripts) to a named actor."""
    token = _cli_actor.set((user_id, username))
    try:
        yield
    finally:
        _cli_actor.reset(token)


def current_actor() -> tuple[int | None, str]:
    """The (user id, username) responsible for what happens now.

    In a request, the user who was signed in when it began (``welcome.auth.remember_actor``).
    """
    if has_request_context():
        if "audit_actor" in g:
            return g.audit_actor
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
    actor = _cli_actor.get()
    if actor is not None:
        return actor
    return None, "system"


def record(
    session: Session,
    action: AuditAction,
    entity: str | None = None,
    entity_id: Any = None,
    fields: Iterable[str] = (),
    detail: str | None = None,
    *,
    user_id: int | None = None,
    username: str | None = None,
) -> None:
    """Add one audit event (a read, an export, a login …) to the session.

    :param user_id: overrides the current actor, for events about a user who is not logged in
        yet (a failed login, for instance).
    """
    actor_id, actor_name = current_actor()
    session.add(
        AuditEvent(
            at=utcnow(),
            user_id=user_id if username is not None else actor_id,
            username=username if username is not None else actor_name,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            changed_fields=",".join(fields) or None,
            detail=detail,
        )
    )


#: Longest text the audit log keeps in ``detail``.
DETAIL_LENGTH = 500


def export_detail(export_type: str, rows: int, arguments: str) -> str:
    """What an export contained: format, number of rows and the list's search and filters (as
    in its URL), language-neutral; the audit log screen shows it translated."""
    detail = {"format": export_type, "rows": rows, "list": arguments}
    text = json.dumps(detail, ensure_ascii=False)
    while len(text) > DETAIL_LENGTH:
        detail["list"] = detail["list"][:-20] + "…"
        text = json.dumps(detail, ensure_ascii=False)
    return text


def install() -> None:
    """Hook the change collector into every SQLAlchemy session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_flush", _refuse_audit_changes)


def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent):
            raise PermissionError("audit events are append-only")


def _after_flush(session: Session, flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    user_id, username = current_actor()
    at = utcnow()
    changes = (
        [(obj, AuditAction.CREATE) for obj in session.new]
        + [(obj, AuditAction.UPDATE) for obj in session.dirty]
        + [(obj, AuditAction.DELETE) for obj in session.deleted]
    )
    for obj, action in changes:
        if isinstance(obj, UNAUDITED + CHILD_ROWS):
            continue
        fields = _changed_fields(obj, action)
        if action is AuditAction.UPDATE and not fields:
            continue
        rows.append(
            {
                "at": at,
                "user_id": user_id,
                "username": username,
                "action": action,
                "entity": type(obj).__name__,
                "entity_id": _identity(obj),
                "changed_fields": ",".join(fields) or None,
            }
        )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def _changed_fields(obj: Any, action: AuditAction) -> list[str]:
    if action is AuditAction.DELETE:
        return []
    state = inspect(obj)
    relationships = state.mapper.relationships.keys()
    names = set()
    for attr in state.mapper.attrs:
        if attr.key in NOISE:
            continue
        history = state.attrs[attr.key].history
        if action is AuditAction.CREATE:
            changed = any(value not in (None, [], "") for value in history.added)
        else:
            changed = history.has_changes()
        if changed:
            names.add(field_name(attr.key, relationships))
    return sorted(names)


def field_name(key: str, relationships: Iterable[str]) -> str:
    """The name a reader knows: ``partner`` for ``partner_id``, ``categories`` for rows."""
    if key.endswith("_id") and key.removesuffix("_id") in relationships:
        return key.removesuffix("_id")
    return key.removesuffix("_rows")


def _identity(obj: Any) -> str | None:
    """The primary key; read from the attributes, as new rows are not yet in the identity map."""
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if all(part is None for part in key):
        return None
    return ",".join(str(part) for part in key)
