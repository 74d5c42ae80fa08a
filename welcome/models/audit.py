"""The audit log: append-only, names of changed fields but never their values."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, enum_type
from welcome.models.types import UTCDateTime, utcnow
from welcome.models.user import User


class AuditAction(LabelledEnum):
    CREATE = "create", _l("created")
    UPDATE = "update", _l("changed")
    DELETE = "delete", _l("deleted")
    VIEW = "view", _l("viewed")
    EXPORT = "export", _l("exported")
    HANDOVER = "handover", _l("handed over")
    CONSENT_WITHDRAWN = "consent_withdrawn", _l("consent withdrawn")
    LOGIN = "login", _l("logged in")
    LOGIN_FAILED = "login_failed", _l("login failed")
    LOGOUT = "logout", _l("logged out")


class AuditEvent(db.Model):
    """One thing somebody did. Rows are never updated or deleted (a trigger refuses it)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    #: Users with audit history are deactivated, not deleted, so this keeps pointing somewhere.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    #: The name as it was at the time (also for failed logins, where there may be no user).
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[AuditAction] = mapped_column(
        enum_type(AuditAction, "audit_action"), nullable=False, index=True
    )
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    #: Comma-separated names of the fields that changed.
    changed_fields: Mapped[str | None] = mapped_column(String(2000))
    detail: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.entity} {self.entity_id}>"

