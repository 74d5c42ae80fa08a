"""Consultations (Beratungsgespräche) held for a case."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.i18n import format_day
from welcome.models.base import LabelledEnum, TimestampMixin, enum_type
from welcome.models.catalogue import Language
from welcome.models.user import User

if TYPE_CHECKING:
    from welcome.models.case import Case
    from welcome.models.interview import Interview


class ConsultationKind(LabelledEnum):
    ORIENTATION = "orientation", _l("orientation interview")
    FOLLOW_UP = "follow_up", _l("follow-up")
    OTHER = "other", _l("other")


class ContactChannel(LabelledEnum):
    IN_PERSON = "in_person", _l("in person")
    PHONE = "phone", _l("phone")
    VIDEO = "video", _l("video")
    EMAIL = "email", _l("e-mail")


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 600",
            name="duration_plausible",
        ),
        #: A case's first consultation after a day, in one index probe (monitoring).
        Index("ix_consultations_case_id_held_on", "case_id", "held_on"),
        #: Monitoring counts consultations by day, channel, language and interpreter use.
        Index("ix_consultations_held_on_channel", "held_on", "channel", "language_id",
              "interpreter_used"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[ConsultationKind] = mapped_column(
        enum_type(ConsultationKind, "consultation_kind"),
        nullable=False,
        default=ConsultationKind.ORIENTATION,
        index=True,
    )
    held_on: Mapped[date] = mapped_column(Date, nullable=False, default=date.today, index=True)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[ContactChannel] = mapped_column(
        enum_type(ContactChannel, "consultation_channel"), nullable=False, index=True
    )
    language_id: Mapped[int | None] = mapped_column(
        ForeignKey("languages.id", ondelete="SET NULL"), index=True
    )
    interpreter_used: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    summary: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)

    case: Mapped["Case"] = relationship(back_populates="consultations")
    language: Mapped[Language | None] = relationship()
    staff: Mapped[User | None] = relationship()
    #: Interviews finished as this consultation; unlinked (and audited) if it is deleted.
    interviews: Mapped[list["Interview"]] = relationship(overlaps="consultation")

    def __str__(self) -> str:
        return f"{format_day(self.held_on)} {self.kind.label if self.kind else ''}"

    def __repr__(self) -> str:
        return f"<Consultation {self.id} case={self.case_id} {self.held_on}>"
