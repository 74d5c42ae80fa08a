"""Links that let a partner report back on a referral without an account."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.types import UTCDateTime, utcnow
from welcome.models.user import User

if TYPE_CHECKING:
    from welcome.models.referral import Referral


class FeedbackLink(db.Model):
    """One referral's feedback link. Only a hash of the token is stored, so a copy of the
    database cannot be used to answer on a partner's behalf."""

    __tablename__ = "feedback_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: SHA-256 of the token in the link, hex.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the partner answered; a link answers once.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    referral: Mapped["Referral"] = relationship(back_populates="feedback_links")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FeedbackLink {self.id} referral={self.referral_id}>"
