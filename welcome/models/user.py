"""Staff accounts."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Integer, String
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

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive accounts."""
        return self.active

    def __str__(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r} {self.role}>"
