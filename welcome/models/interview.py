"""Orientation interviews in progress: where a coordinator stopped, so nothing gets lost."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, enum_type
from welcome.models.types import UTCDateTime, utcnow
from welcome.models.user import User

if TYPE_CHECKING:
    from welcome.models.case import Case
    from welcome.models.consultation import Consultation


class InterviewStep(LabelledEnum):
    HOUSEHOLD = "household", _l("Household")
    ARRIVAL = "arrival", _l("Arrival")
    NEEDS = "needs", _l("Needs")
    PARTNERS = "partners", _l("Partners")
    CONSENT = "consent", _l("Consent")
    SUMMARY = "summary", _l("Summary")

    @property
    def number(self) -> int:
        return list(InterviewStep).index(self) + 1


class Interview(db.Model):
    """One orientation interview of a case. Each step saves into the case's own records; this
    row only remembers where the interview stands, until it is finished as a consultation."""

    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_open_per_case", "case_id", unique=True,
              sqlite_where=text("finished_at IS NULL"),
              postgresql_where=text("finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    step: Mapped[InterviewStep] = mapped_column(
        enum_type(InterviewStep, "interview_step"), nullable=False,
        default=InterviewStep.HOUSEHOLD,
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )

    case: Mapped["Case"] = relationship()
    started_by: Mapped[User | None] = relationship()
    consultation: Mapped["Consultation | None"] = relationship()

    def __repr__(self) -> str:
        return f"<Interview {self.id} case={self.case_id} {self.step}>"
