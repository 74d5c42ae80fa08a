"""Staff accounts."""

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from welcome.extensions import db
from welcome.models.base import LabelledEnum, TimestampMixin, enum_type
from welcome.models.types import UTCDateTime


class Role(LabelledEnum):
    COORDINATOR = "coordinator", _l("Coordinator")
    ASSISTANT = "assistant", _l("Assistant")
    CLERK = "clerk", _l("Registration clerk")
    IT_ADMIN = "it_admin", _l("IT administrator")
    BOARD = "board", _l("Advisory board")


class UiLocale(LabelledEnum):
    DE = "de", _l("German")
    EN = "en", _l("English")


class AccessChange(LabelledEnum):
    """Why an account's casework access waits for a coordinator's confirmation."""

    NEW_ACCOUNT = "new_account", _l("new account with a casework role")
    ROLE_RAISED = "role_raised", _l("casework role given")
    PASSWORD_SET = "password_set", _l("new password set in the administration")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"), nullable=False, index=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    locale: Mapped[UiLocale] = mapped_column(
        enum_type(UiLocale, "ui_locale"), nullable=False, default=UiLocale.DE
    )
    #: scrypt hash from Werkzeug; never shown, never exported.
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Consecutive failed logins; reset by a successful login.
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Part of every session cookie; a new value ends all open sessions of the account
    #: (sign-out, new password, role change, deactivation).
    session_token: Mapped[str] = mapped_column(
        String(64), nullable=False, default=new_session_token
    )
    #: Set when a casework role was given, or a casework account's password set, in the
    #: administration: the casework access waits for a coordinator's confirmation.
    pending_change: Mapped[AccessChange | None] = mapped_column(
        enum_type(AccessChange, "access_change")
    )

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive accounts."""
        return self.active

    @property
    def confirmed_role(self) -> Role | None:
        """The role the account may use now: none while a casework grant waits for a
        coordinator's confirmation (``welcome.services.users``)."""
        return None if self.pending_change is not None else self.role

    def get_id(self) -> str:
        """The session names the account and its current token, so a new token ends every
        session opened before."""
        return f"{self.id}:{self.session_token}"

    def __str__(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r} {self.role}>"


#: "Anna" and "anna" are one name: sign-in compares names without case.
Index("uq_users_username_lower", func.lower(User.username), unique=True)
